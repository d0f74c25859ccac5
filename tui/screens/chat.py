"""The chat: conversation list, messages with answers streaming in, prompt, ingestion progress,
sources panel and status line. Answers and ingestion run as workers, so neither blocks typing."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Static
from textual.worker import get_current_worker

from tui.bridge import AnswerFailed, stream_answer
from tui.history import ConversationRow
from tui.screens.collections import CollectionsScreen
from tui.screens.passage import PassageScreen
from tui.screens.prompt import TextPrompt
from tui.widgets.answer import AnswerView, QuestionBubble
from tui.widgets.ingest import IngestPanel
from tui.widgets.sidebar import ConversationList
from tui.widgets.sources import SourcesPanel

NARROW = 100
"""Below this many columns the conversation list is hidden (ctrl+b shows it)."""


class ChatScreen(Screen):
    BINDINGS = [
        Binding("escape", "cancel", "Durdur", id="chat.cancel"),
        Binding("f4", "toggle_sources", "Kaynaklar", id="chat.sources"),
        Binding("ctrl+b,f6", "toggle_sidebar", "Sohbetler", id="chat.sidebar"),
    ]
    AUTO_FOCUS = "#prompt"

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield ConversationList(id="sidebar")
            with Vertical(id="center"):
                yield VerticalScroll(id="messages")
                yield IngestPanel(id="ingest")
                yield Input(placeholder="Bir soru yazın… (F1: yardım)", id="prompt")
            yield SourcesPanel(id="sources")
        yield Static("", id="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(IngestPanel).display = False
        self.query_one("#sidebar").display = self.app.size.width >= NARROW
        self.refresh_sidebar()
        self.refresh_status()

    # Asking ----------------------------------------------------------------------------------

    @on(Input.Submitted, "#prompt")
    def _submitted(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if question:
            event.input.clear()
            self.ask(question)

    @work(exclusive=True, group="answer", exit_on_error=False)
    async def ask(self, question: str) -> None:
        messages = self.query_one("#messages", VerticalScroll)
        bubble, view = QuestionBubble(question), AnswerView()
        try:
            await messages.mount_all([bubble, view])
            view.set_status("hazırlanıyor…")
            messages.anchor()
            assistant = await self.app.get_assistant()
            result = await stream_answer(assistant.ask(question, self.app.conversation), view,
                                         on_source=lambda: self.show_sources(view))
        except asyncio.CancelledError:
            await self._withdraw(bubble, view, question, "Cevap durduruldu.", "information")
            raise
        except AnswerFailed as exc:
            await self._withdraw(bubble, view, question, str(exc), "error")
            return
        self.app.record_turn(question, result)
        self.show_sources(view)
        self.refresh_sidebar()

    async def _withdraw(self, bubble, view, question: str, message: str, severity: str) -> None:
        """Take a half answer back: the question returns to the prompt, the reason is shown."""
        await view.close_stream()
        for widget in (bubble, view):
            if widget.is_attached:
                await widget.remove()
        prompt = self.query_one("#prompt", Input)
        prompt.value = question
        prompt.focus()
        self.notify(message, severity=severity, markup=False)

    def action_cancel(self) -> None:
        """Esc stops the answer being written, and an ingestion after the file it is reading."""
        self.workers.cancel_group(self, "answer")
        self.workers.cancel_group(self, "ingest")

    # Sources ---------------------------------------------------------------------------------

    @on(AnswerView.Selected)
    def _answer_selected(self, event: AnswerView.Selected) -> None:
        self.show_sources(event.view)

    def show_sources(self, view: AnswerView) -> None:
        self.query_one(SourcesPanel).show(view.citations)

    @on(SourcesPanel.CitationSelected)
    def _open_citation(self, event: SourcesPanel.CitationSelected) -> None:
        self.open_passage(event.citation.chunk_id)

    @work(group="passage", exit_on_error=False)
    async def open_passage(self, chunk_id: str) -> None:
        library = await self.app.get_library()
        view = await asyncio.to_thread(library.passage, self.app.collection, chunk_id)
        if view is None:
            self.notify("This passage is no longer in the collection; ask again.", severity="warning")
            return
        self.app.push_screen(PassageScreen(view))

    def action_toggle_sources(self) -> None:
        panel = self.query_one(SourcesPanel)
        panel.display = not panel.display

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one("#sidebar")
        sidebar.display = not sidebar.display

    # Conversations ---------------------------------------------------------------------------

    def refresh_sidebar(self) -> None:
        self.query_one(ConversationList).show(self.app.history.conversations(), self.app.conversation_id)

    @on(ConversationList.Opened)
    async def _opened(self, event: ConversationList.Opened) -> None:
        await self.load_conversation(event.conversation)

    async def load_conversation(self, row: ConversationRow | None) -> None:
        """Show a stored conversation (or an empty one) and continue it with its memory."""
        self.workers.cancel_group(self, "answer")
        messages = self.query_one("#messages", VerticalScroll)
        await messages.remove_children()
        self.app.open_conversation(row)
        widgets = []
        for stored in self.app.history.turns(row.id) if row else []:
            widgets += [QuestionBubble(stored.turn.question), AnswerView(stored.citations, stored.turn.answer)]
        await messages.mount_all(widgets)
        self.query_one(SourcesPanel).show(widgets[-1].citations if widgets else [])
        self.refresh_sidebar()
        self.refresh_status()
        self.query_one("#prompt", Input).focus()

    # Collections and ingestion ----------------------------------------------------------------

    @work(group="status", exclusive=True, exit_on_error=False)
    async def refresh_status(self) -> None:
        status = self.query_one("#status", Static)
        try:
            library = await self.app.get_library()
            summary = await asyncio.to_thread(library.summary, self.app.collection)
        except AnswerFailed as exc:
            status.update(f"{self.app.collection} · {exc}")
            return
        names = library.model_names()
        status.update(f"{summary.name} · {summary.files} belge · {summary.chunks} parça · cevap: {names['backend']}"
                      f" · modeller: {names['embedder']}, {names['reranker']}")

    @work(group="collections", exit_on_error=False)
    async def choose_collection(self) -> None:
        library = await self.app.get_library()
        collections = await asyncio.to_thread(library.collections)
        chosen = await self.app.push_screen_wait(CollectionsScreen(collections, self.app.collection))
        if chosen and chosen != self.app.collection:
            self.app.switch_collection(chosen)
            await self.load_conversation(None)
            self.notify(f"Koleksiyon: {chosen}", markup=False)

    @work(group="add-folder", exit_on_error=False)
    async def ask_folder(self) -> None:
        answer = await self.app.push_screen_wait(TextPrompt("Eklenecek klasör", placeholder="ör. ~/Belgeler/prospektüs"))
        if not answer:
            return
        folder = Path(answer).expanduser()
        if not folder.is_dir():
            self.notify(f"{folder}: no such folder; type the path of a folder of documents.",
                        severity="error", markup=False)
            return
        self.ingest(folder)

    @work(thread=True, exclusive=True, group="ingest", exit_on_error=False)
    def ingest(self, folder: Path) -> None:
        from bilge.errors import BilgeError, IngestStopped

        collection = self.app.collection
        panel = self.query_one(IngestPanel)
        self.app.call_from_thread(panel.start, folder, collection)
        worker = get_current_worker()
        try:
            library = self.app.library_sync()
            summary = library.ingest(folder, collection, lambda p: panel.post_message(IngestPanel.Progressed(p)),
                                     should_stop=lambda: worker.is_cancelled)
        except BilgeError as exc:
            stopped = isinstance(exc, IngestStopped)
            self.app.call_from_thread(self.notify, f"Ekleme durduruldu: {exc}" if stopped else str(exc),
                                      severity="warning" if stopped else "error", markup=False)
            if stopped:
                self.app.call_from_thread(self.app.forget_assistant)
                self.app.call_from_thread(self.refresh_status)
            return
        self.app.call_from_thread(panel.finish, summary)
        self.app.call_from_thread(self.app.forget_assistant)
        self.app.call_from_thread(self.refresh_status)

    @on(IngestPanel.Progressed)
    def _ingest_progress(self, event: IngestPanel.Progressed) -> None:
        self.query_one(IngestPanel).advance(event.progress)
