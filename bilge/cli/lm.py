"""Language-model commands: `bilge train vocab | lm | grow`, `bilge eval lm` and `bilge generate`.

Both objectives share one track (`training/lm.py`): masked (continued pretraining of the base,
or a new encoder) and causal (a decoder, `training/causal.py`). Growth (`training/grow.py`)
doubles a trained model of either kind and training continues it.
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
    """These commands join the `train` and `eval` groups; `generate` is the root's."""
    train_app.command("vocab")(vocab)
    train_app.command("lm")(lm)
    train_app.command("mlm", hidden=True)(lm)  # its name before the causal objective joined
    train_app.command("grow")(grow_command)
    eval_app.command("lm")(eval_lm)
    app.command("generate")(generate_command)


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
    from training.lm import split_texts
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
def lm(
    corpus: CorpusOption,
    objective: Annotated[str, typer.Option(
        help="masked: an encoder (the base of the retrievers); causal: a decoder that writes text.")] = "masked",
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("models/mlm"),
    base_dir: Annotated[Path, typer.Option(
        "--base", help="Model to continue: the base (masked) or a grown decoder (causal).")] = Path("models/base"),
    from_scratch: Annotated[bool, typer.Option("--from-scratch", help="A new model instead of --base.")] = False,
    size: Annotated[str, typer.Option(help=f"From scratch: {SIZE_NAMES}.")] = "tiny",
    vocab_dir: Annotated[Path, typer.Option("--vocab", help="From scratch: tokenizer folder.")] = Path("models/vocab"),
    max_steps: Annotated[int, typer.Option(help="Training steps at most.")] = 2000,
    batch_size: Annotated[int, typer.Option(help="Blocks per batch.")] = 32,
    learning_rate: Annotated[float, typer.Option("--learning-rate")] = 5e-4,
    eval_steps: Annotated[int, typer.Option(help="Validate (and checkpoint) every N steps.")] = 200,
    patience: Annotated[int, typer.Option(help="Validations without improvement before stopping.")] = 4,
    max_length: Annotated[int, typer.Option(help="Tokens per block.")] = 128,
    seed: Annotated[int, typer.Option(help="Seed of the new weights and of the data order.")] = 13,
    predict: PredictOption = None,
    json_output: JsonOption = False,
) -> None:
    """Language-model pretraining: masked (continue the base on your text, or a new encoder) or causal (a decoder).

    Örnek: bilge train lm --corpus ~/Belgeler --base models/base -o models/mlm
    --predict "Ankara Türkiye'nin [MASK] şehridir."

    Örnek: bilge train lm --objective causal --corpus ../shared/data/raw-turkish --from-scratch
    --size small --vocab models/vocab -o models/lm-small
    """
    from transformers import AutoTokenizer

    from bilge.errors import InputError
    from training.corpus import corpus_texts
    from training.lm import LmRecipe, train_lm
    from training.sizes import SIZES

    if from_scratch and size not in SIZES:
        raise InputError(f"unknown size '{size}'; choose {SIZE_NAMES}")
    if predict and objective == "causal":
        raise InputError("--predict fills a [MASK]; for a causal model use `bilge generate`")
    source = vocab_dir if from_scratch else base_dir
    if not (source / "tokenizer_config.json").is_file():
        hint = "run `bilge train vocab` first" if from_scratch else "run `make models` or pass --base"
        raise InputError(f"{source}: no tokenizer here; {hint}")
    recipe = LmRecipe(output=output, base=source, objective=objective, max_steps=max_steps, batch_size=batch_size,
                      learning_rate=learning_rate, eval_steps=eval_steps, patience=patience, max_length=max_length,
                      seed=seed)
    tokenizer = AutoTokenizer.from_pretrained(str(source))
    model, title = _starting_model(recipe, tokenizer, size if from_scratch else None)
    with trainer_output_to_stderr():
        result = train_lm(recipe, model, tokenizer, corpus_texts(corpus), _command(), title)
    result.pop("log")
    if predict:
        result["fills"] = _show_fills(output, predict, json_output)
    if json_output:
        print_json(result)
    else:
        typer.echo(f"{output}: validation {result['metrics']}")


