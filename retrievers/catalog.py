"""What the store holds: collections with their file and chunk counts (for the CLI and the TUI)."""

from __future__ import annotations

from dataclasses import dataclass

from bilge.config import BilgeConfig
from bilge.paths import collection_dir
from retrievers.manifest import Manifest
from retrievers.store import ChunkStore


@dataclass(frozen=True)
class CollectionInfo:
    name: str
    files: int
    chunks: int


def list_collections(cfg: BilgeConfig, store: ChunkStore | None = None) -> list[CollectionInfo]:
    store = store or ChunkStore(cfg)
    rows = []
    for name in store.names():
        manifest_path = collection_dir(cfg, name) / "manifest.sqlite3"
        files = 0
        if manifest_path.exists():
            manifest = Manifest(manifest_path)
            files = sum(1 for r in manifest.records().values() if r.status == "done")
            manifest.close()
        rows.append(CollectionInfo(name, files, store.count(name)))
    return rows
