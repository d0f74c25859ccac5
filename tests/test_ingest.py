"""Ingestion into a real Chroma store on disk with a real (tiny) embedder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bilge.errors import IngestError, StoreLockedError
from bilge.paths import collection_dir
from retrievers.bm25 import Bm25Index
from retrievers.ingest import Ingestor
from retrievers.store import ChunkStore

COLLECTION = "deneme"


def ingest(cfg, embedder, folder, **kwargs):
    return Ingestor(cfg, COLLECTION, embedder, ChunkStore(cfg)).run(folder, **kwargs)


def snapshot(cfg) -> dict:
    """Everything the store holds for the collection, for equality checks."""
    store = ChunkStore(cfg)
    return {hit.chunk_id: (hit.text, hit.metadata) for hit in store.iter_all(COLLECTION)}


def test_every_format_ingests_with_metadata(cfg, tiny_embedder, docs_dir):
    report = ingest(cfg, tiny_embedder, docs_dir)
    assert (report.added, report.failed) == (5, [])
    chunks = snapshot(cfg)
    assert len(chunks) == report.chunks > 5
    sources = {meta["source"] for _, meta in chunks.values()}
    assert sources == {str(p) for p in docs_dir.iterdir()}
    for text, meta in chunks.values():
        assert {"source", "section", "chunk_index", "start", "end", "file_hash"} <= meta.keys()
        assert meta["end"] - meta["start"] == len(text)
        assert ("page" in meta) == meta["source"].endswith(".pdf")
    sections = {meta["section"] for _, meta in chunks.values()}
    assert "Olası yan etkiler" in sections
    bm25 = Bm25Index.load(collection_dir(cfg, COLLECTION) / "bm25", cfg.bm25)
    assert bm25 is not None and sorted(bm25.ids) == sorted(chunks)


def test_second_run_changes_nothing(cfg, tiny_embedder, docs_dir):
    ingest(cfg, tiny_embedder, docs_dir)
    before = snapshot(cfg)
    report = ingest(cfg, tiny_embedder, docs_dir)
    assert (report.added, report.updated, report.unchanged, report.removed, report.chunks) == (0, 0, 5, 0, 0)
    assert snapshot(cfg) == before


def test_changed_file_replaces_its_chunks_and_removed_file_leaves(cfg, tiny_embedder, docs_dir):
    ingest(cfg, tiny_embedder, docs_dir)
    md = next(docs_dir.glob("*.md"))
    md.write_text("# Yeni başlık\n\nTamamen yeni bir metin. Eski içerik yok.\n", encoding="utf-8")
    pdf = next(docs_dir.glob("*.pdf"))
    pdf.unlink()
    report = ingest(cfg, tiny_embedder, docs_dir)
    assert (report.updated, report.removed, report.unchanged) == (1, 1, 3)
    chunks = snapshot(cfg)
    md_chunks = [text for text, meta in chunks.values() if meta["source"] == str(md)]
    assert md_chunks == ["Tamamen yeni bir metin. Eski içerik yok."]
    assert not any(meta["source"] == str(pdf) for _, meta in chunks.values())
    bm25 = Bm25Index.load(collection_dir(cfg, COLLECTION) / "bm25", cfg.bm25)
    assert sorted(bm25.ids) == sorted(chunks)


def test_other_folders_in_the_same_collection_are_kept(cfg, tiny_embedder, docs_dir, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "not.md").write_text("# Not\n\nBaşka bir klasör.\n", encoding="utf-8")
    ingest(cfg, tiny_embedder, docs_dir)
    ingest(cfg, tiny_embedder, other)
    assert {meta["source"] for _, meta in snapshot(cfg).values()} >= {str(other / "not.md")}
    assert len({meta["source"] for _, meta in snapshot(cfg).values()}) == 6


class CrashingEmbedder:
    """The real tiny embedder that dies after `limit` batches, like a process killed mid-file."""

    def __init__(self, inner, limit):
        self.inner, self.limit = inner, limit
        self.name, self.identity, self.dim = inner.name, inner.identity, inner.dim

    def embed_passages(self, texts):
        if self.limit == 0:
            raise KeyboardInterrupt
        self.limit -= 1
        return self.inner.embed_passages(texts)

    def embed_queries(self, texts):
        return self.inner.embed_queries(texts)


@pytest.mark.parametrize("batches_before_crash", [0, 1, 3, 6])
def test_interrupted_ingest_resumes_to_the_same_store(cfg, tiny_embedder, docs_dir, tmp_path, batches_before_crash):
    from tests.conftest import make_config

    small_batches = make_config(cfg.home, cfg.embedder.model, ingest={"batch_size": 2})
    with pytest.raises(KeyboardInterrupt):
        Ingestor(small_batches, COLLECTION, CrashingEmbedder(tiny_embedder, batches_before_crash),
                 ChunkStore(small_batches)).run(docs_dir)
    ingest(small_batches, tiny_embedder, docs_dir)
    resumed = snapshot(small_batches)

    clean = make_config(tmp_path / "clean-home", cfg.embedder.model, ingest={"batch_size": 2})
    ingest(clean, tiny_embedder, docs_dir)
    assert resumed == snapshot(clean)


def test_interrupted_then_file_deleted_leaves_no_orphans(cfg, tiny_embedder, docs_dir):
    with pytest.raises(KeyboardInterrupt):
        Ingestor(cfg, COLLECTION, CrashingEmbedder(tiny_embedder, 1), ChunkStore(cfg)).run(docs_dir)
    for path in list(docs_dir.iterdir())[:2]:
        path.unlink()
    ingest(cfg, tiny_embedder, docs_dir)
    assert {meta["source"] for _, meta in snapshot(cfg).values()} == {str(p) for p in docs_dir.iterdir()}


def test_second_writer_is_refused_with_a_clear_message(cfg, tiny_embedder, docs_dir):
    from filelock import FileLock

    home = collection_dir(cfg, COLLECTION)
    home.mkdir(parents=True)
    with FileLock(str(home / "ingest.lock")):
        with pytest.raises(StoreLockedError, match=r"being written by another ingest \(`bilge ingest` or the chat\)"):
            ingest(cfg, tiny_embedder, docs_dir)
    assert ingest(cfg, tiny_embedder, docs_dir).added == 5


def test_changed_embedder_settings_require_rebuild(cfg, tiny_embedder, docs_dir):
    from tests.conftest import make_config

    ingest(cfg, tiny_embedder, docs_dir)
    bigger_chunks = make_config(cfg.home, cfg.embedder.model, ingest={"chunk_size": 1500})
    with pytest.raises(IngestError, match="--rebuild"):
        ingest(bigger_chunks, tiny_embedder, docs_dir)
    report = ingest(bigger_chunks, tiny_embedder, docs_dir, rebuild=True)
    assert report.added == 5


def retrained_copy(model_dir: Path, destination: Path) -> Path:
    """The same model with one weight changed, as a retraining in place would leave it."""
    import shutil

    from safetensors.torch import load_file, save_file

    shutil.copytree(model_dir, destination)
    weights = load_file(destination / "model.safetensors")
    name = next(n for n in weights if n.endswith("LayerNorm.bias"))
    weights[name] = weights[name] + 0.5
    save_file(weights, destination / "model.safetensors")
    return destination


def test_a_moved_model_keeps_the_collection_and_a_retrained_one_needs_a_rebuild(cfg, tiny_model_dir, docs_dir, tmp_path):
    """Collections remember the embedder by its content, not by where it lies."""
    import shutil

    from retrievers.embeddings import load_embedder
    from tests.conftest import make_config

    ingest(cfg, load_embedder(cfg), docs_dir)
    moved = make_config(cfg.home, shutil.copytree(tiny_model_dir, tmp_path / "moved"))
    assert ingest(moved, load_embedder(moved), docs_dir).unchanged == 5
    retrained = make_config(cfg.home, retrained_copy(tiny_model_dir, tmp_path / "retrained"))
    with pytest.raises(IngestError, match=r"was built with another embedder; run `bilge ingest .* --rebuild`"):
        ingest(retrained, load_embedder(retrained), docs_dir)
    assert len(snapshot(cfg)) > 0  # the refused run left the collection as it was


def test_a_collection_recorded_by_model_path_is_still_accepted(cfg, tiny_embedder, docs_dir):
    """Collections built before the embedder's identity was recorded named it by its path."""
    import json

    from retrievers.manifest import Manifest

    ingest(cfg, tiny_embedder, docs_dir)
    manifest = Manifest(collection_dir(cfg, COLLECTION) / "manifest.sqlite3")
    legacy = {**json.loads(manifest.get_meta("fingerprint")), "embedder": tiny_embedder.name}
    manifest.set_meta("fingerprint", json.dumps(legacy))
    assert ingest(cfg, tiny_embedder, docs_dir).unchanged == 5
    assert json.loads(manifest.get_meta("fingerprint"))["embedder"] == tiny_embedder.identity
    manifest.close()


