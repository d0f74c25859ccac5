"""Growth against training from scratch, for the same number of training tokens.

Run A trains the `small` encoder from scratch for `--steps` steps. Run B trains `tiny` for a
third of them, grows it to `mini` (function-preserving, `training/grow.py`), trains a third,
grows to `small` and trains the last third: the same tokens, far fewer FLOPs in its first two
thirds. Both use one Turkish unigram vocabulary and the same validation blocks. Printed: the
validation loss curves, and the compute (≈ 6 · parameters · tokens) each run needed to reach
run A's final validation loss, with their ratio; written: the curves as JSON and a PNG plot.

    .venv/bin/python bench/growth.py --steps 600 --out bench/out/growth
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from training.corpus import SHARED_DATA, turkish_texts  # noqa: E402


def phase(model, tokenizer, texts, out: Path, steps: int, args, tokens_before: int, flops_before: float) -> list[dict]:
    """Train `model` for `steps`; the validation curve with cumulative tokens and FLOPs."""
    import shutil

    from training.mlm import MlmRecipe, train_mlm

    shutil.rmtree(out, ignore_errors=True)
    recipe = MlmRecipe(output=out, base=out, max_steps=steps, batch_size=args.batch_size, learning_rate=args.lr,
                       eval_steps=max(1, steps // args.points), patience=10**6, max_length=args.max_length,
                       warmup_ratio=0.05, resume=False)
    parameters = sum(p.numel() for p in model.parameters())
    tokens_per_step = args.batch_size * args.max_length
    started = time.perf_counter()
    result = train_mlm(recipe, model, tokenizer, texts, "bench/growth.py", f"growth bench {out.name}")
    seconds = time.perf_counter() - started
    curve = [{"step": 0, "loss": result["baseline"]["eval_loss"]}] + [
        {"step": e["step"], "loss": e["eval_loss"]} for e in result["log"] if "eval_loss" in e]
    for point in curve:
        point["tokens"] = tokens_before + point["step"] * tokens_per_step
        point["flops"] = flops_before + 6.0 * parameters * point["step"] * tokens_per_step
        point["phase"], point["parameters"], point["seconds"] = out.name, parameters, seconds
    return curve


def cost_to_reach(curve: list[dict], target: float, key: str) -> float:
    """The first `key` (tokens or FLOPs) at which the validation loss is at or below `target`,
    interpolated linearly between evaluations; infinity when never reached."""
    for before, after in zip(curve, curve[1:]):
        if after["loss"] <= target:
            if before["loss"] <= target:
                return before[key]
            share = (before["loss"] - target) / (before["loss"] - after["loss"])
            return before[key] + share * (after[key] - before[key])
    return math.inf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=600, help="training steps of each run")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-length", type=int, default=64)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--vocab-size", type=int, default=8000)
    parser.add_argument("--points", type=int, default=6, help="validations per phase")
    parser.add_argument("--data", type=Path, default=SHARED_DATA)
    parser.add_argument("--out", type=Path, default=Path("bench/out/growth"))
    parser.add_argument("--report", type=Path, help="re-print the table and plot of a saved growth.json")
    args = parser.parse_args()
    if args.report:
        saved = json.loads(args.report.read_text(encoding="utf-8"))
        report(saved["scratch"], saved["grown"], args.report, saved["args"])
        plot(saved["scratch"], saved["grown"], args.report.with_suffix(".png"))
        return

    import contextlib

    from transformers import BertForMaskedLM

    from training.grow import grow
    from training.mlm import split_texts
    from training.sizes import bert_config
    from training.vocab import train_vocabulary

    args.out.mkdir(parents=True, exist_ok=True)
    texts = turkish_texts(args.data)
    train_texts, _ = split_texts(texts, 0.05, 13)
    tokenizer = train_vocabulary(train_texts, args.vocab_size, args.out / "vocab")
    third = args.steps // 3
    with contextlib.redirect_stdout(sys.stderr):
        scratch = phase(BertForMaskedLM(bert_config("small", len(tokenizer), 512)), tokenizer, texts,
                        args.out / "small-scratch", 3 * third, args, 0, 0.0)
        grown_curve: list[dict] = []
        model = BertForMaskedLM(bert_config("tiny", len(tokenizer), 512))
        for size in ("tiny", "mini", "small"):
            if size != "tiny":
                model = grow(model, size)
            last = grown_curve[-1] if grown_curve else {"tokens": 0, "flops": 0.0}
            curve = phase(model, tokenizer, texts, args.out / f"grown-{size}", third, args, last["tokens"],
                          last["flops"])
            grown_curve += curve  # each phase starts with its loss right after growth
    report(scratch, grown_curve, args.out / "growth.json", {k: str(v) for k, v in vars(args).items()})
    plot(scratch, grown_curve, args.out / "growth.png")


def report(scratch: list[dict], grown: list[dict], path: Path, settings: dict) -> None:
    """The table: compute each run needed to reach (a) run A's final loss and (b) the worse of the
    two final losses, the lowest loss both runs reached, so a ratio exists even when growth falls
    short of (a)."""
    targets = {"small-from-scratch final": scratch[-1]["loss"],
               "reached by both": max(scratch[-1]["loss"], grown[-1]["loss"])}
    rows = []
    for name, curve in (("small from scratch", scratch), ("tiny → mini → small", grown)):
        rows.append({"run": name, "final_loss": curve[-1]["loss"], "final_perplexity": math.exp(curve[-1]["loss"]),
                     "tokens": curve[-1]["tokens"], "flops_total": curve[-1]["flops"],
                     "wall_seconds": sum({p["phase"]: p["seconds"] for p in curve}.values()),
                     **{f"flops_to {t}": cost_to_reach(curve, v, "flops") for t, v in targets.items()}})
    ratios = {t: rows[1][f"flops_to {t}"] / rows[0][f"flops_to {t}"] for t in targets}
    path.write_text(json.dumps({"args": settings, "targets": targets, "rows": rows, "flops_ratio": ratios,
                                "scratch": scratch, "grown": grown}, indent=2), encoding="utf-8")
    print(f"{'run':22} {'final loss':>10} {'ppl':>8} {'tokens':>10} {'PFLOPs':>8} "
          + " ".join(f"{'PFLOPs to ' + f'{v:.3f}':>17}" for v in targets.values()) + f" {'wall s':>8}")
    for row in rows:
        print(f"{row['run']:22} {row['final_loss']:10.4f} {row['final_perplexity']:8.1f} {row['tokens']:10d} "
              f"{row['flops_total'] / 1e15:8.3f} "
              + " ".join(f"{row[f'flops_to {t}'] / 1e15:17.3f}" for t in targets) + f" {row['wall_seconds']:8.1f}")
    for name, ratio in ratios.items():
        verdict = f"{100 * (1 - ratio):.1f} % saved" if math.isfinite(ratio) else "not reached by growth"
        print(f"compute ratio growth/scratch to reach the {name} loss ({targets[name]:.3f}): {ratio:.3f} ({verdict})")


def plot(scratch: list[dict], grown: list[dict], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (pip install -e .[bench]); no plot written", file=sys.stderr)
        return
    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, key, label in ((axes[0], "tokens", "training tokens"), (axes[1], "flops", "training FLOPs (≈ 6·N·tokens)")):
        ax.plot([p[key] for p in scratch], [p["loss"] for p in scratch], "o-", label="small from scratch")
        ax.plot([p[key] for p in grown], [p["loss"] for p in grown], "s-", label="tiny → mini → small (grown)")
        ax.set_xlabel(label)
        ax.set_ylabel("validation MLM loss")
        ax.grid(alpha=0.3)
        ax.legend()
    figure.suptitle("Bilge: progressive growth vs training from scratch")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    print(f"plot: {path}")


if __name__ == "__main__":
    main()
