"""Training throughput of every trainer on this machine, and what the shipped recipe costs here.

Each track runs a few steps of its real trainer on the real data from `models/base` (the same
code `bilge train …` runs, validation included at the end), reads the trainer's own
examples-per-second, and projects the shipped recipe (`training/recipes.py`): steps × batch /
throughput.

    .venv/bin/python bench/train.py [--steps 6]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from training.common import Recipe  # noqa: E402
from training.corpus import SHARED_DATA  # noqa: E402
from training.recipes import SHIPPED  # noqa: E402


def throughput(output: Path) -> float:
    """Training examples per second, from the trainer's own log."""
    state = json.loads(sorted((output / "checkpoints").glob("checkpoint-*/trainer_state.json"))[-1].read_text())
    return next(e["train_samples_per_second"] for e in reversed(state["log_history"])
                if "train_samples_per_second" in e)


def run(track: str, work: Path, base: Path, steps: int) -> dict:
    from training.embedder import train_embedder
    from training.reader import train_reader
    from training.reranker import train_reranker

    shipped = dict(SHIPPED[track])
    layers = shipped.pop("layers", None)
    recipe = Recipe(output=work / track, base=base, max_steps=steps, batch_size=shipped["batch_size"],
                    eval_steps=steps, patience=99, dev_questions=20, learning_rate=shipped["learning_rate"])
    with contextlib.redirect_stdout(sys.stderr):
        if track == "embedder":
            train_embedder(recipe, SHARED_DATA, "bench/train.py")
        elif track == "reranker":
            train_reranker(recipe, SHARED_DATA, "bench/train.py", layers=layers, embedder=base)
        else:
            train_reader(recipe, SHARED_DATA, "bench/train.py", layers=layers)
    speed = throughput(recipe.output)
    examples = shipped["max_steps"] * shipped["batch_size"]
    return {"track": track, "batch": shipped["batch_size"], "examples_per_s": speed,
            "shipped_steps": shipped["max_steps"], "shipped_hours": examples / speed / 3600}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=6, help="steps measured per trainer")
    parser.add_argument("--base", type=Path, default=ROOT / "models" / "base")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        rows = [run(track, Path(folder), args.base, args.steps) for track in ("embedder", "reranker", "reader")]
    print(f"{'trainer':10} {'batch':>6} {'examples/s':>11} {'shipped steps':>14} {'shipped recipe here':>20}")
    for row in rows:
        print(f"{row['track']:10} {row['batch']:6d} {row['examples_per_s']:11.2f} {row['shipped_steps']:14d} "
              f"{row['shipped_hours']:17.1f} h")
    print(f"bilge train all on this machine ≈ {sum(r['shipped_hours'] for r in rows):.1f} h of training "
          "(plus validation and the ~20 s base rebuild)")


if __name__ == "__main__":
    main()
