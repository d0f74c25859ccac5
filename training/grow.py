"""Function-preserving growth of a BERT masked-language model (Net2Net, Chen et al. 2016;
bert2BERT, Chen et al. 2022): the grown model computes what the small one computed, then
training continues from there instead of from random weights.

Width is doubled (tiny 128 → mini 256 → small 512): every hidden unit, attention head and
feed-forward unit gets a twin. Doubling is what keeps LayerNorm exact: the mean and variance of
[x, x] are those of x. A weight that reads a doubled input splits between the twins with a
random share α and 1 − α (Net2Net's random split), which preserves the sum and breaks the
symmetry, so the twins can learn different things. The MLM head's LayerNorm is halved because
the decoder is tied to the (doubled) word embeddings: E·t/2 + E·t/2 = E·t.

Depth is grown by putting after each layer a new one that computes the identity: its output
projections are zero, its first LayerNorm is plain (γ=1, β=0) and its second takes over the
previous layer's output affine, whose LayerNorm becomes plain. What the previous layer
normalised is normalised again, to itself (up to LayerNorm's ε).
"""

from __future__ import annotations

import torch

from training.sizes import DECODER_TYPE, SIZES

NAME_WIDTH = {size.hidden: name for name, size in SIZES.items()}


def split_input(weight: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """A (out, in) weight reading a doubled input: (out, 2·in) with shares α, 1 − α per element."""
    share = torch.empty_like(weight).uniform_(0.25, 0.75, generator=generator)
    return torch.cat([weight * share, weight * (1 - share)], dim=1)


def twin_rows(tensor: torch.Tensor) -> torch.Tensor:
    """Duplicate output units (rows, or vector entries): [u0 … un] → [u0 … un, u0' … un']. For
    Q, K and V this twins whole heads (head size stays, the count doubles): each new head sees
    exactly the dimensions of an old one."""
    return torch.cat([tensor, tensor], dim=0)


def _doubled_linear(linear, generator: torch.Generator, *, doubled_input: bool = True) -> None:
    weight = linear.weight.data  # (out, in)
    if doubled_input:
        weight = split_input(weight, generator)  # (out, 2·in)
    linear.weight.data = twin_rows(weight)  # (2·out, 2·in)
    linear.bias.data = twin_rows(linear.bias.data)
    linear.in_features, linear.out_features = linear.weight.shape[1], linear.weight.shape[0]


def _doubled_norm(norm, scale: float = 1.0) -> None:
    norm.weight.data = twin_rows(norm.weight.data) * scale
    norm.bias.data = twin_rows(norm.bias.data) * scale
    norm.normalized_shape = (norm.weight.shape[0],)


def widen(model, seed: int = 0):
    """A `BertForMaskedLM` with twice the hidden size, heads and feed-forward size, same function."""
    from transformers import BertForMaskedLM

    generator = torch.Generator().manual_seed(seed)
    config = model.config
    grown = BertForMaskedLM(config.__class__(**{**config.to_dict(), "hidden_size": 2 * config.hidden_size,
                                                "num_attention_heads": 2 * config.num_attention_heads,
                                                "intermediate_size": 2 * config.intermediate_size}))
    small = {k: v.clone() for k, v in model.state_dict().items()}
    source = BertForMaskedLM(config)
    source.load_state_dict(small)
    embeddings = source.bert.embeddings
    for table in (embeddings.word_embeddings, embeddings.position_embeddings, embeddings.token_type_embeddings):
        table.weight.data = torch.cat([table.weight.data, table.weight.data], dim=1)  # (rows, 2·hidden)
    _doubled_norm(embeddings.LayerNorm)
    for layer in source.bert.encoder.layer:
        attention = layer.attention
        for linear in (attention.self.query, attention.self.key, attention.self.value, attention.output.dense,
                       layer.intermediate.dense, layer.output.dense):
            _doubled_linear(linear, generator)
        _doubled_norm(attention.output.LayerNorm)
        _doubled_norm(layer.output.LayerNorm)
    head = source.cls.predictions
    _doubled_linear(head.transform.dense, generator)
    _doubled_norm(head.transform.LayerNorm, scale=0.5)  # tied decoder: E·t/2 + E·t/2 = E·t
    state = {k: v for k, v in source.state_dict().items() if k in grown.state_dict()}
    state["cls.predictions.decoder.weight"] = state["bert.embeddings.word_embeddings.weight"]
    for name, value in grown.state_dict().items():
        if state[name].shape != value.shape:
            raise ValueError(f"growth produced {name} of shape {tuple(state[name].shape)}, expected {tuple(value.shape)}")
    grown.load_state_dict(state)
    return grown


def deepen(model):
    """A `BertForMaskedLM` with an identity layer after each layer (twice as deep), same function."""
    import copy

    from transformers import BertForMaskedLM

    config = model.config
    grown = BertForMaskedLM(config.__class__(**{**config.to_dict(),
                                                "num_hidden_layers": 2 * config.num_hidden_layers}))
    layers = []
    for layer in model.bert.encoder.layer:
        original = copy.deepcopy(layer)
        twin = copy.deepcopy(layer)  # same attention and feed-forward inputs, outputs switched off
        for linear in (twin.attention.output.dense, twin.output.dense):
            linear.weight.data.zero_()
            linear.bias.data.zero_()
        twin.attention.output.LayerNorm.weight.data.fill_(1.0)
        twin.attention.output.LayerNorm.bias.data.zero_()
        twin.output.LayerNorm.weight.data = original.output.LayerNorm.weight.data.clone()
        twin.output.LayerNorm.bias.data = original.output.LayerNorm.bias.data.clone()
        original.output.LayerNorm.weight.data.fill_(1.0)
        original.output.LayerNorm.bias.data.zero_()
        layers += [original, twin]
    state = dict(model.state_dict())
    state = {k: v for k, v in state.items() if ".encoder.layer." not in k}
    for index, layer in enumerate(layers):
        state.update({f"bert.encoder.layer.{index}.{k}": v for k, v in layer.state_dict().items()})
    grown.load_state_dict(state)
    return grown


def grow(model, target: str, seed: int = 0, noise: float = 0.0):
    """Widen and deepen `model` (an encoder, or a decoder of `training/grow_decoder.py`) until it
    has the named size's width and depth. `noise` breaks the decoder twins' symmetry (0: exact)."""
    spec = SIZES[target]
    config = model.config
    if spec.hidden < config.hidden_size or spec.layers < config.num_hidden_layers:
        raise ValueError(f"cannot grow a {config.num_hidden_layers}×{config.hidden_size} model down to {target}")
    if config.model_type == DECODER_TYPE:
        from training.grow_decoder import deepen_decoder, widen_decoder

        wider, deeper = (lambda m: widen_decoder(m, seed, noise)), deepen_decoder
    else:
        wider, deeper = (lambda m: widen(m, seed)), deepen
    while model.config.hidden_size < spec.hidden:
        model = wider(model)
    while model.config.num_hidden_layers < spec.layers:
        model = deeper(model)
    if (model.config.hidden_size, model.config.num_hidden_layers) != (spec.hidden, spec.layers):
        raise ValueError(f"{target} ({spec.layers}×{spec.hidden}) is not reachable by doubling from "
                         f"{config.num_hidden_layers}×{config.hidden_size}")
    return model
