"""Fusing the stages' scores into one ranking: reciprocal rank fusion or a convex combination.

RRF (Cormack, Clarke & Büttcher, SIGIR 2009) looks at ranks only: Σ w / (k + rank). The convex
combination (Bruch, Gai & Ingber, "An analysis of fusion functions for hybrid retrieval", TOIS
2023) keeps how far apart the scores are: Σ w · z, with each stage's scores z-normalised over
the candidate pool of the query. On TQuAD dev that margin matters: a BM25 hit far ahead of the
rest should not be overruled by a dense hit that is first by a hair (README, "Measured").
"""

from __future__ import annotations

import statistics
from typing import Mapping

from bilge.config import Fusion

Pool = dict[str, dict[str, float]]
"""candidate id → {stage: score}; the order of the ids breaks ties."""


def fuse(pool: Pool, weights: Mapping[str, float], method: Fusion, rrf_k: int = 60) -> list[tuple[str, float]]:
    """(id, fused score) for every candidate of the pool, best first."""
    fused = dict.fromkeys(pool, 0.0)
    for stage, weight in weights.items():
        scores = {item: stages[stage] for item, stages in pool.items() if stage in stages}
        if not weight or not scores:
            continue
        parts = _reciprocal_ranks(scores, rrf_k) if method == "rrf" else _z_scores(scores)
        for item, value in parts.items():
            fused[item] += weight * value
    return sorted(fused.items(), key=lambda pair: pair[1], reverse=True)


def add_stage(fused: list[tuple[str, float]], scores: dict[str, float], stage: str, weight: float,
              method: Fusion, rrf_k: int = 60) -> list[tuple[str, float]]:
    """A later stage that scored some of the fused candidates (the cross-encoder its top N): its
    weighted part, fused over just those, added to their fused score; best first. Weight 0 keeps
    the first-stage order, a large weight gives the later stage's own order."""
    before = dict(fused)
    added = fuse({item: {stage: score} for item, score in scores.items()}, {stage: weight}, method, rrf_k)
    return sorted(((item, before[item] + part) for item, part in added), key=lambda pair: pair[1], reverse=True)


def _reciprocal_ranks(scores: dict[str, float], k: int) -> dict[str, float]:
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    return {item: 1.0 / (k + rank) for rank, item in enumerate(ranked, start=1)}


def _z_scores(scores: dict[str, float]) -> dict[str, float]:
    mean, spread = statistics.fmean(scores.values()), statistics.pstdev(scores.values())
    return {item: (value - mean) / spread if spread > 0 else 0.0 for item, value in scores.items()}
