"""The language-model track both objectives share: masked (an encoder, `training/mlm.py`) and
causal (a decoder that generates, `training/causal.py`).

Texts are split into train and validation lines once with a fixed seed, tokenized and packed
into blocks of `max_length` tokens (the transformers `run_mlm` / `run_clm` recipe). Validation
blocks are fixed (for the masked objective, so is their masking), so loss, perplexity and
token accuracy compare from one evaluation to the next. Best checkpoint by validation loss and
early stopping are the Hugging Face trainer's.
"""

from __future__ import annotations

import math
import random
import sys
from dataclasses import dataclass
from typing import Literal

from bilge.errors import InputError
from training.common import Recipe, hf_arguments, last_checkpoint, write_model_card

Objective = Literal["masked", "causal"]
OBJECTIVES = ("masked", "causal")


@dataclass
class LmRecipe(Recipe):
    objective: Objective = "masked"
    max_length: int = 128
    mask_probability: float = 0.15
    validation_fraction: float = 0.05
    validation_blocks: int = 512  # enough for a stable loss; a bigger corpus does not slow validation
    held_out_seed: int = 13  # picks the validation lines (and their masking): the same whatever `seed` trains

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.objective not in OBJECTIVES:
            raise InputError(f"--objective must be masked or causal, got {self.objective!r}")


def split_texts(texts: list[str], fraction: float, seed: int) -> tuple[list[str], list[str]]:
    """Train / validation by line, shuffled once with `seed` (validation at least one line)."""
    shuffled = list(texts)
    random.Random(seed).shuffle(shuffled)
    cut = max(1, int(len(shuffled) * fraction))
    return shuffled[cut:], shuffled[:cut]


def _argmax(logits, labels):
    return logits.argmax(dim=-1)  # keep only the predicted ids: (n, seq, vocab) would not fit in memory


def _trainer_class():
    from transformers import Trainer

    class LmTrainer(Trainer):
        """Reports perplexity = exp(validation loss) beside the loss and accuracy."""

        def evaluate(self, *args, **kwargs) -> dict:
            metrics = super().evaluate(*args, **kwargs)
            prefix = kwargs.get("metric_key_prefix", "eval")
            metrics[f"{prefix}_perplexity"] = math.exp(min(metrics[f"{prefix}_loss"], 50))
            return metrics

    return LmTrainer


def objective_parts(recipe: LmRecipe, tokenizer, texts: list[str]):
    """(train, validation, collate, accuracy) of the recipe's objective."""
    if recipe.objective == "causal":
        from training.causal import causal_datasets, next_token_accuracy

        return (*causal_datasets(tokenizer, texts, recipe), next_token_accuracy)
    from training.mlm import masked_accuracy, mlm_datasets

    return (*mlm_datasets(tokenizer, texts, recipe), masked_accuracy)


def train_lm(recipe: LmRecipe, model, tokenizer, texts: list[str], command: str, title: str, *,
             callbacks: list | None = None) -> dict:
    """Train `model` (a `*ForMaskedLM` or `*ForCausalLM`, as the recipe's objective) on `texts`;
    save the best checkpoint, with its card, to `recipe.output`."""
    from transformers import EarlyStoppingCallback, TrainingArguments

    train, validation, collate, accuracy = objective_parts(recipe, tokenizer, texts)
    arguments = hf_arguments(recipe, "eval_loss") | {"greater_is_better": False, "per_device_eval_batch_size": 64,
                                                      "dataloader_drop_last": False}
    trainer = _trainer_class()(
        model=model, args=TrainingArguments(**arguments), train_dataset=train, eval_dataset=validation,
        data_collator=collate, compute_metrics=accuracy, preprocess_logits_for_metrics=_argmax,
        callbacks=[EarlyStoppingCallback(early_stopping_patience=recipe.patience), *(callbacks or [])])
    baseline = trainer.evaluate()
    print(f"baseline {baseline}", file=sys.stderr)
    trainer.train(resume_from_checkpoint=last_checkpoint(recipe))
    metrics = {k: v for k, v in trainer.evaluate().items() if k in ("eval_loss", "eval_perplexity", "eval_accuracy")}
    model.save_pretrained(str(recipe.output))
    tokenizer.save_pretrained(str(recipe.output))
    data = f"{len(train)} training and {len(validation)} validation blocks of {recipe.max_length} tokens"
    write_model_card(recipe.output, title, recipe, data, metrics, baseline, command)
    return {"baseline": baseline, "metrics": metrics, "output": str(recipe.output),
            "log": trainer.state.log_history}
