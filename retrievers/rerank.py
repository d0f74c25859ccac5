"""Second stage: a cross-encoder scores the fused candidates (`retrievers.search` fuses its score in).

Kept apart from first-stage retrieval so each stage's score stays visible. The model is any
sentence-transformers CrossEncoder directory; the trained Turkish one drops in by config.
"""

from __future__ import annotations

from bilge.config import BilgeConfig, Precision
from bilge.errors import ModelError
from retrievers.model_files import require_model
from retrievers.precision import inference_precision


class CrossEncoderReranker:
    def __init__(self, path: str, batch_size: int = 32, max_length: int = 384, precision: Precision = "auto") -> None:
        from sentence_transformers import CrossEncoder

        try:
            self._model = CrossEncoder(path, device="cpu", local_files_only=True, max_length=max_length)
        except Exception as exc:  # many loader errors; all mean the same thing to a user
            raise ModelError(
                f"reranker model '{path}' cannot be loaded ({type(exc).__name__}: {exc}); "
                "set reranker.model to a cross-encoder directory"
            ) from None
        self.name = f"cross-encoder:{path}"
        self._batch_size, self._precision = batch_size, precision

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
        with inference_precision(self._precision):
            scores = self._model.predict([(query, p) for p in passages], batch_size=self._batch_size,
                                         show_progress_bar=False, convert_to_numpy=True, activation_fn=activation)
        return [float(s) for s in scores]


def load_reranker(cfg: BilgeConfig) -> CrossEncoderReranker:
    path = require_model(cfg.resolve(cfg.reranker.model), "reranker.model", "bilge train reranker")
    return CrossEncoderReranker(str(path), cfg.reranker.batch_size, cfg.reranker.max_seq_length,
                                cfg.reranker.precision)
