"""What every trainer shares: the recipe options, resumption, the dev evaluator, model cards.

Best checkpoint, early stopping and checkpoint rotation are the Hugging Face trainer's
(`load_best_model_at_end`, `metric_for_best_model`, `EarlyStoppingCallback`, `save_total_limit`):
nothing of that is written by hand here.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import get_args

from sentence_transformers.base.evaluation.evaluator import BaseEvaluator

from bilge.config import Precision
from bilge.errors import InputError
from retrievers.metrics import ranking_metrics
from retrievers.sampling import seeded_indexes
from training.pack import pack


@dataclass
class Recipe:
    """Options every trainer takes; a recipe lists only what differs from these defaults."""

    output: Path
    base: Path
    max_steps: int = 1000
    batch_size: int = 32
    learning_rate: float = 3e-5
    warmup_ratio: float = 0.1
    eval_steps: int = 100
    patience: int = 4
    dev_questions: int = 400
    seed: int = 13  # the sampled negatives and the data order
    dev_seed: int = 13  # the dev draw: the same whatever `seed` trains, so runs compare
    resume: bool = True
    precision: Precision = "auto"

    def __post_init__(self) -> None:
        if self.precision not in get_args(Precision):
            raise InputError(f"--precision must be {', '.join(get_args(Precision)[:-1])} or "
                             f"{get_args(Precision)[-1]}, got {self.precision!r}")
        for name in ("max_steps", "batch_size", "eval_steps", "dev_questions"):
            if getattr(self, name) < 1:
                raise InputError(f"--{name.replace('_', '-')} must be at least 1")
        if not 0 < self.learning_rate < 1:
            raise InputError(f"--learning-rate must be in (0, 1), got {self.learning_rate}")

    @property
    def checkpoints(self) -> Path:
        return self.output / "checkpoints"


def sampled_rows(rows: dict[str, list], count: int, seed: int) -> dict[str, list]:
    """`count` of the rows of a column table (a seeded draw, in the table's order): what a
    teacher labels, since its forward pass is the cost and training reads only these."""
    chosen = seeded_indexes(len(next(iter(rows.values()), [])), count, seed)
    return {key: [values[i] for i in chosen] for key, values in rows.items()}


def encoder_dir(base: Path) -> Path:
    """Where a base's transformers weights are: `encoder/` of a bi-encoder built by `train base`, else the folder."""
    return base / "encoder" if (base / "encoder").is_dir() else base


def last_checkpoint(recipe: Recipe) -> str | None:
    """The checkpoint to resume from, or None for a fresh start.

    A non-empty output folder without checkpoints is refused: it is someone's model, and
    training would overwrite it.
    """
    folder = recipe.checkpoints
    found = sorted(folder.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[-1])) if folder.is_dir() else []
    if found and recipe.resume:
        print(f"resuming from {found[-1]}", file=sys.stderr)
        return str(found[-1])
    weights = [p for p in recipe.output.glob("*.safetensors")] if recipe.output.is_dir() else []
    if weights and not found:
        raise InputError(f"{recipe.output} already holds a model and no checkpoint; choose another --output")
    return None


