"""`bilge chat`: the Textual chat app over a collection."""

from __future__ import annotations

import typer

from bilge.cli.common import CollectionOption, chosen_collection, friendly, state


def register(app: typer.Typer) -> None:
    app.command("chat")(chat)


@friendly
def chat(ctx: typer.Context, collection: CollectionOption = None) -> None:
    """Chat with a collection's documents: answers with citations, sources, history.

    Örnek: bilge chat --collection ilac-ornek
    """
    from tui.app import run

    run(state(ctx).config, chosen_collection(ctx, collection))
