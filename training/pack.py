"""Compact model weights for shipping: int8 matrices, fp16 vectors, and nothing the base already has.

A trained model differs from the base only in its encoder layers and head (the word embeddings
stay frozen during training), so a pack holds those: every float matrix of at least 64k values
as int8 with one fp32 scale per row (absmax; error ≤ scale/2 per weight), the rest as fp16.
`unpack` puts the pack back on top of the base's weights and writes a complete model folder:
this is how `make models` rebuilds what `models/` ships in a few seconds.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

PACK_GLOB = "weights.pack-*.safetensors"
WEIGHTS_NAME = "model.safetensors"
QUANTIZE_MIN = 65536
SHARD_BYTES = 12 * 1024 * 1024  # keeps every committed file well under 20 MB
UNPACKED_NAME = "weights.unpacked"  # which packs the weights were unpacked from (`built_from`)


def weights_file(folder: Path) -> Path:
    """The transformers weights of a sentence-transformers / cross-encoder / HF folder."""
    for candidate in (folder / WEIGHTS_NAME, folder / "encoder" / WEIGHTS_NAME):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{folder}: no {WEIGHTS_NAME}")


def pack(model_dir: Path, out_dir: Path, *, skip: tuple[str, ...] = ("word_embeddings",)) -> int:
    """Write the pack as shards `weights.pack-N.safetensors` in `out_dir`; returns the total bytes."""
    from safetensors.numpy import load_file, save_file

    tensors = {}
    for name, value in load_file(str(weights_file(model_dir))).items():
        if any(part in name for part in skip) or not np.issubdtype(value.dtype, np.floating):
            continue
        if value.ndim == 2 and value.size >= QUANTIZE_MIN:
            scale = np.maximum(np.abs(value).max(axis=1, keepdims=True), 1e-12) / 127.0  # (rows, 1)
            tensors[f"{name}.q8"] = np.clip(np.round(value / scale), -127, 127).astype(np.int8)
            tensors[f"{name}.scale"] = scale.astype(np.float32)
        else:
            tensors[f"{name}.f16"] = value.astype(np.float16)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob(PACK_GLOB):
        old.unlink()
    shards: list[dict] = [{}]
    for name, value in tensors.items():
        if shards[-1] and sum(v.nbytes for v in shards[-1].values()) + value.nbytes > SHARD_BYTES:
            shards.append({})
        shards[-1][name] = value
    for number, shard in enumerate(shards):
        save_file(shard, str(out_dir / f"weights.pack-{number}.safetensors"))
    return sum(p.stat().st_size for p in out_dir.glob(PACK_GLOB))


def unpacked(pack_dir: Path) -> dict[str, np.ndarray]:
    from safetensors.numpy import load_file

    raw = {k: v for shard in sorted(pack_dir.glob(PACK_GLOB)) for k, v in load_file(str(shard)).items()}
    if not raw:
        raise FileNotFoundError(f"{pack_dir}: no {PACK_GLOB}")
    out = {}
    for key, value in raw.items():
        if key.endswith(".q8"):
            name = key[: -len(".q8")]
            out[name] = value.astype(np.float32) * raw[f"{name}.scale"]
        elif key.endswith(".f16"):
            out[key[: -len(".f16")]] = value.astype(np.float32)
    return out


def pack_fingerprint(pack_dir: Path) -> str:
    """A digest of a folder's packs, recorded beside the weights `rebuild_shipped` writes from them."""
    digest = hashlib.sha256()
    for shard in sorted(pack_dir.glob(PACK_GLOB)):
        digest.update(shard.read_bytes())
    return digest.hexdigest()


def built_from(folder: Path) -> str | None:
    """The pack fingerprint `folder`'s weights were unpacked from; None for weights unpack did not
    write (a trained model's own float weights, copied beside its packs, are not what ships).

    Kept beside the weights, not in them: the embedder's identity hashes the weights file, so
    collections embedded before stay valid."""
    weights, record = folder / WEIGHTS_NAME, folder / UNPACKED_NAME
    if not (weights.is_file() and record.is_file()):
        return None
    try:  # a record that is not ours (edited, cut short) only means: unpack again
        stored = json.loads(record.read_text(encoding="utf-8"))
        return stored["packs"] if stored["weights"] == _file_stamp(weights) else None
    except (ValueError, KeyError, TypeError):
        return None


def _file_stamp(path: Path) -> list[int]:
    """Size and modification time: what tells the weights unpack wrote from a file put there since."""
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def _record_unpacked(folder: Path, fingerprint: str) -> None:
    record = {"packs": fingerprint, "weights": _file_stamp(folder / WEIGHTS_NAME)}
    (folder / UNPACKED_NAME).write_text(json.dumps(record), encoding="utf-8")


def unpack(pack_dir: Path, base_weights: Path, out_weights: Path, *, rename: dict[str, str] | None = None) -> None:
    """Base weights overlaid with the pack, written as a plain safetensors file.

    `rename` maps a prefix of the base's names to the pack's (a cross-encoder stores the encoder
    under `bert.` where the bi-encoder has none); base tensors the pack's model has no place for
    (layers a shallower model dropped) are left out."""
    from safetensors.numpy import load_file, save_file

    overlay = unpacked(pack_dir)
    if rename is None and any(key.startswith("bert.") for key in overlay):
        rename = {"": "bert."}  # a transformers task model (the reader) nests the encoder under `bert.`
    merged = dict(overlay)
    for name, value in load_file(str(base_weights)).items():
        for old, new in (rename or {}).items():
            if name.startswith(old):
                name = new + name[len(old):]
        layer = name.split("encoder.layer.")[1].split(".")[0] if "encoder.layer." in name else None
        has_layer = layer is None or any(f"encoder.layer.{layer}." in key for key in overlay)
        if name not in merged and has_layer:
            merged[name] = value
    out_weights.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: np.ascontiguousarray(v) for k, v in merged.items()}, str(out_weights))


def rebuild_shipped(models_dir: Path, base_dir: Path) -> list[Path]:
    """Write `model.safetensors` in every shipped model folder from its packs and the base.

    Skips folders whose weights were unpacked from the packs they hold now, so `make models` is
    cheap to repeat; any other weights there (older packs', or a trained float copy, whatever its
    date) are replaced, so what is evaluated is what ships."""
    built = []
    for folder in sorted(p for p in models_dir.iterdir() if p.is_dir() and any(p.glob(PACK_GLOB))):
        fingerprint = pack_fingerprint(folder)
        if built_from(folder) == fingerprint:
            continue
        unpack(folder, weights_file(base_dir), folder / WEIGHTS_NAME)
        _record_unpacked(folder, fingerprint)
        built.append(folder)
    return built
