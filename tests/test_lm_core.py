"""The language-model track's contracts, for both objectives: deterministic vocabularies,
perplexity = exp(mean loss) checked by hand, best checkpoint and early stopping on a scripted
validation curve, resumption from the saved step."""

from __future__ import annotations

import math

import pytest
import torch

from tests.conftest import leaflet_texts
from training.lm import LmRecipe, train_lm


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
    from training.vocab import train_vocabulary

    return train_vocabulary(leaflet_texts() * 3, 300, tmp_path_factory.mktemp("vocab"))


def tiny_model(tokenizer, objective: str = "masked"):
    from transformers import BertForMaskedLM, LlamaForCausalLM

    from training.sizes import bert_config, decoder_config

    torch.manual_seed(0)
    if objective == "causal":
        return LlamaForCausalLM(decoder_config("nano", tokenizer, 64))
    return BertForMaskedLM(bert_config("nano", len(tokenizer), 64))


def recipe(tmp_path, **changes) -> LmRecipe:
    options = {"output": tmp_path / "out", "base": tmp_path, "max_steps": 6, "batch_size": 4, "eval_steps": 2,
               "patience": 2, "max_length": 32, "learning_rate": 1e-3} | changes
    return LmRecipe(**options)


def test_vocabulary_training_is_deterministic(tmp_path):
    from training.vocab import train_vocabulary

    first = train_vocabulary(leaflet_texts(), 250, tmp_path / "a").get_vocab()
    second = train_vocabulary(leaflet_texts(), 250, tmp_path / "b").get_vocab()
    assert first == second


def test_perplexity_is_exp_of_the_mean_masked_loss(tokenizer, tmp_path):
    from training.lm_eval import evaluate_lm

    model = tiny_model(tokenizer)
    model.save_pretrained(str(tmp_path / "m"))
    tokenizer.save_pretrained(str(tmp_path / "m"))
    texts = leaflet_texts()[:20]
    metrics = evaluate_lm(tmp_path / "m", texts, max_length=32)
    assert metrics["perplexity"] == pytest.approx(math.exp(metrics["loss"]), rel=1e-6)
    # by hand: the same masked blocks through the model's own loss (mean over masked tokens)
    from transformers import DataCollatorForLanguageModeling

    from training.lm_eval import EVAL_SEED
    from training.mlm import masked_once, packed_blocks

    masked = masked_once(DataCollatorForLanguageModeling(tokenizer), packed_blocks(tokenizer, texts, 32), EVAL_SEED)
    with torch.no_grad():
        loss = model.eval()(input_ids=torch.tensor(masked["input_ids"]), labels=torch.tensor(masked["labels"]),
                            attention_mask=torch.tensor(masked["attention_mask"])).loss
    assert metrics["loss"] == pytest.approx(float(loss), rel=1e-4)


def test_perplexity_is_exp_of_the_mean_next_token_loss(tokenizer, tmp_path):
    from training.causal import causal_blocks, evaluate_causal

    model = tiny_model(tokenizer, "causal")
    model.save_pretrained(str(tmp_path / "m"))
    tokenizer.save_pretrained(str(tmp_path / "m"))
    texts = leaflet_texts()[:20]
    metrics = evaluate_causal(tmp_path / "m", texts, max_length=32)
    assert metrics["perplexity"] == pytest.approx(math.exp(metrics["loss"]), rel=1e-6)
    blocks = torch.tensor(causal_blocks(tokenizer, texts, 32))  # (n, 32): equal blocks, nothing padded
    assert metrics["predicted_tokens"] == blocks.shape[0] * 31
    with torch.no_grad():
        logits = model.eval()(input_ids=blocks).logits  # (n, 32, vocab)
    # by hand: -log p(next token), averaged over every position that has a next token
    log_p = logits[:, :-1].log_softmax(-1).gather(-1, blocks[:, 1:, None])  # (n, 31, 1)
    assert metrics["loss"] == pytest.approx(float(-log_p.mean()), rel=1e-4)
    assert metrics["accuracy"] == pytest.approx(float((logits[:, :-1].argmax(-1) == blocks[:, 1:]).float().mean()))


@pytest.mark.parametrize("objective", ["masked", "causal"])
def test_best_checkpoint_and_early_stopping_follow_a_scripted_curve(objective, tokenizer, tmp_path, monkeypatch):
    import training.lm as lm

    curve = iter([9.0, 5.0, 4.0, 4.5, 4.6, 4.7, 4.8, 4.9, 5.0, 5.1, 5.2])  # baseline, then every 2 steps
    real = lm._trainer_class()

    class Scripted(real):
        def evaluate(self, *args, **kwargs):
            loss = next(curve)
            metrics = {"eval_loss": loss, "eval_accuracy": 0.0, "eval_perplexity": math.exp(loss)}
            self.log(metrics)
            self.control = self.callback_handler.on_evaluate(self.args, self.state, self.control, metrics)
            return metrics

    monkeypatch.setattr(lm, "_trainer_class", lambda: Scripted)
    result = train_lm(recipe(tmp_path, max_steps=20, objective=objective), tiny_model(tokenizer, objective), tokenizer,
                      leaflet_texts(), "test", "scripted")
    steps = sorted({e["step"] for e in result["log"] if "eval_loss" in e and e["step"]})
    assert steps == [2, 4, 6, 8]  # two validations without improvement after the best (4.0 at step 4): stop
    import json

    state = json.loads((tmp_path / "out" / "checkpoints" / "checkpoint-8" / "trainer_state.json").read_text())
    assert state["best_metric"] == pytest.approx(4.0)
    assert state["best_model_checkpoint"].endswith("checkpoint-4")  # what load_best_model_at_end reloads


@pytest.mark.parametrize("objective", ["masked", "causal"])
def test_training_resumes_from_the_last_checkpoint(objective, tokenizer, tmp_path, capsys):
    first = train_lm(recipe(tmp_path, max_steps=4, patience=99, objective=objective), tiny_model(tokenizer, objective),
                     tokenizer, leaflet_texts(), "test", "resume")
    for weights in (tmp_path / "out").glob("*.safetensors"):
        weights.unlink()  # the final save; the checkpoints stay
    torch.manual_seed(7)
    other_start = tiny_model(tokenizer, objective)
    with torch.no_grad():
        for parameter in other_start.parameters():
            parameter.add_(torch.randn_like(parameter))  # a resumed run must not depend on this
    second = train_lm(recipe(tmp_path, max_steps=6, patience=99, objective=objective), other_start, tokenizer,
                      leaflet_texts(), "test", "resume")
    assert "resuming from" in capsys.readouterr().err
    losses = lambda log: {e["step"]: e["loss"] for e in log if "loss" in e}  # noqa: E731
    assert {s: v for s, v in losses(second["log"]).items() if s <= 4} == losses(first["log"])
    assert max(losses(second["log"])) == 6
