"""One collection-name rule at every entry: refused in one line, before any work, nothing created."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bilge.errors import ConfigError, InputError
from bilge.names import check_collection_name, collection_name_problem
from tests.conftest import REPO, make_config, write_config

BAD_NAMES = ["../../escaped", "ab", "iki kelime", "a..b", "-baslar", "biter_", "ilaç", "x" * 64, "a/b", "ilac.windows"]


@pytest.mark.parametrize("name", ["ilac-ornek", "abc", "A.b_c-9", "x" * 63])
def test_chroma_names_are_allowed(name):
    assert collection_name_problem(name) is None and check_collection_name(name) == name


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_names_are_refused_with_the_rule(name):
    with pytest.raises(InputError, match="3 to 63 letters"):
        check_collection_name(name)


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.mark.parametrize("command", [["ingest", "{docs}"], ["ask", "Parasetamol nedir?"], ["search", "parasetamol"],
                                     ["chat"]])
def test_every_cli_command_refuses_a_bad_name_before_any_work(tmp_path, docs_dir, command):
    # the embedder does not exist: a name checked after the model loads would fail on the model
    cfg = make_config(tmp_path / "data" / "home", tmp_path / "no-such-model")
    config = write_config(tmp_path / "bilge.toml", cfg)
    workdir = tmp_path / "data" / "cwd"
    workdir.mkdir(parents=True)
    before = tree(tmp_path)
    args = [a.format(docs=docs_dir) for a in command]
    result = subprocess.run([sys.executable, "-m", "bilge", "--config", str(config), *args, "-c", "../../escaped"],
                            cwd=workdir, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "collection name '../../escaped' is not allowed" in result.stderr
    assert tree(tmp_path) == before


def test_config_refuses_a_bad_default_collection(tmp_path, tiny_model_dir):
    with pytest.raises(ConfigError, match=r"store.collection.*'a\.\.b' is not allowed"):
        make_config(tmp_path, tiny_model_dir, store={"collection": "a..b"})


def test_assistant_and_library_refuse_a_bad_name_before_loading(cfg, docs_dir):
    from assistant.library import Library
    from assistant.service import Assistant

    for bad in BAD_NAMES:
        with pytest.raises(InputError):
            Assistant(cfg, bad)
        with pytest.raises(InputError):
            Library(cfg).ingest(docs_dir, bad, lambda progress: None)
        with pytest.raises(InputError):
            Library(cfg).passage(bad, "chunk")
    assert not (Path(cfg.home) / "collections").exists()


def test_collection_folder_is_only_made_from_a_valid_name(cfg):
    from bilge.paths import collection_dir

    assert collection_dir(cfg, "ilac").parent == Path(cfg.home).resolve() / "collections"
    with pytest.raises(InputError):
        collection_dir(cfg, "../../escaped")


def test_chat_refuses_a_bad_name_and_takes_a_new_good_one(cfg):
    from tests.test_tui import settle, wait_for_screen
    from tui.app import BilgeApp
    from tui.screens.collections import CollectionsScreen
    from tui.screens.prompt import TextPrompt

    with pytest.raises(InputError):
        BilgeApp(cfg, "../x")

    async def run():
        app = BilgeApp(cfg)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("f3")
            await wait_for_screen(app, pilot, CollectionsScreen)
            await pilot.press("ctrl+n")
            await wait_for_screen(app, pilot, TextPrompt)
            app.screen.query_one("#prompt-input").value = "../../escaped"
            await pilot.press("enter")
            await wait_for_screen(app, pilot, CollectionsScreen)
            await pilot.pause()
            assert any("'../../escaped' is not allowed" in n.message for n in app._notifications)
            await pilot.press("ctrl+n")
            await wait_for_screen(app, pilot, TextPrompt)
            app.screen.query_one("#prompt-input").value = "yeni-ilac"
            await pilot.press("enter")
            await settle(app, pilot)
            assert app.collection == "yeni-ilac"

    asyncio.run(run())
    assert not (Path(cfg.home).parent / "escaped").exists()
