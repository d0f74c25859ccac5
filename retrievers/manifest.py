"""What an ingest has written, per file, in SQLite beside the collection.

A file is marked `pending` before its chunks are touched and `done` (with its content hash)
after they are all in Chroma. A run that was killed therefore leaves `pending` rows, and the
next run redoes exactly those files: deleting their chunks first, so nothing is duplicated.
The `settings` row records the embedder and chunking a collection was built with.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from bilge.errors import DamagedIndexError

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, hash TEXT, status TEXT NOT NULL, chunks INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class FileRecord:
    path: str
    hash: str | None
    status: str
    chunks: int


class Manifest:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(SCHEMA)
            self._db.execute("SELECT count(*) FROM files").fetchone()
        except sqlite3.DatabaseError as exc:
            raise DamagedIndexError(
                f"the manifest {path} is damaged ({exc}); run `bilge collections repair {path.parent.name}` "
                "to rebuild it from the store"
            ) from None

    def close(self) -> None:
        self._db.close()

    def records(self) -> dict[str, FileRecord]:
        rows = self._db.execute("SELECT path, hash, status, chunks FROM files").fetchall()
        return {row[0]: FileRecord(*row) for row in rows}

    def mark_pending(self, path: str) -> None:
        self._db.execute(
            "INSERT INTO files(path, hash, status, updated_at) VALUES (?, NULL, 'pending', ?) "
            "ON CONFLICT(path) DO UPDATE SET status='pending', updated_at=excluded.updated_at",
            (path, time.time()),
        )

    def mark_done(self, path: str, digest: str, chunks: int) -> None:
        self._db.execute(
            "UPDATE files SET hash=?, status='done', chunks=?, updated_at=? WHERE path=?",
            (digest, chunks, time.time(), path),
        )

    def forget(self, path: str) -> None:
        self._db.execute("DELETE FROM files WHERE path=?", (path,))

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def clear(self) -> None:
        self._db.executescript("DELETE FROM files; DELETE FROM meta;")
