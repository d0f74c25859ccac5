"""The language-model track end to end through the CLI: vocabulary, MLM and causal models from
scratch, growth that keeps the validation loss, continued pretraining of the real base,
`eval lm`, and `generate`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bilge.cli.main import app
from tests.conftest import leaflet_texts


def bilge(*args: str) -> dict:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus") / "metin.txt"
    path.write_text("\n".join(leaflet_texts() * 4), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny_mlm(corpus, tmp_path_factory):
    root = tmp_path_factory.mktemp("lm")
    vocab = bilge("train", "vocab", "--corpus", str(corpus), "--size", "400", "-o", str(root / "vocab"))
    assert vocab["vocab_size"] <= 400 and vocab["fertility"] > 1.0
    result = bilge("train", "lm", "--corpus", str(corpus), "--from-scratch", "--size", "tiny",
                   "--vocab", str(root / "vocab"), "-o", str(root / "tiny"), "--max-steps", "6", "--eval-steps", "3",
                   "--batch-size", "8", "--max-length", "32", "--predict", "Parasetamol bir [MASK] ilacıdır.")
    assert set(result["metrics"]) == {"eval_loss", "eval_perplexity", "eval_accuracy"}
    assert result["metrics"]["eval_loss"] < result["baseline"]["eval_loss"]  # it learned something
    assert len(result["fills"]) == 5
    return root


def test_grown_model_keeps_the_validation_loss_then_trains_on(tiny_mlm, corpus):
    grown = bilge("train", "grow", "--from", str(tiny_mlm / "tiny"), "--to", "mini", "-o", str(tiny_mlm / "mini"))
    assert (grown["layers"], grown["hidden"]) == (4, 256)
    before = bilge("eval", "lm", "--checkpoint", str(tiny_mlm / "tiny"), "--corpus", str(corpus), "--max-length", "32")
    after = bilge("eval", "lm", "--checkpoint", str(tiny_mlm / "mini"), "--corpus", str(corpus), "--max-length", "32")
    assert after["loss"] == pytest.approx(before["loss"], abs=1e-3)
    assert after["accuracy"] == pytest.approx(before["accuracy"], abs=1e-3)
    continued = bilge("train", "lm", "--corpus", str(corpus), "--base", str(tiny_mlm / "mini"),
                      "-o", str(tiny_mlm / "mini-trained"), "--max-steps", "3", "--eval-steps", "3",
                      "--batch-size", "8", "--max-length", "32")
    assert continued["baseline"]["eval_loss"] == pytest.approx(before["loss"], abs=0.05)


def test_continued_pretraining_of_the_real_base(shipped, corpus, tmp_path):
    result = bilge("train", "mlm", "--corpus", str(corpus), "--base", str(shipped / "base"), "-o", str(tmp_path / "m"),
                   "--max-steps", "2", "--eval-steps", "2", "--batch-size", "4", "--max-length", "32",
                   "--predict", "Ankara Türkiye'nin [MASK] şehridir.")
    assert result["metrics"]["eval_perplexity"] > 1.0 and len(result["fills"]) == 5


def test_bad_inputs_are_one_line_errors(tiny_mlm, tmp_path):
    result = CliRunner().invoke(app, ["train", "grow", "--from", str(tiny_mlm / "tiny"), "--to", "huge"])
    assert result.exit_code != 0 and "unknown size 'huge'" in result.output
    result = CliRunner().invoke(app, ["train", "mlm", "--corpus", str(tmp_path / "yok.txt"), "--base",
                                      str(tiny_mlm / "tiny")])
    assert result.exit_code != 0 and "no such file or folder" in result.output
    result = CliRunner().invoke(app, ["eval", "lm", "--checkpoint", str(tiny_mlm / "tiny"), "--corpus",
                                      str(tmp_path), "--predict", "maskesiz cümle"])
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_a_grown_model_is_a_base_for_the_embedder(tiny_mlm, shared_data, tmp_path):
    bilge("train", "grow", "--from", str(tiny_mlm / "tiny"), "--to", "mini", "-o", str(tmp_path / "mini"))
    result = bilge("train", "embedder", "--base", str(tmp_path / "mini"), "-o", str(tmp_path / "emb"),
                   "--max-steps", "2", "--eval-steps", "2", "--batch-size", "8", "--dev-questions", "20",
                   "--data", str(shared_data))
    assert "dev_mrr@10" in result["metrics"]


@pytest.fixture(scope="module")
def tiny_decoder(tiny_mlm, corpus):
    result = bilge("train", "lm", "--objective", "causal", "--corpus", str(corpus), "--from-scratch", "--size", "tiny",
                   "--vocab", str(tiny_mlm / "vocab"), "-o", str(tiny_mlm / "causal"), "--max-steps", "30",
                   "--eval-steps", "10", "--batch-size", "8", "--max-length", "32", "--learning-rate", "3e-3")
    assert set(result["metrics"]) == {"eval_loss", "eval_perplexity", "eval_accuracy"}
    assert result["metrics"]["eval_loss"] < result["baseline"]["eval_loss"] - 1.0  # it learned the leaflets' words
    assert result["metrics"]["eval_accuracy"] > result["baseline"]["eval_accuracy"]
    card = (tiny_mlm / "causal" / "README.md").read_text(encoding="utf-8")
    assert "eval_perplexity" in card and "eval_accuracy" in card and "| objective | causal |" in card
    return tiny_mlm / "causal"


def test_generation_is_deterministic_under_a_seed(tiny_decoder):
    write = lambda seed, *more: bilge("generate", "--checkpoint", str(tiny_decoder), "--prompt", "Parasetamol",  # noqa: E731
                                      "--max-new-tokens", "12", "--seed", str(seed), *more)["text"]
    first, again, other = write(1), write(1), write(2)
    assert first == again and first.startswith("Parasetamol") and len(first) > len("Parasetamol")
    assert other != first
    greedy = write(1, "--temperature", "0")
    assert greedy == write(2, "--temperature", "0")  # greedy ignores the seed


def test_grown_decoder_keeps_the_validation_loss_then_trains_on(tiny_decoder, corpus, tmp_path):
    grown = bilge("train", "grow", "--from", str(tiny_decoder), "--to", "mini", "-o", str(tmp_path / "mini"))
    assert (grown["layers"], grown["hidden"]) == (4, 256)
    evaluate = lambda model: bilge("eval", "lm", "--checkpoint", str(model), "--corpus", str(corpus),  # noqa: E731
                                   "--max-length", "32")
    before, after = evaluate(tiny_decoder), evaluate(tmp_path / "mini")
    assert before["objective"] == after["objective"] == "causal"
    assert after["loss"] == pytest.approx(before["loss"], abs=1e-4)
    assert after["accuracy"] == pytest.approx(before["accuracy"], abs=1e-4)
    continued = bilge("train", "lm", "--objective", "causal", "--corpus", str(corpus), "--base", str(tmp_path / "mini"),
                      "-o", str(tmp_path / "mini-trained"), "--max-steps", "2", "--eval-steps", "2",
                      "--batch-size", "8", "--max-length", "32")
    assert continued["metrics"]["eval_loss"] < before["loss"] + 0.5


def test_causal_mistakes_are_one_line_errors(tiny_mlm, tiny_decoder, corpus):
    def error(*args: str) -> str:
        result = CliRunner().invoke(app, list(args))
        assert result.exit_code != 0 and "Traceback" not in result.output
        return result.output

    assert "masked (encoder) model" in error("generate", "--checkpoint", str(tiny_mlm / "tiny"), "--prompt", "Merhaba")
    assert "top-p" in error("generate", "--checkpoint", str(tiny_decoder), "--prompt", "Merhaba", "--top-p", "0")
    assert "is a causal decoder" in error("train", "lm", "--corpus", str(corpus), "--base", str(tiny_decoder))
    assert "bilge generate" in error("train", "lm", "--objective", "causal", "--corpus", str(corpus), "--base",
                                     str(tiny_decoder), "--predict", "Bir [MASK] cümle.")
    assert "--objective must be" in error("train", "lm", "--objective", "both", "--corpus", str(corpus),
                                          "--base", str(tiny_decoder))
    assert "grows exactly" in error("train", "grow", "--from", str(tiny_mlm / "tiny"), "--to", "mini", "--noise", "0.1")
