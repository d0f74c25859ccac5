"""Incremental, idempotent, interruptible ingestion of a folder into a collection.

Per file: hash → skip when unchanged → read → chunk → mark pending → delete the file's old
chunks → embed and upsert → mark done. Files gone from the folder leave the index. One bad file
is reported and skipped. A file lock keeps two writers off one collection. The BM25 index is
rebuilt from the store at the end, so it always matches what Chroma holds.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from bilge.config import BilgeConfig
from bilge.errors import DamagedIndexError, FileRejected, IndexMismatchError, IngestError, StoreLockedError
from bilge.faults import fault_point
from bilge.paths import collection_dir
from retrievers.bm25 import Bm25Index
from retrievers.chunking import Chunk, chunk_blocks, index_text, passage_windows
from retrievers.embeddings import Embedder
from retrievers.loaders import read_blocks
from retrievers.manifest import Manifest
from retrievers.scan import scan_folder
from retrievers.store import ChunkStore

INDEX_FORMAT = 1


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    chunks: int = 0

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def nothing_ingested(self) -> bool:
        return bool(self.failed) and not (self.added or self.updated or self.unchanged)


@dataclass(frozen=True)
class IngestEvent:
    """Progress for a bar or a widget: files and chunks done so far."""

    files_total: int
    files_done: int
    chunks_done: int
    path: str = ""
    failed: str = ""


ProgressFn = Callable[[IngestEvent], None]


def file_digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def chunk_id(source: str, digest: str, index: int) -> str:
    return f"{hashlib.sha1(source.encode()).hexdigest()[:16]}-{digest[:12]}-{index}"


def chunk_metadata(source: str, digest: str, chunk: Chunk) -> dict:
    meta = {
        "source": source, "file_name": Path(source).name, "section": chunk.section, "title": chunk.title,
        "chunk_index": chunk.index, "start": chunk.start, "end": chunk.end, "file_hash": digest,
    }
    if chunk.page is not None:
        meta["page"] = chunk.page
    return meta


def built_with(manifest: Manifest) -> dict | None:
    """The settings a collection was last built with, or None for a new one."""
    stored = manifest.get_meta("fingerprint")
    return json.loads(stored) if stored else None


def embedded_by_other(stored: dict, embedder: Embedder) -> bool:
    """Whether a collection's recorded settings name another embedder than `embedder`.

    Collections built before the embedder's identity was recorded name it by its path; they
    count as built by the model that lies at that path now."""
    return stored.get("embedder") not in (embedder.identity, embedder.name) or stored.get("dim") != embedder.dim


def settings_changed(stored: dict | None, current: dict, embedder: Embedder) -> list[str]:
    """Which of the stored build settings the current ones differ from (none for a new collection)."""
    if stored is None:
        return []
    names = ["embedder"] if embedded_by_other(stored, embedder) else []
    keys = ("format", "chunk_size", "chunk_overlap", "window_chars")
    return names + [key for key in keys if stored.get(key) != current[key]]


def ensure_embedded_by(cfg: BilgeConfig, collection: str, embedder: Embedder) -> None:
    """Refuse to search a collection with query vectors from another model than its passages'.

    Why: a swapped `embedder.model` of the same width would otherwise rank by noise, silently."""
    path = collection_dir(cfg, collection) / "manifest.sqlite3"
    if not path.exists():  # built by hand (benchmarks, evaluation): nothing recorded to compare
        return
    manifest = Manifest(path)
    try:
        stored = built_with(manifest)
    finally:
        manifest.close()
    if stored and embedded_by_other(stored, embedder):
        raise IndexMismatchError(
            f"collection '{collection}' was embedded with another model than embedder.model = "
            f"'{cfg.embedder.model}'; rebuild it (`bilge ingest FOLDER --collection {collection} --rebuild`) "
            "or set embedder.model back to the model it was built with"
        )


class Ingestor:
    """One ingest run into one collection; `run()` does the work under the collection's lock."""

    def __init__(self, cfg: BilgeConfig, collection: str, embedder: Embedder, store: ChunkStore,
                 progress: ProgressFn | None = None) -> None:
        self.cfg, self.collection, self.embedder, self.store = cfg, collection, embedder, store
        self.progress = progress or (lambda event: None)
        self.home = collection_dir(cfg, collection)

    def settings(self) -> dict:
        ingest = self.cfg.ingest
        return {"format": INDEX_FORMAT, "embedder": self.embedder.identity, "dim": self.embedder.dim,
                "chunk_size": ingest.chunk_size, "chunk_overlap": ingest.chunk_overlap,
                "window_chars": self.cfg.embedder.window_chars}

    def run(self, folder: Path, *, rebuild: bool = False) -> IngestReport:
        if not folder.exists():
            raise IngestError(f"{folder}: no such file or folder; give the folder of documents to ingest")
        return self.locked(lambda manifest: self._ingest(folder, manifest, rebuild))

    def reingest(self, sources: list[Path]) -> IngestReport:
        """The collection built anew from `sources` (the files it held that are still on disk),
        with a new manifest: what `bilge collections repair --rebuild` runs."""
        def rebuild(manifest: Manifest) -> IngestReport:
            self.store.drop(self.collection)  # the manifest is new already (fresh_manifest below)
            manifest.set_meta("fingerprint", json.dumps(self.settings()))
            report = IngestReport()
            for done, path in enumerate(sources, start=1):
                self._ingest_one(path, str(path), None, manifest, report, (done, len(sources)))
            rebuild_bm25(self.cfg, self.store, self.collection)
            manifest.set_meta("bm25", "fresh")
            return report

        return self.locked(rebuild, fresh_manifest=True)

    def locked(self, work: Callable[[Manifest], IngestReport], fresh_manifest: bool = False) -> IngestReport:
        """`work` under the collection's lock, with its manifest open (a new one if asked)."""
        from filelock import FileLock, Timeout

        self.home.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.home / "ingest.lock"), timeout=self.cfg.ingest.lock_timeout_s)
        try:
            with lock:
                path = self.home / "manifest.sqlite3"
                if fresh_manifest:
                    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                        leftover.unlink(missing_ok=True)
                manifest = Manifest(path)
                try:
                    return work(manifest)
                finally:
                    manifest.close()
        except Timeout:
            raise StoreLockedError(
                f"collection '{self.collection}' is being written by another ingest (`bilge ingest` or the chat); "
                "wait for it to finish (or raise ingest.lock_timeout_s to wait automatically)"
            ) from None

    def _ingest(self, folder: Path, manifest: Manifest, rebuild: bool) -> IngestReport:
        settings = self.settings()
        changed_settings = settings_changed(built_with(manifest), settings, self.embedder)
        if rebuild:
            self.store.drop(self.collection)
            manifest.clear()
        elif changed_settings:
            raise IngestError(
                f"collection '{self.collection}' was built with another {' and '.join(changed_settings)}; "
                f"run `bilge ingest {folder} --collection {self.collection} --rebuild` to rebuild it"
            )
        manifest.set_meta("fingerprint", json.dumps(settings))
        # stale until this run has rebuilt (or checked) BM25: a run stopped after a file was
        # done but before the rebuild leaves it so, and the next run rebuilds though nothing changed
        stale = manifest.get_meta("bm25") == "stale"
        manifest.set_meta("bm25", "stale")
        report = IngestReport()
        files, failures = scan_folder(folder)
        fault_point("scanned")
        report.failed.extend({"path": p, "reason": r} for p, r in failures)
        records = manifest.records()
        changed = False
        for done, path in enumerate(files, start=1):
            source = os.path.abspath(path)
            position = (done, len(files))
            changed = self._ingest_one(path, source, records.get(source), manifest, report, position) or changed
        present = {os.path.abspath(p) for p in files} | {f["path"] for f in report.failed}
        for source in _in_scope(records, folder):
            if source not in present:
                manifest.mark_pending(source)
                fault_point("removing")
                self.store.delete_source(self.collection, source)
                fault_point("removed")
                manifest.forget(source)
                report.removed += 1
                changed = True
        if changed or stale or not bm25_usable(self.home / "bm25", self.cfg):
            fault_point("before-bm25")
            rebuild_bm25(self.cfg, self.store, self.collection)
        manifest.set_meta("bm25", "fresh")
        return report

    def _ingest_one(self, path: Path, source: str, record, manifest: Manifest, report: IngestReport,
                    position: tuple[int, int]) -> bool:
        """One file (`position` = (n, of)) into the report: added, updated, unchanged or failed;
        whether it changed the collection."""
        done, total = position
        try:
            outcome = self._ingest_file(path, source, record, manifest)
        except FileRejected as exc:
            report.failed.append({"path": source, "reason": str(exc)})
            self.progress(IngestEvent(total, done, report.chunks, source, str(exc)))
            return False
        if outcome is not None:
            kind, count = outcome
            setattr(report, kind, getattr(report, kind) + 1)
            report.chunks += count
        else:
            report.unchanged += 1
        self.progress(IngestEvent(total, done, report.chunks, source))
        return outcome is not None

    def _ingest_file(self, path: Path, source: str, record, manifest: Manifest) -> tuple[str, int] | None:
        """None when unchanged, else ("added" | "updated", chunk count)."""
        limit = self.cfg.ingest.max_file_mb
        try:
            size = path.stat().st_size
            if size > limit * 1024 * 1024:
                raise FileRejected(f"file too large ({size / 1048576:.0f} MB > {limit:g} MB); "
                                   "split it or raise ingest.max_file_mb")
            if size == 0:
                raise FileRejected("empty file")
            digest = file_digest(path)
        except PermissionError:
            raise FileRejected("permission denied; make the file readable") from None
        except OSError as exc:
            raise FileRejected(f"cannot read ({exc.strerror or exc})") from None
        if record is not None and record.status == "done" and record.hash == digest:
            return None
        try:
            _, chunks = chunk_blocks(read_blocks(path, self.cfg.ingest.fallback_encoding),
                                     self.cfg.ingest.chunk_size, self.cfg.ingest.chunk_overlap)
        except PermissionError:
            raise FileRejected("permission denied; make the file readable") from None
        if not chunks:
            raise FileRejected("no text could be extracted (a scanned PDF needs OCR first)")
        fault_point("read")
        manifest.mark_pending(source)
        fault_point("pending")
        write_chunks(self.store, self.collection, self.embedder, source, digest, chunks, self.cfg)
        fault_point("written")
        manifest.mark_done(source, digest, len(chunks))
        fault_point("done")
        return ("updated" if record is not None and record.status == "done" else "added"), len(chunks)


