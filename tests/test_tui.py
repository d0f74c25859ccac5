"""The chat app driven with Textual's Pilot: a real assistant (extractive backend, shipped
models, the sample leaflets in a real Chroma store) and a real SQLite history in a temp home."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3

import pytest

from tests.conftest import REPO, shipped_config
from tui.app import BilgeApp
from tui.history import SCHEMA_STEPS, ChatHistory
from tui.screens.collections import CollectionsScreen
from tui.screens.help import HelpScreen
from tui.screens.passage import PassageScreen
from tui.screens.prompt import TextPrompt
from tui.widgets.answer import AnswerView
from tui.widgets.ingest import IngestPanel
from tui.widgets.sources import SourcesPanel

QUESTION = "Parasetamol günde en fazla kaç tablet alınır?"


@pytest.fixture
def home(store_home, tmp_path):
    """A private copy of the session's store: each test has its own history database."""
    target = tmp_path / "home"
    shutil.copytree(store_home, target, ignore=shutil.ignore_patterns("history.sqlite3", "*.lock"))
    return target


@pytest.fixture
def make_app(home, shipped):
    return lambda **sections: BilgeApp(shipped_config(home, shipped, **sections))


async def settle(app, pilot) -> None:
    """Let every worker (answers, status, ingestion) finish, then let the screen catch up."""
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


async def wait_for_screen(app, pilot, screen_type, seconds: float = 60) -> None:
    """A modal opened by a worker (its worker then waits for the modal: `settle` would hang)."""
    for _ in range(int(seconds * 20)):
        if isinstance(app.screen, screen_type):
            return
        await pilot.pause(0.05)
    raise AssertionError(f"{screen_type.__name__} never opened; screen is {app.screen}")


async def ask(app, pilot, question: str) -> None:
    app.screen.query_one("#prompt").value = question
    await pilot.press("enter")
    await settle(app, pilot)


def answers(app) -> list[AnswerView]:
    return list(app.screen.query(AnswerView))


def test_question_gets_an_answer_with_sources_and_status(make_app):
    async def run():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await ask(app, pilot, QUESTION)
            (view,) = answers(app)
            assert "8 tablet" in view.markdown.source and "[1]" in view.markdown.source
            panel = app.screen.query_one(SourcesPanel)
            assert panel.citations[0].file_name == "parasetamol-500.pdf"
            status = str(app.screen.query_one("#status").render())
            assert "ilac-ornek · 11 belge" in status and "cevap: extractive" in status
            app.screen.query_one("#sources-list").focus()
            await pilot.press("down", "enter")
            await wait_for_screen(app, pilot, PassageScreen)
            cited = app.screen.view.texts[app.screen.view.cited]
            assert cited == panel.citations[0].text and app.screen.view.file_name == "parasetamol-500.pdf"

    asyncio.run(run())


def test_escape_cancels_a_running_answer_and_gives_the_question_back(make_app):
    async def run():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            worker = app.screen.ask(QUESTION)  # what Enter starts; a Pilot press would wait for the answer
            await pilot.press("escape")
            await settle(app, pilot)
            assert answers(app) == []
            assert app.screen.query_one("#prompt").value == QUESTION
            assert worker.is_cancelled
            assert any("durduruldu" in n.message for n in app._notifications)

    asyncio.run(run())


def one_leaflet_collection(home, shipped, name: str):
    """A second collection in the test's data directory, holding one leaflet; its config."""
    from assistant.library import Library

    cfg = shipped_config(home, shipped)
    folder = home.parent / name
    folder.mkdir()
    shutil.copy(REPO / "corpora" / "ilac-ornek" / "omeprazol-20.md", folder)
    Library(cfg).ingest(folder, name, lambda progress: None)
    return cfg


def test_switching_collection(make_app, home, shipped):
    one_leaflet_collection(home, shipped, "tek-belge")

    async def run():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await collections_open(pilot)
            names = [c.name for c in app.screen.collections]
            await pilot.press(*["down"] * names.index("tek-belge"), "enter")
            await settle(app, pilot)
            assert app.collection == "tek-belge"
            assert str(app.screen.query_one("#status").render()).startswith("tek-belge · 1 belge")
            await ask(app, pilot, "Omeprazol ne zaman alınır?")
            assert all(c.file_name == "omeprazol-20.md" for c in answers(app)[0].citations)

    asyncio.run(run())


def test_a_damaged_collection_says_so_in_the_list(make_app, home, shipped):
    from bilge.paths import collection_dir

    cfg = one_leaflet_collection(home, shipped, "bozulan")
    (collection_dir(cfg, "bozulan") / "manifest.sqlite3").write_bytes(b"bu bir veritabani degil" * 100)

    async def run():
        app = make_app()
        async with app.run_test(size=(140, 40)) as pilot:
            await collections_open(pilot)
            lines = [str(label.render()) for label in app.screen.query("ListItem Label")]
            assert any("bozulan" in line and "bilge collections repair bozulan" in line for line in lines)
            assert any("ilac-ornek" in line and "repair" not in line for line in lines)

    asyncio.run(run())


def test_adding_a_folder_shows_progress_and_the_failed_file(make_app, tmp_path):
    folder = tmp_path / "yeni"
    folder.mkdir()
    shutil.copy(REPO / "corpora" / "ilac-ornek" / "d3-vitamini-damla.md", folder / "d3-kopya.md")
    (folder / "bozuk.pdf").write_bytes(b"%PDF-1.4 bu bir PDF degil")

    async def run():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("ctrl+o")
            await wait_for_screen(app, pilot, TextPrompt)
            app.screen.query_one("#prompt-input").value = str(folder)
            await pilot.press("enter")
            await settle(app, pilot)
            panel = app.screen.query_one(IngestPanel)
            title = str(panel.query_one("#ingest-title").render())
            assert "1 eklendi" in title and "1 başarısız" in title
            assert "bozuk.pdf" in str(panel.query_one("#ingest-failures").render())
            assert "12 belge" in str(app.screen.query_one("#status").render())

    asyncio.run(run())


