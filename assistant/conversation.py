"""Conversation memory: the turns of one chat session and how a follow-up finds its topic.

The TUI persists turns in SQLite and hands them back as a `Conversation`; `bilge ask` starts an
empty one. Only what resolution needs is kept per turn: the question as asked, the standalone
question it was resolved to, the answer and the topic (what the answer was about).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.events import AnswerResult
from assistant.questions import content_words, is_follow_up, standalone_question


@dataclass(frozen=True)
class Turn:
    question: str
    standalone: str
    answer: str
    topic: str


@dataclass
class Conversation:
    turns: list[Turn] = field(default_factory=list)

    def resolve(self, question: str) -> str:
        """The question made standalone against the last turn (unchanged when it stands alone)."""
        if not self.turns or not is_follow_up(question):
            return question
        return standalone_question(question, self.turns[-1].topic)

    def remember(self, result: AnswerResult) -> Turn:
        turn = Turn(result.question, result.standalone, result.answer, topic_of(result))
        self.turns.append(turn)
        return turn


def topic_of(result: AnswerResult) -> str:
    """What an answer was about: the title of its first citation (a leaflet's drug name), else
    the content words of the question."""
    for citation in result.citations:
        if citation.title:
            return citation.title.split(" — ")[0].strip()
    return " ".join(content_words(result.standalone))
