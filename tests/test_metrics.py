import pytest

from retrievers.fusion import reciprocal_rank_fusion
from retrievers.metrics import latency_summary, ranking_metrics


def test_metrics_on_a_hand_made_three_document_set():
    qrels = {"q1": {"d1": 1}, "q2": {"d3": 1}, "q3": {"d2": 1}}
    run = {"q1": ["d1", "d2", "d3"], "q2": ["d1", "d2", "d3"], "q3": ["d1", "d3"]}
    metrics = ranking_metrics(qrels, run)
    assert metrics["recall@1"] == pytest.approx(1 / 3)
    assert metrics["recall@5"] == pytest.approx(2 / 3)
    assert metrics["recall@10"] == pytest.approx(2 / 3)
    assert metrics["mrr@10"] == pytest.approx((1 + 1 / 3 + 0) / 3)
    assert metrics["ndcg@10"] == pytest.approx((1 + 0.5 + 0) / 3)  # 1/log2(3+1) = 0.5


def test_a_question_with_nothing_retrieved_counts_as_a_miss():
    metrics = ranking_metrics({"q1": {"d1": 1}, "q2": {"d2": 1}}, {"q1": ["d1"], "q2": []})
    assert metrics["recall@1"] == pytest.approx(0.5)


def test_two_relevant_chunks_either_one_answers():
    metrics = ranking_metrics({"q1": {"a": 1, "b": 1}}, {"q1": ["b", "x"]})
    assert metrics["recall@1"] == 1.0 and metrics["mrr@10"] == 1.0


def test_reciprocal_rank_fusion_order():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "a", "d"]], k=60)
    assert [doc for doc, _ in fused] == ["a", "c", "b", "d"]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)


def test_latency_percentiles():
    summary = latency_summary([0.001 * n for n in range(1, 101)])
    assert summary["latency_ms_p50"] == pytest.approx(50.5)
    assert summary["latency_ms_p95"] == pytest.approx(95.0)
