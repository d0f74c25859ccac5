"""The conversation list: every stored conversation, newest first; Enter reopens one."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, ListItem, ListView

from tui.history import ConversationRow


class ConversationList(Vertical):
    @dataclass
    class Opened(Message):
        conversation: ConversationRow

    def compose(self) -> ComposeResult:
        yield Label("Sohbetler", classes="panel-title")
        yield ListView(id="conversation-list")

    def show(self, rows: list[ConversationRow], current: int | None) -> None:
        self.rows = list(rows)
        listing = self.query_one(ListView)
        listing.clear()
        listing.extend(ListItem(Label(row.title, markup=False)) for row in self.rows)
        positions = [i for i, row in enumerate(self.rows) if row.id == current]
        if positions:
            listing.index = positions[0]

    @on(ListView.Selected, "#conversation-list")
    def _selected(self, event: ListView.Selected) -> None:
        index = event.list_view.index
        if index is not None and index < len(self.rows):
            self.post_message(self.Opened(self.rows[index]))
