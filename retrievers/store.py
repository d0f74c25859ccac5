"""A thin adapter over Chroma: one client from the config, cosine collections without an
embedding function (Bilge always passes its own vectors), results turned into `Hit`s.

Distance becomes similarity in exactly one place (`_hits`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

import numpy as np

from bilge.config import BilgeConfig
from bilge.errors import IndexMissingError, StoreError
from bilge.paths import chroma_dir


@dataclass
class Hit:
    """One retrieved chunk with every score a stage gave it."""

    chunk_id: str
    text: str
    metadata: dict[str, Any]
    scores: dict[str, float] = field(default_factory=dict)


def open_client(cfg: BilgeConfig):
    """Embedded PersistentClient under the data directory, or HttpClient for `store.mode = "http"`."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if cfg.store.mode == "http":
        try:
            client = chromadb.HttpClient(host=cfg.store.host, port=cfg.store.port, settings=settings)
            client.heartbeat()
        except Exception as exc:
            raise StoreError(
                f"cannot reach the Chroma server at {cfg.store.host}:{cfg.store.port} ({type(exc).__name__}); "
                "start it with `chroma run --path DIR --port N` or set store.mode = \"embedded\""
            ) from None
        return client
    path = chroma_dir(cfg)
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


class ChunkStore:
    """Chunks and their vectors for every collection of one Chroma client."""

    def __init__(self, cfg: BilgeConfig, client=None) -> None:
        self._client = client if client is not None else open_client(cfg)

    def collection(self, name: str, *, create: bool = False):
        if create:
            return self._client.get_or_create_collection(
                name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
            )
        try:
            return self._client.get_collection(name, embedding_function=None)
        except Exception:  # chromadb raises NotFoundError / ValueError depending on the client kind
            raise IndexMissingError(
                f"no index for collection '{name}': run `bilge ingest DIR --collection {name}` first"
            ) from None

    def names(self) -> list[str]:
        return sorted(c.name if hasattr(c, "name") else str(c) for c in self._client.list_collections())

    def exists(self, name: str) -> bool:
        return name in self.names()

    def drop(self, name: str) -> None:
        if self.exists(name):
            self._client.delete_collection(name)

    def count(self, name: str) -> int:
        return self.collection(name).count() if self.exists(name) else 0

    def upsert(self, name: str, ids: list[str], vectors: np.ndarray, texts: list[str], metadatas: list[dict]) -> None:
        collection = self.collection(name, create=True)
        step = self._client.get_max_batch_size()
        for i in range(0, len(ids), step):
            collection.upsert(
                ids=ids[i:i + step], embeddings=vectors[i:i + step], documents=texts[i:i + step],
                metadatas=metadatas[i:i + step],
            )

    def delete_source(self, name: str, source: str) -> None:
        if self.exists(name):
            self.collection(name).delete(where={"source": source})

    def query(self, name: str, vector: np.ndarray, k: int) -> list[Hit]:
        collection = self.collection(name)
        k = min(k, collection.count())
        if k == 0:
            return []
        result = collection.query(
            query_embeddings=[vector], n_results=k, include=["documents", "metadatas", "distances"]
        )
        return _hits(result)

    def get(self, name: str, ids: list[str]) -> list[Hit]:
        return _rows(self.collection(name).get(ids=ids, include=["documents", "metadatas"]))

    def neighbours(self, name: str, source: str, first: int, last: int) -> list[Hit]:
        """Chunks `first..last` (by chunk index) of one source, in document order."""
        hits = _rows(self.collection(name).get(
            where={"$and": [{"source": source}, {"chunk_index": {"$gte": first}}, {"chunk_index": {"$lte": last}}]},
            include=["documents", "metadatas"],
        ))
        return sorted(hits, key=lambda h: h.metadata.get("chunk_index", 0))

    def sources(self, name: str, page: int = 5000) -> dict[str, int]:
        """Each source file of a collection with its chunk count (metadata only, no text)."""
        counts: dict[str, int] = {}
        for hit in self._pages(name, ["metadatas"], page):
            source = hit.metadata.get("source", "")
            counts[source] = counts.get(source, 0) + 1
        return dict(sorted(counts.items()))

    def embeddings(self, name: str, ids: list[str]) -> dict[str, np.ndarray]:
        result = self.collection(name).get(ids=ids, include=["embeddings"])
        return {i: np.asarray(e, dtype=np.float32) for i, e in zip(result["ids"], result["embeddings"])}

    def iter_all(self, name: str, page: int = 5000) -> Iterator[Hit]:
        """Every chunk of a collection, a page at a time (BM25 rebuilds)."""
        return self._pages(name, ["documents", "metadatas"], page)

    def _pages(self, name: str, include: list[str], page: int) -> Iterator[Hit]:
        collection = self.collection(name)
        offset = 0
        while True:
            result = collection.get(include=include, limit=page, offset=offset)
            if not result["ids"]:
                return
            yield from _rows(result)
            offset += len(result["ids"])


def _rows(result: dict) -> list[Hit]:
    """Chroma's column-wise `get` result → Hits (text empty where documents were not asked for)."""
    documents = result.get("documents") or [""] * len(result["ids"])
    return [Hit(i, d, m or {}) for i, d, m in zip(result["ids"], documents, result["metadatas"])]


def _hits(result: dict) -> list[Hit]:
    """Chroma's column-wise query result → Hits; cosine distance → similarity (1 − d)."""
    return [
        Hit(chunk_id, text, metadata or {}, {"dense": 1.0 - float(distance)})
        for chunk_id, text, metadata, distance in zip(
            result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0]
        )
    ]

