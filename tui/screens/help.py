"""F1 / ?: every key binding with its id (the name `bilge.toml`'s [keys] table remaps)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label


class HelpScreen(ModalScreen[None]):
    AUTO_FOCUS = "#help-table"
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Kapat", id="help.close")]

    def __init__(self, bindings: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = bindings

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Label("Bilge — tuşlar", classes="panel-title")
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)
            yield Label("Tuşları bilge.toml'un [keys] tablosunda değiştirin: \"app.help\" = \"f1\"",
                        classes="hint", markup=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("tuş", "ne yapar", "kimlik")
        for row in self.rows:
            table.add_row(*row)
