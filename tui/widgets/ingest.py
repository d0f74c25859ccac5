"""Ingestion progress under the chat: files and chunks done, failures with their reasons.

Ingestion runs in a worker thread; progress messages replace each other (`can_replace`), so a
fast ingest cannot flood the message queue while the chat stays usable."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, ProgressBar, Static

from assistant.library import IngestProgress, IngestSummary


class IngestPanel(Vertical):
    class Progressed(Message):
        def __init__(self, progress: IngestProgress) -> None:
            super().__init__()
            self.progress = progress

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, IngestPanel.Progressed) and not message.progress.failed

    def compose(self) -> ComposeResult:
        yield Label("", id="ingest-title", markup=False)
        yield ProgressBar(id="ingest-bar", show_eta=False)
        yield Static("", id="ingest-failures", markup=False)

    def start(self, folder: Path, collection: str) -> None:
        self.failures: list[str] = []
        self.display = True
        self.query_one("#ingest-title", Label).update(f"Ekleniyor: {folder} → {collection}")
        self.query_one(ProgressBar).update(total=None, progress=0)
        self.query_one("#ingest-failures", Static).update("")

    def advance(self, progress: IngestProgress) -> None:
        self.query_one(ProgressBar).update(total=max(progress.files_total, 1), progress=progress.files_done)
        if progress.failed:
            self.failures.append(f"✗ {Path(progress.path).name}: {progress.failed}")
            self.query_one("#ingest-failures", Static).update("\n".join(self.failures))

    def finish(self, summary: IngestSummary) -> None:
        self.query_one(ProgressBar).update(total=1, progress=1)
        done = (f"{summary.collection}: {summary.added} eklendi, {summary.updated} güncellendi, "
                f"{summary.unchanged} aynı, {len(summary.failed)} başarısız; {summary.chunks} parça")
        self.query_one("#ingest-title", Label).update(done)
        self.failures = [f"✗ {Path(path).name}: {reason}" for path, reason in summary.failed]
        self.query_one("#ingest-failures", Static).update("\n".join(self.failures))
