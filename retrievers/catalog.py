"""What the store holds: collections with their file and chunk counts (for the CLI and the TUI)."""

from __future__ import annotations

from dataclasses import dataclass

from bilge.config import BilgeConfig
from bilge.errors import DamagedIndexError
from bilge.paths import collection_dir
from retrievers.manifest import Manifest
from retrievers.store import ChunkStore


@dataclass(frozen=True)
class CollectionInfo:
    name: str
    files: int
    chunks: int
    problem: str = ""  # why the collection needs `bilge collections repair`, if it does


def list_collections(cfg: BilgeConfig, store: ChunkStore | None = None) -> list[CollectionInfo]:
    store = store or ChunkStore(cfg)
    rows = []
    for name in store.names():
        manifest_path = collection_dir(cfg, name) / "manifest.sqlite3"
        files, problem = 0, ""
        if manifest_path.exists():
            try:  # one damaged collection must not hide the others
                manifest = Manifest(manifest_path)
            except DamagedIndexError:
                problem = f"manifest damaged: run `bilge collections repair {name}`"
            else:
                files = sum(1 for r in manifest.records().values() if r.status == "done")
                manifest.close()
        rows.append(CollectionInfo(name, files, store.count(name), problem))
    return rows


def collection_state(cfg: BilgeConfig, name: str, store: ChunkStore | None = None) -> dict:
    """Everything an ingest leaves for a collection, comparable with `==`: chunks (text and
    metadata), window vector ids, BM25 ids and manifest rows. What the fault-injection tests and
    `bench/faults.py` compare an interrupted-then-resumed ingest against an uninterrupted one with."""
    from retrievers.bm25 import Bm25Index

    store = store or ChunkStore(cfg)
    if not store.exists(name):
        return {}
    home = collection_dir(cfg, name)
    manifest = Manifest(home / "manifest.sqlite3")
    try:
        records = {path: (r.hash, r.status, r.chunks) for path, r in manifest.records().items()}
    finally:
        manifest.close()
    bm25 = Bm25Index.load(home / "bm25", cfg.bm25)
    return {"chunks": {hit.chunk_id: (hit.text, hit.metadata) for hit in store.iter_all(name)},
            "windows": sorted(store.window_ids(name)), "bm25": sorted(bm25.ids) if bm25 else None,
            "manifest": records}
