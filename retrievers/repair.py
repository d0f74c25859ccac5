"""`bilge collections repair NAME`: a collection's own files rebuilt from what Chroma holds.

Bilge keeps two files beside each Chroma collection, both derived from it: the BM25 index
and the manifest (which files were ingested, with their hashes and chunk counts). Either can be
rebuilt from the chunks' metadata without reading a document or touching another collection:
the BM25 index always, the manifest when it is damaged or gone. The manifest also records which
embedder built the collection; repair re-embeds one stored chunk with the configured embedder
and records it only when the vectors agree, so a rebuilt manifest never vouches for a model
that did not build the store. `--rebuild` goes further: it re-reads and re-embeds every file
the collection holds that is still on disk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bilge.config import BilgeConfig
from bilge.errors import DamagedIndexError, IndexMismatchError, IngestError
from bilge.paths import collection_dir
from retrievers.embeddings import Embedder
from retrievers.ingest import Ingestor, IngestReport, rebuild_bm25
from retrievers.manifest import Manifest
from retrievers.store import ChunkStore

SAME_MODEL_COSINE = 0.99  # a stored vector and its chunk embedded again agree this closely


@dataclass
class RepairReport:
    collection: str
    chunks: int
    manifest_rebuilt: bool = False
    files: int = 0
    missing_files: list[str] = field(default_factory=list)
    reingested: IngestReport | None = None


def manifest_readable(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        Manifest(path).close()
    except DamagedIndexError:
        return False
    return True


def embedded_by(store: ChunkStore, collection: str, embedder: Embedder) -> bool:
    """Whether `embedder` gives the stored vector of a stored chunk (same model, same prefixes)."""
    found = store.collection(collection).get(limit=1, include=["documents", "embeddings", "metadatas"])
    if not found["ids"]:
        return True
    from retrievers.chunking import index_text

    meta = found["metadatas"][0] or {}
    text = index_text(found["documents"][0], meta.get("title", ""), meta.get("section", ""))
    stored = np.asarray(found["embeddings"][0], dtype=np.float32)
    fresh = embedder.embed_passages([text])[0]
    return stored.shape == fresh.shape and float(np.dot(stored, fresh)) >= SAME_MODEL_COSINE


def repair_collection(cfg: BilgeConfig, collection: str, store: ChunkStore, embedder: Embedder, *,
                      rebuild: bool = False, progress=None) -> RepairReport:
    """Rebuild the BM25 index (and a damaged or missing manifest) from the store; with
    `rebuild`, re-ingest every source file still on disk."""
    sources = store.sources(collection)  # raises IndexMissingError for an unknown collection
    report = RepairReport(collection, sum(sources.values()), files=len(sources))
    on_disk = [Path(s) for s in sources if Path(s).is_file()]
    report.missing_files = sorted(s for s in sources if not Path(s).is_file())
    ingestor = Ingestor(cfg, collection, embedder, store, progress)
    if rebuild:
        if report.missing_files:
            raise IngestError(
                f"{len(report.missing_files)} file(s) of collection '{collection}' are no longer on disk (first: "
                f"{report.missing_files[0]}); --rebuild would drop their passages: put them back, or repair "
                "without --rebuild"
            )
        report.reingested, report.manifest_rebuilt = ingestor.reingest(on_disk), True
        return report
    if not manifest_readable(collection_dir(cfg, collection) / "manifest.sqlite3"):
        if not embedded_by(store, collection, embedder):
            raise IndexMismatchError(
                f"collection '{collection}' was not embedded with embedder.model = '{cfg.embedder.model}', so its "
                f"manifest cannot be rebuilt; run `bilge collections repair {collection} --rebuild` to re-embed it"
            )
        _rewrite_manifest(ingestor, store, collection)
        report.manifest_rebuilt = True
    rebuild_bm25(cfg, store, collection)
    return report


def _rewrite_manifest(ingestor: Ingestor, store: ChunkStore, collection: str) -> None:
    """A new manifest with every source the store holds as done, with its hash and chunk count."""
    files: dict[str, tuple[str, int]] = {}
    for hit in store.iter_metadata(collection):
        source, digest = str(hit.metadata.get("source", "")), str(hit.metadata.get("file_hash", ""))
        files[source] = (digest, files.get(source, ("", 0))[1] + 1)

    def write(manifest: Manifest) -> IngestReport:
        manifest.set_meta("fingerprint", json.dumps(ingestor.settings()))
        for source, (digest, count) in files.items():
            manifest.mark_pending(source)
            manifest.mark_done(source, digest, count)
        return IngestReport()

    ingestor.locked(write, fresh_manifest=True)