def hf_arguments(recipe: Recipe, metric: str) -> dict:
    """Trainer arguments shared by every track (the track adds its own).

    Mixed precision: fp16 on a GPU; on a CPU, bfloat16 autocast where it is measured faster
    (`retrievers.precision`), which made a training step 1.85× faster on a 2-core CPU with AMX
    (the weights stay float32)."""
    import torch

    from retrievers.precision import uses_bfloat16

    cuda = torch.cuda.is_available()
    return {
        "output_dir": str(recipe.checkpoints), "max_steps": recipe.max_steps,
        "per_device_train_batch_size": recipe.batch_size, "learning_rate": recipe.learning_rate,
        "warmup_steps": recipe.warmup_ratio, "eval_strategy": "steps", "eval_steps": recipe.eval_steps,
        "save_strategy": "steps", "save_steps": recipe.eval_steps, "save_total_limit": 2,
        "load_best_model_at_end": True, "metric_for_best_model": metric, "greater_is_better": True,
        "logging_steps": max(1, recipe.eval_steps // 2), "seed": recipe.seed, "report_to": "none",
        "fp16": cuda and recipe.precision == "auto", "dataloader_drop_last": True, "disable_tqdm": False,
        "bf16": recipe.precision == "bfloat16" or (not cuda and uses_bfloat16(recipe.precision)),
        "use_cpu": not cuda,
    }


class RetrievalEvaluator(BaseEvaluator):
    """Dev retrieval for a bi-encoder: every passage embedded once, each question ranked against
    all of them; MRR@10 is the primary metric (the Bilge eval protocol, `--paragraphs`)."""

    def __init__(self, questions: list[str], passages: list[str], relevant: list[int], name: str = "dev",
                 batch_size: int = 64) -> None:
        super().__init__()
        self.questions, self.passages, self.relevant = questions, passages, relevant
        self.name, self.batch_size = name, batch_size
        self.greater_is_better = True
        self.primary_metric = f"{name}_mrr@10"

    def __call__(self, model, output_path: str | None = None, epoch: int = -1, steps: int = -1) -> dict[str, float]:
        import numpy as np

        q = model.encode(self.questions, batch_size=self.batch_size, normalize_embeddings=True,
                         show_progress_bar=False)  # (n_questions, dim)
        p = model.encode(self.passages, batch_size=self.batch_size, normalize_embeddings=True,
                         show_progress_bar=False)  # (n_passages, dim)
        top = np.argsort(-(q @ p.T), axis=1)[:, :10]  # (n_questions, 10)
        qrels = {str(i): {str(r): 1} for i, r in enumerate(self.relevant)}
        run = {str(i): [str(j) for j in row] for i, row in enumerate(top)}
        metrics = {f"{self.name}_{k}": v for k, v in ranking_metrics(qrels, run).items()}
        self.store_metrics_in_model_card_data(model, metrics, epoch, steps)
        return metrics


def fit_and_save(recipe: Recipe, model, trainer_class, args, dataset, loss, evaluator, baseline: dict, title: str,
                 data: str, command: str, callbacks: list | None = None) -> dict:
    """Steps 6–8 of every track: train (resuming, early stopping), evaluate the best model, save with its card."""
    from transformers import EarlyStoppingCallback

    trainer = trainer_class(model=model, args=args, train_dataset=dataset, loss=loss, evaluator=evaluator,
                            callbacks=[EarlyStoppingCallback(early_stopping_patience=recipe.patience),
                                       *(callbacks or [])])
    trainer.train(resume_from_checkpoint=last_checkpoint(recipe))
    metrics = evaluator(model)
    model.save(str(recipe.output))
    pack(recipe.output, recipe.output)  # the int8 shards that models/ commits (see training/pack.py)
    write_model_card(recipe.output, title, recipe, data, metrics, baseline, command)
    return {"baseline": baseline, "metrics": metrics, "output": str(recipe.output)}


def write_model_card(folder: Path, title: str, recipe: Recipe, data: str, metrics: dict, baseline: dict,
                     command: str) -> None:
    """README.md and metrics.json beside the weights: data, steps, hyper-parameters, dev metrics, date."""
    record = {"title": title, "date": dt.date.today().isoformat(), "command": command, "data": data,
              "recipe": {k: str(v) for k, v in asdict(recipe).items()}, "dev_metrics": metrics,
              "dev_metrics_before_training": baseline, "python": platform.python_version()}
    (folder / "metrics.json").write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
    rows = "\n".join(f"| {k} | {baseline.get(k, float('nan')):.4f} | {v:.4f} |" for k, v in metrics.items())
    recipe_rows = "\n".join(f"| {k} | {v} |" for k, v in record["recipe"].items())
    (folder / "README.md").write_text(
        f"# {title}\n\nTrained by Bilge on {record['date']} with:\n\n```sh\n{command}\n```\n\n"
        f"## Data\n\n{data}\n\n## Dev metrics\n\n| metric | before | after |\n|---|---:|---:|\n{rows}\n\n"
        f"## Recipe\n\n| option | value |\n|---|---|\n{recipe_rows}\n", encoding="utf-8")
