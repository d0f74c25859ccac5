"""The cross-encoders in ONNX Runtime: the same scores as torch, exported once, re-exported when
the model changes."""

from __future__ import annotations

import os

import numpy as np
import pytest

QUESTION = "Omeprazol ne zaman alınır?"
PASSAGES = ["Omeprazol kapsülleri sabahları aç karnına, kahvaltıdan önce yutulur.",
            "Parasetamol ateşi düşürür ve ağrıyı hafifletir.", "Salbutamol nefes darlığını hızla rahatlatır.",
            "Kapsülü çiğnemeyiniz.", "Bu ilacı 25 °C altındaki oda sıcaklığında, kuru bir yerde saklayınız."]


def test_onnx_scores_equal_torch_scores(shipped, tmp_path, monkeypatch):
    from retrievers import onnx_runtime
    from retrievers.rerank import CrossEncoderReranker

    monkeypatch.setattr(onnx_runtime, "_exported", {})  # export here, whatever earlier tests exported

    for name in ("reranker", "selector"):
        torch_model = CrossEncoderReranker(str(shipped / name), batch_size=2, precision="float32")
        onnx_model = CrossEncoderReranker(str(shipped / name), batch_size=2, precision="float32", runtime="onnx",
                                          onnx_cache=tmp_path / "onnx")
        assert np.allclose(onnx_model.score(QUESTION, PASSAGES), torch_model.score(QUESTION, PASSAGES), atol=1e-5)
        assert np.allclose(onnx_model.logits(QUESTION, PASSAGES), torch_model.logits(QUESTION, PASSAGES), atol=1e-4)
    assert sorted(p.name.split("-")[0] for p in (tmp_path / "onnx").iterdir()) == ["reranker", "selector"]


def test_the_graph_is_exported_once_and_again_when_the_model_changes(tiny_reranker_dir, tmp_path, monkeypatch):
    import shutil

    from retrievers import onnx_runtime
    from retrievers.rerank import CrossEncoderReranker

    model_dir = shutil.copytree(tiny_reranker_dir, tmp_path / "ce")
    exports = []
    real_export = onnx_runtime.export_scores
    monkeypatch.setattr(onnx_runtime, "export_scores", lambda *a: exports.append(a[-1]) or real_export(*a))
    monkeypatch.setattr(onnx_runtime, "_exported", {})

    def scores(cache: str) -> list[float]:
        model = CrossEncoderReranker(str(model_dir), runtime="onnx", onnx_cache=tmp_path / cache)
        return model.score(QUESTION, PASSAGES)

    first, again, elsewhere = scores("home-a"), scores("home-a"), scores("home-b")
    assert len(exports) == 1 and first == again == elsewhere  # another cache in the same process reuses it

    weights = model_dir / "model.safetensors"
    os.utime(weights, ns=(weights.stat().st_atime_ns, weights.stat().st_mtime_ns + 10**9))  # "retrained"
    scores("home-a")
    assert len(exports) == 2 and exports[0] != exports[1]
    assert len(list((tmp_path / "home-a").glob("*.onnx"))) == 2  # and no partial file left


@pytest.mark.parametrize(("runtime", "precision", "bf16_faster", "onnx"), [
    ("auto", "auto", False, True), ("auto", "auto", True, False), ("auto", "float32", True, True),
    ("auto", "bfloat16", False, False), ("torch", "float32", False, False), ("onnx", "auto", True, True)])
def test_auto_runtime_is_onnx_where_torch_would_run_float32(runtime, precision, bf16_faster, onnx, monkeypatch):
    from retrievers import precision as precision_module

    monkeypatch.setattr(precision_module, "bfloat16_is_faster", lambda: bf16_faster)
    assert precision_module.uses_onnx(runtime, precision) is onnx


def test_a_model_the_exporter_cannot_trace_runs_in_torch_unless_onnx_was_asked_for(tiny_reranker_dir, tmp_path,
                                                                                   monkeypatch):
    from bilge.errors import ModelError
    from retrievers import onnx_runtime
    from retrievers.rerank import CrossEncoderReranker

    def untraceable(*args):
        raise RuntimeError("Unsupported: ONNX export of operator foo")

    monkeypatch.setattr(onnx_runtime, "export_scores", untraceable)
    monkeypatch.setattr(onnx_runtime, "_exported", {})
    expected = CrossEncoderReranker(str(tiny_reranker_dir), precision="float32").score(QUESTION, PASSAGES)
    auto = CrossEncoderReranker(str(tiny_reranker_dir), precision="float32", runtime="auto", onnx_cache=tmp_path)
    assert auto.score(QUESTION, PASSAGES) == expected
    asked = CrossEncoderReranker(str(tiny_reranker_dir), precision="float32", runtime="onnx", onnx_cache=tmp_path)
    with pytest.raises(ModelError, match=r"cannot run in ONNX Runtime \(RuntimeError: Unsupported.*reranker.runtime"):
        asked.score(QUESTION, PASSAGES)
