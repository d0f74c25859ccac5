"""`bilge collections`: what the store holds; `bilge collections repair NAME`: rebuild a
collection's own files (BM25 index, manifest) from the store, or re-ingest it."""

from __future__ import annotations

from typing import Annotated

import typer

from bilge.cli.common import JsonOption, friendly, print_json, state, stderr_console

collections_app = typer.Typer(help="List collections; repair one.", rich_markup_mode=None)


def register(app: typer.Typer) -> None:
    app.add_typer(collections_app, name="collections")


@collections_app.callback(invoke_without_command=True)
@friendly
def collections(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """List collections with their file and chunk counts (and any that needs repair).

    Örnek: bilge collections --json
    """
    if ctx.invoked_subcommand is not None:
        return
    from retrievers.catalog import list_collections

    rows = list_collections(state(ctx).config)
    if json_output:
        print_json([row.__dict__ for row in rows])
        return
    if not rows:
        typer.echo("No collections yet: run `bilge ingest DIR` first.")
    for row in rows:
        typer.echo(f"{row.name}\t{row.files} files\t{row.chunks} chunks" + (f"\t{row.problem}" if row.problem else ""))


@collections_app.command("repair")
@friendly
def repair(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The collection to repair.")],
    rebuild: Annotated[bool, typer.Option(
        "--rebuild", help="Re-read and re-embed every file of the collection (all must still be on disk).")] = False,
    json_output: JsonOption = False,
) -> None:
    """Rebuild a collection's BM25 index, and its manifest when damaged, from the store (other
    collections untouched); --rebuild re-ingests its files.

    Örnek: bilge collections repair ilac-ornek
    """
    from bilge.names import check_collection_name
    from retrievers.embeddings import load_embedder
    from retrievers.repair import repair_collection
    from retrievers.store import ChunkStore

    cfg = state(ctx).config
    check_collection_name(name)
    store = ChunkStore(cfg)
    store.sources(name)  # an unknown collection is refused before the embedder loads
    with stderr_console().status(f"repairing {name} …"):
        report = repair_collection(cfg, name, store, load_embedder(cfg), rebuild=rebuild)
    if json_output:
        print_json({**report.__dict__, "reingested": report.reingested.as_dict() if report.reingested else None})
        return
    done = ["BM25 index rebuilt"] + (["manifest rebuilt"] if report.manifest_rebuilt else [])
    if report.reingested:
        done = [f"{report.reingested.added} files re-ingested, {report.reingested.chunks} chunks"]
    typer.echo(f"{name}: {', '.join(done)}; {report.files} files, {report.chunks} chunks before")
    if report.missing_files:
        typer.echo(f"{len(report.missing_files)} file(s) no longer on disk, their passages kept: "
                   + ", ".join(report.missing_files[:3]), err=True)
