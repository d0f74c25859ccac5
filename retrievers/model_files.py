"""Whether a configured model directory can be loaded, said before the loader tries.

A fresh clone holds each shipped model as its int8 packs (`weights.pack-*.safetensors`); the
weights themselves are rebuilt by `make models`. The loaders would fail on such a folder with
a long message about missing files; this says in one line what to run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from bilge.errors import ModelError

ModelState = Literal["ready", "packed", "missing"]
WEIGHTS = ("model.safetensors", "pytorch_model.bin")


def model_state(path: Path) -> ModelState:
    """`ready` (weights present), `packed` (only the shipped packs: run `make models`) or `missing`."""
    if any((path / name).is_file() for name in WEIGHTS):
        return "ready"
    if path.is_dir() and any(path.glob("weights.pack-*.safetensors")):
        return "packed"
    return "missing"


def require_model(path: Path, setting: str, train_command: str) -> Path:
    """`path` itself, or a one-line ModelError naming the setting and what to run."""
    state = model_state(path)
    if state == "packed":
        raise ModelError(f"{setting} '{path}' holds only its shipped packs; run `make models` "
                         "(or `bilge train unpack`) to rebuild the weights")
    if state == "missing" and not path.is_dir():
        raise ModelError(f"{setting} '{path}' does not exist; run `make models` (or `{train_command}`) "
                         f"or set {setting} in the config")
    return path
