"""The configuration variants the benchmarks put side by side: the cross-encoder's window size."""

from __future__ import annotations

from bilge.config import BilgeConfig


def window_sizes(cfg: BilgeConfig, spec: str) -> list[int]:
    """The configured window size first, then those of `spec` ("250,450"), each once."""
    return list(dict.fromkeys([cfg.reranker.window_chars, *(int(w) for w in spec.split(",") if w.strip())]))


def with_window(cfg: BilgeConfig, window: int) -> BilgeConfig:
    """`cfg` with the cross-encoder reading `window` characters of each candidate."""
    return cfg.model_copy(update={"reranker": cfg.reranker.model_copy(update={"window_chars": window})})
