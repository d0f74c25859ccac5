"""A thin adapter over Chroma: one client from the config, cosine collections without an
embedding function (Bilge always passes its own vectors), results turned into `Hit`s.

Distance becomes similarity in exactly one place (`_hits`).

Every chunk keeps one vector in its collection; one longer than `embedder.window_chars` gets
more in a companion collection, `NAME.windows`, one per window of whole sentences
(`ingest.write_chunks`). Its dense score is its best vector's (MaxP, Dai & Callan 2019), so a
question about one sentence meets that sentence, even past what the embedder reads. Everything
else (counts, listing, BM25, the chunk text) sees only the chunks.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Iterator

import numpy as np

from bilge.config import BilgeConfig
from bilge.errors import IndexMissingError, InputError, StoreError
from bilge.paths import chroma_dir

WINDOWS_SUFFIX = ".windows"


def windows_of(name: str) -> str:
    """The companion collection holding the extra window vectors of `name`'s long passages."""
    return name + WINDOWS_SUFFIX


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


def _lost_server(exc: Exception) -> bool:
    """Whether `exc` means the Chroma server stopped answering (httpx's transport errors)."""
    return isinstance(exc, ConnectionError) or type(exc).__module__.startswith(("httpx", "httpcore"))


def _reporting_lost_server(method):
    """A store method whose lost server is one line (StoreError), not a traceback. The client
    reconnects by itself, so the next call after the server is back simply works."""

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            if not _lost_server(exc):
                raise
            raise StoreError(
                f"lost the Chroma server at {self._address} ({type(exc).__name__}); start it again "
                "(`chroma run …`): the next request reconnects"
            ) from None

    return guarded


