"""How to fuse BM25, dense and cross-encoder scores, how much of each candidate the
cross-encoder should read, and which cross-encoder: measured on TQuAD dev, chosen on one half.

    .venv/bin/python bench/fusion.py [--squad ../shared/data/tquad/dev.json] [--config bilge.toml]
                                     [--windows 0,300,450,600] [--rerankers DIR,DIR]

Indexes the dev paragraphs once (the `--paragraphs` protocol of `bilge eval retrieval`), saves
each question's first-stage pool (BM25 top 50 ∪ dense top 50, both scores for every candidate)
and the cross-encoder scores of its top `rerank_top_n` (once per cross-encoder and window size,
timed), then replays the fusion functions of `retrievers.fusion` on those pools: the weights
are picked on the even-numbered questions and reported on the odd ones, so the README's
choice is not fitted to the numbers it shows. A second table compares the cross-encoders and
window sizes side by side on the same pools.
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
from variants import window_sizes, with_section, with_window  # noqa: E402

DENSE_WEIGHTS = (0.4, 0.6, 0.8, 1.0, 1.2, 1.5, 2.0)
RERANK_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 1.0)


Variant = tuple[str, int]  # (cross-encoder folder, characters it reads of each candidate)


def stage_of(variant: Variant) -> str:
    return f"rerank@{variant[0]}@{variant[1]}"


def saved_pools(cfg, squad: Path, variants: list[Variant]) -> tuple[list[tuple[Pool, set[str]]], dict[Variant, list[float]]]:
    """Per question: its pool, the relevant ids, and each variant's cross-encoder score of the top
    `rerank_top_n` (stage `stage_of(variant)`); per variant, the seconds it took."""
    evalset = paragraphs_set(load_squad(squad))
    embedder = load_embedder(cfg)
    rerankers = {path: load_reranker(with_section(cfg, "reranker", model=path))
                 for path in dict.fromkeys(path for path, _ in variants)}
    pools, seconds = [], {variant: [] for variant in variants}
    with temporary_store(cfg, evalset, embedder) as (eval_cfg, store):
        searchers = {window: Searcher(with_window(eval_cfg, window), EVAL_COLLECTION, store=store, embedder=embedder)
                     for window in dict.fromkeys(window for _, window in variants)}
        searcher = searchers[variants[0][1]]  # the first stage does not depend on the window
        for qid, question in tqdm(list(evalset.questions.items()), desc="pools", file=sys.stderr):
            pool = searcher.first_stage_pool(question, embedder.embed_queries([question])[0], 50)
            top = store.get(EVAL_COLLECTION, [i for i, _ in fuse(pool, {"bm25": 1.0, "dense": 1.0}, "convex")
                                              [:cfg.retrieval.rerank_top_n]])
            for variant in variants:
                started = time.perf_counter()
                scores = rerankers[variant[0]].score(question, searchers[variant[1]].reranker_texts(question, top))
                seconds[variant].append(time.perf_counter() - started)
                for hit, score in zip(top, scores):
                    pool[hit.chunk_id][stage_of(variant)] = score
            pools.append((pool, set(evalset.qrels[qid])))
    return pools, seconds


def ranked(pool: Pool, method: str, dense: float, rerank: float | None, variant: Variant,
           rrf_k: int = 60) -> list[str]:
    """The order `retrievers.search` gives: the fused first stage, then the cross-encoder's part added."""
    first = fuse(pool, {"bm25": 1.0, "dense": dense}, method, rrf_k)  # fuse reads only the weighted stages
    if rerank is not None:
        stage = stage_of(variant)
        scored = {i: pool[i][stage] for i, _ in first if stage in pool[i]}
        first = add_stage(first, scored, stage, rerank, method, rrf_k)
    return [i for i, _ in first]


def mrr(pools, method: str, dense: float, rerank: float | None, variant: Variant) -> float:
    total = 0.0
    for pool, relevant in pools:
        order = ranked(pool, method, dense, rerank, variant)[:10]
        total += next((1 / (n + 1) for n, item in enumerate(order) if item in relevant), 0.0)
    return total / len(pools)


def layers_of(model: str) -> int:
    import json

    return json.loads((Path(model) / "config.json").read_text(encoding="utf-8"))["num_hidden_layers"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=ROOT / "bilge.toml")
    parser.add_argument("--squad", type=Path, default=ROOT.parent / "shared" / "data" / "tquad" / "dev.json")
    parser.add_argument("--windows", default="", help="window sizes to compare, e.g. 0,300,450,600 "
                        "(0 = the whole candidate); the configured one is always measured")
    parser.add_argument("--rerankers", default="", help="other cross-encoder folders to compare with the "
                        "configured one, comma-separated (each reads every window size)")
    args = parser.parse_args()
    cfg = load_config(args.config)
    windows = window_sizes(cfg, args.windows)
    models = list(dict.fromkeys([str(cfg.resolve(cfg.reranker.model)),
                                 *(str(Path(m).resolve()) for m in args.rerankers.split(",") if m.strip())]))
    variants = [(model, window) for model in models for window in windows]
    shipped = variants[0]
    pools, seconds = saved_pools(cfg, args.squad, variants)
    even, odd = pools[0::2], pools[1::2]
    rows = [("RRF k = 60, equal weights", "rrf", 1.0, None),
            ("cross-encoder order alone", "convex", 1.0, 1000.0)]
    dense = max(DENSE_WEIGHTS, key=lambda w: mrr(even, "convex", w, None, shipped))
    rows.append((f"convex, BM25 1.0 + dense {dense}", "convex", dense, None))
    rerank = max(RERANK_WEIGHTS, key=lambda w: mrr(even, "convex", dense, w, shipped))
    rows.append((f"convex, + cross-encoder {rerank}", "convex", dense, rerank))
    print(f"{len(pools)} questions; dense weights tried {DENSE_WEIGHTS}, cross-encoder weights {RERANK_WEIGHTS}; "
          f"the cross-encoder reads {shipped[1] or 'all'} characters of each candidate")
    print("| fusion | MRR@10 even half (chooses) | MRR@10 odd half | MRR@10 all |\n|---|---:|---:|---:|")
    for name, method, d, r in rows:
        print(f"| {name} | {mrr(even, method, d, r, shipped):.3f} | {mrr(odd, method, d, r, shipped):.3f} "
              f"| {mrr(pools, method, d, r, shipped):.3f} |")
    weight = cfg.retrieval.rerank_weight
    print(f"\n| cross-encoder | it reads | MRR@10 cross-encoder order | MRR@10 fused (weight {weight}) "
          f"| cross-encoder p50 ms (top {cfg.retrieval.rerank_top_n}) |\n|---|---|---:|---:|---:|")
    for variant in variants:
        model, window = variant
        print(f"| {Path(model).name} ({layers_of(model)} layers) "
              f"| {f'{window} characters around the query' if window else 'the whole candidate'} "
              f"| {mrr(pools, 'convex', 1.0, 1000.0, variant):.3f} | {mrr(pools, 'convex', 1.0, weight, variant):.3f} "
              f"| {statistics.median(seconds[variant]) * 1000:.0f} |")


if __name__ == "__main__":
    main()
