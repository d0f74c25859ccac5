"""Bilge's chat app: the Textual `App` that owns the shared state (config, collection, current
conversation, history database) and the app-wide actions, bindings and palette commands.

The assistant and the store facade are built in worker threads on first use (they load models
and open Chroma), so the window is up at once and never freezes.
"""

from __future__ import annotations

import asyncio
from typing import Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from assistant.conversation import Conversation
from assistant.events import AnswerResult
from bilge.config import BilgeConfig
from bilge.errors import BilgeError
from bilge.names import check_collection_name
from bilge.paths import history_path
from tui.bridge import AnswerFailed
from tui.history import ChatHistory, ConversationRow
from tui.screens.chat import ChatScreen
from tui.screens.help import HelpScreen
from tui.screens.prompt import TextPrompt


class BilgeApp(App):
    CSS_PATH = "bilge.tcss"
    TITLE = "Bilge"
    AUTO_FOCUS = "#prompt"
    BINDINGS = [
        Binding("f1,question_mark", "help", "Yardım", id="app.help"),
        Binding("ctrl+n,f7", "new_chat", "Yeni", id="app.new_chat"),
        Binding("f2", "rename_chat", "Adlandır", id="app.rename_chat"),
        Binding("f8", "delete_chat", "Sil", id="app.delete_chat"),
        Binding("f3", "collections", "Koleksiyon", id="app.collections"),
        Binding("ctrl+o,f9", "add_folder", "Klasör ekle", id="app.add_folder"),
        Binding("ctrl+q", "quit", "Çık", id="app.quit", priority=True),
    ]

    def __init__(self, cfg: BilgeConfig, collection: str | None = None) -> None:
        super().__init__()
        self.cfg = cfg
        self.collection = check_collection_name(collection) if collection is not None else cfg.store.collection
        self.history = ChatHistory(history_path(cfg))
        self.conversation = Conversation()
        self.conversation_id: int | None = None
        self._assistant = None
        self._library = None

    def on_mount(self) -> None:
        known = {b.id for b in self._all_bindings()}
        unknown = sorted(set(self.cfg.keys) - known)
        if unknown:
            self.notify(f"bilge.toml [keys]: unknown binding id(s) {', '.join(unknown)}; see the help screen (F1).",
                        severity="warning", markup=False)
        self.set_keymap({k: v for k, v in self.cfg.keys.items() if k in known})
        self.push_screen(ChatScreen())

    def on_unmount(self) -> None:
        self.history.close()

    @property
    def chat(self) -> ChatScreen:
        return next(s for s in self.screen_stack if isinstance(s, ChatScreen))

    # Shared resources ------------------------------------------------------------------------

    async def get_assistant(self):
        if self._assistant is None:
            from assistant.service import Assistant

            try:
                self._assistant = await asyncio.to_thread(Assistant, self.cfg, self.collection)
            except BilgeError as exc:
                raise AnswerFailed(str(exc)) from None
        return self._assistant

    def library_sync(self):
        if self._library is None:
            from assistant.library import Library

            self._library = Library(self.cfg)
        return self._library

    async def get_library(self):
        try:
            return await asyncio.to_thread(self.library_sync)
        except BilgeError as exc:
            raise AnswerFailed(str(exc)) from None

    def forget_assistant(self) -> None:
        """After ingestion or a collection switch the next question builds a fresh assistant."""
        self._assistant = None

    def switch_collection(self, name: str) -> None:
        self.collection = name
        self.forget_assistant()

    # Conversations ---------------------------------------------------------------------------

    def open_conversation(self, row: ConversationRow | None) -> None:
        if row is not None and row.collection != self.collection:
            self.switch_collection(row.collection)
        self.conversation_id = row.id if row else None
        self.conversation = self.history.conversation(row.id) if row else Conversation()

    def record_turn(self, question: str, result: AnswerResult) -> None:
        if self.conversation_id is None:
            title = question if len(question) <= 40 else question[:39] + "…"
            self.conversation_id = self.history.create(title, self.collection).id
        self.history.add_turn(self.conversation_id, self.conversation.turns[-1], result)

    # Actions ---------------------------------------------------------------------------------

    def _all_bindings(self) -> list[Binding]:
        return [*self.BINDINGS, *ChatScreen.BINDINGS]

    def key_names(self, keys: str) -> str:
        """"f1,question_mark" as a person reads it: "F1 / ?"."""
        return " / ".join(self.get_key_display(Binding(key.strip(), "")) for key in keys.split(","))

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        rows = [(self.key_names(self.cfg.keys.get(b.id, b.key)), b.description, b.id) for b in self._all_bindings()]
        self.push_screen(HelpScreen(rows))

    async def action_new_chat(self) -> None:
        await self.chat.load_conversation(None)

    async def action_rename_chat(self) -> None:
        if self.conversation_id is None:
            self.notify("Nothing to rename yet: ask a question first.", severity="warning")
            return

        def rename(title: str | None) -> None:
            if title:
                self.history.rename(self.conversation_id, title)
                self.chat.refresh_sidebar()

        self.push_screen(TextPrompt("Sohbetin adı"), rename)

    async def action_delete_chat(self) -> None:
        if self.conversation_id is None:
            return
        self.history.delete(self.conversation_id)
        await self.chat.load_conversation(None)
        self.notify("Sohbet silindi.")

    def action_collections(self) -> None:
        self.chat.choose_collection()

    def action_add_folder(self) -> None:
        self.chat.ask_folder()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Yeni sohbet", "Start an empty conversation", self.action_new_chat)
        yield SystemCommand("Sohbeti adlandır", "Rename the current conversation", self.action_rename_chat)
        yield SystemCommand("Sohbeti sil", "Delete the current conversation", self.action_delete_chat)
        yield SystemCommand("Koleksiyon değiştir", "Switch to another collection", self.action_collections)
        yield SystemCommand("Klasör ekle", "Ingest a folder into the current collection", self.action_add_folder)
        yield SystemCommand("Kaynak paneli", "Show or hide the sources panel", self.chat.action_toggle_sources)
        yield SystemCommand("Sohbet listesi", "Show or hide the conversation list", self.chat.action_toggle_sidebar)
        yield SystemCommand("Yardım", "Key bindings", self.action_help)


def run(cfg: BilgeConfig, collection: str | None = None) -> None:
    BilgeApp(cfg, collection).run()


__all__ = ["BilgeApp", "run"]
