"""`bilge chat`: the conversation. Until the Textual app lands, a line-by-line loop over search."""

from __future__ import annotations

import typer

from bilge.cli.common import CollectionOption, friendly, state, stderr_console


def register(app: typer.Typer) -> None:
    app.command("chat")(chat)


@friendly
def chat(ctx: typer.Context, collection: CollectionOption = None) -> None:
    """Ask questions about a collection; each answer shows the best passages with their sources.

    Örnek: bilge chat --collection ilac-ornek
    """
    from retrievers.search import Searcher

    cfg = state(ctx).config
    name = collection or cfg.store.collection
    searcher = Searcher(cfg, name)
    console = stderr_console()
    console.print(f"Bilge — collection '{name}'. Type a question; empty line or Ctrl-D to quit.")
    while True:
        try:
            question = input("soru> ").strip()
        except EOFError:
            break
        if not question:
            break
        for rank, hit in enumerate(searcher.search(question), start=1):
            meta = hit.metadata
            where = ", ".join(str(p) for p in (meta.get("file_name"), meta.get("page") and f"s. {meta['page']}",
                                               meta.get("section")) if p)
            typer.echo(f"[{rank}] {where}\n    {hit.text}\n")
