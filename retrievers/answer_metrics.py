"""Answer-span metrics of the SQuAD script (exact match, token F1), with Turkish casefolding
(İ→i, I→ı) in the normalisation. Shared by `bilge eval answers` and the reader's training."""

from __future__ import annotations

import re
import string
from collections import Counter

from retrievers.turkish import turkish_casefold

_PUNCTUATION = re.compile(f"[{re.escape(string.punctuation + '’‘“”«»…')}]")


def normalize(text: str) -> list[str]:
    return _PUNCTUATION.sub(" ", turkish_casefold(text)).split()


def token_f1(prediction: str, gold: str) -> float:
    predicted, expected = normalize(prediction), normalize(gold)
    common = sum((Counter(predicted) & Counter(expected)).values())
    if not common:
        return 0.0
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)


def exact_match(prediction: str, gold: str) -> float:
    return float(normalize(prediction) == normalize(gold))


def best_of(prediction: str, golds: list[str]) -> tuple[float, float]:
    """(exact match, F1) against the closest of several gold answers."""
    golds = golds or [""]
    return max(exact_match(prediction, g) for g in golds), max(token_f1(prediction, g) for g in golds)


def contains_answer(text: str, answers: list[str]) -> bool:
    """Whether a gold answer occurs in `text` as whole words (after normalisation): did the
    evidence a person reads hold the answer, whatever span was highlighted."""
    words = f" {' '.join(normalize(text))} "
    phrases = (" ".join(normalize(answer)) for answer in answers)
    return any(phrase and f" {phrase} " in words for phrase in phrases)
