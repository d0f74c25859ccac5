"""The search pipeline on a real store: BM25, dense, hybrid, rerank."""

from __future__ import annotations

import pytest

from bilge.errors import IndexMissingError, InputError, ModelError
from retrievers.ingest import Ingestor
from retrievers.search import Searcher
from retrievers.store import ChunkStore
from retrievers.turkish import turkish_casefold


@pytest.fixture
def searcher(cfg, tiny_embedder, docs_dir, tiny_reranker_dir):
    from retrievers.rerank import CrossEncoderReranker

    Ingestor(cfg, "ilac", tiny_embedder, ChunkStore(cfg)).run(docs_dir)
    return Searcher(cfg, "ilac", embedder=tiny_embedder, reranker=CrossEncoderReranker(str(tiny_reranker_dir)))


def test_bm25_finds_the_section_with_turkish_casefolding(searcher):
    hits = searcher.search("KARACİĞER HASARI", "bm25", 3)
    assert hits and "karaciğer hasarı" in turkish_casefold(hits[0].text)
    assert hits[0].scores["bm25"] > 0


def test_lexical_coverage_weighs_rare_terms_over_common_ones():
    from bilge.config import Bm25Config
    from retrievers.bm25 import Bm25Index

    texts = ["Tabletler su ile alınır.", "Şurup su ile alınır.", "Kapsül su ile yutulur.", "Metformin tok alınır."]
    index = Bm25Index.build(Bm25Config(), [str(n) for n in range(len(texts))], texts)
    question = "Metformin su ile mi alınır?"
    rare, common = index.coverage(question, "Metformin aç karnına"), index.coverage(question, "su ile")
    assert 0.0 < common < rare < 1.0
    assert index.coverage(question, "METFORMİN su ile alınır") == pytest.approx(1.0)
    assert index.coverage("", "su") == 0.0 and index.coverage(question, "kedi") == 0.0


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


def variant(searcher: Searcher, **retrieval) -> Searcher:
    """The same store and models under other [retrieval] settings."""
    cfg = searcher.cfg.model_copy(update={"retrieval": searcher.cfg.retrieval.model_copy(update=retrieval)})
    return Searcher(cfg, "ilac", store=searcher.store, embedder=searcher.embedder, reranker=searcher.reranker)


@pytest.mark.parametrize("fusion", ["convex", "rrf"])
def test_hybrid_weights_decide_between_the_two_lists(searcher, fusion):
    query = "ishal bulantı karın ağrısı"
    both = [h.scores["fused"] for h in variant(searcher, fusion=fusion).search(query, "hybrid", 5)]
    assert both == sorted(both, reverse=True)
    for only, mode in (({"dense_weight": 0.0}, "bm25"), ({"bm25_weight": 0.0}, "dense")):
        fused = variant(searcher, fusion=fusion, **only).search(query, "hybrid", 5)
        assert [h.chunk_id for h in fused] == [h.chunk_id for h in searcher.search(query, mode, 5)]


def test_rrf_scores_are_weighted_reciprocal_ranks(searcher):
    rrf = variant(searcher, fusion="rrf")
    fused = [h.scores["fused"] for h in rrf.search("ishal bulantı", "hybrid", 5)]
    retrieval = rrf.cfg.retrieval
    assert fused[0] <= (retrieval.bm25_weight + retrieval.dense_weight) / (retrieval.rrf_k + 1) + 1e-9


def test_rerank_adds_the_cross_encoder_as_a_weighted_stage(searcher):
    hybrid = searcher.search("yan etkiler nelerdir", "hybrid", 20)
    by_cross_encoder = variant(searcher, rerank_weight=1000.0).search("yan etkiler nelerdir", "rerank", 20)
    scores = [h.scores["rerank"] for h in by_cross_encoder]
    assert scores == sorted(scores, reverse=True)
    assert {h.chunk_id for h in by_cross_encoder} == {h.chunk_id for h in hybrid}
    assert [h.chunk_id for h in by_cross_encoder] != [h.chunk_id for h in hybrid]
    ignoring_it = variant(searcher, rerank_weight=0.0).search("yan etkiler nelerdir", "rerank", 20)
    assert [h.chunk_id for h in ignoring_it] == [h.chunk_id for h in hybrid]


def test_the_cross_encoder_reads_the_query_window_of_each_hit(searcher):
    """Heading context kept, the body cut to the sentences that hold the query's terms."""
    from retrievers.chunking import index_text

    query = "karaciğer hasarı"
    hits = searcher.search(query, "hybrid", 5)
    whole = searcher.cfg.model_copy(update={"reranker": searcher.cfg.reranker.model_copy(update={"window_chars": 0})})
    reads_all = Searcher(whole, "ilac", store=searcher.store, embedder=searcher.embedder)
    assert reads_all.reranker_texts(query, hits) == [
        index_text(h.text, h.metadata["title"], h.metadata["section"]) for h in hits]
    narrow = searcher.cfg.model_copy(update={"reranker": searcher.cfg.reranker.model_copy(update={"window_chars": 80})})
    windows = Searcher(narrow, "ilac", store=searcher.store, embedder=searcher.embedder).reranker_texts(query, hits)
    for hit, text in zip(hits, windows):
        heading, _, body = text.rpartition("\n")
        assert heading and len(body) <= 80 and body in hit.text
    assert "karaciğer" in turkish_casefold(windows[0])


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
    with pytest.raises(ModelError, match=r"reranker.model .* does not exist; run `make models`"):
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
