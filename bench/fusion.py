"""How to fuse BM25, dense and cross-encoder scores: measured on TQuAD dev, chosen on one half.

    .venv/bin/python bench/fusion.py [--squad ../shared/data/tquad/dev.json] [--config bilge.toml]

Indexes the dev paragraphs once (the `--paragraphs` protocol of `bilge eval retrieval`), saves
each question's first-stage pool (BM25 top 50 ∪ dense top 50, both scores for every candidate)
and the cross-encoder scores of its top 30, then replays the fusion functions of
`retrievers.fusion` on those pools: the weights are picked on the even-numbered questions and
reported on the odd ones, so the README's choice is not fitted to the numbers it shows.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tqdm import tqdm  # noqa: E402

from bilge.config import load_config  # noqa: E402
from retrievers.embeddings import load_embedder  # noqa: E402
from retrievers.evaluation import EVAL_COLLECTION, paragraphs_set, temporary_store  # noqa: E402
from retrievers.fusion import Pool, add_stage, fuse  # noqa: E402
from retrievers.rerank import load_reranker  # noqa: E402
from retrievers.search import Searcher  # noqa: E402
from retrievers.squad import load_squad  # noqa: E402

DENSE_WEIGHTS = (0.4, 0.6, 0.8, 1.0, 1.2, 1.5, 2.0)
RERANK_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 1.0)


def saved_pools(cfg, squad: Path) -> list[tuple[Pool, set[str]]]:
    """Per question: its pool, the cross-encoder score of the top 30 added, and the relevant ids."""
    evalset = paragraphs_set(load_squad(squad))
    embedder, reranker = load_embedder(cfg), load_reranker(cfg)
    pools = []
    with temporary_store(cfg, evalset, embedder) as (eval_cfg, store):
        searcher = Searcher(eval_cfg, EVAL_COLLECTION, store=store, embedder=embedder, reranker=reranker)
        for qid, question in tqdm(list(evalset.questions.items()), desc="pools", file=sys.stderr):
            pool = searcher.first_stage_pool(question, embedder.embed_queries([question])[0], 50)
            top = store.get(EVAL_COLLECTION, [i for i, _ in fuse(pool, {"bm25": 1.0, "dense": 1.0}, "convex")[:30]])
            for hit, score in zip(top, reranker.score(question, searcher.reranker_texts(question, top))):
                pool[hit.chunk_id]["rerank"] = score
            pools.append((pool, set(evalset.qrels[qid])))
    return pools


def ranked(pool: Pool, method: str, dense: float, rerank: float | None, depth: int = 20, rrf_k: int = 60) -> list[str]:
    """The order `retrievers.search` gives: the fused first stage, then the cross-encoder's part added."""
    first = fuse(pool, {"bm25": 1.0, "dense": dense}, method, rrf_k)  # fuse reads only the weighted stages
    if rerank is not None:
        scored = {i: pool[i]["rerank"] for i, _ in first[:depth] if "rerank" in pool[i]}
        first = add_stage(first, scored, "rerank", rerank, method, rrf_k)
    return [i for i, _ in first]


def mrr(pools, method: str, dense: float, rerank: float | None) -> float:
    total = 0.0
    for pool, relevant in pools:
        order = ranked(pool, method, dense, rerank)[:10]
        total += next((1 / (n + 1) for n, item in enumerate(order) if item in relevant), 0.0)
    return total / len(pools)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=ROOT / "bilge.toml")
    parser.add_argument("--squad", type=Path, default=ROOT.parent / "shared" / "data" / "tquad" / "dev.json")
    args = parser.parse_args()
    cfg = load_config(args.config)
    pools = saved_pools(cfg, args.squad)
    even, odd = pools[0::2], pools[1::2]
    rows = [("RRF k = 60, equal weights", "rrf", 1.0, None),
            ("cross-encoder order alone", "convex", 1.0, 1000.0)]
    dense = max(DENSE_WEIGHTS, key=lambda w: mrr(even, "convex", w, None))
    rows.append((f"convex, BM25 1.0 + dense {dense}", "convex", dense, None))
    rerank = max(RERANK_WEIGHTS, key=lambda w: mrr(even, "convex", dense, w))
    rows.append((f"convex, + cross-encoder {rerank}", "convex", dense, rerank))
    print(f"{len(pools)} questions; dense weights tried {DENSE_WEIGHTS}, cross-encoder weights {RERANK_WEIGHTS}")
    print("| fusion | MRR@10 even half (chooses) | MRR@10 odd half | MRR@10 all |\n|---|---:|---:|---:|")
    for name, method, d, r in rows:
        print(f"| {name} | {mrr(even, method, d, r):.3f} | {mrr(odd, method, d, r):.3f} | {mrr(pools, method, d, r):.3f} |")


if __name__ == "__main__":
    main()
