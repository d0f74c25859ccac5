"""A one-line question in a modal (rename a conversation, the folder to add)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class TextPrompt(ModalScreen[str | None]):
    AUTO_FOCUS = "#prompt-input"
    BINDINGS = [Binding("escape", "cancel", "Vazgeç", id="prompt.cancel")]

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text, self.value, self.placeholder = title, value, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="panel-title", markup=False)
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")
            yield Label("Enter: tamam · Esc: vazgeç", classes="hint")

    @on(Input.Submitted, "#prompt-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
