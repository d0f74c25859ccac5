"""Find the context a question belongs to, with a confidence, and say when not to trust it.

Order of evidence: the answer string (when it occurs in exactly one context, that is the
context), then BM25 with the Turkish analyzer over the candidate contexts. Confidence is the
relative margin of the best score over the second best: (s1 − s2) / s1. A numbering hint (the
context number written next to a question) raises confidence when it agrees with the content
and flags the question for review when it does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bilge.config import Bm25Config
from retrievers.bm25 import Bm25Index
from training.datasets.fix import normalize


@dataclass
class Alignment:
    question: str
    answer: str | None
    context: int | None
    confidence: float
    method: str
    candidates: list[tuple[int, float]] = field(default_factory=list)
    reason: str = ""


class Aligner:
    def __init__(self, contexts: list[str], min_confidence: float = 0.35) -> None:
        self.contexts = [normalize(c) for c in contexts]
        ids = [str(i) for i in range(len(contexts))]
        self._index = Bm25Index.build(Bm25Config(), ids, self.contexts)
        self.min_confidence = min_confidence

    def _ranked(self, question: str, among: list[int]) -> list[tuple[int, float]]:
        scores = self._index.scores_of(question, [str(i) for i in among])
        return sorted(((int(i), s) for i, s in scores.items()), key=lambda pair: pair[1], reverse=True)

    def align(self, question: str, answer: str | None = None, hint: int | None = None) -> Alignment:
        among = list(range(len(self.contexts)))
        if answer:
            containing = [i for i in among if normalize(answer) in self.contexts[i]]
            if len(containing) == 1:
                return self._checked(Alignment(question, answer, containing[0], 1.0, "answer",
                                               [(containing[0], 1.0)]), hint)
            among = containing or among
        ranked = self._ranked(question, among)
        if not ranked or ranked[0][1] <= 0:
            return Alignment(question, answer, None, 0.0, "bm25", ranked[:3], "no context shares a word")
        best, second = ranked[0][1], (ranked[1][1] if len(ranked) > 1 else 0.0)
        result = Alignment(question, answer, ranked[0][0], (best - second) / best, "bm25", ranked[:3])
        return self._checked(result, hint)

    def _checked(self, result: Alignment, hint: int | None) -> Alignment:
        if hint is not None:
            if hint == result.context:
                result.confidence = max(result.confidence, 0.9)
                result.method += "+number"
            else:
                result.reason = f"numbered context {hint} but the content points to {result.context}"
                result.confidence = min(result.confidence, 0.0)
        if result.confidence < self.min_confidence and not result.reason:
            result.reason = f"low confidence {result.confidence:.2f} < {self.min_confidence}"
        return result

    def accepted(self, result: Alignment) -> bool:
        return result.context is not None and result.confidence >= self.min_confidence and not result.reason
