"""`bilge ask`'s latency with the cross-encoders in torch and in ONNX Runtime, side by side.

    .venv/bin/python bench/answer_latency.py [--squad ../shared/data/tquad/dev.json] [--config bilge.toml]
                                             [--limit 100]

Indexes the TQuAD dev paragraphs once (the `--paragraphs` protocol of `bilge eval answers`) and
asks the first `--limit` questions of each assistant in turn, the order alternating per
question so that a busy moment of the machine falls on both. Each answer is timed end to end
(names check, retrieval, cross-encoder, selector, reader), as `bilge eval answers` times it.
Prints the p50/p95 per runtime, their ratio to torch, and the share of answers identical to
torch's (the runtimes compute the same float32 scores, so it should be 1.000).
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

from assistant.documents import Documents  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from bilge.config import load_config  # noqa: E402
from retrievers.embeddings import load_embedder  # noqa: E402
from retrievers.evaluation import EVAL_COLLECTION, paragraphs_set, temporary_store  # noqa: E402
from retrievers.metrics import latency_summary  # noqa: E402
from retrievers.precision import uses_bfloat16  # noqa: E402
from retrievers.rerank import load_reranker  # noqa: E402
from retrievers.search import Searcher  # noqa: E402
from retrievers.squad import load_squad  # noqa: E402

RUNTIMES = ("torch", "onnx")


def assistant_with(cfg, runtime: str, store, embedder) -> Assistant:
    variant = cfg.model_copy(update={"reranker": cfg.reranker.model_copy(update={"runtime": runtime})})
    searcher = Searcher(variant, EVAL_COLLECTION, store=store, embedder=embedder, reranker=load_reranker(variant))
    return Assistant(variant, EVAL_COLLECTION, documents=Documents(searcher))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--squad", type=Path, default=ROOT.parent / "shared" / "data" / "tquad" / "dev.json")
    parser.add_argument("--config", type=Path, default=ROOT / "bilge.toml")
    parser.add_argument("--limit", type=int, default=100)
    args = parser.parse_args()
    cfg = load_config(args.config)
    evalset = paragraphs_set(load_squad(args.squad))
    questions = list(evalset.questions.values())[:args.limit]
    embedder = load_embedder(cfg)
    seconds: dict[str, list[float]] = {runtime: [] for runtime in RUNTIMES}
    answers: dict[str, list[str]] = {runtime: [] for runtime in RUNTIMES}
    with temporary_store(cfg, evalset, embedder) as (eval_cfg, store):
        assistants = {runtime: assistant_with(eval_cfg, runtime, store, embedder) for runtime in RUNTIMES}
        for assistant in assistants.values():
            assistant.answer(questions[0])  # load the models (and export the graph once)
        for n, question in enumerate(tqdm(questions, desc="questions")):
            for runtime in RUNTIMES[n % 2:] + RUNTIMES[:n % 2]:
                started = time.perf_counter()
                result = assistants[runtime].answer(question)
                seconds[runtime].append(time.perf_counter() - started)
                answers[runtime].append(result.answer)
    torch_p50 = statistics.median(seconds["torch"])
    torch_label = "torch, " + ("bfloat16" if uses_bfloat16(cfg.reranker.precision) else "float32")
    print(f"{len(questions)} TQuAD dev questions, each asked of both; cross-encoders in:")
    print("| runtime | p50 ms | p95 ms | mean ms | p50 ratio to torch | answers identical to torch's |")
    print("|---|---:|---:|---:|---:|---:|")
    for runtime in RUNTIMES:
        summary = latency_summary(seconds[runtime])
        same = sum(a == b for a, b in zip(answers[runtime], answers["torch"])) / len(questions)
        label = torch_label if runtime == "torch" else "ONNX Runtime, float32"
        print(f"| {label} | {summary['latency_ms_p50']:,.0f} | {summary['latency_ms_p95']:,.0f} | "
              f"{1000 * statistics.mean(seconds[runtime]):,.0f} | "
              f"{statistics.median(seconds[runtime]) / torch_p50:.2f} | {same:.3f} |")


if __name__ == "__main__":
    main()
