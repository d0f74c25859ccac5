from pathlib import Path

import pytest

from bilge.config import config_from_dict, config_markdown_table, load_config
from bilge.errors import ConfigError
from bilge.paths import chroma_dir, collection_dir, data_home

REPO = Path(__file__).resolve().parent.parent


def test_shipped_config_loads_and_resolves_models_next_to_it():
    cfg = load_config(REPO / "bilge.toml")
    assert cfg.store.collection == "ilac-ornek"
    assert cfg.resolve("models/x") == REPO / "models" / "x"


def test_unknown_key_is_named(tmp_path):
    path = tmp_path / "bilge.toml"
    path.write_text("[store]\ncolection = 'x'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bilge.toml: unknown key 'store.colection'"):
        load_config(path)


def test_bad_value_is_named(tmp_path):
    path = tmp_path / "bilge.toml"
    path.write_text("[retrieval]\nmode = 'magic'\n[ingest]\nchunk_size = 5\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert "'retrieval.mode'" in str(error.value) and "'ingest.chunk_size'" in str(error.value)


def test_bad_toml_and_missing_file(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[store\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(broken)
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")


def test_unknown_encoding_rejected():
    with pytest.raises(ConfigError, match="unknown encoding 'klingon'"):
        config_from_dict({"ingest": {"fallback_encoding": "klingon"}})


def test_everything_lives_under_home(tmp_path):
    cfg = config_from_dict({"home": str(tmp_path)})
    assert data_home(cfg) == tmp_path
    assert chroma_dir(cfg).is_relative_to(tmp_path)
    assert collection_dir(cfg, "abc").is_relative_to(tmp_path)
    served = config_from_dict({"home": str(tmp_path), "store": {"mode": "http", "port": 9000}})
    assert collection_dir(served, "abc") != collection_dir(cfg, "abc")


def test_markdown_table_documents_every_field():
    table = config_markdown_table()
    assert "`store.mode`" in table and "`retrieval.rrf_k`" in table and "`answer.backend`" in table
    assert "base_dir" not in table


def test_built_in_defaults_are_the_shipped_config():
    shipped = load_config(REPO / "bilge.toml").model_dump(exclude={"base_dir"})
    assert config_from_dict({}).model_dump(exclude={"base_dir"}) == shipped


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """An empty working directory outside the checkout, with an empty user config folder."""
    workdir, config_home = tmp_path / "Belgeler", tmp_path / "xdg-config"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    monkeypatch.delenv("BILGE_CONFIG", raising=False)
    return workdir, config_home / "bilge" / "bilge.toml"


def test_config_lookup_order(elsewhere, tmp_path, monkeypatch):
    from bilge.config import find_config

    workdir, user_config = elsewhere
    assert find_config() == (None, "defaults")
    assert load_config().resolve("models/embedder") == REPO / "models" / "embedder"
    user_config.parent.mkdir(parents=True)
    user_config.write_text("[store]\ncollection = 'kullanici'\n", encoding="utf-8")
    assert find_config() == (user_config, "user config folder")
    assert load_config().store.collection == "kullanici"
    # a user config that names no models still finds the installation's
    assert load_config().resolve(load_config().reranker.model) == REPO / "models" / "reranker"
    (workdir / "bilge.toml").write_text("[store]\ncollection = 'burada'\n", encoding="utf-8")
    assert load_config().store.collection == "burada"
    env = tmp_path / "env.toml"
    env.write_text("[store]\ncollection = 'ortam'\n", encoding="utf-8")
    monkeypatch.setenv("BILGE_CONFIG", str(env))
    assert find_config() == (env, "BILGE_CONFIG") and load_config().store.collection == "ortam"
    assert find_config(user_config) == (user_config, "--config")


def test_bilge_config_names_the_file_and_the_models(elsewhere):
    import json

    from typer.testing import CliRunner

    from bilge.cli.main import app

    result = CliRunner().invoke(app, ["config", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["config"] is None and report["found_by"] == "defaults"
    assert report["models"]["embedder.model"]["path"] == str(REPO / "models" / "embedder")
    assert set(report["models"]) == {"embedder.model", "reranker.model", "answer.selector", "answer.reader"}


def test_a_model_folder_holding_only_its_packs_says_run_make_models(tmp_path):
    from bilge.errors import ModelError
    from retrievers.rerank import load_reranker

    packed = tmp_path / "reranker"
    packed.mkdir()
    (packed / "config.json").write_text("{}", encoding="utf-8")
    (packed / "weights.pack-0.safetensors").write_bytes(b"")
    cfg = config_from_dict({"reranker": {"model": str(packed)}})
    with pytest.raises(ModelError, match=r"holds only its shipped packs; run `make models`"):
        load_reranker(cfg)


def test_bilge_ask_and_chat_from_another_folder_use_the_collections_built(elsewhere, store_home, shipped):
    """A user config (as a user would write one) and an empty working directory: `bilge ask`
    answers from the collection built before, and the chat opens on it with the same config."""
    import asyncio
    import os
    import subprocess
    import sys

    from tests.conftest import shipped_config, write_config
    from tui.app import BilgeApp
    from tests.test_tui import settle

    workdir, user_config = elsewhere
    user_config.parent.mkdir(parents=True)
    write_config(user_config, shipped_config(store_home, shipped))
    result = subprocess.run([sys.executable, "-m", "bilge", "ask", "Parasetamol günde en fazla kaç tablet alınabilir?"],
                            cwd=workdir, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "8 tablet" in result.stdout and "parasetamol-500.pdf" in result.stdout

    async def run():
        app = BilgeApp(load_config())
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            assert str(app.screen.query_one("#status").render()).startswith("ilac-ornek · 11 belge")

    asyncio.run(run())
    assert list(workdir.iterdir()) == []
