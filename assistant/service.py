"""`Assistant`: a question in, a stream of events out — the one interface the front ends use.

The answering work is blocking (models, Chroma), so the async interface runs it in a worker
thread and hands its events over a queue; cancelling the consumer (Esc in the TUI) sets a flag
the worker checks between events, and whatever it was computing is dropped. Every failure
becomes a `Failed` event with a one-line message: a front end never sees an exception.
"""

from __future__ import annotations

import asyncio
import threading
from typing import AsyncIterator, Iterator

from assistant.conversation import Conversation
from assistant.documents import Documents
from assistant.events import AnswerResult, Done, Event, Failed
from bilge.config import BilgeConfig
from bilge.errors import BilgeError
from bilge.names import check_collection_name


class Assistant:
    """Answers questions about one collection with the configured backend."""

    def __init__(self, cfg: BilgeConfig, collection: str | None = None, *, documents: Documents | None = None) -> None:
        from retrievers.search import Searcher

        self.cfg = cfg
        self.collection = check_collection_name(collection) if collection is not None else cfg.store.collection
        self.documents = documents or Documents(Searcher(cfg, self.collection))
        self._runner = None

    @property
    def runner(self):
        """The answer machinery, built on first use (it loads models)."""
        if self._runner is None:
            from assistant.backends import build_runner

            self._runner = build_runner(self.cfg, self.documents)
        return self._runner

    def events(self, question: str, conversation: Conversation | None = None,
               cancelled: threading.Event | None = None) -> Iterator[Event]:
        """The answer as events, ending with exactly one `Done` or `Failed`. The conversation
        remembers the turn when it is done."""
        conversation = conversation if conversation is not None else Conversation()
        if not question.strip():
            yield Failed("Empty question: type a question.")
            return
        try:
            for event in self.runner.run(question, conversation):
                if cancelled is not None and cancelled.is_set():
                    return
                if isinstance(event, Done):
                    conversation.remember(event.result)
                yield event
        except BilgeError as exc:
            yield Failed(str(exc))
        except Exception as exc:  # a front end must keep running whatever breaks below
            from assistant.llm import describe_error

            yield Failed(describe_error(exc, self.cfg.answer))

    def answer(self, question: str, conversation: Conversation | None = None) -> AnswerResult:
        """The finished result (for `bilge ask` and evaluation); raises nothing, fails as text."""
        for event in self.events(question, conversation):
            if isinstance(event, Done):
                return event.result
            if isinstance(event, Failed):
                return AnswerResult(question, question, answer=event.message, abstained=True,
                                    steps=[f"error: {event.message}"])
        return AnswerResult(question, question, abstained=True)

    async def ask(self, question: str, conversation: Conversation | None = None) -> AsyncIterator[Event]:
        """`events` for an event loop: the work runs in a thread; cancelling stops the stream."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Event | None] = asyncio.Queue()
        cancelled = threading.Event()

        def put(event: Event | None) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, event)
            except RuntimeError:  # the loop is gone (the app quit mid-answer): nobody listens
                cancelled.set()

        def work() -> None:
            try:
                for event in self.events(question, conversation, cancelled):
                    put(event)
            finally:
                put(None)

        thread = threading.Thread(target=work, name="bilge-answer", daemon=True)
        thread.start()
        try:
            while (event := await queue.get()) is not None:
                yield event
        finally:
            cancelled.set()
