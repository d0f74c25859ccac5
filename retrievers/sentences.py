"""Sentences as the answer step reads them, one definition for training and for the app.

The answer is a sentence of a retrieved passage: the selector scores each sentence with its
passage's heading in front (`index_text`, as retrieval reads chunks), and the reader reads the
chosen sentence with its neighbours. The trainers build their examples with these same
functions, so a model is trained on exactly the text it is later shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from retrievers.chunking import index_text
from retrievers.turkish import sentence_spans


@dataclass(frozen=True)
class SentenceSpan:
    """`passages[passage][start:end]` is one sentence."""

    passage: int
    start: int
    end: int


def passage_sentences(passages: list[str]) -> list[SentenceSpan]:
    """Every sentence of every passage, in order."""
    return [SentenceSpan(p, s, e) for p, text in enumerate(passages) for s, e in sentence_spans(text)]


def selector_text(sentence: str, title: str = "", section: str = "") -> str:
    """What the selector reads of a sentence: the heading (title — section) on the line above.
    "Günde 8 tabletten fazla almayınız." only answers a question about paracetamol under
    "Parasetamol — Nasıl kullanılır?"."""
    return index_text(sentence, title, section)


def sentences_holding(spans: list[tuple[int, int]], start: int, end: int) -> list[int]:
    """Indexes of the sentences that overlap the character range [start, end) (an answer)."""
    return [i for i, (s, e) in enumerate(spans) if s < max(end, start + 1) and start < e]


def reading_window(spans: list[tuple[int, int]], index: int, neighbours: int) -> tuple[int, int]:
    """(start, end) of sentence `index` with up to `neighbours` sentences on each side: what the
    reader reads, since "Bu süre 5 gündür." needs the sentence before it."""
    first, last = max(0, index - neighbours), min(len(spans) - 1, index + neighbours)
    return spans[first][0], spans[last][1]


@dataclass(frozen=True)
class ReaderInput:
    """What the reader reads for one chosen sentence: the heading line, then the sentence with its
    neighbours (`passage[window_start:…]` from position `head` of the context on)."""

    context: str
    head: int
    window_start: int
    sentence: tuple[int, int]  # the chosen sentence, in context positions

    def to_context(self, position: int) -> int:
        return position - self.window_start + self.head

    def to_passage(self, start: int, end: int) -> tuple[int, int]:
        """A context range as a passage range (the heading line is not part of the passage)."""
        low = max(start, self.head) - self.head + self.window_start
        return low, max(low, end - self.head + self.window_start)


def reader_input(text: str, sentence: tuple[int, int], neighbours: int, title: str = "",
                 section: str = "") -> ReaderInput:
    """The reader's context around `text[sentence[0]:sentence[1]]` (see `ReaderInput`)."""
    spans = list(sentence_spans(text)) or [sentence]
    index = next((i for i, (s, e) in enumerate(spans) if s <= sentence[0] < e), 0)
    start, end = reading_window(spans, index, neighbours)
    start, end = min(start, sentence[0]), max(end, sentence[1])
    head = index_text("", title, section)
    shift = len(head) - start
    return ReaderInput(head + text[start:end], len(head), start, (sentence[0] + shift, sentence[1] + shift))
