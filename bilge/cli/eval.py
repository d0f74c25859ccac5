"""`bilge eval retrieval`: retrieval metrics per mode on a SQuAD file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bilge.cli.common import JsonOption, friendly, print_json, state, stderr_console, stdout_console

eval_app = typer.Typer(help="Measure retrieval (and, later, answers) on SQuAD-format files.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(eval_app, name="eval")


@eval_app.command("retrieval")
@friendly
def retrieval(
    ctx: typer.Context,
    squad: Annotated[Path, typer.Option("--squad", help="SQuAD v1.1 JSON file.", dir_okay=False)],
    mode: Annotated[str, typer.Option("--mode", help="all | bm25 | dense | hybrid | rerank")] = "all",
    paragraphs: Annotated[bool, typer.Option(
        "--paragraphs", help="Each paragraph is one passage (MTEB-style) instead of chunked articles.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Recall@1/5/10, MRR@10, nDCG@10 and latency per mode, in a temporary store.

    Örnek: bilge eval retrieval --squad ../shared/data/tquad/dev.json --paragraphs
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from bilge.errors import InputError
    from retrievers.embeddings import load_embedder
    from retrievers.evaluation import documents_set, evaluate_retrieval, paragraphs_set
    from retrievers.rerank import load_reranker
    from retrievers.search import MODES
    from retrievers.squad import load_squad

    cfg = state(ctx).config
    modes = list(MODES) if mode == "all" else [mode]
    if any(m not in MODES for m in modes):
        raise InputError(f"unknown mode '{mode}'; choose all or one of {', '.join(MODES)}")
    articles = load_squad(squad)
    evalset = paragraphs_set(articles) if paragraphs else documents_set(
        articles, cfg.ingest.chunk_size, cfg.ingest.chunk_overlap)
    console = stderr_console()
    if evalset.uncovered:
        console.print(f"{evalset.uncovered} questions skipped: their answer is cut by a chunk boundary")
    reranker = load_reranker(cfg) if "rerank" in modes else None
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        tasks: dict[str, int] = {}

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

        results = evaluate_retrieval(cfg, evalset, modes, embedder=load_embedder(cfg), reranker=reranker,
                                     progress=on_progress)
    if json_output:
        print_json(results)
        return
    protocol = "paragraphs" if paragraphs else "documents"
    table = Table(title=f"{squad.name} ({protocol}, {len(evalset.qrels)} questions)")
    columns = ["recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10", "latency_ms_p50", "latency_ms_p95"]
    table.add_column("mode")
    for column in columns:
        table.add_column(column, justify="right")
    for name, metrics in results.items():
        table.add_row(name, *(f"{metrics[c]:.3f}" if "latency" not in c else f"{metrics[c]:.1f}" for c in columns))
    stdout_console().print(table)
