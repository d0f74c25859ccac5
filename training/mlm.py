"""The masked objective of the language-model track (`training/lm.py`): continued pretraining
of the base, or a new encoder from scratch, and growth, which continues a grown model.

15 % of tokens are masked on the fly for training. Validation uses one masking drawn once with
a fixed seed, so masked-token accuracy is comparable from one evaluation to the next.
"""

from __future__ import annotations

from pathlib import Path

from training.lm import LmRecipe, split_texts


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


def mlm_datasets(tokenizer, texts: list[str], recipe: LmRecipe):
    """(train, validation, collate): training blocks are masked afresh each time they are drawn,
    validation blocks arrive masked already."""
    from datasets import Dataset
    from transformers import DataCollatorForLanguageModeling, default_data_collator

    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=recipe.mask_probability)
    train_texts, validation_texts = split_texts(texts, recipe.validation_fraction, recipe.held_out_seed)
    train = Dataset.from_dict({"input_ids": packed_blocks(tokenizer, train_texts, recipe.max_length)})
    blocks = packed_blocks(tokenizer, validation_texts, recipe.max_length)[:recipe.validation_blocks]
    validation = Dataset.from_dict(masked_once(collator, blocks, recipe.held_out_seed))

    def collate(rows: list[dict]) -> dict:
        return default_data_collator(rows) if "labels" in rows[0] else collator(rows)

    return train, validation, collate


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
