"""A cited passage in its context: the chunks before and after it, the cited one marked."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from assistant.library import PassageView


class PassageScreen(ModalScreen[None]):
    AUTO_FOCUS = "#passage-body"
    BINDINGS = [Binding("escape,enter", "dismiss", "Kapat", id="passage.close")]

    def __init__(self, view: PassageView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        where = ", ".join(p for p in (self.view.file_name, self.view.page and f"s. {self.view.page}",
                                      self.view.section) if p)
        with VerticalScroll(id="passage-body"):
            yield Label(where, classes="panel-title", markup=False)
            for i, text in enumerate(self.view.texts):
                yield Static(text, markup=False, classes="cited" if i == self.view.cited else "context")
