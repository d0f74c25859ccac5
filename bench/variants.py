"""The configuration variants the benchmarks put side by side: one section's settings changed, the
cross-encoder's window size."""

from __future__ import annotations

from bilge.config import BilgeConfig


def window_sizes(cfg: BilgeConfig, spec: str) -> list[int]:
    """The configured window size first, then those of `spec` ("250,450"), each once."""
    return list(dict.fromkeys([cfg.reranker.window_chars, *(int(w) for w in spec.split(",") if w.strip())]))


def with_section(cfg: BilgeConfig, section: str, **settings: object) -> BilgeConfig:
    """`cfg` with `settings` of one section (`answer`, `reranker`, …) changed, the rest as it is."""
    return cfg.model_copy(update={section: getattr(cfg, section).model_copy(update=settings)})


def with_window(cfg: BilgeConfig, window: int) -> BilgeConfig:
    """`cfg` with the cross-encoder reading `window` characters of each candidate."""
    return with_section(cfg, "reranker", window_chars=window)
