"""`bilge eval lm`: loss, perplexity and token accuracy of a language model on held-out text:
masked tokens for an encoder, next tokens for a decoder (`training/causal.py`).

The masking is drawn once with a fixed seed (the same as the MLM track's validation), so two
checkpoints evaluated on the same files see the same masked tokens and compare fairly.
"""

from __future__ import annotations

import math
from pathlib import Path

EVAL_SEED = 13


def evaluate_lm(checkpoint: Path, texts: list[str], max_length: int = 128, batch_size: int = 32) -> dict:
    import torch
    from transformers import AutoModelForMaskedLM, AutoTokenizer, DataCollatorForLanguageModeling

    from bilge.errors import InputError
    from training.mlm import masked_once, packed_blocks
    from training.sizes import is_decoder

    if not (checkpoint / "config.json").is_file():
        raise InputError(f"{checkpoint}: no model here; pass a folder written by `bilge train lm`")
    if is_decoder(checkpoint):
        from training.causal import evaluate_causal

        return evaluate_causal(checkpoint, texts, max_length, batch_size) | {"objective": "causal"}
    tokenizer = AutoTokenizer.from_pretrained(str(checkpoint), local_files_only=True)
    model = AutoModelForMaskedLM.from_pretrained(str(checkpoint), local_files_only=True).eval()
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.15)
    masked = masked_once(collator, packed_blocks(tokenizer, texts, max_length), EVAL_SEED)

    def predicted():
        for start in range(0, len(masked["input_ids"]), batch_size):
            ids = torch.tensor(masked["input_ids"][start:start + batch_size])  # (batch, seq)
            labels = torch.tensor(masked["labels"][start:start + batch_size])  # (batch, seq)
            logits = model(input_ids=ids, attention_mask=torch.tensor(
                masked["attention_mask"][start:start + batch_size])).logits  # (batch, seq, vocab)
            mask = labels != -100
            yield logits[mask], labels[mask]

    with torch.inference_mode():
        metrics, counted = token_metrics(predicted())
    return metrics | {"blocks": len(masked["input_ids"]), "masked_tokens": counted, "objective": "masked"}


def token_metrics(predicted) -> tuple[dict, int]:
    """Loss (the mean over tokens), perplexity and accuracy of (logits (n, vocab), targets (n,))
    pairs, one per batch, of the tokens that are scored; and how many there were. Both
    objectives score this way: masked tokens, or every token that has a next one."""
    import torch

    loss_sum = correct = counted = 0.0
    for logits, targets in predicted:
        loss_sum += float(torch.nn.functional.cross_entropy(logits, targets, reduction="sum"))
        correct += float((logits.argmax(-1) == targets).sum())
        counted += len(targets)
    loss = loss_sum / max(counted, 1)
    return {"loss": loss, "perplexity": math.exp(min(loss, 50)), "accuracy": correct / max(counted, 1)}, int(counted)
