"""`bilge eval answers`: how often the assistant's answers match SQuAD gold, and how often it
rightly holds back.

Exact match and token F1 follow the SQuAD script, with Turkish casefolding (İ→i, I→ı) in the
normalisation. An abstention counts as a wrong answer in EM/F1 and is reported apart: the
share answered, and the selective accuracy (answered questions whose F1 ≥ 0.5). With a chat
model, groundedness checks each answer sentence against the passages it cites with the
cross-encoder (supported = score ≥ answer.min_score).
"""

from __future__ import annotations

import time
from typing import Callable

from assistant.documents import Documents
from assistant.events import AnswerResult
from assistant.service import Assistant
from bilge.config import BilgeConfig
from retrievers.answer_metrics import best_of, contains_answer
from retrievers.embeddings import Embedder
from retrievers.evaluation import EVAL_COLLECTION, EvalSet, temporary_store
from retrievers.metrics import latency_summary
from retrievers.rerank import CrossEncoderReranker
from retrievers.search import Searcher
from retrievers.turkish import sentence_spans

CORRECT_F1 = 0.5


def grounded_share(result: AnswerResult, reranker: CrossEncoderReranker, threshold: float) -> float:
    """Share of answer sentences that some cited passage supports (cross-encoder ≥ threshold)."""
    text = result.short or result.answer
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    if not sentences or not result.citations:
        return 0.0
    supported = sum(
        max(reranker.score(sentence, [c.text for c in result.citations])) >= threshold for sentence in sentences
    )
    return supported / len(sentences)


def evaluate_answers(cfg: BilgeConfig, evalset: EvalSet, *, embedder: Embedder, reranker: CrossEncoderReranker,
                     limit: int | None = None,
                     progress: Callable[[str, int, int], None] = lambda stage, done, total: None) -> dict[str, float]:
    asked = list(evalset.questions)[:limit] if limit else list(evalset.questions)
    em = f1 = answered = correct = grounded = quoted = 0.0
    seconds: list[float] = []
    with temporary_store(cfg, evalset, embedder, progress) as (eval_cfg, store):
        searcher = Searcher(eval_cfg, EVAL_COLLECTION, store=store, embedder=embedder, reranker=reranker)
        assistant = Assistant(eval_cfg, EVAL_COLLECTION, documents=Documents(searcher))
        for n, qid in enumerate(asked, start=1):
            started = time.perf_counter()
            result = assistant.answer(evalset.questions[qid])
            seconds.append(time.perf_counter() - started)
            if not result.abstained:
                best_em, best_f1 = best_of(result.short, evalset.answers.get(qid, []))
                em += best_em
                f1 += best_f1
                answered += 1
                correct += best_f1 >= CORRECT_F1
                quoted += contains_answer(result.quote or result.answer, evalset.answers.get(qid, []))
                if cfg.answer.backend != "extractive":
                    grounded += grounded_share(result, reranker, cfg.answer.min_score)
            progress("answers", n, len(asked))
    total = max(len(asked), 1)
    metrics = {"questions": float(len(asked)), "exact_match": em / total, "f1": f1 / total,
               "answered": answered / total, "selective_accuracy": correct / answered if answered else 0.0,
               "quote_has_answer": quoted / total,
               **latency_summary(seconds)}
    if cfg.answer.backend != "extractive":
        metrics["groundedness"] = grounded / answered if answered else 0.0
    return metrics
