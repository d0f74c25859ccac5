"""Chat history in SQLite: conversations and their turns, kept across app restarts.

The schema grows by ordered steps; `PRAGMA user_version` records how many have run, so an old
database is brought up to date on open and a released step is never edited (add a new one).
A turn keeps what the conversation memory needs (question, standalone question, answer, topic)
and the citations as JSON, so a reopened conversation shows its sources again.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.conversation import Conversation, Turn
from assistant.events import AnswerResult, Citation
from bilge.errors import DamagedIndexError

SCHEMA_STEPS = (
    """CREATE TABLE conversations (
        id INTEGER PRIMARY KEY, title TEXT NOT NULL, collection TEXT NOT NULL,
        created REAL NOT NULL, updated REAL NOT NULL)""",
    """CREATE TABLE turns (
        id INTEGER PRIMARY KEY, conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        question TEXT NOT NULL, standalone TEXT NOT NULL, answer TEXT NOT NULL, topic TEXT NOT NULL,
        created REAL NOT NULL)""",
    "ALTER TABLE turns ADD COLUMN citations TEXT NOT NULL DEFAULT '[]'",
    "ALTER TABLE turns ADD COLUMN abstained INTEGER NOT NULL DEFAULT 0",
)


@dataclass(frozen=True)
class ConversationRow:
    id: int
    title: str
    collection: str


@dataclass(frozen=True)
class StoredTurn:
    turn: Turn
    citations: list[Citation]
    abstained: bool


class ChatHistory:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(str(path), check_same_thread=False)
            self._db.execute("PRAGMA foreign_keys = ON")
            self.migrate()
            self._db.execute("SELECT count(*) FROM conversations").fetchone()
        except sqlite3.DatabaseError as exc:
            raise DamagedIndexError(
                f"the chat history {path} is damaged ({exc}); move it aside (`mv {path} {path}.damaged`) "
                "and start the chat again: it holds past conversations only, no documents"
            ) from None

    @property
    def version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> None:
        """Run the schema steps this database has not seen, each in its own transaction."""
        for number in range(self.version, len(SCHEMA_STEPS)):
            with self._db:
                self._db.execute(SCHEMA_STEPS[number])
                self._db.execute(f"PRAGMA user_version = {number + 1}")

    def close(self) -> None:
        self._db.close()

    def conversations(self) -> list[ConversationRow]:
        rows = self._db.execute("SELECT id, title, collection FROM conversations ORDER BY updated DESC, id DESC")
        return [ConversationRow(*row) for row in rows]

    def create(self, title: str, collection: str) -> ConversationRow:
        now = time.time()
        with self._db:
            cursor = self._db.execute(
                "INSERT INTO conversations (title, collection, created, updated) VALUES (?, ?, ?, ?)",
                (title, collection, now, now))
        return ConversationRow(cursor.lastrowid, title, collection)

    def rename(self, conversation_id: int, title: str) -> None:
        with self._db:
            self._db.execute("UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id))

    def delete(self, conversation_id: int) -> None:
        with self._db:
            self._db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    def add_turn(self, conversation_id: int, turn: Turn, result: AnswerResult) -> None:
        citations = json.dumps([asdict(c) for c in result.citations], ensure_ascii=False)
        now = time.time()
        with self._db:
            self._db.execute(
                "INSERT INTO turns (conversation_id, question, standalone, answer, topic, created, citations, abstained)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (conversation_id, turn.question, turn.standalone, turn.answer, turn.topic, now, citations,
                 int(result.abstained)))
            self._db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id))

    def turns(self, conversation_id: int) -> list[StoredTurn]:
        rows = self._db.execute(
            "SELECT question, standalone, answer, topic, citations, abstained FROM turns"
            " WHERE conversation_id = ? ORDER BY id", (conversation_id,))
        return [StoredTurn(Turn(q, s, a, t), [Citation(**c) for c in json.loads(cits)], bool(abst))
                for q, s, a, t, cits, abst in rows]

    def conversation(self, conversation_id: int) -> Conversation:
        """The memory of a stored conversation, for follow-ups after reopening it."""
        return Conversation([stored.turn for stored in self.turns(conversation_id)])
