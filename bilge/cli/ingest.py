"""`bilge ingest DIR`: read a folder of documents into a collection."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bilge.cli.common import (
    CollectionOption,
    JsonOption,
    chosen_collection,
    friendly,
    print_json,
    state,
    stderr_console,
)


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)


@friendly
def ingest(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="Folder (or single file) of PDF, DOCX, HTML, Markdown and TXT files.")],
    collection: CollectionOption = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Drop the collection and build it anew.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Read documents into a collection; only new and changed files are read again.

    Örnek: bilge ingest ~/Belgeler/prospektusler --collection ilac
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from retrievers.embeddings import load_embedder
    from retrievers.ingest import IngestEvent, Ingestor
    from retrievers.store import ChunkStore

    cfg = state(ctx).config
    name = chosen_collection(ctx, collection)
    console = stderr_console()
    embedder = load_embedder(cfg)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[chunks]} chunks"), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task(f"ingest → {name}", total=None, chunks=0)

        def on_progress(event: IngestEvent) -> None:
            bar.update(task, total=event.files_total, completed=event.files_done, chunks=event.chunks_done)
            if event.failed:
                console.print(f"skipped {event.path}: {event.failed}", markup=False)

        report = Ingestor(cfg, name, embedder, ChunkStore(cfg), on_progress).run(folder, rebuild=rebuild)
    if json_output:
        print_json(report.as_dict())
    else:
        for failure in report.failed:
            console.print(f"failed {failure['path']}: {failure['reason']}", markup=False)
        typer.echo(
            f"{name}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.removed} removed, {len(report.failed)} failed; {report.chunks} chunks written"
        )
    if report.nothing_ingested:
        raise typer.Exit(1)