def test_missing_folder_is_an_error(cfg, tiny_embedder, tmp_path):
    with pytest.raises(IngestError, match="no such file or folder"):
        ingest(cfg, tiny_embedder, tmp_path / "yok")


def test_bad_files_are_reported_and_skipped(cfg, tiny_embedder, docs_dir):
    from pypdf import PdfWriter

    bad = docs_dir / "bad"
    bad.mkdir()
    (bad / "bozuk.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(2000))
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("gizli")
    with (bad / "sifreli.pdf").open("wb") as handle:
        writer.write(handle)
    (bad / "bos.txt").write_bytes(b"")
    (bad / "ikili.txt").write_bytes(bytes(range(256)) * 40)
    with (bad / "dev.md").open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, nothing on disk
    (bad / "dongu").symlink_to(bad, target_is_directory=True)
    (bad / "kendisi.txt").symlink_to(bad / "kendisi.txt")
    report = ingest(cfg, tiny_embedder, docs_dir)
    reasons = {os.path.basename(f["path"]): f["reason"] for f in report.failed}
    assert report.added == 5
    assert "damaged PDF" in reasons["bozuk.pdf"]
    assert "encrypted PDF" in reasons["sifreli.pdf"]
    assert reasons["bos.txt"] == "empty file"
    assert "binary content" in reasons["ikili.txt"]
    assert "file too large (200 MB > 50 MB" in reasons["dev.md"]
    assert "symlink loop" in reasons["dongu"]
    assert "symlink loop" in reasons["kendisi.txt"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file; permissions cannot be tested")
def test_unreadable_file_is_reported(cfg, tiny_embedder, docs_dir):
    path = docs_dir / "gizli.txt"
    path.write_text("gizli metin", encoding="utf-8")
    path.chmod(0)
    report = ingest(cfg, tiny_embedder, docs_dir)
    assert report.failed == [{"path": str(path), "reason": "permission denied; make the file readable"}]


def test_a_broken_update_keeps_what_was_stored(cfg, tiny_embedder, docs_dir):
    ingest(cfg, tiny_embedder, docs_dir)
    before = snapshot(cfg)
    pdf = next(docs_dir.glob("*.pdf"))
    pdf.write_bytes(b"%PDF-1.4\nnot really")
    report = ingest(cfg, tiny_embedder, docs_dir)
    assert len(report.failed) == 1 and report.removed == 0
    assert snapshot(cfg) == before


def test_cp1254_and_mojibake_files_are_stored_repaired(cfg, tiny_embedder, tmp_path):
    folder = tmp_path / "eski"
    folder.mkdir()
    (folder / "cp1254.txt").write_bytes("Işık ve şeker hastalığı.".encode("cp1254"))
    (folder / "mojibake.md").write_text("Ä°laÃ§ ÅŸurubu Ä±lÄ±k suyla iÃ§ilir.", encoding="utf-8")
    ingest(cfg, tiny_embedder, folder)
    texts = sorted(text for text, _ in snapshot(cfg).values())
    assert texts == ["Işık ve şeker hastalığı.", "İlaç şurubu ılık suyla içilir."]



def test_the_document_check_reads_a_changed_document_anew(cfg, tiny_embedder, tmp_path):
    """The check keeps each document's words between questions; a file changed and ingested
    again is read anew, not answered from what it used to say."""
    from assistant.documents import Documents
    from retrievers.search import Searcher

    folder = tmp_path / "iki"
    folder.mkdir()
    (folder / "a.md").write_text("# A ilacı\n\nA ilacı magnezyum içerir.\n", encoding="utf-8")
    (folder / "b.md").write_text("# B ilacı\n\nB ilacı kalsiyum içerir.\n", encoding="utf-8")
    ingest(cfg, tiny_embedder, folder)
    documents = Documents(Searcher(cfg, COLLECTION, embedder=tiny_embedder))

    def chunk_of_a():
        return next(h for h in ChunkStore(cfg).iter_all(COLLECTION) if h.metadata["source"].endswith("a.md"))

    question = "A ilacı kalsiyum içerir mi?"
    assert list(documents.unmentioned_names(question, chunk_of_a())) == ["kalsiyum"]
    (folder / "a.md").write_text("# A ilacı\n\nA ilacı kalsiyum ve magnezyum içerir.\n", encoding="utf-8")
    ingest(cfg, tiny_embedder, folder)
    assert documents.unmentioned_names(question, chunk_of_a()) == {}
