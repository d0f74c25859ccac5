"""Does growing a trained small decoder save compute against training the large one from scratch?

Per seed, two arms with the same budget of training FLOPs (≈ 6 · parameters · tokens):

- **scratch**: the `mini` decoder (4 × 256) trained from random weights for `--steps` steps;
- **grown**: the `tiny` decoder (2 × 128) trained for `--tiny-steps` steps (past the unigram
  plateau: the point of growing is to carry over what a converged small model knows), grown
  to `mini` with noise on the twins (`training/grow_decoder.py`), then trained for the steps
  the budget has left.

Both arms of a seed see the same vocabulary, the same validation blocks (fixed held-out lines)
and start from the seed's random weights. Printed: each arm's final validation loss (mean and
spread over the seeds), the FLOPs the grown arm needed to reach the scratch arm's final loss,
and the saving; written: growth.json and growth.png (loss against FLOPs, the seeds' spread).

    .venv/bin/python bench/growth.py --seeds 1 2 3 --steps 500 --tiny-steps 700 --out bench/out/growth
    .venv/bin/python bench/growth.py --report bench/out/growth/growth.json   # table and plot again
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from training.corpus import SHARED_DATA  # noqa: E402


def parameters(model) -> int:
    return sum(p.numel() for p in model.parameters())


def train_phase(model, tokenizer, texts, out: Path, steps: int, seed: int, args, flops_before: float) -> list[dict]:
    """Train `model` for `steps`; its validation curve as points of (step, loss, FLOPs so far)."""
    import shutil

    from training.lm import LmRecipe, train_lm

    shutil.rmtree(out, ignore_errors=True)
    recipe = LmRecipe(output=out, base=out, objective="causal", max_steps=steps, batch_size=args.batch_size,
                      learning_rate=args.lr, eval_steps=max(1, steps // args.points), patience=10**6,
                      max_length=args.max_length, warmup_ratio=0.05, resume=False, seed=seed,
                      validation_blocks=args.validation_blocks)
    flops_per_step = 6.0 * parameters(model) * args.batch_size * args.max_length
    started = time.perf_counter()
    result = train_lm(recipe, model, tokenizer, texts, "bench/growth.py", f"growth bench {out.name}")
    seconds = time.perf_counter() - started
    curve = [{"step": 0, "loss": result["baseline"]["eval_loss"]}] + [
        {"step": e["step"], "loss": e["eval_loss"]} for e in result["log"] if "eval_loss" in e]
    for point in curve:
        point.update(flops=flops_before + flops_per_step * point["step"], phase=out.name, seconds=seconds)
    return curve


def run_seed(seed: int, tokenizer, texts, args) -> dict[str, list[dict]]:
    """The scratch and the grown arm of one seed, at equal total FLOPs."""
    import torch
    from transformers import LlamaForCausalLM

    from training.grow import grow
    from training.sizes import decoder_config

    torch.manual_seed(seed)
    mini = LlamaForCausalLM(decoder_config("mini", tokenizer, 512))
    scratch = train_phase(mini, tokenizer, texts, args.out / f"scratch-{seed}", args.steps, seed, args, 0.0)
    torch.manual_seed(seed)
    tiny = LlamaForCausalLM(decoder_config("tiny", tokenizer, 512))
    ratio = parameters(tiny) / parameters(mini)
    small_phase = train_phase(tiny, tokenizer, texts, args.out / f"tiny-{seed}", args.tiny_steps, seed, args, 0.0)
    grown = grow(tiny, "mini", seed=seed, noise=args.noise)
    left = args.steps - round(args.tiny_steps * ratio)
    if left < 1:
        raise SystemExit(f"--tiny-steps {args.tiny_steps} spends the whole budget of {args.steps} mini steps")
    large_phase = train_phase(grown, tokenizer, texts, args.out / f"grown-{seed}", left, seed, args,
                              small_phase[-1]["flops"])
    return {"scratch": scratch, "grown": small_phase + large_phase}


def cost_to_reach(curve: list[dict], target: float) -> float:
    """The first FLOPs at which the validation loss is at or below `target` (linear between
    evaluations); infinity when never reached."""
    for before, after in zip(curve, curve[1:]):
        if after["loss"] <= target:
            if before["loss"] <= target:
                return before["flops"]
            share = (before["loss"] - target) / (before["loss"] - after["loss"])
            return before["flops"] + share * (after["flops"] - before["flops"])
    return math.inf


def spread(values: list[float]) -> str:
    finite = [v for v in values if math.isfinite(v)]
    if len(finite) < len(values):
        return f"not reached in {len(values) - len(finite)} of {len(values)}"
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values) if len(values) > 1 else 0.0:.3f}"


def report(runs: dict[str, dict], path: Path, settings: dict) -> None:
    """Per seed: final losses and the grown arm's FLOPs to the scratch arm's final loss."""
    rows = []
    for seed, arms in runs.items():
        budget = arms["scratch"][-1]["flops"]
        target = arms["scratch"][-1]["loss"]
        rows.append({"seed": seed, "scratch_final": target, "grown_final": arms["grown"][-1]["loss"],
                     "grown_at_growth": next(p["loss"] for p in arms["grown"] if p["phase"].startswith("grown")),
                     "tiny_final": [p for p in arms["grown"] if p["phase"].startswith("tiny")][-1]["loss"],
                     "budget_pflops": budget / 1e15, "flops_ratio": cost_to_reach(arms["grown"], target) / budget})
    path.write_text(json.dumps({"args": settings, "rows": rows, "runs": runs}, indent=2), encoding="utf-8")
    print(f"{'seed':>4} {'tiny final':>10} {'after growth':>12} {'grown final':>11} {'scratch final':>13} "
          f"{'grown FLOPs to scratch final':>29}")
    for row in rows:
        print(f"{row['seed']:>4} {row['tiny_final']:10.4f} {row['grown_at_growth']:12.4f} {row['grown_final']:11.4f} "
              f"{row['scratch_final']:13.4f} {row['flops_ratio']:29.3f}")
    print(f"final loss, scratch: {spread([r['scratch_final'] for r in rows])}; "
          f"grown: {spread([r['grown_final'] for r in rows])} (equal FLOPs, {rows[0]['budget_pflops']:.4f} PFLOPs)")
    ratios = [r["flops_ratio"] for r in rows]
    print(f"grown FLOPs / scratch FLOPs to the scratch final loss: {spread(ratios)}"
          + (f" → {100 * (1 - statistics.mean(ratios)):.1f} % saved" if all(map(math.isfinite, ratios)) else ""))


def plot(runs: dict[str, dict], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (pip install -e .[bench]); no plot written", file=sys.stderr)
        return
    figure, ax = plt.subplots(figsize=(7.5, 4.5))
    arms_drawn = (("scratch", "tab:blue", "mini from scratch"), ("grown", "tab:orange", "tiny → mini (grown)"))
    for arm, color, label in arms_drawn:
        for index, arms in enumerate(runs.values()):
            curve = arms[arm]
            ax.plot([p["flops"] / 1e15 for p in curve], [p["loss"] for p in curve], "o-", color=color, alpha=0.55,
                    markersize=3, label=label if index == 0 else None)
    ax.set_xlabel("training PFLOPs (≈ 6·N·tokens)")
    ax.set_ylabel("validation next-token loss")
    ax.set_title(f"Growth against training from scratch, {len(runs)} seeds each")
    ax.grid(alpha=0.3)
    ax.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    print(f"plot: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--steps", type=int, default=500, help="mini steps of the scratch arm: the FLOPs budget")
    parser.add_argument("--tiny-steps", type=int, default=700, help="steps of the tiny phase of the grown arm")
    parser.add_argument("--noise", type=float, default=0.01, help="noise on the twins at growth (share of std)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-length", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--vocab-size", type=int, default=4000)
    parser.add_argument("--points", type=int, default=5, help="validations per phase")
    parser.add_argument("--validation-blocks", type=int, default=256)
    parser.add_argument("--data", type=Path, default=SHARED_DATA / "raw-turkish")
    parser.add_argument("--out", type=Path, default=Path("bench/out/growth"))
    parser.add_argument("--report", type=Path, help="re-print the table and plot of a saved growth.json")
    args = parser.parse_args()
    if args.report:
        saved = json.loads(args.report.read_text(encoding="utf-8"))
        report(saved["runs"], args.report, saved["args"])
        plot(saved["runs"], args.report.with_suffix(".png"))
        return

    import contextlib

    from training.corpus import corpus_texts
    from training.lm import split_texts
    from training.vocab import train_vocabulary

    args.out.mkdir(parents=True, exist_ok=True)
    texts = corpus_texts([args.data])
    tokenizer = train_vocabulary(split_texts(texts, 0.05, 13)[0], args.vocab_size, args.out / "vocab")
    runs = {}
    with contextlib.redirect_stdout(sys.stderr):
        for seed in args.seeds:
            runs[str(seed)] = run_seed(seed, tokenizer, texts, args)
            # saved after every seed: a stopped run keeps what it finished
            (args.out / "partial.json").write_text(json.dumps(runs), encoding="utf-8")
    report(runs, args.out / "growth.json", {k: str(v) for k, v in vars(args).items()})
    plot(runs, args.out / "growth.png")


if __name__ == "__main__":
    main()
