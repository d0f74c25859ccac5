"""Masked-language-model training: continued pretraining of the base, or a new encoder from scratch.

One track for both (and for growth, which continues a grown model): texts are tokenized and
packed into blocks of `max_length` tokens (the transformers `run_mlm` recipe), 15 % of tokens
masked on the fly for training. Validation uses one masking drawn once with a fixed seed, so
loss, perplexity and masked-token accuracy are comparable from one evaluation to the next.
Best checkpoint by validation loss and early stopping are the Hugging Face trainer's.
"""

from __future__ import annotations

import math
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from training.common import Recipe, hf_arguments, last_checkpoint, write_model_card


@dataclass
class MlmRecipe(Recipe):
    max_length: int = 128
    mask_probability: float = 0.15
    validation_fraction: float = 0.05
    validation_blocks: int = 512  # enough for a stable loss; a bigger corpus does not slow validation


def split_texts(texts: list[str], fraction: float, seed: int) -> tuple[list[str], list[str]]:
    """Train / validation by line, shuffled once with `seed` (validation at least one line)."""
    shuffled = list(texts)
    random.Random(seed).shuffle(shuffled)
    cut = max(1, int(len(shuffled) * fraction))
    return shuffled[cut:], shuffled[:cut]


def packed_blocks(tokenizer, texts: list[str], max_length: int) -> list[list[int]]:
    """Token ids of all texts, concatenated and cut into blocks framed by the special tokens."""
    body = max_length - 2
    ids = [i for row in tokenizer(texts, add_special_tokens=False)["input_ids"] for i in row]
    return [[tokenizer.cls_token_id, *ids[s:s + body], tokenizer.sep_token_id]
            for s in range(0, len(ids) - body + 1, body)] or [[tokenizer.cls_token_id, *ids[:body],
                                                               tokenizer.sep_token_id]]


def masked_once(collator, blocks: list[list[int]], seed: int) -> dict:
    """A fixed masking of the validation blocks (input ids with masks, labels elsewhere -100)."""
    import torch

    torch.manual_seed(seed)
    batch = collator([{"input_ids": b} for b in blocks])
    return {"input_ids": batch["input_ids"].tolist(), "attention_mask": batch["attention_mask"].tolist(),
            "labels": batch["labels"].tolist()}


def masked_accuracy(eval_prediction) -> dict[str, float]:
    predictions, labels = eval_prediction.predictions, eval_prediction.label_ids  # (n, seq) each
    mask = labels != -100
    return {"accuracy": float((predictions[mask] == labels[mask]).mean()) if mask.any() else 0.0}


def _argmax(logits, labels):
    return logits.argmax(dim=-1)  # keep only the predicted ids: (n, seq, vocab) would not fit in memory


def _trainer_class():
    from transformers import Trainer

    class MlmTrainer(Trainer):
        """Reports perplexity = exp(validation loss) beside the loss and accuracy."""

        def evaluate(self, *args, **kwargs) -> dict:
            metrics = super().evaluate(*args, **kwargs)
            prefix = kwargs.get("metric_key_prefix", "eval")
            metrics[f"{prefix}_perplexity"] = math.exp(min(metrics[f"{prefix}_loss"], 50))
            return metrics

    return MlmTrainer


def mlm_datasets(tokenizer, texts: list[str], recipe: MlmRecipe):
    from datasets import Dataset
    from transformers import DataCollatorForLanguageModeling

    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=recipe.mask_probability)
    train_texts, validation_texts = split_texts(texts, recipe.validation_fraction, recipe.seed)
    train = Dataset.from_dict({"input_ids": packed_blocks(tokenizer, train_texts, recipe.max_length)})
    blocks = packed_blocks(tokenizer, validation_texts, recipe.max_length)[:recipe.validation_blocks]
    validation = Dataset.from_dict(masked_once(collator, blocks, recipe.seed))
    return train, validation, collator


def train_mlm(recipe: MlmRecipe, model, tokenizer, texts: list[str], command: str, title: str, *,
              callbacks: list | None = None) -> dict:
    """Train `model` (a `*ForMaskedLM`) on `texts`; save the best checkpoint to `recipe.output`."""
    from transformers import EarlyStoppingCallback, TrainingArguments, default_data_collator

    train, validation, collator = mlm_datasets(tokenizer, texts, recipe)

    def collate(rows: list[dict]) -> dict:
        # validation rows arrive masked already; training rows are masked here, afresh each time
        return default_data_collator(rows) if "labels" in rows[0] else collator(rows)

    arguments = hf_arguments(recipe, "eval_loss") | {"greater_is_better": False, "per_device_eval_batch_size": 64,
                                                      "dataloader_drop_last": False}
    trainer = _trainer_class()(
        model=model, args=TrainingArguments(**arguments), train_dataset=train, eval_dataset=validation,
        data_collator=collate, compute_metrics=masked_accuracy, preprocess_logits_for_metrics=_argmax,
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


def fill_mask(model_dir: Path, text: str, k: int = 5) -> list[tuple[str, float]]:
    """The top-k fills of the first mask in `text`; "[MASK]" stands for the model's own mask token."""
    import torch
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    model = AutoModelForMaskedLM.from_pretrained(str(model_dir), local_files_only=True).eval()
    encoded = tokenizer(text.replace("[MASK]", tokenizer.mask_token), return_tensors="pt")
    positions = (encoded["input_ids"][0] == tokenizer.mask_token_id).nonzero()
    if not len(positions):
        from bilge.errors import InputError

        raise InputError(f"no [MASK] in {text!r}; write [MASK] where a word should be predicted")
    with torch.inference_mode():
        logits = model(**encoded).logits[0, positions[0, 0]]  # (vocab,)
    probabilities = logits.softmax(-1)
    top = probabilities.topk(k)
    return [(tokenizer.decode([int(i)]).strip(), float(p)) for p, i in zip(top.values, top.indices)]
