"""Training throughput of every trainer on this machine, and what a profile's recipe costs here.

Each track runs a few steps of its real trainer on the real data from `models/base` (the same
code `bilge train …` runs, validation included at the end), times its optimizer steps, and
projects the profile's recipe (`training/recipes.py`): steps × batch / throughput.

    .venv/bin/python bench/train.py [--steps 6] [--profile cpu]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from transformers import TrainerCallback  # noqa: E402

from training.common import Recipe  # noqa: E402
from training.corpus import SHARED_DATA  # noqa: E402
from training.recipes import PROFILES  # noqa: E402


class StepTimer(TrainerCallback):
    """Seconds of each optimizer step (forward, backward, update), validation excluded."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self.started = 0.0

    def on_step_begin(self, args, state, control, **kwargs):
        self.started = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs):
        self.seconds.append(time.perf_counter() - self.started)


def run(track: str, work: Path, base: Path, steps: int, batch_size: int, profile: str) -> dict:
    from training.embedder import train_embedder
    from training.reader import train_reader
    from training.reranker import train_reranker
    from training.selector import train_selector

    shipped = dict(PROFILES[profile][track])
    options = {key: shipped.pop(key) for key in ("layers", "window_chars") if key in shipped}
    recipe = Recipe(output=work / track, base=base, max_steps=steps, batch_size=min(batch_size, shipped["batch_size"]),
                    eval_steps=steps, patience=99, dev_questions=20, learning_rate=shipped["learning_rate"])
    timer = StepTimer()
    trainers = {"embedder": train_embedder, "reranker": train_reranker, "selector": train_selector,
                "reader": train_reader}
    with contextlib.redirect_stdout(sys.stderr):
        trainers[track](recipe, SHARED_DATA, "bench/train.py", callbacks=[timer], **options)
    step = statistics.median(timer.seconds[1:] or timer.seconds)  # the first step pays for warm-up
    speed = recipe.batch_size / step
    examples = shipped["max_steps"] * shipped["batch_size"]
    return {"track": track, "batch": recipe.batch_size, "examples_per_s": speed,
            "shipped_steps": shipped["max_steps"], "shipped_hours": examples / speed / 3600}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=6, help="steps measured per trainer")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="cpu", help="whose recipe to project")
    parser.add_argument("--base", type=Path, default=ROOT / "models" / "base")
    parser.add_argument("--batch-size", type=int, default=16,
                        help="measured batch (the shipped 64 does not fit in 24 GB on CPU: the embedder's "
                             "512-token attention at batch 64 took all memory); the projection uses the recipe's")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        rows = [run(track, Path(folder), args.base, args.steps, args.batch_size, args.profile)
                for track in ("embedder", "reranker", "selector", "reader")]
    print(f"{'trainer':10} {'measured batch':>14} {'examples/s':>11} {'recipe steps':>14} {'recipe here':>20}")
    for row in rows:
        print(f"{row['track']:10} {row['batch']:14d} {row['examples_per_s']:11.2f} {row['shipped_steps']:14d} "
              f"{row['shipped_hours']:17.1f} h")
    print(f"bilge train all --profile {args.profile} on this machine ≈ {sum(r['shipped_hours'] for r in rows):.1f} h "
          "of training "
          "(plus validation and the ~20 s base rebuild)")


if __name__ == "__main__":
    main()
