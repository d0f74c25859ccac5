"""Retrieval evaluation on a small real slice of TQuAD (skipped without ../shared/data)."""

from __future__ import annotations

import json

import pytest

from retrievers.evaluation import documents_set, evaluate_retrieval, paragraphs_set
from retrievers.squad import Answer, Article, Paragraph, Question, dump_squad, load_squad

KEYS = {"recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "latency_ms_p50", "latency_ms_p95"}


def test_documents_protocol_marks_chunks_covering_the_answer():
    context_a = "Birinci paragraf. Osmanlı Devleti 1299 yılında kuruldu."
    context_b = "İkinci paragraf. İstanbul 1453 yılında fethedildi."
    article = Article("Tarih", [
        Paragraph(context_a, [Question("1", "Ne zaman kuruldu?", [Answer("1299", context_a.index("1299"))])]),
        Paragraph(context_b, [Question("2", "Ne zaman fethedildi?", [Answer("1453", context_b.index("1453"))])]),
    ])
    evalset = documents_set([article], chunk_size=100, overlap=0)
    ((_, chunks),) = evalset.documents.values()
    for qid, answer in (("q0", "1299"), ("q1", "1453")):
        (relevant,) = evalset.qrels[qid]
        index = int(relevant.rsplit("-", 1)[1])
        assert answer in chunks[index].text


def test_paragraphs_protocol_dedupes_repeated_paragraphs():
    paragraph = Paragraph("Aynı paragraf.", [Question("x", "Soru?", [Answer("Aynı", 0)])])
    evalset = paragraphs_set([Article("a", [paragraph]), Article("b", [paragraph])])
    assert len(evalset.documents) == 1 and len(evalset.questions) == 2


def test_paragraphs_protocol_keeps_each_article_one_document():
    """A passage is a paragraph, a document its article, as a file is in use: a check on the
    answering document ("does this leaflet ever mention it?") then means the same in the eval."""
    first, second = Paragraph("Birinci paragraf.", []), Paragraph("İkinci paragraf.", [])
    evalset = paragraphs_set([Article("a", [first, second]), Article("b", [Paragraph("Başka.", [])])])
    (_, chunks), _ = evalset.documents.values()
    assert [c.text for c in chunks] == ["Birinci paragraf.", "İkinci paragraf."]
    assert [c.index for c in chunks] == [0, 1] and chunks[1].start == chunks[0].end + 2


@pytest.fixture
def dev_slice(shared_data, tmp_path):
    articles = load_squad(shared_data / "tquad" / "dev.json")[:4]
    path = tmp_path / "slice.json"
    dump_squad(articles, path)
    return path


@pytest.mark.parametrize("paragraphs", [True, False])
def test_eval_on_a_real_slice(cfg, tiny_embedder, dev_slice, paragraphs):
    articles = load_squad(dev_slice)
    evalset = paragraphs_set(articles) if paragraphs else documents_set(articles, 400, 1)
    results = evaluate_retrieval(cfg, evalset, ["bm25", "dense", "hybrid"], embedder=tiny_embedder)
    assert set(results) == {"bm25", "dense", "hybrid"}
    for metrics in results.values():
        assert set(metrics) == KEYS
        assert 0 <= metrics["recall@1"] <= metrics["recall@5"] <= metrics["recall@10"] <= 1
    assert results["bm25"]["recall@10"] > 0.7  # Turkish BM25 is strong on TQuAD
    assert not any(p.name.startswith("eval-") for p in (cfg.home / "cache").iterdir())


def test_eval_cli_json_keys(cfg, dev_slice, tmp_path):
    from typer.testing import CliRunner

    from bilge.cli.main import app
    from tests.conftest import write_config

    config = write_config(tmp_path / "bilge.toml", cfg)
    result = CliRunner().invoke(app, ["--config", str(config), "eval", "retrieval", "--squad", str(dev_slice),
                                      "--paragraphs", "--mode", "bm25", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["bm25"] and set(data["bm25"]) == KEYS
