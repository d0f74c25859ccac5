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
