"""The one place the assistant's event stream meets the screen: each event type has one effect
on the answer being written."""

from __future__ import annotations

from typing import AsyncIterator, Callable

from assistant.events import AnswerChunk, AnswerResult, Done, Event, Failed, Searching, SourceFound
from tui.widgets.answer import AnswerView


class AnswerFailed(Exception):
    """The assistant reported a failure (a one-line message meant for the person)."""


async def stream_answer(events: AsyncIterator[Event], view: AnswerView,
                        on_source: Callable[[], None] = lambda: None) -> AnswerResult:
    """Play the events into `view`; returns the result or raises `AnswerFailed`."""
    async for event in events:
        if isinstance(event, Searching):
            view.set_status(f"aranıyor: {event.query}")
        elif isinstance(event, SourceFound):
            view.add_citation(event.citation)
            on_source()
        elif isinstance(event, AnswerChunk):
            view.set_status("")
            await view.write(event.text)
        elif isinstance(event, Done):
            await view.finish(event.result)
            return event.result
        elif isinstance(event, Failed):
            raise AnswerFailed(event.message)
    raise AnswerFailed("The answer stream ended without a result.")
