"""`bilge ask "soru"`: one answer from the command line, streamed as it is written."""

from __future__ import annotations

import sys
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
    app.command("ask")(ask)


@friendly
def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="The question, in Turkish or any language of the documents.")],
    collection: CollectionOption = None,
    json_output: JsonOption = False,
) -> None:
    """Answer a question from a collection's documents, with citations (or say it is not there).

    Örnek: bilge ask "Parasetamol günde en fazla kaç tablet alınır?"
    """
    from assistant.events import AnswerChunk, Done, Failed, Searching
    from assistant.service import Assistant
    from bilge.errors import BackendError

    cfg = state(ctx).config
    console = stderr_console()
    for event in Assistant(cfg, chosen_collection(ctx, collection)).events(question):
        if isinstance(event, Failed):
            raise BackendError(event.message)
        if isinstance(event, Searching) and not json_output:
            console.print(f"[dim]aranıyor: {event.query}[/dim]")
        elif isinstance(event, AnswerChunk) and not json_output:
            sys.stdout.write(event.text)
            sys.stdout.flush()
        elif isinstance(event, Done):
            if json_output:
                print_json(event.result.record())
            elif event.result.citations and not event.result.abstained:
                typer.echo("Kaynaklar:")
                for citation in event.result.citations:
                    typer.echo(f"  {citation.label}")
