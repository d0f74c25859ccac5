"""One exchange in the conversation: the question and its answer streaming in.

The answer streams through Textual's `MarkdownStream` (each piece is appended, never the whole
text re-rendered per token); when it is done, one `update()` sets the final text. The view
keeps its citations, and focusing it (click or Tab) asks the screen to show them.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, Markdown, Static

from assistant.events import AnswerResult, Citation


class QuestionBubble(Static):
    """The question as asked."""

    def __init__(self, question: str) -> None:
        super().__init__(question, markup=False, classes="question")


class AnswerView(Vertical, can_focus=True):
    @dataclass
    class Selected(Message):
        """The answer got focus: show its sources."""

        view: AnswerView

    def __init__(self, citations: list[Citation] | None = None, text: str = "") -> None:
        super().__init__(classes="answer")
        self.citations: list[Citation] = list(citations or [])
        self._initial = text
        self._stream = None

    def compose(self) -> ComposeResult:
        yield Label("", classes="answer-status", markup=False)
        yield Markdown(self._initial, classes="answer-text")

    @property
    def markdown(self) -> Markdown:
        return self.query_one(Markdown)

    def set_status(self, text: str) -> None:
        label = self.query_one(".answer-status", Label)
        label.update(text)
        label.display = bool(text)

    def add_citation(self, citation: Citation) -> None:
        self.citations.append(citation)

    async def write(self, text: str) -> None:
        if self._stream is None:
            self._stream = Markdown.get_stream(self.markdown)
        await self._stream.write(text)

    async def close_stream(self) -> None:
        if self._stream is not None:
            stream, self._stream = self._stream, None
            await stream.stop()

    async def finish(self, result: AnswerResult | None) -> None:
        """Close the stream; with a result, show its final text and keep only what it cites
        (an abstention keeps the closest passages it lists)."""
        await self.close_stream()
        self.set_status("")
        if result is not None:
            self.citations = list(result.citations) or self.citations
            await self.markdown.update(result.answer)

    def on_focus(self) -> None:
        self.post_message(self.Selected(self))
