"""A disk cache shared by all processes (SQLite, WAL) with an in-process layer."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from cachetools import LRUCache

SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    stored_at REAL NOT NULL,
    body TEXT NOT NULL
)
"""


class ResponseCache:
    """Response bodies by request key, with the time each was stored.

    Freshness is the caller's decision (each kind of data has its own TTL); the cache
    only remembers when a body was stored, so stale bodies stay usable offline or when a
    source fails.
    """

    def __init__(self, path: Path, *, memory_size: int = 256):
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._memory: LRUCache[str, tuple[float, Any]] = LRUCache(maxsize=memory_size)

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not self.path.exists():
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            conn = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(SCHEMA)
            self._conn = conn
        return self._conn

    def get(self, key: str) -> tuple[float, Any] | None:
        """(stored_at, parsed JSON) or None."""
        hit = self._memory.get(key)
        if hit is not None:
            return hit
        import json

        try:
            row = self._db().execute(
                "SELECT stored_at, body FROM responses WHERE key = ?", (key,)
            ).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        try:
            entry = (row[0], json.loads(row[1]))
        except ValueError:
            return None
        self._memory[key] = entry
        return entry

    def with_prefix(self, prefix: str) -> list[tuple[str, float, Any]]:
        """(key, stored_at, parsed JSON) of every entry whose key starts with `prefix`."""
        import json

        try:
            rows = self._db().execute(
                "SELECT key, stored_at, body FROM responses WHERE substr(key, 1, ?) = ?",
                (len(prefix), prefix)).fetchall()
        except sqlite3.Error:
            return []
        found = []
        for key, stored_at, body in rows:
            try:
                found.append((key, stored_at, json.loads(body)))
            except ValueError:
                continue
        return found

    def put(self, key: str, data: Any, body: str, *, now: float | None = None) -> None:
        """Store a parsed body and its text."""
        stored_at = time.time() if now is None else now
        self._memory[key] = (stored_at, data)
        # A full or locked disk must not fail the command that fetched.
        with contextlib.suppress(sqlite3.Error):
            self._db().execute(
                "INSERT OR REPLACE INTO responses (key, stored_at, body) VALUES (?, ?, ?)",
                (key, stored_at, body),
            )

    def info(self) -> dict[str, Any]:
        """Entry count, size on disk, and the oldest/newest store time."""
        if not self.path.exists():
            return {"path": str(self.path), "entries": 0, "bytes": 0}
        try:
            count, oldest, newest = self._db().execute(
                "SELECT COUNT(*), MIN(stored_at), MAX(stored_at) FROM responses"
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            from mobius_cli.errors import MobiusError

            raise MobiusError(f"the cache file {self.path} is damaged ({exc})",
                              hint="`mobius cache clear` removes it") from None
        return {"path": str(self.path), "entries": count, "bytes": self._size(),
                "oldest": oldest, "newest": newest}

    def _files(self) -> list[Path]:
        """The database and its WAL and shared-memory files."""
        return [p for p in self.path.parent.glob(self.path.name + "*") if p.is_file()]

    def _size(self) -> int:
        return sum(p.stat().st_size for p in self._files())

    def clear(self) -> int:
        """Remove every entry; returns how many there were. A damaged file is deleted."""
        self._memory.clear()
        if not self.path.exists():
            return 0
        try:
            db = self._db()
            (count,) = db.execute("SELECT COUNT(*) FROM responses").fetchone()
            db.execute("DELETE FROM responses")
            db.execute("VACUUM")
        except sqlite3.DatabaseError:
            self.close()
            for file in self._files():
                file.unlink(missing_ok=True)
            return 0
        return count

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
