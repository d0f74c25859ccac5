"""How to fuse BM25, dense and cross-encoder scores, and how much of each candidate the
cross-encoder should read: measured on TQuAD dev, chosen on one half.

    .venv/bin/python bench/fusion.py [--squad ../shared/data/tquad/dev.json] [--config bilge.toml]
                                     [--windows 0,300,450,600]

Indexes the dev paragraphs once (the `--paragraphs` protocol of `bilge eval retrieval`), saves
each question's first-stage pool (BM25 top 50 ∪ dense top 50, both scores for every candidate)
and the cross-encoder scores of its top `rerank_top_n` (once per window size in `--windows`,
timed), then replays the fusion functions of `retrievers.fusion` on those pools: the weights
are picked on the even-numbered questions and reported on the odd ones, so the README's
choice is not fitted to the numbers it shows. A second table compares the window sizes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
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


def saved_pools(cfg, squad: Path, windows: list[int]) -> tuple[list[tuple[Pool, set[str]]], dict[int, list[float]]]:
    """Per question: its pool, the relevant ids, and the cross-encoder score of the top
    `rerank_top_n` under each window size (stage `rerank@W`); per window, the seconds it took."""
    evalset = paragraphs_set(load_squad(squad))
    embedder, reranker = load_embedder(cfg), load_reranker(cfg)
    pools, seconds = [], {window: [] for window in windows}
    with temporary_store(cfg, evalset, embedder) as (eval_cfg, store):
        searchers = {window: Searcher(eval_cfg.model_copy(update={"reranker": eval_cfg.reranker.model_copy(
            update={"window_chars": window})}), EVAL_COLLECTION, store=store, embedder=embedder) for window in windows}
        searcher = searchers[windows[0]]  # the first stage does not depend on the window
        for qid, question in tqdm(list(evalset.questions.items()), desc="pools", file=sys.stderr):
            pool = searcher.first_stage_pool(question, embedder.embed_queries([question])[0], 50)
            top = store.get(EVAL_COLLECTION, [i for i, _ in fuse(pool, {"bm25": 1.0, "dense": 1.0}, "convex")
                                              [:cfg.retrieval.rerank_top_n]])
            for window, windowed in searchers.items():
                started = time.perf_counter()
                scores = reranker.score(question, windowed.reranker_texts(question, top))
                seconds[window].append(time.perf_counter() - started)
                for hit, score in zip(top, scores):
                    pool[hit.chunk_id][f"rerank@{window}"] = score
            pools.append((pool, set(evalset.qrels[qid])))
    return pools, seconds


def ranked(pool: Pool, method: str, dense: float, rerank: float | None, window: int, rrf_k: int = 60) -> list[str]:
    """The order `retrievers.search` gives: the fused first stage, then the cross-encoder's part added."""
    first = fuse(pool, {"bm25": 1.0, "dense": dense}, method, rrf_k)  # fuse reads only the weighted stages
    if rerank is not None:
        stage = f"rerank@{window}"
        scored = {i: pool[i][stage] for i, _ in first if stage in pool[i]}
        first = add_stage(first, scored, stage, rerank, method, rrf_k)
    return [i for i, _ in first]


def mrr(pools, method: str, dense: float, rerank: float | None, window: int) -> float:
    total = 0.0
    for pool, relevant in pools:
        order = ranked(pool, method, dense, rerank, window)[:10]
        total += next((1 / (n + 1) for n, item in enumerate(order) if item in relevant), 0.0)
    return total / len(pools)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=ROOT / "bilge.toml")
    parser.add_argument("--squad", type=Path, default=ROOT.parent / "shared" / "data" / "tquad" / "dev.json")
    parser.add_argument("--windows", default="", help="window sizes to compare, e.g. 0,300,450,600 "
                        "(0 = the whole candidate); the configured one is always measured")
    args = parser.parse_args()
    cfg = load_config(args.config)
    shipped = cfg.reranker.window_chars
    windows = list(dict.fromkeys([shipped, *(int(w) for w in args.windows.split(",") if w.strip())]))
    pools, seconds = saved_pools(cfg, args.squad, windows)
    even, odd = pools[0::2], pools[1::2]
    rows = [("RRF k = 60, equal weights", "rrf", 1.0, None),
            ("cross-encoder order alone", "convex", 1.0, 1000.0)]
    dense = max(DENSE_WEIGHTS, key=lambda w: mrr(even, "convex", w, None, shipped))
    rows.append((f"convex, BM25 1.0 + dense {dense}", "convex", dense, None))
    rerank = max(RERANK_WEIGHTS, key=lambda w: mrr(even, "convex", dense, w, shipped))
    rows.append((f"convex, + cross-encoder {rerank}", "convex", dense, rerank))
    print(f"{len(pools)} questions; dense weights tried {DENSE_WEIGHTS}, cross-encoder weights {RERANK_WEIGHTS}; "
          f"the cross-encoder reads {shipped or 'all'} characters of each candidate")
    print("| fusion | MRR@10 even half (chooses) | MRR@10 odd half | MRR@10 all |\n|---|---:|---:|---:|")
    for name, method, d, r in rows:
        print(f"| {name} | {mrr(even, method, d, r, shipped):.3f} | {mrr(odd, method, d, r, shipped):.3f} "
              f"| {mrr(pools, method, d, r, shipped):.3f} |")
    weight = cfg.retrieval.rerank_weight
    print(f"\n| cross-encoder reads | MRR@10 cross-encoder order | MRR@10 fused (weight {weight}) "
          f"| cross-encoder p50 ms (top {cfg.retrieval.rerank_top_n}) |\n|---|---:|---:|---:|")
    for window in windows:
        print(f"| {f'{window} characters around the query' if window else 'the whole candidate'} "
              f"| {mrr(pools, 'convex', 1.0, 1000.0, window):.3f} | {mrr(pools, 'convex', 1.0, weight, window):.3f} "
              f"| {statistics.median(seconds[window]) * 1000:.0f} |")


if __name__ == "__main__":
    main()
