"""Ranking metrics through ir-measures (pytrec_eval underneath), under Bilge's names.

`recall@k` is the share of questions with at least one relevant passage in the top k (DPR's
"top-k accuracy", trec_eval's `success`): with overlapping chunks a question can have two
relevant chunks, and finding either one answers it.
"""

from __future__ import annotations

import statistics

import ir_measures
from ir_measures import RR, Success, nDCG

MEASURES = {"recall@1": Success @ 1, "recall@5": Success @ 5, "recall@10": Success @ 10,
            "mrr@10": RR @ 10, "ndcg@10": nDCG @ 10}
_EMPTY = "\x00nothing-retrieved"


def ranking_metrics(qrels: dict[str, dict[str, int]], run: dict[str, list[str]]) -> dict[str, float]:
    """qrels: question → {relevant id: 1}; run: question → ranked ids (best first).

    Every question of `qrels` counts, also one whose run is empty (pytrec_eval would skip it).
    """
    scored = {
        q: ({doc: float(len(ids) - rank) for rank, doc in enumerate(ids)} if (ids := run.get(q)) else {_EMPTY: 0.0})
        for q in qrels
    }
    values = ir_measures.calc_aggregate(list(MEASURES.values()), qrels, scored)
    return {name: float(values[measure]) for name, measure in MEASURES.items()}


def latency_summary(seconds: list[float]) -> dict[str, float]:
    """p50 / p95 in milliseconds."""
    if not seconds:
        return {"latency_ms_p50": 0.0, "latency_ms_p95": 0.0}
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return {"latency_ms_p50": statistics.median(ms), "latency_ms_p95": p95}
