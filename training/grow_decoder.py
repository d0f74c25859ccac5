"""Function-preserving growth of a decoder (`training/sizes.decoder_config`, the Llama block),
the causal counterpart of `training/grow.py`.

Width is doubled as for the encoder: every hidden unit, head and feed-forward unit gets a twin;
a weight reading a doubled input is split between the twins with random shares α, 1 − α.
RMSNorm of [x, x] is RMSNorm of x, twinned, so nothing else is needed inside a block. The final
norm is halved because the output layer is tied to the (doubled) embeddings: E·y/2 + E·y/2 = E·y.
Rotary positions act within a head, and heads keep their size, so they need nothing.

Depth is simpler than in the post-norm encoder: a block whose two output projections are zero
adds nothing to the residual stream, so it is the identity, exactly.

Twins stay twins under exact growth unless something tells them apart: `noise` (a fraction of
each weight's standard deviation) is added to the second twin's incoming weights, which breaks
the symmetry at the price of a small change of function, measured by `bench/growth.py`.
"""

from __future__ import annotations

import copy

import torch

from training.grow import split_input, twin_rows


def _twinned(weight: torch.Tensor, generator: torch.Generator, noise: float, doubled_input: bool) -> torch.Tensor:
    """A (out, in) weight of a doubled layer: input split (if doubled), output rows twinned,
    the second twin's rows perturbed by `noise`·std."""
    if doubled_input:
        weight = split_input(weight, generator)  # (out, 2·in)
    twin = weight.clone()
    if noise:
        twin += torch.randn(twin.shape, generator=generator) * noise * float(weight.std())
    return torch.cat([weight, twin], dim=0)  # (2·out, …)


def widen_decoder(model, seed: int = 0, noise: float = 0.0):
    """A `LlamaForCausalLM` with twice the hidden size, heads and feed-forward size, same function."""
    from transformers import LlamaForCausalLM

    generator = torch.Generator().manual_seed(seed)
    config = model.config
    grown = LlamaForCausalLM(config.__class__(**{
        **config.to_dict(), "hidden_size": 2 * config.hidden_size, "intermediate_size": 2 * config.intermediate_size,
        "num_attention_heads": 2 * config.num_attention_heads, "num_key_value_heads": 2 * config.num_key_value_heads,
        "head_dim": config.hidden_size // config.num_attention_heads}))
    state = {}
    for name, value in model.state_dict().items():
        if name == "model.embed_tokens.weight":
            state[name] = torch.cat([value, value], dim=1)  # (vocab, 2·hidden)
        elif name.endswith("norm.weight"):
            state[name] = twin_rows(value) * (0.5 if name == "model.norm.weight" else 1.0)
        elif name.endswith("proj.weight"):
            state[name] = _twinned(value, generator, noise, doubled_input=True)
        elif name != "lm_head.weight":
            raise ValueError(f"widening does not know how to grow {name}")
    state["lm_head.weight"] = state["model.embed_tokens.weight"]
    grown.load_state_dict(state)
    return grown


def deepen_decoder(model):
    """A `LlamaForCausalLM` with an identity block after each block (twice as deep), same function.

    The new block is a copy of the one before it with its output projections zeroed: its
    attention and feed-forward start from working weights, and only the outputs are new."""
    from transformers import LlamaForCausalLM

    config = model.config
    deeper = config.__class__(**{**config.to_dict(), "num_hidden_layers": 2 * config.num_hidden_layers})
    grown = LlamaForCausalLM(deeper)
    blocks = []
    for block in model.model.layers:
        twin = copy.deepcopy(block)
        for projection in (twin.self_attn.o_proj, twin.mlp.down_proj):
            projection.weight.data.zero_()
        blocks += [block, twin]
    state = {k: v for k, v in model.state_dict().items() if not k.startswith("model.layers.")}
    for index, block in enumerate(blocks):
        state.update({f"model.layers.{index}.{k}": v for k, v in block.state_dict().items()})
    grown.load_state_dict(state)
    return grown
