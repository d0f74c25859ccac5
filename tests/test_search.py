"""The search pipeline on a real store: BM25, dense, hybrid, rerank."""

from __future__ import annotations

import pytest

from bilge.errors import IndexMissingError, InputError, ModelError
from retrievers.ingest import Ingestor
from retrievers.search import Searcher
from retrievers.store import ChunkStore
from retrievers.turkish import turkish_casefold


@pytest.fixture(scope="session")
def tiny_reranker_dir(tiny_model_dir, tmp_path_factory):
    from training.encoders import to_cross_encoder

    return to_cross_encoder(tiny_model_dir, tmp_path_factory.mktemp("reranker") / "ce")


@pytest.fixture
def searcher(cfg, tiny_embedder, docs_dir, tiny_reranker_dir):
    from retrievers.rerank import CrossEncoderReranker

    Ingestor(cfg, "ilac", tiny_embedder, ChunkStore(cfg)).run(docs_dir)
    return Searcher(cfg, "ilac", embedder=tiny_embedder, reranker=CrossEncoderReranker(str(tiny_reranker_dir)))


def test_bm25_finds_the_section_with_turkish_casefolding(searcher):
    hits = searcher.search("KARACİĞER HASARI", "bm25", 3)
    assert hits and "karaciğer hasarı" in turkish_casefold(hits[0].text)
    assert hits[0].scores["bm25"] > 0


@pytest.mark.parametrize("mode,stages", [
    ("bm25", {"bm25", "dense"}), ("dense", {"bm25", "dense"}),
    ("hybrid", {"bm25", "dense", "fused"}), ("rerank", {"bm25", "dense", "fused", "rerank"}),
])
def test_every_stage_score_is_present(searcher, mode, stages):
    hits = searcher.search("amoksisilin alerji", mode, 4)
    assert len(hits) == 4
    for hit in hits:
        assert set(hit.scores) == stages
        assert -1.0001 <= hit.scores["dense"] <= 1.0001


def test_dense_scores_are_sorted_cosines(searcher):
    hits = searcher.search("ilaç nasıl saklanır", "dense", 5)
    scores = [h.scores["dense"] for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_hybrid_is_rrf_of_both_lists(searcher):
    hits = searcher.search("ishal bulantı", "hybrid", 5)
    fused = [h.scores["fused"] for h in hits]
    assert fused == sorted(fused, reverse=True)
    assert fused[0] <= 2 / (searcher.cfg.retrieval.rrf_k + 1) + 1e-9


def test_rerank_orders_by_the_cross_encoder(searcher):
    hybrid = searcher.search("yan etkiler nelerdir", "hybrid", 20)
    reranked = searcher.search("yan etkiler nelerdir", "rerank", 20)
    scores = [h.scores["rerank"] for h in reranked]
    assert scores == sorted(scores, reverse=True)
    assert {h.chunk_id for h in reranked} == {h.chunk_id for h in hybrid}
    assert [h.chunk_id for h in reranked] != [h.chunk_id for h in hybrid]


def test_bad_queries_and_modes(searcher):
    with pytest.raises(InputError, match="empty query"):
        searcher.search("   ")
    with pytest.raises(InputError, match="unknown search mode 'fuzzy'"):
        searcher.search("soru", "fuzzy")


def test_missing_collection_and_missing_reranker(tmp_path, tiny_model_dir, tiny_embedder, docs_dir):
    from tests.conftest import make_config

    cfg = make_config(tmp_path / "home", tiny_model_dir, reranker={"model": str(tmp_path / "no-reranker")})
    with pytest.raises(IndexMissingError, match="run `bilge ingest DIR --collection yok` first"):
        Searcher(cfg, "yok")
    Ingestor(cfg, "ilac", tiny_embedder, ChunkStore(cfg)).run(docs_dir)
    with pytest.raises(ModelError, match="reranker model .* does not exist"):
        Searcher(cfg, "ilac", embedder=tiny_embedder).search("soru", "rerank")


def test_langchain_retriever_and_embeddings(searcher, tiny_embedder):
    from retrievers.langchain import BilgeEmbeddings, BilgeRetriever

    retriever = BilgeRetriever(searcher=searcher, k=3, mode="hybrid")
    documents = retriever.invoke("parasetamol karaciğer")
    assert len(documents) == 3
    assert {"source", "section", "start", "end", "chunk_id", "scores"} <= documents[0].metadata.keys()
    embeddings = BilgeEmbeddings(tiny_embedder)
    assert len(embeddings.embed_query("soru")) == tiny_embedder.dim
    assert len(embeddings.embed_documents(["a", "b"])) == 2
