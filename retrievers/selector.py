"""The answer sentence: every sentence of the retrieved passages scored, ranked with its
passage's evidence, and the best few read by the reader.

When a passage holds every name the question gives (a drug, a person), the sentences of the
passages that lack one are not candidates at all, whatever their scores would be: asked about
metformin's side effects, the omeprazole leaflet's side-effect sentence reads as a better answer
to every model, and the passage ranking alone did not outweigh that. Likewise a question asking
a number ("kaç") is answered by a sentence that states one, when any does: a leaflet's first
sentence ("Amoksisilin, penisilin grubundan bir antibiyotiktir.") repeats the drug's name and
reads as an answer to any question about it, "kaç günde etki eder?" included.

A sentence's answer score = the selector's logit + `passage_weight` × its passage's fused
retrieval score + `lexical_weight` × the share of the question's idf mass it holds +
`reader_weight` × the reader's margin for it (top `reader_candidates` only).
Why each: the selector reads one sentence under its heading and cannot see that the passage
around it ranked third, so near-duplicate sentences ("Günde 8 tabletten fazla almayınız." in two
leaflets) would tie, and the one from the passage retrieval trusts most should win; the reader
reads the sentence with its neighbours and says whether an answer to *this* question is in it
(it was trained to point at [CLS] when not), which separates the dose sentence from the
overdose heading beside it; the lexical share catches the rare name or number a 4-layer model
reads past (an idf-weighted overlap alone picks TQuAD's answering sentence more often than the
selector does). The weights are chosen on one half of TQuAD dev and checked on the
other (`bench/answers.py`). The best sentence's selector probability and reader margin are the
answer's confidence, which the assistant abstains on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable

from bilge.config import AnswerConfig, BilgeConfig
from retrievers.model_files import require_model
from retrievers.reader import QaModelReader, load_reader
from retrievers.rerank import CrossEncoderReranker, cross_encoder
from retrievers.sentences import SentenceSpan, passage_sentences, selector_text
from retrievers.turkish import asks_count, holds_number


@dataclass(frozen=True)
class Passage:
    """A retrieved passage as the answer step sees it."""

    text: str
    title: str = ""
    section: str = ""
    score: float = 0.0  # the fused retrieval score
    named: bool = True  # holds every name the question gives that the collection has (`Documents.select`)


def answer_candidates(question: str, passages: list[Passage]) -> list[SentenceSpan]:
    """The sentences of `passages` that may answer `question`: those of the `named` passages,
    when any is, and of those, for a question asking a number, the ones that state one, when
    any does (the module docstring says why)."""
    spans = passage_sentences([p.text for p in passages])
    if any(p.named for p in passages):
        spans = [s for s in spans if passages[s.passage].named]
    if asks_count(question):
        spans = [s for s in spans if holds_number(passages[s.passage].text[s.start:s.end])] or spans
    return spans


@dataclass(frozen=True)
class ScoredSentence:
    """`passages[passage].text[start:end]`, with the selector's logit, the reader's answer inside
    it (a passage range, when read) and its margin, and the combined score."""

    passage: int
    start: int
    end: int
    logit: float
    score: float
    answer: tuple[int, int] | None = None
    margin: float | None = None

    @property
    def probability(self) -> float:
        return 1.0 / (1.0 + math.exp(-self.logit))


Lexical = Callable[[str, str], float]
"""(question, sentence) → the share of the question's idf mass the sentence holds (`Bm25Index.coverage`)."""


class SentenceSelector:
    def __init__(self, model: CrossEncoderReranker, cfg: AnswerConfig, reader: QaModelReader | None = None,
                 lexical: Lexical | None = None) -> None:
        self.model, self.cfg, self.reader, self.lexical = model, cfg, reader, lexical
        self.name = model.name + (f" + {reader.name}" if reader else "")

    def rank(self, question: str, passages: list[Passage], yes_no: bool = False) -> list[ScoredSentence]:
        """The sentences of `passages` that may answer (`answer_candidates`, which also spares the
        selector a third of its time where one of three passages lacks the name), best first.
        A `yes_no` question's sentences are read (the margin is the answer's confidence) but the
        margin does not rank them: such a question has no span for the reader to find, and what it
        finds instead is whatever reads like an answer, most often the definition a leaflet opens
        with ("Parasetamol … bir ilaçtır." for "Parasetamolle alkol alınır mı?")."""
        spans = answer_candidates(question, passages)
        texts = [selector_text(passages[s.passage].text[s.start:s.end], passages[s.passage].title,
                               passages[s.passage].section) for s in spans]
        logits = self.model.logits(question, texts)
        # the lexical share reads what the selector reads: a heading's drug name counts for its sentences
        scored = sorted((ScoredSentence(s.passage, s.start, s.end, logit,
                                        logit + self.cfg.passage_weight * passages[s.passage].score
                                        + self._lexical(question, text))
                         for s, logit, text in zip(spans, logits, texts)), key=lambda s: s.score, reverse=True)
        if self.reader is None:
            return scored
        top = self.read_all(question, passages, scored[:self.cfg.reader_candidates],
                            0.0 if yes_no else self.cfg.reader_weight)
        return sorted(top, key=lambda s: s.score, reverse=True) + scored[self.cfg.reader_candidates:]

    def _lexical(self, question: str, sentence: str) -> float:
        if self.lexical is None or not self.cfg.lexical_weight:
            return 0.0
        return self.cfg.lexical_weight * self.lexical(question, sentence)

    def read(self, question: str, passage: Passage, sentence: ScoredSentence) -> ScoredSentence:
        """The sentence with the reader's answer inside it, its margin added to the score."""
        read = self.read_all(question, [passage], [replace(sentence, passage=0)])[0]
        return replace(read, passage=sentence.passage)

    def read_all(self, question: str, passages: list[Passage], sentences: list[ScoredSentence],
                 weight: float | None = None) -> list[ScoredSentence]:
        """`sentences` (of `passages`), each read in its window in one batch (see `read`), `weight`
        (default `reader_weight`) × the margin added to its score."""
        weight = self.cfg.reader_weight if weight is None else weight
        if self.reader is None:
            return sentences
        read = self.reader.read_sentences(question, [
            (passages[s.passage].text, (s.start, s.end), passages[s.passage].title, passages[s.passage].section)
            for s in sentences], self.cfg.reader_neighbours)
        return [sentence if span is None else
                replace(sentence, answer=window.to_passage(span.start, span.end), margin=span.margin,
                        score=sentence.score + weight * span.margin)
                for sentence, (window, span) in zip(sentences, read)]


def load_selector(cfg: BilgeConfig, reranker: CrossEncoderReranker, lexical: Lexical | None = None) -> SentenceSelector:
    """The trained selector (`answer.selector`; empty = the reranker) with the reader
    (`answer.reader`) and the collection's lexical evidence."""
    model = reranker
    if cfg.answer.selector:
        path = require_model(cfg.resolve(cfg.answer.selector), "answer.selector", "bilge train selector")
        model = cross_encoder(cfg, path)
    return SentenceSelector(model, cfg.answer, load_reader(cfg), lexical)
