"""`bilge eval retrieval | answers`: retrieval metrics per mode and answer quality on a SQuAD file."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Callable, Iterator

import typer

from bilge.cli.common import JsonOption, friendly, print_json, state, stderr_console, stdout_console

eval_app = typer.Typer(help="Measure retrieval and answers on SQuAD-format files.", no_args_is_help=True)
SquadOption = Annotated[Path, typer.Option("--squad", help="SQuAD v1.1 JSON file.", dir_okay=False)]
ParagraphsOption = Annotated[bool, typer.Option(
    "--paragraphs", help="Each paragraph is one passage (MTEB-style) instead of chunked articles.")]


def register(app: typer.Typer) -> None:
    app.add_typer(eval_app, name="eval")


@contextmanager
def stage_progress(console) -> Iterator[Callable[[str, int, int], None]]:
    """A bar per stage ("index", each mode, "answers"); yields the (stage, done, total) callback."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        tasks: dict[str, int] = {}

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

        yield on_progress


@contextmanager
def json_lines(path: Path | None) -> Iterator[Callable[[dict], None] | None]:
    """A writer of one JSON object per line to `path` (None: nothing written)."""
    if path is None:
        yield None
        return
    import json

    from bilge.errors import InputError

    try:
        handle = path.open("w", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"--details {path}: cannot write there ({exc.strerror}); choose another file") from None
    with handle:
        yield lambda record: handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def eval_set(cfg, squad: Path, paragraphs: bool):
    from retrievers.evaluation import documents_set, paragraphs_set
    from retrievers.squad import load_squad

    articles = load_squad(squad)
    return paragraphs_set(articles) if paragraphs else documents_set(
        articles, cfg.ingest.chunk_size, cfg.ingest.chunk_overlap)


@eval_app.command("retrieval")
@friendly
def retrieval(
    ctx: typer.Context,
    squad: SquadOption,
    mode: Annotated[str, typer.Option("--mode", help="all | bm25 | dense | hybrid | rerank")] = "all",
    paragraphs: ParagraphsOption = False,
    json_output: JsonOption = False,
) -> None:
    """Recall@1/5/10, MRR@10, nDCG@10 and latency per mode, in a temporary store.

    Örnek: bilge eval retrieval --squad ../shared/data/tquad/dev.json --paragraphs
    """
    from rich.table import Table

    from bilge.errors import InputError
    from retrievers.embeddings import load_embedder
    from retrievers.evaluation import evaluate_retrieval
    from retrievers.rerank import load_reranker
    from retrievers.search import MODES

    cfg = state(ctx).config
    modes = list(MODES) if mode == "all" else [mode]
    if any(m not in MODES for m in modes):
        raise InputError(f"unknown mode '{mode}'; choose all or one of {', '.join(MODES)}")
    evalset = eval_set(cfg, squad, paragraphs)
    console = stderr_console()
    if evalset.uncovered:
        console.print(f"{evalset.uncovered} questions skipped: their answer is cut by a chunk boundary")
    reranker = load_reranker(cfg) if "rerank" in modes else None
    with stage_progress(console) as on_progress:
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


@eval_app.command("answers")
@friendly
def answers(
    ctx: typer.Context,
    squad: SquadOption,
    paragraphs: ParagraphsOption = False,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Ask only the first N questions.")] = None,
    sample: Annotated[int | None, typer.Option(
        "--sample", min=1, help="Ask N questions drawn from the whole file (seeded), not its first N.")] = None,
    details: Annotated[Path | None, typer.Option(
        "--details", dir_okay=False, help="Write one JSON line per question (answer, scores, each stage).")] = None,
    json_output: JsonOption = False,
) -> None:
    """Exact match, token F1, share answered and selective accuracy of the assistant's answers, and
    each stage alone: sentence choice given the gold passage, the answer given the gold sentence.

    Örnek: bilge eval answers --squad ../shared/data/tquad/dev.json --paragraphs --sample 300
    """
    from assistant.evaluation import evaluate_answers
    from bilge.errors import InputError
    from retrievers.embeddings import load_embedder
    from retrievers.rerank import load_reranker

    if limit and sample:
        raise InputError(f"--limit {limit} and --sample {sample} both choose the questions; give one of them")
    cfg = state(ctx).config
    evalset = eval_set(cfg, squad, paragraphs)
    with stage_progress(stderr_console()) as on_progress, json_lines(details) as write_detail:
        metrics = evaluate_answers(cfg, evalset, embedder=load_embedder(cfg), reranker=load_reranker(cfg),
                                   limit=limit, sample=sample, details=write_detail, progress=on_progress)
    print_metrics(f"{squad.name}: answers ({cfg.answer.backend}, {int(metrics['questions'])} questions)", metrics,
                  json_output)


@eval_app.command("abstention")
@friendly
def abstention(
    ctx: typer.Context,
    squad: SquadOption,
    paragraphs: ParagraphsOption = False,
    limit: Annotated[int | None, typer.Option(
        "--limit", min=1, help="Ask at most N questions of each kind per half.")] = None,
    details: Annotated[Path | None, typer.Option(
        "--details", dir_okay=False, help="Write one JSON line per question (kind, abstained, scores).")] = None,
    json_output: JsonOption = False,
) -> None:
    """Abstention on questions the documents cannot answer, made from real ones: each half of the
    articles indexed alone and asked its own questions, the other half's, and its own with the
    entity or the attribute swapped.

    Örnek: bilge eval abstention --squad ../shared/data/tquad/dev.json --limit 100
    """
    from assistant.abstention import evaluate_abstention
    from retrievers.embeddings import load_embedder
    from retrievers.rerank import load_reranker
    from retrievers.squad import load_squad

    cfg = state(ctx).config
    articles = load_squad(squad)
    with stage_progress(stderr_console()) as on_progress, json_lines(details) as write_detail:
        metrics = evaluate_abstention(cfg, articles, embedder=load_embedder(cfg), reranker=load_reranker(cfg),
                                      paragraphs=paragraphs, limit=limit, details=write_detail, progress=on_progress)
    print_metrics(f"{squad.name}: abstention ({cfg.answer.backend})", metrics, json_output)


def print_metrics(title: str, metrics: dict[str, float], json_output: bool) -> None:
    """One JSON object with --json, else a two-column table (counts and latencies without decimals)."""
    from rich.table import Table

    if json_output:
        print_json(metrics)
        return
    table = Table(title=title)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in metrics.items():
        table.add_row(name, f"{value:.1f}" if "latency" in name or name == "questions" else f"{value:.3f}")
    stdout_console().print(table)