class ChunkStore:
    """Chunks and their vectors for every collection of one Chroma client."""

    def __init__(self, cfg: BilgeConfig, client=None) -> None:
        self._client = client if client is not None else open_client(cfg)
        self._address = f"{cfg.store.host}:{cfg.store.port}" if cfg.store.mode == "http" else str(chroma_dir(cfg))

    @_reporting_lost_server
    def collection(self, name: str, *, create: bool = False):
        if create and name.endswith(WINDOWS_SUFFIX):
            raise InputError(f"collection name '{name}': names ending in '{WINDOWS_SUFFIX}' are Bilge's own; "
                             "choose another name")
        return self._collection(name, create=create)

    def _collection(self, name: str, *, create: bool = False):
        if create:
            return self._client.get_or_create_collection(
                name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
            )
        try:
            return self._client.get_collection(name, embedding_function=None)
        except Exception as exc:  # chromadb raises NotFoundError / ValueError depending on the client kind
            if _lost_server(exc):
                raise
            raise IndexMissingError(
                f"no index for collection '{name}': run `bilge ingest DIR --collection {name}` first"
            ) from None

    @_reporting_lost_server
    def names(self) -> list[str]:
        return [name for name in self._all_names() if not name.endswith(WINDOWS_SUFFIX)]

    def _all_names(self) -> list[str]:
        return sorted(c.name if hasattr(c, "name") else str(c) for c in self._client.list_collections())

    @_reporting_lost_server
    def exists(self, name: str) -> bool:
        return name in self.names()

    def _with_windows(self, name: str) -> list[str]:
        """`name` and its companion collection of window vectors, those of them that exist."""
        present = self._all_names()
        return [collection for collection in (name, windows_of(name)) if collection in present]

    def _windows(self, name: str):
        """The companion collection of `name`'s window vectors; None when no passage needed one."""
        return self._collection(windows_of(name)) if windows_of(name) in self._all_names() else None

    @_reporting_lost_server
    def drop(self, name: str) -> None:
        for collection in self._with_windows(name):
            self._client.delete_collection(collection)

    @_reporting_lost_server
    def count(self, name: str) -> int:
        return self.collection(name).count() if self.exists(name) else 0

    @_reporting_lost_server
    def upsert(self, name: str, ids: list[str], vectors: np.ndarray, texts: list[str], metadatas: list[dict]) -> None:
        self._upsert(self.collection(name, create=True), ids, vectors, texts, metadatas)

    @_reporting_lost_server
    def upsert_windows(self, name: str, parents: list[str], vectors: np.ndarray, texts: list[str],
                       source: str) -> None:
        """Extra vectors of `name`'s long passages: window i of chunk `parents[i]` of `source`."""
        ids = [f"{parent}#w{parents[:n].count(parent)}" for n, parent in enumerate(parents)]
        metadatas = [{"source": source, "parent": parent} for parent in parents]
        self._upsert(self._collection(windows_of(name), create=True), ids, vectors, texts, metadatas)

    def _upsert(self, collection, ids: list[str], vectors: np.ndarray, texts: list[str], metadatas: list[dict]) -> None:
        step = self._client.get_max_batch_size()
        for i in range(0, len(ids), step):
            collection.upsert(
                ids=ids[i:i + step], embeddings=vectors[i:i + step], documents=texts[i:i + step],
                metadatas=metadatas[i:i + step],
            )

    @_reporting_lost_server
    def delete_source(self, name: str, source: str) -> None:
        for collection in self._with_windows(name):
            self._collection(collection).delete(where={"source": source})

    @_reporting_lost_server
    def query(self, name: str, vector: np.ndarray, k: int) -> list[Hit]:
        """The k chunks nearest to `vector`, a long passage scored by its best window."""
        hits = {hit.chunk_id: hit for hit in self._nearest(self.collection(name), vector, k)}
        windows = self._windows(name)
        if windows is not None:
            best = {chunk_id: hit.scores["dense"] for chunk_id, hit in hits.items()}
            found = self._nearest(windows, vector, k, include=("metadatas", "distances"))
            _keep_best(best, [w.metadata["parent"] for w in found], [w.scores["dense"] for w in found])
            hits.update((hit.chunk_id, hit) for hit in self.get(name, [i for i in best if i not in hits]))
            for chunk_id, hit in hits.items():
                hit.scores["dense"] = best[chunk_id]
        return sorted(hits.values(), key=lambda hit: hit.scores["dense"], reverse=True)[:k]

    @staticmethod
    def _nearest(collection, vector: np.ndarray, k: int,
                 include: tuple[str, ...] = ("documents", "metadatas", "distances")) -> list[Hit]:
        k = min(k, collection.count())
        if k == 0:
            return []
        return _hits(collection.query(query_embeddings=[vector], n_results=k, include=list(include)))

    @_reporting_lost_server
    def get(self, name: str, ids: list[str]) -> list[Hit]:
        if not ids:
            return []
        return _rows(self.collection(name).get(ids=ids, include=["documents", "metadatas"]))

    @_reporting_lost_server
    def neighbours(self, name: str, source: str, first: int, last: int) -> list[Hit]:
        """Chunks `first..last` (by chunk index) of one source, in document order."""
        hits = _rows(self.collection(name).get(
            where={"$and": [{"source": source}, {"chunk_index": {"$gte": first}}, {"chunk_index": {"$lte": last}}]},
            include=["documents", "metadatas"],
        ))
        return sorted(hits, key=lambda h: h.metadata.get("chunk_index", 0))

    @_reporting_lost_server
    def sources(self, name: str, page: int = 5000) -> dict[str, int]:
        """Each source file of a collection with its chunk count (metadata only, no text)."""
        counts: dict[str, int] = {}
        for hit in self._pages(name, ["metadatas"], page):
            source = hit.metadata.get("source", "")
            counts[source] = counts.get(source, 0) + 1
        return dict(sorted(counts.items()))

    @_reporting_lost_server
    def dense_scores(self, name: str, ids: list[str], vector: np.ndarray) -> dict[str, float]:
        """The cosine of `vector` with each chunk of `ids` (its best window's for a long passage)."""
        result = self.collection(name).get(ids=ids, include=["embeddings"])
        scores = {i: float(np.dot(np.asarray(e, dtype=np.float32), vector))
                  for i, e in zip(result["ids"], result["embeddings"])}
        windows = self._windows(name)
        if windows is not None:
            found = windows.get(where={"parent": {"$in": ids}}, include=["embeddings", "metadatas"])
            _keep_best(scores, [m["parent"] for m in found["metadatas"]],
                       [float(np.dot(np.asarray(e, dtype=np.float32), vector)) for e in found["embeddings"]])
        return scores

    @_reporting_lost_server
    def _page(self, collection, include: list[str], page: int, offset: int) -> dict:
        return collection.get(include=include, limit=page, offset=offset)

    @_reporting_lost_server
    def window_ids(self, name: str) -> list[str]:
        """The ids of `name`'s window vectors (none when no passage needed one)."""
        windows = self._windows(name)
        return windows.get(include=[])["ids"] if windows is not None else []

    def iter_metadata(self, name: str, page: int = 5000) -> Iterator[Hit]:
        """Every chunk's id and metadata, without text or vectors (manifest repairs)."""
        return self._pages(name, ["metadatas"], page)

    def iter_all(self, name: str, page: int = 5000) -> Iterator[Hit]:
        """Every chunk of a collection, a page at a time (BM25 rebuilds)."""
        return self._pages(name, ["documents", "metadatas"], page)

    def _pages(self, name: str, include: list[str], page: int) -> Iterator[Hit]:
        collection = self.collection(name)
        offset = 0
        while True:
            result = self._page(collection, include, page, offset)
            if not result["ids"]:
                return
            yield from _rows(result)
            offset += len(result["ids"])


def _keep_best(scores: dict[str, float], parents: list[str], window_scores: list[float]) -> None:
    """A chunk scores as its best vector: raise each parent's score to its windows' best."""
    for parent, score in zip(parents, window_scores):
        scores[parent] = max(scores.get(parent, -1.0), score)


def _rows(result: dict) -> list[Hit]:
    """Chroma's column-wise `get` result → Hits (text empty where documents were not asked for)."""
    documents = result.get("documents") or [""] * len(result["ids"])
    return [Hit(i, d, m or {}) for i, d, m in zip(result["ids"], documents, result["metadatas"])]


def _hits(result: dict) -> list[Hit]:
    """Chroma's column-wise query result → Hits; cosine distance → similarity (1 − d)."""
    ids = result["ids"][0]
    documents = (result.get("documents") or [None])[0] or [""] * len(ids)
    return [
        Hit(chunk_id, text, metadata or {}, {"dense": 1.0 - float(distance)})
        for chunk_id, text, metadata, distance in zip(ids, documents, result["metadatas"][0], result["distances"][0])
    ]

