"""A passage longer than the embedder reads is also embedded as windows, so its end can be found.

Real Chroma store on disk, the tiny real embedder (it reads 128 tokens).
"""

from __future__ import annotations

import numpy as np
import pytest

from bilge.errors import InputError
from retrievers.chunking import Chunk, passage_windows
from retrievers.ingest import write_chunks
from retrievers.store import ChunkStore
from tests.conftest import leaflet_texts

COLLECTION = "uzun"
LONG = " ".join(t for t in leaflet_texts() if t.endswith("."))[:3000]
SHORT = "Parasetamol ağrı kesicidir."


def whole(text: str) -> list[Chunk]:
    """The text as one chunk, as the paragraphs protocol of the evaluation stores it."""
    return [Chunk(text, 0, len(text), 0, None, "", "")]


@pytest.fixture
def store(cfg, tiny_embedder) -> ChunkStore:
    store = ChunkStore(cfg)
    write_chunks(store, COLLECTION, tiny_embedder, "uzun.txt", "d1", whole(LONG), cfg.ingest)
    write_chunks(store, COLLECTION, tiny_embedder, "kisa.txt", "d2", whole(SHORT), cfg.ingest)
    return store


def test_only_passages_past_the_embedders_reach_overflow(tiny_embedder):
    assert tiny_embedder.overflows([LONG, SHORT]) == [True, False]


def test_a_long_passage_is_found_by_its_last_window(cfg, tiny_embedder, store):
    last = passage_windows(LONG, cfg.ingest.chunk_size)[-1]
    assert len(passage_windows(LONG, cfg.ingest.chunk_size)) > 2 and LONG.endswith(last)
    vector = tiny_embedder.embed_queries([last])[0]  # no prefixes: the very vector of that window
    hits = store.query(COLLECTION, vector, 2)
    assert [h.metadata["source"] for h in hits] == ["uzun.txt", "kisa.txt"]
    assert hits[0].scores["dense"] == pytest.approx(1.0, abs=1e-4)
    truncated = float(np.dot(tiny_embedder.embed_passages([LONG])[0], vector))
    assert truncated < 0.999  # what the store held for it before: the first 128 tokens only
    scores = store.dense_scores(COLLECTION, [hits[0].chunk_id, hits[1].chunk_id], vector)
    assert scores[hits[0].chunk_id] == pytest.approx(1.0, abs=1e-4)
    assert scores[hits[1].chunk_id] == pytest.approx(hits[1].scores["dense"], abs=1e-4)


def test_windows_are_not_chunks(store):
    assert store.names() == [COLLECTION]
    assert store.count(COLLECTION) == 2
    assert {h.metadata["source"] for h in store.iter_all(COLLECTION)} == {"uzun.txt", "kisa.txt"}


def test_windows_leave_with_their_passage(cfg, tiny_embedder, store):
    vector = tiny_embedder.embed_queries([passage_windows(LONG, cfg.ingest.chunk_size)[-1]])[0]
    write_chunks(store, COLLECTION, tiny_embedder, "uzun.txt", "d3", whole("Kısa bir metin."), cfg.ingest)
    assert max(h.scores["dense"] for h in store.query(COLLECTION, vector, 2)) < 0.999
    store.drop(COLLECTION)
    assert store.names() == []


def test_the_windows_suffix_is_not_a_collection_name(cfg, tiny_embedder):
    with pytest.raises(InputError, match="uzun.windows"):
        write_chunks(ChunkStore(cfg), "uzun.windows", tiny_embedder, "kisa.txt", "d", whole(SHORT), cfg.ingest)
