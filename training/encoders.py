"""Build encoders: a fresh BERT of a named size, and its sentence-transformers wrapper."""

from __future__ import annotations

from pathlib import Path


def new_encoder(tokenizer_dir: Path, size: str, out_dir: Path, *, seed: int = 0, max_positions: int = 512) -> Path:
    """A randomly initialised BertModel of `size` with the tokenizer in `tokenizer_dir`, saved to `out_dir`."""
    import torch
    from transformers import AutoTokenizer, BertModel

    from training.sizes import bert_config

    tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    torch.manual_seed(seed)
    model = BertModel(bert_config(size, len(tokenizer), max_positions), add_pooling_layer=False)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out_dir))
    tokenizer.save_pretrained(str(out_dir))
    return out_dir


def to_sentence_transformer(encoder_dir: Path, out_dir: Path, max_seq_length: int = 256) -> Path:
    """Wrap a transformers encoder as a sentence-transformers model: mean pooling, L2 normalisation."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    transformer = Transformer(str(encoder_dir), max_seq_length=max_seq_length)
    pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    SentenceTransformer(modules=[transformer, pooling, Normalize()], device="cpu").save(str(out_dir))
    return out_dir


def to_cross_encoder(encoder_dir: Path, out_dir: Path, max_length: int = 256) -> Path:
    """A cross-encoder (one relevance logit) on top of a transformers encoder; the head is new."""
    from sentence_transformers import CrossEncoder

    CrossEncoder(str(encoder_dir), num_labels=1, max_length=max_length, device="cpu").save(str(out_dir))
    return out_dir
