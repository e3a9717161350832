"""The store's schema as an ordered list of numbered, named migrations.

`schema_migrations(version, name, applied_at)` records which have run. `migrate(conn)`
applies the missing ones in order, each in its own write transaction (so a crash leaves
the database at a whole version, never half-way), re-checking inside the transaction so
two processes opening a new store at once do not apply a migration twice.

How to add a migration:

1. Write `def _mNNN_short_name(conn: sqlite3.Connection) -> None:` below the others; it
   runs plain `conn.execute(...)` statements (no BEGIN/COMMIT: `migrate` owns the
   transaction). Never edit a migration that has shipped: add a new one that alters.
2. Append `(NNN, "short_name", _mNNN_short_name)` to MIGRATIONS; versions are 1, 2, 3…
   with no gaps, in order.
3. Money and amounts are Decimal stored as TEXT; times are ISO 8601 UTC TEXT with a Z.
4. tests/test_store.py migrates from empty and from every older version automatically.

Migration 1 (portfolios, transactions) belongs to the portfolio ledger; alerts add theirs
after it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone


def _m001_portfolios(conn: sqlite3.Connection) -> None:
    conn.execute("""
        CREATE TABLE portfolios (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            currency TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""")
    # price is the unit price in `currency` as entered; rate converts `currency` into the
    # portfolio's currency on the trade's day (stored, so the ledger never changes after
    # the fact); fee is in fee_currency, converted by fee_rate.
    conn.execute("""
        CREATE TABLE transactions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            portfolio_id INTEGER NOT NULL REFERENCES portfolios(id) ON DELETE CASCADE,
            kind TEXT NOT NULL
                CHECK (kind IN ('buy', 'sell', 'transfer_in', 'transfer_out')),
            coin_id TEXT NOT NULL,
            symbol TEXT NOT NULL,
            amount TEXT NOT NULL,
            price TEXT NOT NULL,
            currency TEXT NOT NULL,
            rate TEXT NOT NULL DEFAULT '1',
            fee TEXT NOT NULL DEFAULT '0',
            fee_currency TEXT NOT NULL,
            fee_rate TEXT NOT NULL DEFAULT '1',
            time TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT 'manual',
            created_at TEXT NOT NULL
        )""")
    conn.execute("CREATE INDEX transactions_by_time ON transactions (portfolio_id, time, id)")
    conn.execute("CREATE INDEX transactions_by_coin ON transactions (portfolio_id, coin_id)")


def _m002_alerts(conn: sqlite3.Connection) -> None:
    # Alerts and their state (core/alerts.py). Ids are never reused, so "remove #4" can
    # never hit a newer alert. target is the number as entered (TEXT); side is the side of
    # the target a cross alert waits on.
    conn.execute("""
        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            symbol TEXT NOT NULL,
            coin_id TEXT NOT NULL,
            condition TEXT NOT NULL CHECK (condition IN
                ('above', 'below', 'cross', 'change', 'change_up', 'change_down')),
            target TEXT NOT NULL,
            currency TEXT NOT NULL,
            side TEXT CHECK (side IS NULL OR side IN ('above', 'below')),
            repeat INTEGER NOT NULL DEFAULT 0,
            cooldown REAL NOT NULL DEFAULT 0,
            notify TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'armed' CHECK (status IN ('armed', 'fired')),
            enabled INTEGER NOT NULL DEFAULT 1,
            reset INTEGER NOT NULL DEFAULT 0,
            snoozed_until TEXT,
            created_at TEXT NOT NULL,
            last_fired_at TEXT,
            fire_count INTEGER NOT NULL DEFAULT 0
        )""")
    conn.execute("CREATE INDEX alerts_by_coin ON alerts (coin_id)")
    # Every firing, kept after its alert is removed; (alert_id, seq) makes a second
    # record of the same event impossible.
    conn.execute("""
        CREATE TABLE alert_firings (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            alert_id INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            symbol TEXT NOT NULL,
            coin_id TEXT NOT NULL,
            condition TEXT NOT NULL,
            target TEXT NOT NULL,
            price REAL NOT NULL,
            currency TEXT NOT NULL,
            change_24h_pct REAL,
            note TEXT NOT NULL DEFAULT '',
            fired_at TEXT NOT NULL,
            UNIQUE (alert_id, seq)
        )""")
    conn.execute("CREATE INDEX alert_firings_by_time ON alert_firings (fired_at)")
    # Named channels; a target that can carry a secret lives in the keyring, not here.
    conn.execute("""
        CREATE TABLE alert_channels (
            name TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN
                ('terminal', 'desktop', 'webhook', 'ntfy', 'command', 'apprise')),
            target TEXT,
            display TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        )""")
    # One row per firing and channel: claimed ('sending') inside a write transaction so
    # two checks never send the same one; failed ones are retried by the next check.
    conn.execute("""
        CREATE TABLE alert_deliveries (
            firing_id INTEGER NOT NULL REFERENCES alert_firings(id) ON DELETE CASCADE,
            channel TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
                ('pending', 'sending', 'sent', 'failed', 'skipped', 'gave_up')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            claimed_until TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (firing_id, channel)
        )""")
    conn.execute("CREATE INDEX alert_deliveries_by_status ON alert_deliveries (status)")


Migration = tuple[int, str, Callable[[sqlite3.Connection], None]]

MIGRATIONS: list[Migration] = [
    (1, "portfolios", _m001_portfolios),
    (2, "alerts", _m002_alerts),
]


def _ensure_table(conn: sqlite3.Connection) -> None:
    conn.execute("""
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )""")


def applied_versions(conn: sqlite3.Connection) -> set[int]:
    """Versions recorded in schema_migrations (empty for a new file)."""
    try:
        return {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
    except sqlite3.OperationalError:
        return set()


def latest_version() -> int:
    return MIGRATIONS[-1][0] if MIGRATIONS else 0


def migrate(conn: sqlite3.Connection, *, upto: int | None = None) -> list[int]:
    """Apply the missing migrations (up to `upto`, for tests); return the versions applied."""
    from mobius_cli.store.db import transaction

    wanted = [m for m in MIGRATIONS if upto is None or m[0] <= upto]
    done = applied_versions(conn)
    if all(version in done for version, _, _ in wanted):
        return []
    applied = []
    for version, name, step in wanted:
        if version in done:
            continue
        with transaction(conn):
            _ensure_table(conn)
            if conn.execute("SELECT 1 FROM schema_migrations WHERE version = ?",
                            (version,)).fetchone():
                continue  # another process got there first
            step(conn)
            conn.execute("INSERT INTO schema_migrations (version, name, applied_at) "
                         "VALUES (?, ?, ?)", (version, name, _now()))
        applied.append(version)
    return applied


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
