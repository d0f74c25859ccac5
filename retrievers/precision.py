"""Inference precision on the CPU: bfloat16 autocast where it is measured to be faster here.

Why measured and not read from the CPU flags: AVX512-BF16 alone does not make bf16 fast. On a
2-core Xeon with AMX, oneDNN ran the embedder and the cross-encoder 2.3× faster in bf16; on a
2-core Xeon that reports AVX512-BF16 but no AMX (a VM that does not expose it) the same
models ran 1.5× *slower* in bf16. One small matrix product in each precision, timed once per
process (about 0.2 s), tells the two apart. Autocast keeps softmax, LayerNorm and the pooling
in float32, so embeddings stay within cosine 0.9999 of float32 ones either way.
"""

from __future__ import annotations

import functools
import time
from contextlib import AbstractContextManager, nullcontext

import torch

from bilge.config import Precision, Runtime

# bf16 must beat float32 by this factor to be chosen: a tie is not worth the rounding.
_REQUIRED_SPEEDUP = 1.2


def native_bfloat16() -> bool:
    """Whether this CPU has bf16 instructions at all (without them bf16 is emulated, and slow)."""
    capabilities = torch.cpu.get_capabilities()
    return any(capabilities.get(flag) for flag in ("avx512_bf16", "amx_bf16", "bf16"))


def _fastest_seconds(product, repeats: int = 3) -> float:
    product()  # the first call builds oneDNN's kernel
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        product()
        timings.append(time.perf_counter() - started)
    return min(timings)


@functools.cache
def bfloat16_is_faster() -> bool:
    """Whether a transformer-sized matrix product runs faster under bf16 autocast here."""
    if not native_bfloat16():
        return False
    tokens, weights = torch.randn(1024, 384), torch.randn(1536, 384)

    def float32_product() -> None:
        torch.nn.functional.linear(tokens, weights)

    def bfloat16_product() -> None:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            torch.nn.functional.linear(tokens, weights)

    return _fastest_seconds(float32_product) > _REQUIRED_SPEEDUP * _fastest_seconds(bfloat16_product)


def uses_bfloat16(precision: Precision) -> bool:
    return precision == "bfloat16" or (precision == "auto" and bfloat16_is_faster())


def inference_precision(precision: Precision) -> AbstractContextManager:
    """The context a forward pass runs in for the configured precision."""
    if uses_bfloat16(precision):
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return nullcontext()


def uses_onnx(runtime: Runtime, precision: Precision) -> bool:
    """Whether a cross-encoder runs in ONNX Runtime: when asked to, or under `auto` whenever torch
    would run it in float32 (ONNX Runtime computes the same float32 scores sooner; where bf16 is
    faster, torch's bf16 is faster still)."""
    return runtime == "onnx" or (runtime == "auto" and not uses_bfloat16(precision))
