"""`bilge search "soru"`: the top chunks with every stage's score."""

from __future__ import annotations

from typing import Annotated

import typer

from bilge.cli.common import (
    CollectionOption,
    JsonOption,
    chosen_collection,
    friendly,
    print_json,
    state,
    stdout_console,
)

ModeOption = Annotated[str | None, typer.Option(
    "--mode", "-m", help="bm25 | dense | hybrid | rerank (default: retrieval.mode).")]


def register(app: typer.Typer) -> None:
    app.command("search")(search)


def hit_record(hit) -> dict:
    meta = hit.metadata
    return {"chunk_id": hit.chunk_id, "source": meta.get("source"), "page": meta.get("page"),
            "section": meta.get("section", ""), "start": meta.get("start"), "end": meta.get("end"),
            "text": hit.text, "scores": hit.scores}


@friendly
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="What to look for, in any words.")],
    k: Annotated[int | None, typer.Option("-k", min=1, max=200, help="How many results (default: retrieval.k).")] = None,
    collection: CollectionOption = None,
    mode: ModeOption = None,
    json_output: JsonOption = False,
) -> None:
    """Search a collection and show why each passage ranks where it does.

    Örnek: bilge search "parasetamol yan etkileri nelerdir" -k 3 --mode hybrid
    """
    from rich.table import Table

    from retrievers.search import Searcher

    cfg = state(ctx).config
    name = chosen_collection(ctx, collection)
    hits = Searcher(cfg, name).search(query, mode, k)
    if json_output:
        print_json({"query": query, "mode": mode or cfg.retrieval.mode, "collection": name,
                    "hits": [hit_record(h) for h in hits]})
        return
    table = Table(show_lines=True, title=f"{name}: {query}")
    for column in ("#", "source", "page", "section", "text", "scores"):
        table.add_column(column, overflow="fold")
    for rank, hit in enumerate(hits, start=1):
        meta = hit.metadata
        scores = "\n".join(f"{stage} {value:.3f}" for stage, value in hit.scores.items())
        snippet = hit.text if len(hit.text) < 240 else hit.text[:237] + "…"
        table.add_row(str(rank), str(meta.get("file_name", "")), str(meta.get("page", "")),
                      str(meta.get("section", "")), snippet, scores)
    stdout_console().print(table)
