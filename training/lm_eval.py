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
    from transformers import AutoConfig, AutoModelForMaskedLM, AutoTokenizer, DataCollatorForLanguageModeling

    from bilge.errors import InputError
    from training.mlm import masked_once, packed_blocks

    if not (checkpoint / "config.json").is_file():
        raise InputError(f"{checkpoint}: no model here; pass a folder written by `bilge train lm`")
    if AutoConfig.from_pretrained(str(checkpoint), local_files_only=True).model_type == "llama":
        from training.causal import evaluate_causal

        return evaluate_causal(checkpoint, texts, max_length, batch_size) | {"objective": "causal"}
    tokenizer = AutoTokenizer.from_pretrained(str(checkpoint), local_files_only=True)
    model = AutoModelForMaskedLM.from_pretrained(str(checkpoint), local_files_only=True).eval()
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.15)
    masked = masked_once(collator, packed_blocks(tokenizer, texts, max_length), EVAL_SEED)
    loss_sum = correct = counted = 0.0
    with torch.inference_mode():
        for start in range(0, len(masked["input_ids"]), batch_size):
            ids = torch.tensor(masked["input_ids"][start:start + batch_size])  # (batch, seq)
            labels = torch.tensor(masked["labels"][start:start + batch_size])  # (batch, seq)
            logits = model(input_ids=ids, attention_mask=torch.tensor(
                masked["attention_mask"][start:start + batch_size])).logits  # (batch, seq, vocab)
            mask = labels != -100
            loss_sum += float(torch.nn.functional.cross_entropy(logits[mask], labels[mask], reduction="sum"))
            correct += float((logits[mask].argmax(-1) == labels[mask]).sum())
            counted += float(mask.sum())
    loss = loss_sum / max(counted, 1)
    return {"loss": loss, "perplexity": math.exp(min(loss, 50)), "accuracy": correct / max(counted, 1),
            "blocks": len(masked["input_ids"]), "masked_tokens": int(counted), "objective": "masked"}
