"""Switch collection (Enter), start a new one (ctrl+n), or add a folder to the current one (ctrl+o).

A new collection's name is checked against the one naming rule (`bilge.names`) as it is typed
in, so a bad name is a one-line notice and the list stays open; the collection itself comes
into being when a folder is added to it."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, ListItem, ListView

from assistant.library import CollectionSummary
from bilge.names import collection_name_problem
from tui.screens.prompt import TextPrompt


class CollectionsScreen(ModalScreen[str | None]):
    AUTO_FOCUS = "#collections-list"
    BINDINGS = [Binding("escape", "dismiss(None)", "Kapat", id="collections.close"),
                Binding("ctrl+n", "new", "Yeni koleksiyon", id="collections.new")]

    def __init__(self, collections: list[CollectionSummary], current: str) -> None:
        super().__init__()
        self.collections, self.current = collections, current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Koleksiyonlar", classes="panel-title")
            yield ListView(*(ListItem(Label(self._line(c), markup=False)) for c in self.collections),
                           id="collections-list")
            yield Label("Enter: geç · ctrl+n: yeni · ctrl+o: klasör ekle · Esc: kapat", classes="hint")

    def _line(self, collection: CollectionSummary) -> str:
        mark = "●" if collection.name == self.current else " "
        line = f"{mark} {collection.name} — {collection.files} belge, {collection.chunks} parça"
        return f"{line} · {collection.problem}" if collection.problem else line

    @on(ListView.Selected, "#collections-list")
    def _selected(self, event: ListView.Selected) -> None:
        index = event.list_view.index
        if index is not None:
            self.dismiss(self.collections[index].name)

    @work(group="new-collection", exit_on_error=False)
    async def action_new(self) -> None:
        name = await self.app.push_screen_wait(TextPrompt("Yeni koleksiyonun adı", placeholder="ör. ilac-2026"))
        if not name:
            return
        problem = collection_name_problem(name)
        if problem:
            self.notify(problem, severity="error", markup=False)
            return
        self.dismiss(name)
