"""`bilge data …`: check, fix, convert, split and inspect QA datasets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bilge.cli.common import JsonOption, friendly, print_json, state, stdout_console

data_app = typer.Typer(help="Check, repair, convert, split and inspect SQuAD-format QA data.", no_args_is_help=True)
Files = Annotated[list[Path], typer.Argument(help="SQuAD JSON files.", dir_okay=False)]
Output = Annotated[Path, typer.Option("-o", "--output", help="Where to write.")]


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")


def _write(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def _side(path: Path, suffix: str) -> Path:
    return path.with_name(path.stem + suffix)


@data_app.command("check")
@friendly
def check(files: Files, json_output: JsonOption = False) -> None:
    """Count schema errors, empty fields, duplicates and answers whose offset is wrong.

    Örnek: bilge data check ../shared/data/tquad/enelpi_*.json --json
    """
    from training.datasets.check import as_json, check_files, counts

    problems = check_files(files)
    if json_output:
        print_json(as_json(problems))
    else:
        for kind, count in counts(problems).items():
            typer.echo(f"{kind:20} {count}")
    if any(p.kind == "schema" for p in problems):
        raise typer.Exit(1)


@data_app.command("fix")
@friendly
def fix(files: Files, output: Output, json_output: JsonOption = False) -> None:
    """Repair offsets, text and duplicates; drop what cannot be repaired; write a report beside OUT.

    Örnek: bilge data fix enelpi_*.json -o temiz.json
    """
    from training.datasets.fix import fix_files

    fixed, report = fix_files(files)
    _write(output, fixed)
    _write(_side(output, ".report.json"), report.as_dict())
    summary = report.as_dict()["counts"]
    if json_output:
        print_json({**summary, "output": str(output), "report": str(_side(output, ".report.json"))})
    else:
        typer.echo(f"{output}: {summary['changes']} changes, {summary['drops']} dropped "
                   f"{summary['drops_by_reason']}; every change and drop is in {_side(output, '.report.json')}")


@data_app.command("convert")
@friendly
def convert(
    source: Annotated[Path, typer.Argument(help="Rows file, contexts file or documents folder.")],
    output: Output,
    from_format: Annotated[str, typer.Option("--from", help="jsonl | csv | textpair | folder")],
    questions: Annotated[Path | None, typer.Option(help="Questions file (textpair, folder).")] = None,
    min_confidence: Annotated[float, typer.Option(help="Alignments below this go to review.")] = 0.35,
    json_output: JsonOption = False,
) -> None:
    """Convert rows, numbered text files or a document folder to SQuAD; unsure alignments go to review.

    Örnek: bilge data convert paragraflar.txt --questions sorular.tsv --from textpair -o cikti.json
    """
    from bilge.errors import InputError
    from retrievers.squad import dump_squad
    from training.datasets import convert as conv

    if from_format not in conv.FORMATS:
        raise InputError(f"unknown format '{from_format}'; choose one of {', '.join(conv.FORMATS)}")
    if from_format in ("textpair", "folder") and questions is None:
        raise InputError(f"--from {from_format} needs --questions FILE")
    if from_format in ("jsonl", "csv"):
        result = conv.from_rows(source, from_format)
    elif from_format == "textpair":
        result = conv.from_textpair(source, questions, min_confidence)
    else:
        result = conv.from_folder(source, questions, min_confidence)
    output.parent.mkdir(parents=True, exist_ok=True)
    dump_squad(result.articles, output)
    review = _side(output, ".review.json")
    _write(review, result.review)
    summary = {"output": str(output), "questions": result.questions, "to_review": len(result.review),
               "review": str(review), "notes": result.notes}
    if json_output:
        print_json(summary)
        return
    for note in result.notes:
        typer.echo(f"note: {note}", err=True)
    typer.echo(f"{output}: {result.questions} questions; {len(result.review)} need a person's review ({review})")


@data_app.command("split")
@friendly
def split(
    files: Files,
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for train.json and dev.json.")],
    dev_fraction: Annotated[float, typer.Option(help="Share of paragraphs for dev.")] = 0.1,
    exclude: Annotated[list[Path], typer.Option(help="Held-out SQuAD file(s): none of their paragraphs is kept.")] = [],  # noqa: B006
    seed: Annotated[int, typer.Option(help="Seed for the draw of dev articles.")] = 13,
    json_output: JsonOption = False,
) -> None:
    """Split by article (no paragraph on both sides), deduplicated, without held-out paragraphs.

    Örnek: bilge data split enelpi_*train*.json --exclude dev.json --dev-fraction 0.1 -o bolunmus/
    """
    from bilge.errors import InputError
    from retrievers.squad import dump_squad, load_squad
    from training.datasets.split import paragraph_key, split_articles

    held_out = {paragraph_key(p.context) for f in exclude for a in load_squad(f) for p in a.paragraphs}
    try:
        result = split_articles([a for f in files for a in load_squad(f)], dev_fraction, held_out=held_out, seed=seed)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    output.mkdir(parents=True, exist_ok=True)
    dump_squad(result.train, output / "train.json")
    dump_squad(result.dev, output / "dev.json")
    summary = {
        "train_paragraphs": sum(len(a.paragraphs) for a in result.train),
        "dev_paragraphs": sum(len(a.paragraphs) for a in result.dev),
        "excluded_paragraphs": result.excluded_paragraphs, "duplicate_paragraphs": result.duplicate_paragraphs,
    }
    if json_output:
        print_json(summary)
    else:
        typer.echo(", ".join(f"{key} {value}" for key, value in summary.items()))


@data_app.command("inspect")
@friendly
def inspect(
    ctx: typer.Context,
    question: Annotated[str | None, typer.Option(help="The question.")] = None,
    paragraph: Annotated[str | None, typer.Option(help="The answering paragraph: text or a file.")] = None,
    related: Annotated[list[str], typer.Option(help="Related paragraphs (text or file).")] = [],  # noqa: B006
    unrelated: Annotated[list[str], typer.Option(help="Unrelated paragraphs (text or file).")] = [],  # noqa: B006
    squad: Annotated[Path | None, typer.Option(help="Sample questions from this SQuAD file instead.")] = None,
    sample: Annotated[int, typer.Option(help="How many questions to sample with --squad.")] = 20,
    json_output: JsonOption = False,
) -> None:
    """Score one question against its paragraph and distractors with every scorer, sorted.

    Örnek: bilge data inspect --question "Ankara ne zaman başkent oldu?" --paragraph p.txt --unrelated q.txt
    """
    from bilge.errors import InputError, ModelError
    from retrievers.embeddings import load_embedder
    from retrievers.rerank import load_reranker
    from retrievers.squad import load_squad
    from training.datasets.inspect import margins, sample_margins, score_candidates

    cfg = state(ctx).config
    try:
        reranker = load_reranker(cfg)
    except ModelError:
        reranker = None
    embedder = load_embedder(cfg)
    if squad is not None:
        result = sample_margins(load_squad(squad), sample, embedder, reranker)
        if json_output:
            print_json(result)
        else:
            for name, row in result.items():
                typer.echo(f"{name:14} mean margin {row['mean_margin']:+.3f}  wins {row['win_rate']:.0%}"
                           f"  ({row['questions']} questions)")
        return
    if not question or not paragraph:
        raise InputError("give --question and --paragraph, or --squad FILE")

    def text_of(value: str) -> str:
        path = Path(value)
        return path.read_text(encoding="utf-8") if len(value) < 4096 and path.is_file() else value

    candidates = [(text_of(paragraph), "answer")] + [(text_of(r), "related") for r in related] + \
        [(text_of(u), "unrelated") for u in unrelated]
    scored = score_candidates(question, candidates, embedder, reranker)
    result = {"margins": margins(scored) if len(scored) > 1 else {},
              "candidates": [{"role": c.role, "text": c.text, "scores": c.scores} for c in scored]}
    if json_output:
        print_json(result)
        return
    console = stdout_console()
    for name in scored[0].scores:
        console.print(f"[bold]{name}[/bold] (margin {result['margins'].get(name, 0):+.3f})")
        for c in sorted(scored, key=lambda c: c.scores[name], reverse=True):
            console.print(f"  {c.scores[name]:8.3f}  {c.role:9}  {c.text[:80]}", markup=False)
