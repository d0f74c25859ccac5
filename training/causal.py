"""The causal objective of the language-model track (`training/lm.py`): a decoder learns the
next token, and so can write text from a prompt (`generate`).

Each text ends with the vocabulary's [SEP] (the end of a text) and the texts are packed into
blocks of `max_length` tokens with no padding. A block starts with [SEP] too, so the first
token of a text always follows [SEP], as a prompt does at generation time.
"""

from __future__ import annotations

from pathlib import Path

from bilge.errors import InputError
from training.lm import LmRecipe, split_texts
from training.sizes import is_decoder


def causal_blocks(tokenizer, texts: list[str], max_length: int) -> list[list[int]]:
    """Token ids of all texts, each followed by [SEP], cut into blocks that start with [SEP]."""
    end = tokenizer.sep_token_id
    body = max_length - 1
    ids = [i for row in tokenizer(texts, add_special_tokens=False)["input_ids"] for i in (*row, end)]
    return [[end, *ids[s:s + body]] for s in range(0, len(ids) - body + 1, body)] or [[end, *ids[:body]]]


def causal_datasets(tokenizer, texts: list[str], recipe: LmRecipe):
    """(train, validation, collate); labels are the inputs (the model shifts them by one)."""
    from datasets import Dataset
    from transformers import default_data_collator

    train_texts, validation_texts = split_texts(texts, recipe.validation_fraction, recipe.held_out_seed)
    train = Dataset.from_dict({"input_ids": causal_blocks(tokenizer, train_texts, recipe.max_length)})
    blocks = causal_blocks(tokenizer, validation_texts, recipe.max_length)[:recipe.validation_blocks]
    validation = Dataset.from_dict({"input_ids": blocks})

    def collate(rows: list[dict]) -> dict:
        batch = default_data_collator(rows)
        return batch | {"labels": batch["input_ids"].clone()}

    return train, validation, collate


def next_token_accuracy(eval_prediction) -> dict[str, float]:
    """How often the most likely next token is the one that follows."""
    predictions, labels = eval_prediction.predictions, eval_prediction.label_ids  # (n, seq) each
    return {"accuracy": float((predictions[:, :-1] == labels[:, 1:]).mean())}


def load_decoder(checkpoint: Path):
    """(model, tokenizer) of a causal model folder; one line when it is missing or an encoder."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if not (checkpoint / "config.json").is_file():
        raise InputError(f"{checkpoint}: no model here; pass a folder written by `bilge train lm --objective causal`")
    if not is_decoder(checkpoint):
        raise InputError(f"{checkpoint} is a masked (encoder) model; pass one trained with "
                         "`bilge train lm --objective causal`")
    model = AutoModelForCausalLM.from_pretrained(str(checkpoint), local_files_only=True).eval()
    return model, AutoTokenizer.from_pretrained(str(checkpoint), local_files_only=True)


def evaluate_causal(checkpoint: Path, texts: list[str], max_length: int = 128, batch_size: int = 32) -> dict:
    """Mean next-token loss over every predicted token of `texts`, its perplexity, and accuracy."""
    import torch

    from training.lm_eval import token_metrics

    model, tokenizer = load_decoder(checkpoint)
    blocks = causal_blocks(tokenizer, texts, max_length)

    def predicted():
        for start in range(0, len(blocks), batch_size):
            group = blocks[start:start + batch_size]
            width = max(map(len, group))
            ids = torch.tensor([b + [tokenizer.pad_token_id] * (width - len(b)) for b in group])  # (batch, seq)
            known = torch.tensor([[1] * len(b) + [0] * (width - len(b)) for b in group])  # (batch, seq)
            logits = model(input_ids=ids, attention_mask=known).logits[:, :-1]  # (batch, seq-1, vocab)
            mask = known[:, 1:].bool()
            yield logits[mask], ids[:, 1:][mask]

    with torch.inference_mode():
        metrics, counted = token_metrics(predicted())
    return metrics | {"blocks": len(blocks), "predicted_tokens": counted}


def generate(checkpoint: Path, prompt: str, *, max_new_tokens: int = 40, temperature: float = 0.8, top_k: int = 50,
             top_p: float = 0.95, seed: int = 13) -> str:
    """The prompt and what the model writes after it. Temperature 0 is greedy; otherwise tokens
    are sampled (top-k, then nucleus top-p) from a generator seeded with `seed`: the same seed
    gives the same text."""
    import torch
    from transformers import GenerationConfig

    if max_new_tokens < 1:
        raise InputError(f"--max-new-tokens must be at least 1, got {max_new_tokens}")
    if temperature < 0 or top_k < 0 or not 0 < top_p <= 1:
        raise InputError(f"need temperature ≥ 0, top-k ≥ 0 and 0 < top-p ≤ 1; got {temperature}, {top_k}, {top_p}")
    model, tokenizer = load_decoder(checkpoint)
    end = tokenizer.sep_token_id
    ids = torch.tensor([[end, *tokenizer(prompt, add_special_tokens=False)["input_ids"]]])  # (1, seq)
    sampling = temperature > 0
    config = GenerationConfig(max_new_tokens=max_new_tokens, do_sample=sampling, eos_token_id=end,
                              pad_token_id=tokenizer.pad_token_id,
                              **({"temperature": temperature, "top_k": top_k, "top_p": top_p} if sampling else {}))
    torch.manual_seed(seed)
    with torch.inference_mode():
        out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), generation_config=config)
    return tokenizer.decode(out[0, 1:], skip_special_tokens=True)