def _starting_model(recipe, tokenizer, size: str | None):
    """(model, card title): a new model of `size`, or the recipe's base for its objective."""
    import torch
    from transformers import AutoModelForCausalLM, AutoModelForMaskedLM, BertForMaskedLM, LlamaForCausalLM

    from bilge.errors import InputError
    from training.common import encoder_dir
    from training.sizes import bert_config, decoder_config, is_decoder

    causal = recipe.objective == "causal"
    kind = "causal decoder" if causal else "MLM encoder"
    if size is not None:
        torch.manual_seed(recipe.seed)
        positions = max(512, recipe.max_length)
        model = (LlamaForCausalLM(decoder_config(size, tokenizer, positions)) if causal
                 else BertForMaskedLM(bert_config(size, len(tokenizer), positions)))
        return model, f"Bilge Turkish {kind}, {size}, from scratch"
    folder = encoder_dir(recipe.base)
    decoder = is_decoder(folder)
    if decoder != causal:
        raise InputError(f"{recipe.base} is a {'causal decoder' if decoder else 'masked encoder'}; pass "
                         f"--objective {'causal' if decoder else 'masked'} or another --base")
    loader = AutoModelForCausalLM if causal else AutoModelForMaskedLM
    model = loader.from_pretrained(str(folder), local_files_only=True)
    return model, f"Bilge continued {kind} pretraining of {recipe.base.name}"


@friendly
def grow_command(
    source: Annotated[Path, typer.Option("--from", help="A trained model (masked or causal), e.g. of size tiny.")],
    target: Annotated[str, typer.Option("--to", help="mini | small")],
    output: Annotated[Path, typer.Option("--output", "-o")] = Path("models/grown"),
    noise: Annotated[float, typer.Option(
        help="Causal only: noise on the twins' weights (a share of their std) to break symmetry; 0 is exact.")] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed of the twins' random shares (and noise).")] = 0,
    json_output: JsonOption = False,
) -> None:
    """Grow a trained model to a larger size, preserving its function (Net2Net doubling of width and depth).

    Continue training it with `bilge train lm --base OUTPUT` (and its --objective).

    Örnek: bilge train grow --from models/mlm-tiny --to mini -o models/mlm-mini
    """
    from transformers import AutoModelForCausalLM, AutoModelForMaskedLM, AutoTokenizer

    from bilge.errors import InputError
    from training.grow import grow
    from training.sizes import SIZES, is_decoder

    if target not in SIZES:
        raise InputError(f"unknown size '{target}'; choose {SIZE_NAMES}")
    if not (source / "config.json").is_file():
        raise InputError(f"{source}: no model here; pass a folder written by `bilge train lm`")
    causal = is_decoder(source)
    if noise and not causal:
        raise InputError("--noise applies to causal decoders; an encoder grows exactly")
    loader = AutoModelForCausalLM if causal else AutoModelForMaskedLM
    try:
        grown = grow(loader.from_pretrained(str(source), local_files_only=True), target, seed=seed, noise=noise)
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
    checkpoint: Annotated[Path, typer.Option("--checkpoint", help="A model folder written by `bilge train lm`.")],
    corpus: CorpusOption,
    predict: PredictOption = None,
    max_length: Annotated[int, typer.Option(help="Tokens per block.")] = 128,
    json_output: JsonOption = False,
) -> None:
    """Perplexity and token accuracy on held-out text: masked tokens (fixed masking, seed 13) or next tokens.

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
    kind = "next-token" if metrics["objective"] == "causal" else "masked-token"
    stdout_console().print(f"{checkpoint}: loss {metrics['loss']:.4f} · perplexity {metrics['perplexity']:.2f} · "
                           f"{kind} accuracy {metrics['accuracy']:.4f} ({metrics['blocks']} blocks)")


@friendly
def generate_command(
    checkpoint: Annotated[Path, typer.Option("--checkpoint", help="A model of `bilge train lm --objective causal`.")],
    prompt: Annotated[str, typer.Option("--prompt", "-p", help="The text to continue.")],
    max_new_tokens: Annotated[int, typer.Option(help="Tokens to write at most.")] = 40,
    temperature: Annotated[float, typer.Option(help="0 is greedy; higher samples more freely.")] = 0.8,
    top_k: Annotated[int, typer.Option(help="Sample among the k likeliest tokens (0: all).")] = 50,
    top_p: Annotated[float, typer.Option(help="Nucleus: the likeliest tokens holding this much probability.")] = 0.95,
    seed: Annotated[int, typer.Option(help="The same seed writes the same text.")] = 13,
    json_output: JsonOption = False,
) -> None:
    """Continue a prompt with a causal language model.

    Örnek: bilge generate --checkpoint models/lm-small --prompt "Türkiye'nin başkenti" --seed 1
    """
    from training.causal import generate

    text = generate(checkpoint, prompt, max_new_tokens=max_new_tokens, temperature=temperature, top_k=top_k,
                    top_p=top_p, seed=seed)
    print_json({"prompt": prompt, "text": text, "seed": seed}) if json_output else typer.echo(text)
