"""What an answer streams: the one interface between the assistant and its front ends.

The TUI and `bilge ask` consume the same events in the same order:
`Searching` (each query tried) → `SourceFound` (each passage the answer may cite) →
`AnswerChunk` (text pieces: tokens from a chat model, passages from the extractive path) →
`Done` (the whole result) — or `Failed` with a one-line message, after which nothing follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NOT_FOUND = "Belgelerde bu sorunun cevabını bulamadım."


def not_in_documents(names: list[str]) -> str:
    """The abstention for a question naming what no document contains, with the names."""
    return f"{NOT_FOUND}\n\nSorudaki {_quoted(names)} belgelerinizin hiçbirinde geçmiyor."


def not_in_document(names: list[str], file_name: str) -> str:
    """Why a found passage does not answer: its document never mentions the question's `names`
    (another document does), so its sentences speak of something else."""
    return f"Sorudaki {_quoted(names)}, en uygun bulunan {file_name} belgesinde hiç geçmiyor."


def _quoted(names: list[str]) -> str:
    return ", ".join(f"«{name}»" for name in names)


@dataclass(frozen=True)
class Citation:
    """A passage an answer rests on; `number` is the [n] marker in the answer text."""

    number: int
    chunk_id: str
    source: str
    file_name: str
    page: int | None
    section: str
    start: int
    end: int
    text: str
    score: float
    title: str = ""
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """"[1] parasetamol-500.pdf, s. 2, Olası yan etkiler" — where a person finds it."""
        where = [self.file_name]
        if self.page is not None:
            where.append(f"s. {self.page}")
        if self.section:
            where.append(self.section)
        return f"[{self.number}] " + ", ".join(where)

    def record(self) -> dict[str, Any]:
        """The JSON shape of `bilge ask --json`."""
        return {"number": self.number, "source": self.source, "page": self.page, "section": self.section,
                "start": self.start, "end": self.end, "text": self.text, "score": self.score}


@dataclass
class AnswerResult:
    question: str
    standalone: str
    answer: str = ""
    abstained: bool = False
    citations: list[Citation] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    quote: str = ""
    short: str = ""  # the answer alone, without quote or markers (what exact match compares)
    scores: dict[str, float] = field(default_factory=dict)  # the evidence graded: passage, sentence, span

    def record(self) -> dict[str, Any]:
        return {"question": self.question, "standalone_question": self.standalone, "answer": self.answer,
                "abstained": self.abstained, "citations": [c.record() for c in self.citations],
                "scores": dict(self.scores), "steps": list(self.steps)}


@dataclass(frozen=True)
class Searching:
    query: str


@dataclass(frozen=True)
class SourceFound:
    citation: Citation


@dataclass(frozen=True)
class AnswerChunk:
    text: str


@dataclass(frozen=True)
class Done:
    result: AnswerResult


@dataclass(frozen=True)
class Failed:
    message: str


Event = Searching | SourceFound | AnswerChunk | Done | Failed
