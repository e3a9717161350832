"""A disk cache shared by all processes (SQLite, WAL) with an in-process layer.

Pruned cheaply: on close, at most once an hour (or when the file passes the size bound),
rows older than `MAX_AGE` go and the oldest rows go until the bodies fit in `MAX_BYTES`.
A cache that cannot be opened or written (read-only or full home) is skipped, never fatal.
"""

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
);
CREATE INDEX IF NOT EXISTS responses_by_age ON responses (stored_at);
CREATE TABLE IF NOT EXISTS rate_limits (
    source TEXT PRIMARY KEY,
    until REAL NOT NULL,
    noted_at REAL NOT NULL,
    retry_after REAL
);
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value REAL NOT NULL
);
"""

# Rows not refreshed for this long are dropped (older than any TTL or useful stale data).
MAX_AGE = 30 * 86400.0
# The bodies are kept under this many bytes, oldest evicted first (down to 80 %).
MAX_BYTES = 50 * 1024 * 1024
# Pruning runs on close at most this often (or sooner when the file passes MAX_BYTES).
PRUNE_INTERVAL = 3600.0
_DB_ERRORS = (sqlite3.Error, OSError)


class ResponseCache:
    """Response bodies by request key, with the time each was stored.

    Freshness is the caller's decision (each kind of data has its own TTL); the cache
    only remembers when a body was stored, so stale bodies stay usable offline or when a
    source fails.
    """

    def __init__(self, path: Path, *, memory_size: int = 256, max_bytes: int = MAX_BYTES,
                 max_age: float = MAX_AGE):
        self.path = path
        self.max_bytes = max_bytes
        self.max_age = max_age
        self._conn: sqlite3.Connection | None = None
        self._memory: LRUCache[str, tuple[float, Any]] = LRUCache(maxsize=memory_size)
        self._writes = 0
        self._unusable: Exception | None = None

    def _db(self) -> sqlite3.Connection:
        """The open database; a location that cannot be opened (read-only or full home, a
        file where the folder should be) fails fast on every later call too."""
        if self._conn is None:
            if self._unusable is not None:
                raise self._unusable
            conn = None
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                if not self.path.exists():
                    os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
                conn = sqlite3.connect(self.path, timeout=5, isolation_level=None)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.executescript(SCHEMA)
            except _DB_ERRORS as exc:
                if conn is not None:
                    conn.close()
                if not (isinstance(exc, sqlite3.DatabaseError)
                        and not isinstance(exc, sqlite3.OperationalError)):
                    self._unusable = exc  # a damaged file is for `clear` to remove
                raise
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
        except _DB_ERRORS:
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
        except _DB_ERRORS:
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
        # A full, read-only or locked disk must not fail the command that fetched.
        with contextlib.suppress(*_DB_ERRORS):
            self._db().execute(
                "INSERT OR REPLACE INTO responses (key, stored_at, body) VALUES (?, ?, ?)",
                (key, stored_at, body),
            )
            self._writes += 1

    def delete(self, key: str) -> None:
        """Forget one entry (a body that no longer validates)."""
        self._memory.pop(key, None)
        with contextlib.suppress(*_DB_ERRORS):
            self._db().execute("DELETE FROM responses WHERE key = ?", (key,))

    # --- rate limits remembered across processes -----------------------------------

    def rate_limit(self, source: str) -> tuple[float, float, float | None] | None:
        """(until, noted_at, Retry-After or None) of the last 429 from `source`, or None."""
        if not self.path.exists():
            return None
        try:
            row = self._db().execute(
                "SELECT until, noted_at, retry_after FROM rate_limits WHERE source = ?",
                (source,)).fetchone()
        except _DB_ERRORS:
            return None
        return None if row is None else (row[0], row[1], row[2])

    def set_rate_limit(self, source: str, until: float, noted_at: float,
                       retry_after: float | None) -> None:
        """Remember that `source` rate limited us until `until` (epoch seconds)."""
        with contextlib.suppress(*_DB_ERRORS):
            self._db().execute(
                "INSERT OR REPLACE INTO rate_limits (source, until, noted_at, retry_after) "
                "VALUES (?, ?, ?, ?)", (source, until, noted_at, retry_after))

    def clear_rate_limit(self, source: str) -> None:
        """Forget a rate limit once the source answers again."""
        with contextlib.suppress(*_DB_ERRORS):
            self._db().execute("DELETE FROM rate_limits WHERE source = ?", (source,))

    # --- pruning ---------------------------------------------------------------------

    def prune(self, *, now: float | None = None) -> int:
        """Drop rows older than `max_age`, then the oldest until the bodies fit in 80 % of
        `max_bytes`; returns how many rows went. Never raises."""
        now = time.time() if now is None else now
        removed = 0
        try:
            db = self._db()
            removed += db.execute("DELETE FROM responses WHERE stored_at < ?",
                                  (now - self.max_age,)).rowcount
            (total,) = db.execute(
                "SELECT COALESCE(SUM(length(CAST(body AS BLOB)) + length(key)), 0) "
                "FROM responses").fetchone()
            if total > self.max_bytes:
                target = total - int(self.max_bytes * 0.8)
                freed = 0
                cutoff = None
                for stored_at, size in db.execute(
                        "SELECT stored_at, length(CAST(body AS BLOB)) + length(key) "
                        "FROM responses ORDER BY stored_at"):
                    freed += size
                    cutoff = stored_at
                    if freed >= target:
                        break
                if cutoff is not None:
                    removed += db.execute("DELETE FROM responses WHERE stored_at <= ?",
                                          (cutoff,)).rowcount
                    db.execute("VACUUM")
                    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            db.execute("DELETE FROM rate_limits WHERE until < ?", (now - self.max_age,))
            db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('pruned_at', ?)",
                       (now,))
        except _DB_ERRORS:
            return removed
        if removed:
            self._memory.clear()
        return removed

    def prune_due(self, *, now: float | None = None) -> bool:
        """Whether this process should prune: it wrote, and the last prune is an
        interval old or the files passed the size bound."""
        if not self._writes:
            return False
        now = time.time() if now is None else now
        try:
            if self._size() > self.max_bytes:
                return True
            row = self._db().execute(
                "SELECT value FROM meta WHERE name = 'pruned_at'").fetchone()
        except _DB_ERRORS:
            return False
        return row is None or now - row[0] >= PRUNE_INTERVAL

    def info(self) -> dict[str, Any]:
        """Entry count, size on disk, and the oldest/newest store time (read-only when the
        folder cannot be written)."""
        if not self.path.exists():
            return {"path": str(self.path), "entries": 0, "bytes": 0}
        query = "SELECT COUNT(*), MIN(stored_at), MAX(stored_at) FROM responses"
        try:
            try:
                count, oldest, newest = self._db().execute(query).fetchone()
            except (sqlite3.OperationalError, OSError):
                # e.g. a read-only home: read the file as it is, without WAL files.
                with contextlib.closing(sqlite3.connect(
                        f"file:{self.path}?immutable=1", uri=True)) as conn:
                    count, oldest, newest = conn.execute(query).fetchone()
        except (sqlite3.DatabaseError, OSError) as exc:
            from mobius_cli.errors import MobiusError

            raise MobiusError(f"the cache file {self.path} is damaged or unreadable ({exc})",
                              hint="`mobius cache clear` removes it") from None
        return {"path": str(self.path), "entries": count, "bytes": self._size(),
                "oldest": oldest, "newest": newest}

    def _files(self) -> list[Path]:
        """The database and its WAL and shared-memory files."""
        return [p for p in self.path.parent.glob(self.path.name + "*") if p.is_file()]

    def _size(self) -> int:
        return sum(p.stat().st_size for p in self._files())

    def clear(self) -> int:
        """Remove every entry (and remembered rate limits); returns how many entries there
        were. A damaged file is deleted."""
        self._memory.clear()
        if not self.path.exists():
            return 0
        try:
            db = self._db()
            (count,) = db.execute("SELECT COUNT(*) FROM responses").fetchone()
            db.execute("DELETE FROM responses")
            db.execute("DELETE FROM rate_limits")
            db.execute("VACUUM")
        except (sqlite3.OperationalError, OSError) as exc:  # read-only, full, locked
            from mobius_cli.errors import MobiusError

            raise MobiusError(f"cannot clear the cache file {self.path} ({exc})",
                              hint="check that its folder is writable") from None
        except sqlite3.DatabaseError:  # damaged: remove the files
            self.close()
            self._unusable = None
            try:
                for file in self._files():
                    file.unlink(missing_ok=True)
            except OSError as exc:
                from mobius_cli.errors import MobiusError

                raise MobiusError(f"cannot remove the damaged cache file {self.path} ({exc})",
                                  hint="remove it by hand") from None
            return 0
        return count

    def close(self) -> None:
        """Prune when due, then close the database."""
        if self._conn is not None and self.prune_due():
            self.prune()
        if self._conn is not None:
            self._conn.close()
            self._conn = None
