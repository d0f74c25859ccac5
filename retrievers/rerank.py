"""Second stage: a cross-encoder scores the fused candidates (`retrievers.search` fuses its score in).

Kept apart from first-stage retrieval so each stage's score stays visible. The model is any
sentence-transformers CrossEncoder directory; the trained Turkish one drops in by config.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bilge.config import BilgeConfig, Precision, Runtime
from bilge.errors import ModelError
from bilge.paths import cache_dir
from retrievers.model_files import require_model
from retrievers.precision import inference_precision, uses_onnx

if TYPE_CHECKING:
    from retrievers.onnx_runtime import OnnxScores


class CrossEncoderReranker:
    """A sentence-transformers CrossEncoder. Where `runtime` resolves to ONNX Runtime
    (`retrievers.precision.uses_onnx`) and `onnx_cache` is given, its forward pass runs there
    (`retrievers.onnx_runtime`); the tokenising, batching and activation stay its own."""

    def __init__(self, path: str, batch_size: int = 32, max_length: int = 384, precision: Precision = "auto",
                 runtime: Runtime = "torch", onnx_cache: Path | None = None) -> None:
        from sentence_transformers import CrossEncoder

        try:
            self._model = CrossEncoder(path, device="cpu", local_files_only=True, max_length=max_length)
        except Exception as exc:  # many loader errors; all mean the same thing to a user
            raise ModelError(
                f"reranker model '{path}' cannot be loaded ({type(exc).__name__}: {exc}); "
                "set reranker.model to a cross-encoder directory"
            ) from None
        self.name = f"cross-encoder:{path}"
        self._batch_size, self._precision, self._runtime = batch_size, precision, runtime
        self._path, self._onnx_cache, self._onnx = Path(path), onnx_cache, None
        self._try_onnx = onnx_cache is not None and uses_onnx(runtime, precision)

    def score(self, query: str, passages: list[str]) -> list[float]:
        """Probabilities (0–1): what thresholds such as `answer.min_score` read."""
        return self._predict(query, passages, None)

    def logits(self, query: str, passages: list[str]) -> list[float]:
        """Raw scores, unbounded: what is added to other evidence (a probability saturates at 1)."""
        import torch

        return self._predict(query, passages, torch.nn.Identity())

    def _predict(self, query: str, passages: list[str], activation) -> list[float]:
        if not passages:
            return []
        pairs = [(query, p) for p in passages]
        onnx = self._onnx_scores(pairs)
        if onnx is not None:
            return self._predict_onnx(onnx, pairs, activation or self._model.activation_fn)
        with inference_precision(self._precision):
            scores = self._model.predict(pairs, batch_size=self._batch_size, show_progress_bar=False,
                                         convert_to_numpy=True, activation_fn=activation)
        return [float(s) for s in scores]

    def _onnx_scores(self, pairs: list[tuple[str, str]]) -> OnnxScores | None:
        """The exported graph, made on first use; None when torch runs the model. A model the
        exporter cannot trace runs in torch under `auto` (same scores, slower) and is an error
        only when `onnx` was asked for."""
        if self._onnx is None and self._try_onnx:
            from retrievers.onnx_runtime import onnx_scores

            try:
                self._onnx = onnx_scores(self._model, self._path, self._onnx_cache, self._model.preprocess(pairs[:1]))
            except Exception as exc:  # the exporter and the runtime raise many kinds; all mean "not here"
                if self._runtime == "onnx":
                    raise ModelError(f"cross-encoder '{self._path}' cannot run in ONNX Runtime "
                                     f"({type(exc).__name__}: {exc}); set reranker.runtime = \"torch\"") from None
                self._try_onnx = False
        return self._onnx

    def _predict_onnx(self, onnx: OnnxScores, pairs: list[tuple[str, str]], activation) -> list[float]:
        """As `CrossEncoder.predict` does it: longest pairs first so a batch pads little."""
        import torch

        order = sorted(range(len(pairs)), key=lambda i: -len(pairs[i][0]) - len(pairs[i][1]))
        scores: list[float] = [0.0] * len(pairs)
        for start in range(0, len(order), self._batch_size):
            batch = order[start:start + self._batch_size]
            with torch.inference_mode():
                batch_scores = activation(onnx(self._model.preprocess([pairs[i] for i in batch])))
            for i, score in zip(batch, batch_scores.reshape(len(batch), -1)[:, 0].tolist()):
                scores[i] = score
        return scores


def cross_encoder(cfg: BilgeConfig, path: Path) -> CrossEncoderReranker:
    """A cross-encoder (the reranker, the selector) with the `reranker` section's settings."""
    settings = cfg.reranker
    return CrossEncoderReranker(str(path), settings.batch_size, settings.max_seq_length, settings.precision,
                                settings.runtime, cache_dir(cfg) / "onnx")


def load_reranker(cfg: BilgeConfig) -> CrossEncoderReranker:
    return cross_encoder(cfg, require_model(cfg.resolve(cfg.reranker.model), "reranker.model", "bilge train reranker"))
