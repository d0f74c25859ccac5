import pytest

from retrievers.fusion import fuse
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


POOL = {  # a, b, c from the dense list, d from BM25 only; c is BM25's first
    "a": {"dense": 0.9, "bm25": 5.0}, "b": {"dense": 0.8, "bm25": 1.0},
    "c": {"dense": 0.7, "bm25": 9.0}, "d": {"dense": 0.1, "bm25": 6.0},
}


def test_reciprocal_rank_fusion_uses_ranks_only():
    fused = fuse(POOL, {"dense": 1.0, "bm25": 1.0}, "rrf", rrf_k=60)
    assert [doc for doc, _ in fused] == ["a", "c", "b", "d"]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 63)  # a: dense 1st, BM25 3rd
    assert fused[1][1] == pytest.approx(1 / 63 + 1 / 61)  # a tie with a: the pool's order decides


def test_convex_fusion_sums_weighted_z_scores():
    fused = dict(fuse(POOL, {"dense": 1.0, "bm25": 0.5}, "convex"))
    dense, bm25 = [0.9, 0.8, 0.7, 0.1], [5.0, 1.0, 9.0, 6.0]

    def z(values, x):
        mean = sum(values) / len(values)
        std = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
        return (x - mean) / std

    assert fused["c"] == pytest.approx(z(dense, 0.7) + 0.5 * z(bm25, 9.0))
    assert sorted(fused, key=fused.get, reverse=True) == ["c", "a", "b", "d"]


def test_a_stage_with_weight_zero_or_one_candidate_adds_nothing():
    assert dict(fuse(POOL, {"dense": 1.0, "bm25": 0.0}, "convex")) == dict(fuse(POOL, {"dense": 1.0}, "convex"))
    assert fuse({"a": {"dense": 0.3}}, {"dense": 1.0}, "convex") == [("a", 0.0)]


def test_latency_percentiles():
    summary = latency_summary([0.001 * n for n in range(1, 101)])
    assert summary["latency_ms_p50"] == pytest.approx(50.5)
    assert summary["latency_ms_p95"] == pytest.approx(95.0)
