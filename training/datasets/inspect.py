"""`bilge data inspect`: does the answering paragraph beat the distractors, per scorer, by how much?

Scorers: the bi-encoder's cosine, BM25 (the Turkish analyzer, statistics from the candidates
themselves), and the cross-encoder when one is configured. The margin is the gold paragraph's
score minus the best distractor's: positive means the scorer ranks the right paragraph first.
"""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass

import numpy as np

from bilge.config import Bm25Config
from retrievers.bm25 import Bm25Index
from retrievers.squad import Article


@dataclass
class Candidate:
    text: str
    role: str  # "answer" | "related" | "unrelated"
    scores: dict[str, float]


def score_candidates(question: str, candidates: list[tuple[str, str]], embedder, reranker=None) -> list[Candidate]:
    texts = [text for text, _ in candidates]
    query = embedder.embed_queries([question])[0]  # (dim,)
    passages = embedder.embed_passages(texts)  # (n, dim)
    dense = passages @ query
    ids = [str(i) for i in range(len(texts))]
    lexical = Bm25Index.build(Bm25Config(), ids, texts).scores_of(question, ids)
    cross = reranker.score(question, texts) if reranker is not None else None
    out = []
    for i, (text, role) in enumerate(candidates):
        scores = {"bi-encoder": float(dense[i]), "bm25": lexical[str(i)]}
        if cross is not None:
            scores["cross-encoder"] = cross[i]
        out.append(Candidate(text, role, scores))
    return out


def margins(candidates: list[Candidate]) -> dict[str, float]:
    gold = next(c for c in candidates if c.role == "answer")
    others = [c for c in candidates if c.role != "answer"]
    return {name: gold.scores[name] - max(c.scores[name] for c in others) for name in gold.scores}


def sample_margins(articles: list[Article], n: int, embedder, reranker=None, *, distractors: int = 2,
                   seed: int = 0) -> dict[str, dict[str, float]]:
    """Mean margin and win rate per scorer over `n` random questions, with `distractors` paragraphs
    from the same article and as many from other articles."""
    rng = random.Random(seed)
    pool = [(a, p, q) for a, article in enumerate(articles) for p, par in enumerate(article.paragraphs)
            for q in par.qas]
    if not pool:
        return {}
    collected: dict[str, list[float]] = {}
    for a, p, qa in rng.sample(pool, min(n, len(pool))):
        article = articles[a]
        same = [par.context for i, par in enumerate(article.paragraphs) if i != p]
        other = [par.context for j, art in enumerate(articles) if j != a for par in art.paragraphs]
        candidates = [(article.paragraphs[p].context, "answer")]
        candidates += [(t, "related") for t in rng.sample(same, min(distractors, len(same)))]
        candidates += [(t, "unrelated") for t in rng.sample(other, min(distractors, len(other)))]
        if len(candidates) < 2:
            continue
        for name, value in margins(score_candidates(qa.question, candidates, embedder, reranker)).items():
            collected.setdefault(name, []).append(value)
    return {name: {"mean_margin": statistics.fmean(values), "win_rate": float(np.mean([v > 0 for v in values])),
                   "questions": len(values)} for name, values in collected.items()}
