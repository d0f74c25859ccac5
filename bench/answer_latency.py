"""`bilge ask`'s latency with the cross-encoders in torch and in ONNX Runtime, side by side.

    .venv/bin/python bench/answer_latency.py [--squad ../shared/data/tquad/dev.json] [--config bilge.toml]
                                             [--limit 100] [--reads 3,5 | --document-check]

With `--reads`, the assistants compared are instead the configured one with the reader reading
each number of sentences (`answer.reader_candidates`), the first the reference; with
`--document-check`, the configured one without and with the check on the answering document
(`answer.document_name_max_zipf`: 0, then as configured).

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
from variants import with_section  # noqa: E402

from assistant.documents import Documents  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from bilge.config import BilgeConfig, load_config  # noqa: E402
from retrievers.embeddings import load_embedder  # noqa: E402
from retrievers.evaluation import EVAL_COLLECTION, paragraphs_set, temporary_store  # noqa: E402
from retrievers.metrics import latency_summary  # noqa: E402
from retrievers.precision import uses_bfloat16  # noqa: E402
from retrievers.rerank import load_reranker  # noqa: E402
from retrievers.search import Searcher  # noqa: E402
from retrievers.squad import load_squad  # noqa: E402

RUNTIMES = ("torch", "onnx")


def variants(cfg: BilgeConfig, reads: list[int], document_check: bool = False) -> dict[str, BilgeConfig]:
    """The configurations compared, by label, the reference first: the two runtimes, the reader
    reading each of `reads` sentences, or the document check off and on."""
    if document_check:
        zipf = cfg.answer.document_name_max_zipf
        return {label: with_section(cfg, "answer", document_name_max_zipf=value)
                for label, value in (("document check off", 0.0), (f"document check at Zipf {zipf}", zipf))}
    if reads:
        return {f"reader reads {n}": with_section(cfg, "answer", reader_candidates=n) for n in reads}
    precision = "bfloat16" if uses_bfloat16(cfg.reranker.precision) else "float32"
    return {label: with_section(cfg, "reranker", runtime=runtime)
            for label, runtime in ((f"torch, {precision}", "torch"), ("ONNX Runtime, float32", "onnx"))}


def assistant_with(variant: BilgeConfig, store, embedder) -> Assistant:
    searcher = Searcher(variant, EVAL_COLLECTION, store=store, embedder=embedder, reranker=load_reranker(variant))
    return Assistant(variant, EVAL_COLLECTION, documents=Documents(searcher))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--squad", type=Path, default=ROOT.parent / "shared" / "data" / "tquad" / "dev.json")
    parser.add_argument("--config", type=Path, default=ROOT / "bilge.toml")
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--reads", type=lambda text: [int(n) for n in text.split(",")], default=[],
                        help="compare the reader reading these numbers of sentences instead of the runtimes")
    parser.add_argument("--document-check", action="store_true",
                        help="compare answer.document_name_max_zipf off and as configured instead of the runtimes")
    args = parser.parse_args()
    cfg = load_config(args.config)
    evalset = paragraphs_set(load_squad(args.squad))
    questions = list(evalset.questions.values())[:args.limit]
    embedder = load_embedder(cfg)
    with temporary_store(cfg, evalset, embedder) as (eval_cfg, store):
        assistants = {label: assistant_with(variant, store, embedder)
                      for label, variant in variants(eval_cfg, args.reads, args.document_check).items()}
        labels = list(assistants)
        seconds: dict[str, list[float]] = {label: [] for label in labels}
        answers: dict[str, list[str]] = {label: [] for label in labels}
        for assistant in assistants.values():
            assistant.answer(questions[0])  # load the models (and export the graph once)
        for n, question in enumerate(tqdm(questions, desc="questions")):
            for label in labels[n % len(labels):] + labels[:n % len(labels)]:
                started = time.perf_counter()
                result = assistants[label].answer(question)
                seconds[label].append(time.perf_counter() - started)
                answers[label].append(result.answer)
    reference = labels[0]
    reference_p50 = statistics.median(seconds[reference])
    print(f"{len(questions)} TQuAD dev questions, each asked of every assistant; reference: {reference}")
    print("| assistant | p50 ms | p95 ms | mean ms | p50 ratio to the reference | answers identical to its |")
    print("|---|---:|---:|---:|---:|---:|")
    for label in labels:
        summary = latency_summary(seconds[label])
        same = sum(a == b for a, b in zip(answers[label], answers[reference])) / len(questions)
        print(f"| {label} | {summary['latency_ms_p50']:,.0f} | {summary['latency_ms_p95']:,.0f} | "
              f"{1000 * statistics.mean(seconds[label]):,.0f} | "
              f"{statistics.median(seconds[label]) / reference_p50:.2f} | {same:.3f} |")


if __name__ == "__main__":
    main()
