"""The CLI in-process: exit codes, JSON keys, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from bilge.cli.main import app
from tests.conftest import write_config


@pytest.fixture
def run(cfg, tmp_path):
    config = write_config(tmp_path / "bilge.toml", cfg)

    def invoke(*args: str):
        return CliRunner().invoke(app, ["--config", str(config), *args], catch_exceptions=False)

    return invoke


def test_help_lists_every_command_without_loading_torch():
    code = ("import sys; from typer.testing import CliRunner; from bilge.cli.main import app; "
            "r = CliRunner().invoke(app, ['--help']); print(r.output); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    for command in ("ingest", "search", "eval", "collections", "chat"):
        assert command in out
    assert out.strip().endswith("False")


def test_ingest_json_then_search_json(run, docs_dir):
    result = run("ingest", str(docs_dir), "--collection", "ilac", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"added", "updated", "unchanged", "removed", "failed", "chunks"}
    assert report["added"] == 5 and report["failed"] == []
    result = run("search", "parasetamol karaciğer", "-c", "ilac", "--mode", "hybrid", "-k", "2", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["hits"]) == 2
    assert set(data["hits"][0]) == {"chunk_id", "source", "page", "section", "start", "end", "text", "scores"}
    assert set(data["hits"][0]["scores"]) == {"dense", "bm25", "fused"}
    listing = json.loads(run("collections", "--json").stdout)
    assert listing == [{"name": "ilac", "files": 5, "chunks": report["chunks"], "problem": ""}]


def test_nothing_ingestable_exits_non_zero(run, tmp_path):
    folder = tmp_path / "only-bad"
    folder.mkdir()
    (folder / "bos.txt").write_bytes(b"")
    result = run("ingest", str(folder), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["failed"] == [{"path": str(folder / "bos.txt"), "reason": "empty file"}]


def test_user_mistakes_are_one_line_errors(run, tmp_path):
    result = run("ingest", str(tmp_path / "yok"))
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and "no such file or folder" in result.stderr
    result = run("search", "soru", "-c", "hic-yok")
    assert result.exit_code == 1 and "run `bilge ingest DIR --collection hic-yok` first" in result.stderr
    assert "Traceback" not in result.output


def test_searching_with_a_swapped_embedder_is_a_one_line_error(run, cfg, tiny_model_dir, docs_dir, tmp_path):
    """Query vectors from another model than the passages' would rank by noise; refuse, say how to fix."""
    from tests.conftest import make_config
    from tests.test_ingest import retrained_copy

    assert run("ingest", str(docs_dir), "--collection", "ilac").exit_code == 0
    swapped = make_config(cfg.home, retrained_copy(tiny_model_dir, tmp_path / "retrained"))
    config = write_config(tmp_path / "swapped.toml", swapped)
    result = CliRunner().invoke(app, ["--config", str(config), "search", "parasetamol", "-c", "ilac", "--mode", "dense"],
                                catch_exceptions=False)
    assert result.exit_code == 1 and result.stderr.strip().count("\n") == 0
    assert "collection 'ilac' was embedded with another model than embedder.model" in result.stderr
    assert "--rebuild" in result.stderr and "Traceback" not in result.output
    assert run("search", "parasetamol", "-c", "ilac", "--mode", "dense").exit_code == 0  # the original still works


def test_bad_config_names_the_key(tmp_path):
    config = tmp_path / "bilge.toml"
    config.write_text("[retrieval]\nk = 0\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["--config", str(config), "collections"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "'retrieval.k'" in result.stderr and str(config) in result.stderr


def test_home_option_and_env_keep_state_in_one_place(cfg, tmp_path, docs_dir):
    config = write_config(tmp_path / "bilge.toml", cfg)
    other_home = tmp_path / "elsewhere"
    result = CliRunner().invoke(app, ["--config", str(config), "--home", str(other_home), "ingest", str(docs_dir)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (other_home / "chroma").is_dir() and not (cfg.home / "chroma").exists()
    result = CliRunner(env={"BILGE_HOME": str(other_home)}).invoke(
        app, ["--config", str(config), "collections", "--json"], catch_exceptions=False)
    assert json.loads(result.stdout)[0]["files"] == 5
