"""A passage longer than `embedder.window_chars` is also embedded window by window, so a question
about one of its sentences meets a vector of that sentence, even past what the embedder reads.

Real Chroma store on disk, the tiny real embedder (it reads 128 tokens).
"""

from __future__ import annotations

import numpy as np
import pytest

from bilge.errors import IngestError, InputError
from retrievers.chunking import Chunk, passage_windows
from retrievers.ingest import Ingestor, write_chunks
from retrievers.store import ChunkStore
from tests.conftest import leaflet_texts, make_config

COLLECTION = "uzun"
LONG = " ".join(t for t in leaflet_texts() if t.endswith("."))[:3000]
SHORT = "Parasetamol ağrı kesicidir."


def whole(text: str) -> list[Chunk]:
    """The text as one chunk, as the paragraphs protocol of the evaluation stores it."""
    return [Chunk(text, 0, len(text), 0, None, "", "")]


@pytest.fixture
def store(cfg, tiny_embedder) -> ChunkStore:
    store = ChunkStore(cfg)
    write_chunks(store, COLLECTION, tiny_embedder, "uzun.txt", "d1", whole(LONG), cfg)
    write_chunks(store, COLLECTION, tiny_embedder, "kisa.txt", "d2", whole(SHORT), cfg)
    return store


def test_a_long_passage_is_found_by_its_last_window(cfg, tiny_embedder, store):
    windows = passage_windows(LONG, cfg.embedder.window_chars)
    assert len(windows) > 10 and LONG.endswith(windows[-1])
    assert all(len(w) <= cfg.embedder.window_chars for w in windows)
    vector = tiny_embedder.embed_queries([windows[-1]])[0]  # no prefixes: the very vector of that window
    hits = store.query(COLLECTION, vector, 2)
    assert [h.metadata["source"] for h in hits] == ["uzun.txt", "kisa.txt"]
    assert hits[0].scores["dense"] == pytest.approx(1.0, abs=1e-4)
    truncated = float(np.dot(tiny_embedder.embed_passages([LONG])[0], vector))
    assert truncated < 0.999  # one vector of the passage: the first 128 tokens only
    scores = store.dense_scores(COLLECTION, [hits[0].chunk_id, hits[1].chunk_id], vector)
    assert scores[hits[0].chunk_id] == pytest.approx(1.0, abs=1e-4)
    assert scores[hits[1].chunk_id] == pytest.approx(hits[1].scores["dense"], abs=1e-4)


def test_windows_are_not_chunks(store):
    assert store.names() == [COLLECTION]
    assert store.count(COLLECTION) == 2
    assert {h.metadata["source"] for h in store.iter_all(COLLECTION)} == {"uzun.txt", "kisa.txt"}


def test_windows_leave_with_their_passage(cfg, tiny_embedder, store):
    vector = tiny_embedder.embed_queries([passage_windows(LONG, cfg.embedder.window_chars)[-1]])[0]
    write_chunks(store, COLLECTION, tiny_embedder, "uzun.txt", "d3", whole("Kısa bir metin."), cfg)
    assert max(h.scores["dense"] for h in store.query(COLLECTION, vector, 2)) < 0.999
    store.drop(COLLECTION)
    assert store.names() == []


def test_no_windows_when_switched_off(tmp_path, tiny_model_dir, tiny_embedder):
    cfg = make_config(tmp_path / "home", tiny_model_dir, embedder={"window_chars": 0})
    store = ChunkStore(cfg)
    write_chunks(store, COLLECTION, tiny_embedder, "uzun.txt", "d1", whole(LONG), cfg)
    vector = tiny_embedder.embed_queries([passage_windows(LONG, 200)[-1]])[0]
    assert store.query(COLLECTION, vector, 1)[0].scores["dense"] < 0.999


def test_a_collection_built_with_other_windows_asks_for_a_rebuild(cfg, tiny_model_dir, tiny_embedder, docs_dir):
    Ingestor(cfg, COLLECTION, tiny_embedder, ChunkStore(cfg)).run(docs_dir)
    wider = make_config(cfg.home, tiny_model_dir, embedder={"window_chars": 400})
    with pytest.raises(IngestError, match="window_chars.*--rebuild"):
        Ingestor(wider, COLLECTION, tiny_embedder, ChunkStore(wider)).run(docs_dir)


def test_the_windows_suffix_is_not_a_collection_name(cfg, tiny_embedder):
    with pytest.raises(InputError, match="uzun.windows"):
        write_chunks(ChunkStore(cfg), "uzun.windows", tiny_embedder, "kisa.txt", "d", whole(SHORT), cfg)
