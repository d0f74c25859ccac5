"""`bilge eval abstention`: does the assistant hold back exactly when the documents are silent?

The articles of a SQuAD file are split in two halves and each half is indexed alone; its store is
asked its own questions (answerable) and the unanswerable kinds of `retrievers.unanswerable`
(the other half's questions, and its own with the entity or the attribute swapped for one the
documents do not pair). Reported: the share abstained per kind, the share of answerable
questions answered, and the precision and recall of abstention. `details` receives one record
per question with the evidence scores, which `bench/abstention.py` turns into the coverage–risk
curve and the thresholds.
"""

from __future__ import annotations

from typing import Callable

from assistant.documents import Documents
from assistant.evaluation import Tally
from assistant.service import Assistant
from bilge.config import BilgeConfig
from retrievers.answer_metrics import best_of, contains_answer
from retrievers.embeddings import Embedder
from retrievers.evaluation import EVAL_COLLECTION, documents_set, paragraphs_set, temporary_store
from retrievers.rerank import CrossEncoderReranker
from retrievers.search import Searcher
from retrievers.squad import Article
from retrievers.unanswerable import KINDS, probes, split_halves

Progress = Callable[[str, int, int], None]


def evaluate_abstention(cfg: BilgeConfig, articles: list[Article], *, embedder: Embedder,
                        reranker: CrossEncoderReranker, paragraphs: bool = False, limit: int | None = None,
                        details: Callable[[dict], None] | None = None,
                        progress: Progress = lambda stage, done, total: None) -> dict[str, float]:
    """The metrics of the module docstring; `limit` caps each kind per half."""
    tally = Tally()
    first, second = split_halves(articles)
    for half, (stored, other) in enumerate(((first, second), (second, first)), start=1):
        evalset = paragraphs_set(stored) if paragraphs else documents_set(
            stored, cfg.ingest.chunk_size, cfg.ingest.chunk_overlap)
        asked = probes(stored, other, limit)
        with temporary_store(cfg, evalset, embedder, progress) as (eval_cfg, store):
            searcher = Searcher(eval_cfg, EVAL_COLLECTION, store=store, embedder=embedder, reranker=reranker)
            assistant = Assistant(eval_cfg, EVAL_COLLECTION, documents=Documents(searcher))
            for n, probe in enumerate(asked, start=1):
                result = assistant.answer(probe.question)
                tally.add(f"abstained_{probe.kind}", result.abstained)
                record = {"half": half, "kind": probe.kind, "question": probe.question, "abstained": result.abstained,
                          "scores": result.scores, "steps": result.steps, "short": result.short,
                          "missing_names": name_frequencies(assistant.documents, probe.question)}
                if probe.kind == "answerable" and not result.abstained:
                    record["exact_match"], record["f1"] = best_of(result.short, list(probe.answers))
                    record["quote_has_answer"] = contains_answer(result.quote, list(probe.answers))
                if details is not None:
                    details(record)
                progress(f"half {half}", n, len(asked))
    return abstention_summary(tally)


def name_frequencies(documents: Documents, question: str) -> dict[str, float]:
    """Each content word of the question the collection lacks, with its Zipf frequency: lets the
    name threshold (`answer.name_max_zipf`) and the unfamiliar-word rule be chosen afterwards."""
    from assistant.questions import name_frequency

    return {name: name_frequency(name) for name in documents.unfamiliar_words(question)}


def abstention_summary(tally: Tally) -> dict[str, float]:
    """Per-kind abstained shares, the share of answerable questions answered, and the precision
    and recall of abstention over all questions asked."""
    shares = tally.means()
    unanswerable = [f"abstained_{kind}" for kind in KINDS[1:] if f"abstained_{kind}" in tally.counts]
    right = sum(tally.sums[name] for name in unanswerable)
    wrong = tally.sums.get("abstained_answerable", 0.0)
    asked = sum(tally.counts[name] for name in unanswerable)
    return {**shares, "answered_answerable": 1.0 - shares.get("abstained_answerable", 0.0),
            "abstention_recall": right / asked if asked else 0.0,
            "abstention_precision": right / (right + wrong) if right + wrong else 0.0}
