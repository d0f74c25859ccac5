"""Switch collection (Enter) or add a folder to the current one (ctrl+o)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, ListItem, ListView

from assistant.library import CollectionSummary


class CollectionsScreen(ModalScreen[str | None]):
    AUTO_FOCUS = "#collections-list"
    BINDINGS = [Binding("escape", "dismiss(None)", "Kapat", id="collections.close")]

    def __init__(self, collections: list[CollectionSummary], current: str) -> None:
        super().__init__()
        self.collections, self.current = collections, current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Koleksiyonlar", classes="panel-title")
            yield ListView(*(ListItem(Label(self._line(c), markup=False)) for c in self.collections),
                           id="collections-list")
            yield Label("Enter: geç · ctrl+o: klasör ekle · Esc: kapat", classes="hint")

    def _line(self, collection: CollectionSummary) -> str:
        mark = "●" if collection.name == self.current else " "
        return f"{mark} {collection.name} — {collection.files} belge, {collection.chunks} parça"

    @on(ListView.Selected, "#collections-list")
    def _selected(self, event: ListView.Selected) -> None:
        index = event.list_view.index
        if index is not None:
            self.dismiss(self.collections[index].name)