def _in_scope(records: dict, folder: Path) -> list[str]:
    root = os.path.abspath(folder)
    if os.path.isfile(root):
        return [root] if root in records else []
    prefix = root.rstrip(os.sep) + os.sep
    return [path for path in records if path.startswith(prefix)]


def write_chunks(store: ChunkStore, collection: str, embedder: Embedder, source: str, digest: str,
                 chunks: list[Chunk], cfg: BilgeConfig, on_batch: Callable[[int], None] = lambda n: None) -> None:
    """Replace a source's chunks in the store: delete the old ones, embed and upsert the new.

    A chunk longer than `embedder.window_chars` is also embedded window by window (whole
    sentences), so a question about one sentence of it meets a vector of that sentence alone."""
    store.delete_source(collection, source)
    fault_point("old-chunks-deleted")
    size = cfg.embedder.window_chars
    for i in range(0, len(chunks), cfg.ingest.batch_size):
        batch = chunks[i:i + cfg.ingest.batch_size]
        ids = [chunk_id(source, digest, c.index) for c in batch]
        vectors = embedder.embed_passages([c.index_text for c in batch])
        fault_point("embedded")
        metadatas = [chunk_metadata(source, digest, c) for c in batch]
        store.upsert(collection, ids, vectors, [c.text for c in batch], metadatas)
        fault_point("chunks-upserted")
        windows = [(parent, index_text(window, c.title, c.section))
                   for parent, c in zip(ids, batch) if 0 < size < len(c.text)
                   for window in passage_windows(c.text, size)]
        if windows:
            parents, texts = map(list, zip(*windows))
            store.upsert_windows(collection, parents, embedder.embed_passages(texts), texts, source)
            fault_point("windows-upserted")
        on_batch(len(batch))


def rebuild_bm25(cfg: BilgeConfig, store: ChunkStore, collection: str) -> Bm25Index:
    """Rebuild and save the BM25 index from every chunk in the store."""
    ids, texts = [], []
    if store.exists(collection):
        for hit in store.iter_all(collection):
            ids.append(hit.chunk_id)
            texts.append(index_text(hit.text, hit.metadata.get("title", ""), hit.metadata.get("section", "")))
    index = Bm25Index.build(cfg.bm25, ids, texts)
    fault_point("bm25-built")
    index.save(collection_dir(cfg, collection) / "bm25")
    return index


def bm25_usable(folder: Path, cfg: BilgeConfig) -> bool:
    """Whether the saved BM25 index can be used as it is (an ingest rebuilds it otherwise,
    damaged included: it is derived from the store)."""
    try:
        return Bm25Index.load(folder, cfg.bm25) is not None
    except DamagedIndexError:
        return False
