"""Named encoder sizes for models trained from scratch (and the targets of growth)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class EncoderSize:
    layers: int
    hidden: int
    heads: int

    @property
    def intermediate(self) -> int:
        return 4 * self.hidden


SIZES = {
    "nano": EncoderSize(layers=2, hidden=32, heads=2),  # for tests: trains in seconds
    "tiny": EncoderSize(layers=2, hidden=128, heads=2),
    "mini": EncoderSize(layers=4, hidden=256, heads=4),
    "small": EncoderSize(layers=4, hidden=512, heads=8),
}


def bert_config(size: str, vocab_size: int, max_positions: int = 512):
    from transformers import BertConfig

    spec = SIZES[size]
    return BertConfig(
        vocab_size=vocab_size, hidden_size=spec.hidden, num_hidden_layers=spec.layers,
        num_attention_heads=spec.heads, intermediate_size=spec.intermediate,
        max_position_embeddings=max_positions, pad_token_id=0,
    )


DECODER_TYPE = "llama"  # the `model_type` of the decoders `decoder_config` makes


def is_decoder(folder: Path) -> bool:
    """Whether the model saved in `folder` is a decoder of `decoder_config` (else an encoder);
    read from its config.json, without loading transformers."""
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    return config.get("model_type") == DECODER_TYPE


def decoder_config(size: str, tokenizer, max_positions: int = 512):
    """A GPT-style decoder (the Llama block: pre-RMSNorm, rotary positions, SwiGLU) of a named
    size over `tokenizer`'s vocabulary; the input embeddings are tied to the output layer.

    Why Llama's block: without biases, and normalised only before each sublayer, a block grows
    exactly (`training/grow_decoder.py`). The vocabulary's [SEP] ends a text, as EOS."""
    from transformers import LlamaConfig

    spec = SIZES[size]
    return LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=spec.hidden, num_hidden_layers=spec.layers,
        num_attention_heads=spec.heads, num_key_value_heads=spec.heads, intermediate_size=spec.intermediate,
        max_position_embeddings=max_positions, tie_word_embeddings=True, pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.sep_token_id, eos_token_id=tokenizer.sep_token_id,
    )
