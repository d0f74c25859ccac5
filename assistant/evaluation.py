"""`bilge eval answers`: how often the assistant's answers match SQuAD gold, stage by stage, and
how often it rightly holds back.

Exact match and token F1 follow the SQuAD script, with Turkish casefolding (İ→i, I→ı) in the
normalisation. An abstention counts as a wrong answer in EM/F1 and is reported apart: the
share answered, and the selective accuracy (answered questions whose F1 ≥ 0.5). Each stage is
also measured alone, where the gold passage is known: the selector's choice of sentence given
the gold passage (P@1 over passages of two sentences or more) and given the retrieved ones, and
the offline answer's EM/F1 given the gold sentence and given the gold passage. With a chat
model, groundedness checks each answer sentence against the passages it cites with the
cross-encoder (supported = score ≥ answer.min_score).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.documents import Documents
from assistant.events import AnswerResult
from assistant.extractive import short_answer
from assistant.questions import asks_yes_or_no
from assistant.service import Assistant
from bilge.config import BilgeConfig
from retrievers.answer_metrics import best_of, contains_answer
from retrievers.chunking import Chunk
from retrievers.embeddings import Embedder
from retrievers.evaluation import EVAL_COLLECTION, EvalSet, temporary_store
from retrievers.ingest import chunk_id
from retrievers.metrics import latency_summary
from retrievers.rerank import CrossEncoderReranker
from retrievers.sampling import seeded_indexes
from retrievers.search import Searcher
from retrievers.selector import Passage, ScoredSentence
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


@dataclass
class Tally:
    """Sums and counts of named measurements; `means` divides each by its own count."""

    sums: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, value: float) -> None:
        self.sums[name] = self.sums.get(name, 0.0) + float(value)
        self.counts[name] = self.counts.get(name, 0) + 1

    def means(self) -> dict[str, float]:
        return {name: total / self.counts[name] for name, total in self.sums.items()}


def gold_stages(documents: Documents, question: str, chunk: Chunk, offset: int, min_margin: float,
                answers: list[str]) -> dict[str, float]:
    """Each stage alone, given the gold passage (and its sentence holding the answer start)."""
    spans = list(sentence_spans(chunk.text))
    gold = next(((s, e) for s, e in spans if s <= offset < e), None)
    if gold is None:
        return {}
    selector = documents.selector
    passage = Passage(chunk.text, chunk.title, chunk.section)
    chosen = selector.rank(question, [passage], yes_no=asks_yes_or_no(question))[0]
    stages: dict[str, float] = {}
    if len(spans) > 1:
        stages["sentence_p@1_gold_passage"] = float((chosen.start, chosen.end) == gold)
    if selector.reader is not None:
        read_gold = selector.read(question, passage, ScoredSentence(0, gold[0], gold[1], 0.0, 0.0))
        for name, sentence in (("gold_sentence", read_gold), ("gold_passage", chosen)):
            short = short_answer(chunk.text, sentence, min_margin) or chunk.text[sentence.start:sentence.end]
            stages[f"exact_match_{name}"], stages[f"f1_{name}"] = best_of(short, answers)
    return stages


def quoted_gold_sentence(result: AnswerResult, gold_chunk: str, chunk: Chunk, offset: int) -> bool:
    """Whether the answer quotes the gold passage's sentence holding the answer start."""
    if result.abstained or not result.citations or result.citations[0].chunk_id != gold_chunk:
        return False
    start = chunk.text.find(result.quote)
    return 0 <= start <= offset < start + len(result.quote)


SAMPLE_SEED = 13


def asked_questions(ids: list[str], limit: int | None = None, sample: int | None = None) -> list[str]:
    """The questions a run asks: the first `limit`, or `sample` drawn from the whole file (seeded,
    so two runs ask the same), in file order. A file's first questions are often a few articles
    of one kind: dev.json's first 300 are 10 Ottoman-history articles, the training data's own
    domain, and score far above the other 1,030 (README, "The whole of dev")."""
    if sample:
        return [ids[n] for n in seeded_indexes(len(ids), sample, SAMPLE_SEED)]
    return ids[:limit] if limit else ids


def evaluate_answers(cfg: BilgeConfig, evalset: EvalSet, *, embedder: Embedder, reranker: CrossEncoderReranker,
                     limit: int | None = None, sample: int | None = None, details: Callable[[dict], None] | None = None,
                     progress: Callable[[str, int, int], None] = lambda stage, done, total: None) -> dict[str, float]:
    """The metrics of the module docstring over `asked_questions`; `details` receives one record per question."""
    asked = asked_questions(list(evalset.questions), limit, sample)
    tally, seconds = Tally(), []
    with temporary_store(cfg, evalset, embedder, progress) as (eval_cfg, store):
        searcher = Searcher(eval_cfg, EVAL_COLLECTION, store=store, embedder=embedder, reranker=reranker)
        assistant = Assistant(eval_cfg, EVAL_COLLECTION, documents=Documents(searcher))
        for n, qid in enumerate(asked, start=1):
            started = time.perf_counter()
            result = assistant.answer(evalset.questions[qid])
            seconds.append(time.perf_counter() - started)
            answers = evalset.answers.get(qid, [])
            em, f1 = best_of(result.short, answers) if not result.abstained else (0.0, 0.0)
            record = {"exact_match": em, "f1": f1, "answered": float(not result.abstained),
                      "quote_has_answer": float(not result.abstained
                                                and contains_answer(result.quote or result.answer, answers))}
            if not result.abstained:
                tally.add("selective_accuracy", f1 >= CORRECT_F1)
                if cfg.answer.backend != "extractive":
                    tally.add("groundedness", grounded_share(result, reranker, cfg.answer.min_score))
            if qid in evalset.gold:
                source, index, offset = evalset.gold[qid]
                digest, chunks = evalset.documents[source]
                chunk = chunks[index]
                record["sentence_p@1_retrieved"] = float(
                    quoted_gold_sentence(result, chunk_id(source, digest, index), chunk, offset))
                record.update(gold_stages(assistant.documents, evalset.questions[qid], chunk, offset,
                                          cfg.answer.span_min_score, answers))
            for name, value in record.items():
                tally.add(name, value)
            if details is not None:
                details({"id": qid, "question": evalset.questions[qid], "answers": answers,
                         "abstained": result.abstained, "short": result.short, "quote": result.quote,
                         "scores": result.scores, "steps": result.steps, **record})
            progress("answers", n, len(asked))
    return {"questions": float(len(asked)), "selective_accuracy": 0.0, **tally.means(), **latency_summary(seconds)}