def test_history_persists_across_restarts_with_its_memory(make_app):
    async def first_session():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await ask(app, pilot, QUESTION)

    async def second_session():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            listing = app.screen.query_one("#conversation-list")
            assert len(listing.children) == 1
            listing.focus()
            await pilot.press("down", "enter")
            await settle(app, pilot)
            assert "8 tablet" in answers(app)[0].markdown.source
            await ask(app, pilot, "Peki yan etkileri neler?")
            assert "Parasetamol" in app.conversation.turns[-1].standalone
            assert answers(app)[-1].citations[0].file_name == "parasetamol-500.pdf"
            return app.history.turns(app.conversation_id)

    asyncio.run(first_session())
    turns = asyncio.run(second_session())
    assert [t.turn.question for t in turns] == [QUESTION, "Peki yan etkileri neler?"]


def test_rename_and_delete_a_conversation(make_app):
    async def run():
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await ask(app, pilot, QUESTION)
            await pilot.press("f2")
            await wait_for_screen(app, pilot, TextPrompt)
            app.screen.query_one("#prompt-input").value = "İlaç dozları"
            await pilot.press("enter")
            await settle(app, pilot)
            assert [c.title for c in app.history.conversations()] == ["İlaç dozları"]
            await pilot.press("f8")
            await settle(app, pilot)
            assert app.history.conversations() == [] and answers(app) == []

    asyncio.run(run())


def test_help_screen_lists_bindings_and_keys_are_configurable(make_app):
    async def run():
        app = make_app(keys={"app.help": "f10"})
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f10")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            ids = [row[2] for row in app.screen.rows]
            assert {"app.help", "chat.cancel", "app.add_folder"} <= set(ids)
            assert dict((r[2], r[0]) for r in app.screen.rows)["app.help"].lower() == "f10"
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, HelpScreen)

    asyncio.run(run())


def test_a_missing_collection_is_a_notification_not_a_crash(make_app):
    async def run():
        app = make_app(store={"collection": "bos-koleksiyon"})
        async with app.run_test(size=(120, 40)) as pilot:
            await ask(app, pilot, QUESTION)
            assert answers(app) == []
            assert any("bilge ingest" in n.message for n in app._notifications)

    asyncio.run(run())


def test_history_schema_migrates_blank_and_old_databases(tmp_path):
    blank = ChatHistory(tmp_path / "blank.sqlite3")
    assert blank.version == len(SCHEMA_STEPS)
    old_path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(old_path)
    for step in SCHEMA_STEPS[:2]:
        db.execute(step)
    db.execute("INSERT INTO conversations VALUES (1, 'eski', 'ilac-ornek', 0, 0)")
    db.execute("INSERT INTO turns VALUES (1, 1, 'soru', 'soru', 'cevap', 'konu', 0)")
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    history = ChatHistory(old_path)
    assert history.version == len(SCHEMA_STEPS)
    (stored,) = history.turns(1)
    assert stored.turn.answer == "cevap" and stored.citations == [] and not stored.abstained


# Snapshots: what a person sees. Each docstring says what the picture must show.

def steady(pilot) -> None:
    """No blinking cursor: a snapshot must not depend on when it is taken."""
    from textual.widgets import Input

    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False


async def asked(pilot) -> None:
    steady(pilot)
    await ask(pilot.app, pilot, QUESTION)


async def asked_then_sources(pilot) -> None:
    await asked(pilot)
    pilot.app.screen.query_one("#sources-list").focus()
    await pilot.press("down")
    await pilot.pause()


async def help_open(pilot) -> None:
    steady(pilot)
    await settle(pilot.app, pilot)
    await pilot.press("f1")
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_snapshot_chat(make_app, snap_compare, size):
    """The question about paracetamol, its answer "Günde 8 tabletten (4 gram) fazla almayınız. [1]"
    quoted, the sources panel with parasetamol-500.pdf, and the status line (ilac-ornek · 11
    belge). At 120 columns the conversation list shows the new conversation."""
    assert snap_compare(make_app(), terminal_size=size, run_before=asked)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_snapshot_sources_panel(make_app, snap_compare, size):
    """The sources panel focused with its first passage highlighted: file, page, section, the
    scores of every stage (ce, rrf, cos, bm25) and the passage text."""
    assert snap_compare(make_app(), terminal_size=size, run_before=asked_then_sources)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_snapshot_help(make_app, snap_compare, size):
    """The help screen over the chat: every binding with its key, Turkish description and id."""
    assert snap_compare(make_app(), terminal_size=size, run_before=help_open)


async def collections_open(pilot) -> None:
    steady(pilot)
    await settle(pilot.app, pilot)
    await pilot.press("f3")
    await wait_for_screen(pilot.app, pilot, CollectionsScreen)
    await pilot.pause()


def test_snapshot_collections(make_app, snap_compare):
    """The collections list over the chat: ilac-ornek marked current with its counts, and the
    hint line naming Enter (switch), ctrl+n (new, its name checked), ctrl+o (add a folder), Esc."""
    assert snap_compare(make_app(), terminal_size=(100, 30), run_before=collections_open)
