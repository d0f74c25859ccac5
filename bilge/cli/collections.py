"""`bilge collections`: what the store holds."""

from __future__ import annotations

import typer

from bilge.cli.common import JsonOption, friendly, print_json, state


def register(app: typer.Typer) -> None:
    app.command("collections")(collections)


@friendly
def collections(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """List collections with their file and chunk counts.

    Örnek: bilge collections --json
    """
    from retrievers.catalog import list_collections

    rows = list_collections(state(ctx).config)
    if json_output:
        print_json([row.__dict__ for row in rows])
        return
    if not rows:
        typer.echo("No collections yet: run `bilge ingest DIR` first.")
    for row in rows:
        typer.echo(f"{row.name}\t{row.files} files\t{row.chunks} chunks")
