"""The sources panel: the passages the selected answer cites, with file, page, section and
every stage's score; Enter on one opens it in context."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, ListItem, ListView, Static

from assistant.events import Citation

SCORE_NAMES = {"rerank": "ce", "fused": "fused", "dense": "cos", "bm25": "bm25"}


def describe(citation: Citation) -> str:
    scores = "  ".join(f"{SCORE_NAMES.get(k, k)} {v:.2f}" for k, v in citation.scores.items())
    snippet = citation.text if len(citation.text) <= 160 else citation.text[:157] + "…"
    return f"{citation.label}\n{scores}\n{snippet}"


class SourcesPanel(Vertical):
    @dataclass
    class CitationSelected(Message):
        citation: Citation

    def compose(self) -> ComposeResult:
        yield Label("Kaynaklar", classes="panel-title")
        yield ListView(id="sources-list")

    def show(self, citations: list[Citation]) -> None:
        self.citations = list(citations)
        listing = self.query_one(ListView)
        listing.clear()
        listing.extend(ListItem(Static(describe(c), markup=False)) for c in self.citations)

    @on(ListView.Selected, "#sources-list")
    def _selected(self, event: ListView.Selected) -> None:
        index = event.list_view.index
        if index is not None and index < len(self.citations):
            self.post_message(self.CitationSelected(self.citations[index]))
