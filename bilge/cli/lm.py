"""Language-model commands: `bilge train vocab | mlm | grow` and `bilge eval lm`.

Continued pretraining of the base and from-scratch training share one MLM track
(`training/mlm.py`); growth (`training/grow.py`) doubles a trained model and continues it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bilge.cli.common import JsonOption, friendly, print_json, stdout_console, trainer_output_to_stderr
from bilge.cli.eval import eval_app
from bilge.cli.train import _command, train_app

CorpusOption = Annotated[list[Path], typer.Option(
    "--corpus", help="Text files (.txt lines), SQuAD .json files or document folders; repeat for several.")]
PredictOption = Annotated[str | None, typer.Option(
    "--predict", help="A sentence with [MASK]: print the model's top fills.")]
SIZE_NAMES = "tiny | mini | small"


def register(app: typer.Typer) -> None:
    """These commands join the `train` and `eval` groups."""
    train_app.command("vocab")(vocab)
    train_app.command("mlm")(mlm)
    train_app.command("grow")(grow_command)
    eval_app.command("lm")(eval_lm)


def _show_fills(model_dir: Path, text: str, json_output: bool) -> list[tuple[str, float]]:
    from training.mlm import fill_mask

    fills = fill_mask(model_dir, text)
    if not json_output:
        for token, probability in fills:
            typer.echo(f"{probability:6.3f}  {token}")
    return fills


@friendly
def vocab(
    corpus: CorpusOption,
    size: Annotated[int, typer.Option("--size", min=200, help="Vocabulary size.")] = 16000,
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("models/vocab"),
    compare: Annotated[Path, typer.Option("--compare", help="Tokenizer to compare fertility with.")] = Path("models/base"),
    json_output: JsonOption = False,
) -> None:
    """Train a cased Turkish unigram vocabulary; report fertility (tokens per word) on held-out text.

    Örnek: bilge train vocab --corpus ../shared/data/raw-turkish --corpus ../shared/data/tquad --size 16000
    """
    from training.corpus import corpus_texts
    from training.mlm import split_texts
    from training.vocab import fertility, train_vocabulary

    train, held_out = split_texts(corpus_texts(corpus), 0.05, 13)
    tokenizer = train_vocabulary(train, size, output)
    result = {"output": str(output), "vocab_size": len(tokenizer), "held_out_lines": len(held_out),
              "fertility": fertility(tokenizer, held_out)}
    if (compare / "tokenizer_config.json").is_file():  # models/base exists once `make models` ran
        from transformers import AutoTokenizer

        result["fertility_of_compare"] = fertility(AutoTokenizer.from_pretrained(str(compare)), held_out)
    if json_output:
        print_json(result)
        return
    typer.echo(f"{output}: {len(tokenizer)} pieces; fertility {result['fertility']:.3f} tokens/word"
               + (f" ({compare}: {result['fertility_of_compare']:.3f})" if "fertility_of_compare" in result else ""))


@friendly
def mlm(
    corpus: CorpusOption,
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("models/mlm"),
    base_dir: Annotated[Path, typer.Option("--base", help="Model to continue (continued pretraining).")] = Path("models/base"),
    from_scratch: Annotated[bool, typer.Option("--from-scratch", help="A new encoder instead of --base.")] = False,
    size: Annotated[str, typer.Option(help=f"From scratch: {SIZE_NAMES}.")] = "tiny",
    vocab_dir: Annotated[Path, typer.Option("--vocab", help="From scratch: tokenizer folder.")] = Path("models/vocab"),
    max_steps: Annotated[int, typer.Option(help="Training steps at most.")] = 2000,
    batch_size: Annotated[int, typer.Option(help="Blocks per batch.")] = 32,
    learning_rate: Annotated[float, typer.Option("--learning-rate")] = 5e-4,
    eval_steps: Annotated[int, typer.Option(help="Validate (and checkpoint) every N steps.")] = 200,
    patience: Annotated[int, typer.Option(help="Validations without improvement before stopping.")] = 4,
    max_length: Annotated[int, typer.Option(help="Tokens per block.")] = 128,
    predict: PredictOption = None,
    json_output: JsonOption = False,
) -> None:
    """Masked-language-model pretraining: continue the base on your text, or train from scratch.

    Örnek: bilge train mlm --corpus ~/Belgeler --base models/base -o models/mlm --predict "Ankara Türkiye'nin [MASK] şehridir."
    """
    from transformers import AutoModelForMaskedLM, AutoTokenizer, BertForMaskedLM

    from bilge.errors import InputError
    from training.corpus import corpus_texts
    from training.mlm import MlmRecipe, train_mlm
    from training.sizes import SIZES, bert_config

    if from_scratch and size not in SIZES:
        raise InputError(f"unknown size '{size}'; choose {SIZE_NAMES}")
    source = vocab_dir if from_scratch else base_dir
    if not (source / "tokenizer_config.json").is_file():
        hint = "run `bilge train vocab` first" if from_scratch else "run `make models` or pass --base"
        raise InputError(f"{source}: no tokenizer here; {hint}")
    recipe = MlmRecipe(output=output, base=source, max_steps=max_steps, batch_size=batch_size,
                       learning_rate=learning_rate, eval_steps=eval_steps, patience=patience, max_length=max_length)
    tokenizer = AutoTokenizer.from_pretrained(str(source))
    if from_scratch:
        model = BertForMaskedLM(bert_config(size, len(tokenizer), max(512, max_length)))
        title = f"Bilge Turkish MLM encoder, {size}, from scratch"
    else:
        encoder = base_dir / "encoder" if (base_dir / "encoder").is_dir() else base_dir
        model = AutoModelForMaskedLM.from_pretrained(str(encoder), local_files_only=True)
        title = f"Bilge continued MLM pretraining of {base_dir.name}"
    with trainer_output_to_stderr():
        result = train_mlm(recipe, model, tokenizer, corpus_texts(corpus), _command(), title)
    result.pop("log")
    if predict:
        result["fills"] = _show_fills(output, predict, json_output)
    if json_output:
        print_json(result)
    else:
        typer.echo(f"{output}: validation {result['metrics']}")


@friendly
def grow_command(
    source: Annotated[Path, typer.Option("--from", help="A trained MLM checkpoint (e.g. of size tiny).")],
    target: Annotated[str, typer.Option("--to", help="mini | small")],
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("models/grown"),
    json_output: JsonOption = False,
) -> None:
    """Grow a trained MLM to a larger size, preserving its function (Net2Net doubling of width and depth).

    Continue training it with `bilge train mlm --base OUTPUT`.

    Örnek: bilge train grow --from models/mlm-tiny --to mini -o models/mlm-mini
    """
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    from bilge.errors import InputError
    from training.grow import grow
    from training.sizes import SIZES

    if target not in SIZES:
        raise InputError(f"unknown size '{target}'; choose {SIZE_NAMES}")
    if not (source / "config.json").is_file():
        raise InputError(f"{source}: no model here; pass a folder written by `bilge train mlm`")
    try:
        grown = grow(AutoModelForMaskedLM.from_pretrained(str(source), local_files_only=True), target)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    grown.save_pretrained(str(output))
    AutoTokenizer.from_pretrained(str(source)).save_pretrained(str(output))
    result = {"output": str(output), "layers": grown.config.num_hidden_layers, "hidden": grown.config.hidden_size,
              "parameters": sum(p.numel() for p in grown.parameters())}
    print_json(result) if json_output else typer.echo(
        f"{output}: {result['layers']} layers × {result['hidden']}, {result['parameters']:,} parameters")


@friendly
def eval_lm(
    checkpoint: Annotated[Path, typer.Option("--checkpoint", help="An MLM model folder.")],
    corpus: CorpusOption,
    predict: PredictOption = None,
    max_length: Annotated[int, typer.Option(help="Tokens per block.")] = 128,
    json_output: JsonOption = False,
) -> None:
    """Perplexity and masked-token accuracy of an MLM on held-out text (fixed masking, seed 13).

    Örnek: bilge eval lm --checkpoint models/mlm --corpus ../shared/data/ud-turkish
    """
    from training.corpus import corpus_texts
    from training.lm_eval import evaluate_lm

    metrics = evaluate_lm(checkpoint, corpus_texts(corpus), max_length)
    if predict:
        metrics["fills"] = _show_fills(checkpoint, predict, json_output)
    if json_output:
        print_json(metrics)
        return
    stdout_console().print(f"{checkpoint}: loss {metrics['loss']:.4f} · perplexity {metrics['perplexity']:.2f} · "
                           f"masked-token accuracy {metrics['accuracy']:.4f} ({metrics['blocks']} blocks)")


