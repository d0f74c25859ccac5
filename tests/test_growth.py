"""Growth preserves the function: the grown model's outputs and loss (MLM encoder, causal
decoder) equal the small one's before any training step (random weights, with every bias and
norm perturbed, so nothing passes by symmetry)."""

from __future__ import annotations

import pytest
import torch

from training.grow import deepen, grow, widen
from training.grow_decoder import deepen_decoder, widen_decoder


def random_mlm(hidden: int = 32, layers: int = 1, heads: int = 2, vocab: int = 97):
    from transformers import BertConfig, BertForMaskedLM

    torch.manual_seed(0)
    model = BertForMaskedLM(BertConfig(vocab_size=vocab, hidden_size=hidden, num_hidden_layers=layers,
                                       num_attention_heads=heads, intermediate_size=4 * hidden,
                                       max_position_embeddings=64, pad_token_id=0))
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "LayerNorm" in name or name.endswith("bias"):
                parameter.add_(torch.randn_like(parameter) * 0.2)
    return model.eval()


def outputs(model, seed: int = 1):
    generator = torch.Generator().manual_seed(seed)
    ids = torch.randint(5, model.config.vocab_size, (3, 20), generator=generator)
    labels = torch.where(torch.rand(ids.shape, generator=generator) < 0.3, ids, torch.full_like(ids, -100))
    with torch.no_grad():
        result = model(input_ids=ids, attention_mask=torch.ones_like(ids), labels=labels)
    return result.logits, float(result.loss)


def test_widening_preserves_logits_and_loss():
    small = random_mlm()
    grown = widen(small).eval()
    assert grown.config.hidden_size == 64 and grown.config.num_attention_heads == 4
    (a, loss_a), (b, loss_b) = outputs(small), outputs(grown)
    assert torch.allclose(a, b, atol=1e-4)
    assert loss_b == pytest.approx(loss_a, abs=1e-5)


def test_deepening_preserves_logits_and_loss():
    small = random_mlm(layers=2)
    grown = deepen(small).eval()
    assert grown.config.num_hidden_layers == 4
    (a, loss_a), (b, loss_b) = outputs(small), outputs(grown)
    assert torch.allclose(a, b, atol=1e-4)
    assert loss_b == pytest.approx(loss_a, abs=1e-5)


def test_tiny_grows_to_mini_then_small_with_the_same_loss():
    tiny = random_mlm(hidden=128, layers=2, heads=2)
    mini = grow(tiny, "mini").eval()
    small = grow(mini, "small").eval()
    assert (mini.config.num_hidden_layers, mini.config.hidden_size) == (4, 256)
    assert (small.config.num_hidden_layers, small.config.hidden_size, small.config.num_attention_heads) == (4, 512, 8)
    loss = outputs(tiny)[1]
    assert outputs(mini)[1] == pytest.approx(loss, abs=1e-4)
    assert outputs(small)[1] == pytest.approx(loss, abs=1e-4)


def test_growth_breaks_symmetry_so_twins_can_diverge():
    grown = widen(random_mlm())
    query = grown.bert.encoder.layer[0].attention.self.query.weight  # (64, 64)
    assert not torch.allclose(query[:, :32], query[:, 32:])  # the twins' incoming shares differ


def test_shrinking_is_refused():
    with pytest.raises(ValueError, match="cannot grow"):
        grow(random_mlm(hidden=256, layers=4, heads=4), "tiny")


def random_decoder(hidden: int = 32, layers: int = 1, heads: int = 2, vocab: int = 97):
    """A Llama-block decoder with every RMSNorm weight perturbed (nothing passes by symmetry)."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(vocab_size=vocab, hidden_size=hidden, num_hidden_layers=layers,
                                         num_attention_heads=heads, num_key_value_heads=heads,
                                         intermediate_size=4 * hidden, max_position_embeddings=64,
                                         tie_word_embeddings=True))
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "norm" in name:
                parameter.add_(torch.randn_like(parameter) * 0.3)
    return model.eval()


def next_token_outputs(model, seed: int = 1):
    ids = torch.randint(0, model.config.vocab_size, (3, 20), generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        result = model(input_ids=ids, labels=ids)
    return result.logits, float(result.loss)


@pytest.mark.parametrize("grow_once", [lambda m: widen_decoder(m), deepen_decoder], ids=["wider", "deeper"])
def test_decoder_growth_preserves_logits_and_loss(grow_once):
    small = random_decoder(layers=2)
    grown = grow_once(small).eval()
    assert sum(p.numel() for p in grown.parameters()) > sum(p.numel() for p in small.parameters())
    (a, loss_a), (b, loss_b) = next_token_outputs(small), next_token_outputs(grown)
    assert torch.allclose(a, b, atol=1e-4)
    assert loss_b == pytest.approx(loss_a, abs=1e-5)


def test_tiny_decoder_grows_to_mini_then_small_with_the_same_logits():
    tiny = random_decoder(hidden=128, layers=2, heads=2, vocab=300)
    mini = grow(tiny, "mini").eval()
    small = grow(mini, "small").eval()
    assert (small.config.num_hidden_layers, small.config.hidden_size, small.config.num_attention_heads) == (4, 512, 8)
    logits = next_token_outputs(tiny)[0]
    assert torch.allclose(next_token_outputs(mini)[0], logits, atol=1e-4)
    assert torch.allclose(next_token_outputs(small)[0], logits, atol=1e-4)


def test_noise_on_the_twins_changes_the_function_a_little_and_only_when_asked():
    small = random_decoder()
    exact, noisy = widen_decoder(small, noise=0.0).eval(), widen_decoder(small, noise=0.01).eval()
    gate = noisy.model.layers[0].mlp.gate_proj.weight  # (256, 64): rows 0–127 and their twins 128–255
    exact_gate = exact.model.layers[0].mlp.gate_proj.weight
    assert torch.equal(exact_gate[:128], exact_gate[128:])
    assert not torch.allclose(gate[:128], gate[128:])
    loss, noisy_loss = next_token_outputs(small)[1], next_token_outputs(noisy)[1]
    assert noisy_loss != loss and noisy_loss == pytest.approx(loss, rel=0.01)
