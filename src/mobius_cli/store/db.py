"""The SQLite connection: one private file in the data directory, WAL, foreign keys,
a busy timeout so the REPL and a cron run can write at once, and explicit transactions."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mobius_cli.settings import Paths

DB_NAME = "mobius.sqlite3"
BUSY_TIMEOUT_MS = 10_000


def default_path(paths: Paths) -> Path:
    """Where the store lives: `<data dir>/mobius.sqlite3` (MOBIUS_HOME respected)."""
    return paths.data_dir / DB_NAME


def connect(path: Path | str, *, migrate: bool = True) -> sqlite3.Connection:
    """Open (creating it 0600 when new) the store at `path`, migrated to the latest schema.

    The connection is in autocommit mode: every change goes through `transaction()`.
    """
    path = Path(path)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Create the file private before SQLite opens it; its -wal and -shm files
        # take the same permissions from it.
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if str(path) != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    if migrate:
        from mobius_cli.store.migrations import migrate as run_migrations

        run_migrations(conn)
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any error; nested use is a savepoint.

    IMMEDIATE takes the write lock up front, so a read-then-write (is there enough to
    sell?) cannot be overtaken by another process between the read and the write.
    """
    if conn.in_transaction:
        name = f"sp_{id(conn)}_{os.urandom(4).hex()}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield conn
        except BaseException:
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")
            raise
        conn.execute(f"RELEASE {name}")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class Store:
    """The user's store: a lazily opened connection and its transactions."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = _open(self.path)
        return self._conn

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """A write transaction on this store (see `transaction`)."""
        return transaction(self.conn)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _open(path: Path) -> sqlite3.Connection:
    """`connect`, with a locked or unreadable file reported as one clear line."""
    from mobius_cli.errors import UsageError

    try:
        return connect(path)
    except sqlite3.DatabaseError as exc:
        raise UsageError(f"{path}: cannot open the Mobius store ({exc})",
                         hint="check the file's permissions, or move it aside") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot create the Mobius store ({exc.strerror})") from None
