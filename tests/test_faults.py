"""Faults that lose nothing: an ingest killed (SIGKILL) or interrupted (Ctrl-C) at each named point
and run again equals one uninterrupted run; damaged files beside a collection are one line and
`bilge collections repair` fixes them without touching other collections; a second writer is
refused; the chat's ingestion stops cleanly on Esc and goes on next time."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from retrievers.catalog import collection_state
from tests.conftest import REPO, make_config, write_config

# every point an ingest passes (`bilge.faults`), some the 2nd or 3rd time; each run starts a
# process (~30 s here), so four of them run in `make test` and all in `make test-slow`
FAST_POINTS = {"pending", "chunks-upserted", "done@3", "bm25-half-saved", "removing"}
KILL_POINTS = [p if p in FAST_POINTS else pytest.param(p, marks=pytest.mark.slow)
               for p in ("scanned", "read", "pending", "old-chunks-deleted", "embedded@2", "chunks-upserted",
                         "windows-upserted@2", "written", "done@3", "before-bm25", "bm25-built", "bm25-half-saved",
                         "bm25-swapping")]
REMOVAL_POINTS = [p if p in FAST_POINTS else pytest.param(p, marks=pytest.mark.slow) for p in ("removing", "removed")]


def state_of(cfg, name: str = "kill") -> dict:
    return collection_state(cfg, name)


def run_ingest(config: Path, folder: Path, fault: str | None = None, name: str = "kill", *options: str):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("BILGE_FAULT", None)
    if fault:
        env["BILGE_FAULT"] = fault
    # SIGINT as a terminal has it: a test runner started in the background inherits it ignored,
    # and Python then never turns it into KeyboardInterrupt
    return subprocess.run([sys.executable, "-m", "bilge", "--config", str(config), "ingest", str(folder), "-c", name,
                           *options], env=env, capture_output=True, text=True, timeout=300, preexec_fn=default_sigint)


def default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture(scope="module")
def leaflets(tmp_path_factory) -> Path:
    """Four leaflets, long enough for window vectors."""
    from corpora.writers import write_document
    from tests.conftest import LEAFLETS

    folder = tmp_path_factory.mktemp("leaflets")
    for suffix, (name, (title, sections)) in zip((".md", ".txt", ".html", ".md"), list(LEAFLETS.items())[:4]):
        write_document(folder / (Path(name).stem + suffix), title, sections)
    return folder


@pytest.fixture(scope="module")
def clean(tmp_path_factory, tiny_model_dir, leaflets) -> dict:
    """One uninterrupted ingest of the leaflets, and one of them less (for removals)."""
    states = {}
    fewer = tmp_path_factory.mktemp("fewer")
    for path in sorted(leaflets.iterdir())[1:]:
        shutil.copy(path, fewer)
    for key, folder in (("all", leaflets), ("fewer", fewer)):
        cfg = make_config(tmp_path_factory.mktemp("clean") / "home", tiny_model_dir, ingest={"batch_size": 2})
        config = write_config(cfg.home.parent / "bilge.toml", cfg)
        assert run_ingest(config, folder).returncode == 0
        states[key] = state_of(cfg)
    states["fewer_folder"] = fewer
    return states


def fresh(tmp_path, tiny_model_dir):
    cfg = make_config(tmp_path / "home", tiny_model_dir, ingest={"batch_size": 2})
    return cfg, write_config(tmp_path / "bilge.toml", cfg)


@pytest.mark.parametrize("point", KILL_POINTS)
def test_killed_at_a_point_then_run_again_equals_a_clean_run(tmp_path, tiny_model_dir, leaflets, clean, point):
    cfg, config = fresh(tmp_path, tiny_model_dir)
    options = []
    if "bm25" in point:  # a rebuild of a built collection, so there is an index to replace
        assert run_ingest(config, leaflets).returncode == 0
        options = ["--rebuild"]
    killed = run_ingest(config, leaflets, point, "kill", *options)
    assert killed.returncode == -signal.SIGKILL, f"{point} was never reached: {killed.stderr[-500:]}"
    again = run_ingest(config, leaflets)
    assert again.returncode == 0, again.stderr
    assert state_of(cfg) == clean["all"]


@pytest.mark.parametrize("point", REMOVAL_POINTS)
def test_killed_while_removing_a_file_then_run_again(tmp_path, tiny_model_dir, leaflets, clean, point):
    cfg, config = fresh(tmp_path, tiny_model_dir)
    folder = tmp_path / "docs"
    shutil.copytree(leaflets, folder)
    assert run_ingest(config, folder).returncode == 0
    sorted(folder.iterdir())[0].unlink()
    assert run_ingest(config, folder, fault=point).returncode == -signal.SIGKILL
    assert run_ingest(config, folder).returncode == 0
    expected, got = clean["fewer"], state_of(cfg)
    rename = lambda state: {k: v for k, v in state["manifest"].items()}  # noqa: E731 - sources differ by folder
    assert sorted(h for h, *_ in rename(got).values()) == sorted(h for h, *_ in rename(expected).values())
    assert len(got["chunks"]) == len(expected["chunks"]) and len(got["bm25"]) == len(expected["bm25"])
    assert set(got["bm25"]) == set(got["chunks"]) and len(got["windows"]) == len(expected["windows"])


def test_ctrl_c_stops_bilge_ingest_in_one_line_and_the_next_run_goes_on(tmp_path, tiny_model_dir, leaflets, clean):
    cfg, config = fresh(tmp_path, tiny_model_dir)
    stopped = run_ingest(config, leaflets, fault="done@2:int")
    assert stopped.returncode == 130
    assert stopped.stderr.strip().splitlines()[-1] == "bilge: interrupted"
    assert "Traceback" not in stopped.stderr
    assert run_ingest(config, leaflets).returncode == 0
    assert state_of(cfg) == clean["all"]


def cli(config: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bilge", "--config", str(config), *args], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=300)


def one_line(stderr: str) -> bool:
    """What a user mistake or a fault prints: one line (a progress bar may leave an empty one)."""
    return len([line for line in stderr.splitlines() if line.strip()]) == 1


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("damage", ["bm25", "manifest"])
def test_damaged_files_are_one_line_and_repair_fixes_only_that_collection(tmp_path, tiny_model_dir, leaflets,
                                                                            clean, damage):
    cfg, config = fresh(tmp_path, tiny_model_dir)
    for name in ("kill", "other"):
        assert run_ingest(config, leaflets, name=name).returncode == 0
    home = Path(cfg.home) / "collections"
    other_before = files_of(home / "other")
    target = (home / "kill" / "bm25" / "ids.json") if damage == "bm25" else (home / "kill" / "manifest.sqlite3")
    target.write_bytes(b"\x00 not what was written \x00" * 20)
    for path in home.glob("kill/manifest.sqlite3-*"):
        path.unlink()
    command = ["search", "parasetamol", "-c", "kill", "--mode", "bm25"] if damage == "bm25" else \
        ["ingest", str(leaflets), "-c", "kill"]
    failed = cli(config, *command)
    assert failed.returncode == 1 and one_line(failed.stderr), failed.stderr
    assert str(target.parent if damage == "bm25" else target) in failed.stderr
    assert "bilge collections repair kill" in failed.stderr
    listing = cli(config, "collections")
    assert listing.returncode == 0 and "other\t4 files" in listing.stdout
    repaired = cli(config, "collections", "repair", "kill")
    assert repaired.returncode == 0, repaired.stderr
    assert state_of(cfg) == clean["all"]
    assert files_of(home / "other") == other_before
    assert cli(config, "search", "parasetamol", "-c", "kill", "--mode", "bm25").returncode == 0


def test_repair_rebuild_reingests_and_refuses_when_files_are_gone(tmp_path, tiny_model_dir, leaflets, clean):
    cfg, config = fresh(tmp_path, tiny_model_dir)
    folder = tmp_path / "docs"
    shutil.copytree(leaflets, folder)
    assert run_ingest(config, folder).returncode == 0
    rebuilt = cli(config, "collections", "repair", "kill", "--rebuild", "--json")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert len(state_of(cfg)["chunks"]) == len(clean["all"]["chunks"])
    sorted(folder.iterdir())[0].unlink()
    before = state_of(cfg)
    refused = cli(config, "collections", "repair", "kill", "--rebuild")
    assert refused.returncode == 1 and "no longer on disk" in refused.stderr and one_line(refused.stderr)
    assert state_of(cfg) == before


def test_a_damaged_chat_history_is_one_line(tmp_path, tiny_model_dir):
    cfg, config = fresh(tmp_path, tiny_model_dir)
    history = Path(cfg.home) / "history.sqlite3"
    history.parent.mkdir(parents=True)
    history.write_bytes(b"this is not a database" * 100)
    result = cli(config, "chat")
    assert result.returncode == 1 and one_line(result.stderr)
    assert f"the chat history {history} is damaged" in result.stderr and "mv " in result.stderr


def test_a_second_writer_is_refused_in_one_line(tmp_path, tiny_model_dir, leaflets):
    from filelock import FileLock

    from assistant.library import Library
    from bilge.errors import StoreLockedError

    cfg, config = fresh(tmp_path, tiny_model_dir)
    home = Path(cfg.home) / "collections" / "kill"
    home.mkdir(parents=True)
    with FileLock(str(home / "ingest.lock")):  # as the chat's ingestion holds it
        result = run_ingest(config, leaflets)
        assert result.returncode == 1 and one_line(result.stderr)
        assert "is being written by another ingest" in result.stderr
        with pytest.raises(StoreLockedError):  # and the chat's ingestion, while `bilge ingest` holds it
            Library(cfg).ingest(leaflets, "kill", lambda progress: None)
    assert state_of(cfg) == {}


def test_esc_stops_the_chats_ingestion_and_adding_again_goes_on(tmp_path, tiny_model_dir, leaflets, clean):
    import threading

    from assistant.library import Library
    from tests.test_tui import settle, wait_for_screen
    from tui.app import BilgeApp
    from tui.screens.prompt import TextPrompt

    cfg, _ = fresh(tmp_path, tiny_model_dir)
    cfg = cfg.model_copy(update={"store": cfg.store.model_copy(update={"collection": "kill"})})
    first_file, escaped = threading.Event(), threading.Event()

    async def run(stop: bool):
        app = BilgeApp(cfg)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("ctrl+o")
            await wait_for_screen(app, pilot, TextPrompt)
            app.screen.query_one("#prompt-input").value = str(leaflets)
            await pilot.press("enter")
            if stop:
                while not first_file.is_set():
                    await pilot.pause(0.05)
                await pilot.press("escape")
                await pilot.pause()
                escaped.set()
            await settle(app, pilot)
            return [n.message for n in app._notifications]

    original = Library.ingest

    def watched(self, folder, collection, on_progress, should_stop=lambda: False):
        def progress(p):
            on_progress(p)
            if not first_file.is_set():  # hold the ingestion after its first file until Esc is in
                first_file.set()
                escaped.wait(timeout=60)
        return original(self, folder, collection, progress, should_stop)

    Library.ingest = watched
    try:
        messages = asyncio.run(run(stop=True))
    finally:
        Library.ingest = original
    assert any(m.startswith("Ekleme durduruldu: stopped after 1 of 4 files") for m in messages), messages
    assert len(state_of(cfg)["manifest"]) == 1
    asyncio.run(run(stop=False))
    assert state_of(cfg) == clean["all"]
