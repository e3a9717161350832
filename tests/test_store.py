"""The SQLite store: file mode, WAL, busy timeout, transactions, and migrations from empty
and from every older schema."""

from __future__ import annotations

import sqlite3
import stat
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from mobius_cli.core.ledger import Transaction
from mobius_cli.errors import UsageError
from mobius_cli.store import db as store_db
from mobius_cli.store.migrations import MIGRATIONS, applied_versions, latest_version, migrate
from mobius_cli.store.portfolios import PortfolioRepo, TransactionRepo


def tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_new_file_is_private_wal_and_migrated(tmp_path):
    path = tmp_path / "data" / "mobius.sqlite3"
    conn = store_db.connect(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    with store_db.transaction(conn):
        conn.execute("INSERT INTO portfolios (name, currency, created_at) VALUES ('x', 'usd', "
                     "'2026-01-01T00:00:00.000000Z')")
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            assert stat.S_IMODE(side.stat().st_mode) == 0o600
    assert applied_versions(conn) == {v for v, _, _ in MIGRATIONS}
    assert {"schema_migrations", "portfolios", "transactions"} <= tables(conn)


def test_private_even_under_a_loose_umask(tmp_path):
    import os

    old = os.umask(0)
    try:
        path = tmp_path / "loose.sqlite3"
        store_db.connect(path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_migrations_are_numbered_in_order_without_gaps():
    versions = [v for v, _, _ in MIGRATIONS]
    assert versions == list(range(1, len(versions) + 1))
    assert MIGRATIONS[0][1] == "portfolios"
    assert len({name for _, name, _ in MIGRATIONS}) == len(MIGRATIONS)


@pytest.mark.parametrize("start", range(len(MIGRATIONS) + 1))
def test_migrate_from_each_older_schema(tmp_path, start):
    """A database left at version `start` (0 = empty) reaches the latest, keeping its data."""
    path = tmp_path / f"v{start}.sqlite3"
    conn = store_db.connect(path, migrate=False)
    migrate(conn, upto=start)
    assert applied_versions(conn) == set(range(1, start + 1))
    if start >= 1:
        with store_db.transaction(conn):
            conn.execute("INSERT INTO portfolios (name, currency, created_at) "
                         "VALUES ('old', 'eur', '2026-01-01T00:00:00.000000Z')")
    conn.close()
    conn = store_db.connect(path)  # what every real open does
    assert applied_versions(conn) == set(range(1, latest_version() + 1))
    names = [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY version")]
    assert names == [n for _, n, _ in MIGRATIONS]
    if start >= 1:
        assert conn.execute("SELECT currency FROM portfolios WHERE name = 'old'").fetchone() \
            == ("eur",)
    assert migrate(conn) == []  # idempotent


def test_a_failing_migration_leaves_the_previous_version(tmp_path, monkeypatch):
    from mobius_cli.store import migrations

    def broken(conn):
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    monkeypatch.setattr(migrations, "MIGRATIONS",
                        [*migrations.MIGRATIONS, (latest_version() + 1, "broken", broken)])
    conn = store_db.connect(tmp_path / "s.sqlite3", migrate=False)
    with pytest.raises(RuntimeError):
        migrate(conn)
    assert applied_versions(conn) == set(range(1, latest_version()))
    assert "half_done" not in tables(conn)


def test_transaction_rolls_back_on_error(tmp_path):
    conn = store_db.connect(tmp_path / "s.sqlite3")
    with pytest.raises(ValueError), store_db.transaction(conn):
        conn.execute("INSERT INTO portfolios (name, currency, created_at) VALUES ('a', 'usd', 'x')")
        raise ValueError
    assert conn.execute("SELECT count(*) FROM portfolios").fetchone()[0] == 0
    with store_db.transaction(conn):
        conn.execute("INSERT INTO portfolios (name, currency, created_at) VALUES ('a', 'usd', 'x')")
        with pytest.raises(ValueError), store_db.transaction(conn):  # nested: a savepoint
            conn.execute("INSERT INTO portfolios (name, currency, created_at) "
                         "VALUES ('b', 'usd', 'x')")
            raise ValueError
    assert [r[0] for r in conn.execute("SELECT name FROM portfolios")] == ["a"]


def test_app_store_lives_in_the_data_dir(tmp_path):
    from mobius_cli.context import AppContext

    app = AppContext()
    store = app.store
    assert store.path == tmp_path / "home" / "data" / "mobius.sqlite3"
    with store.transaction() as conn:
        conn.execute("INSERT INTO portfolios (name, currency, created_at) VALUES ('a', 'usd', 'x')")
    assert store.conn.execute("SELECT count(*) FROM portfolios").fetchone()[0] == 1
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    app.close()


def test_repositories_round_trip_decimals(tmp_path):
    store = store_db.Store(tmp_path / "s.sqlite3")
    portfolios, txs = PortfolioRepo(store), TransactionRepo(store)
    main = portfolios.ensure("main", "usd")
    assert portfolios.ensure("MAIN", "eur").id == main.id  # names are case-insensitive
    tx = Transaction("buy", "bitcoin", "BTC", Decimal("0.10000000"), Decimal("60000.5"), "eur",
                     datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=timezone.utc),
                     rate=Decimal("1.0842"), fee=Decimal("1.50"), fee_currency="eur",
                     fee_rate=Decimal("1.0842"), note="first")
    with store.transaction():
        tx_id = txs.add(main.id, tx)
    back = txs.get(main.id, tx_id)
    assert back is not None
    assert (back.amount, back.price, back.fee, back.rate) == (
        Decimal("0.10000000"), Decimal("60000.5"), Decimal("1.50"), Decimal("1.0842"))
    assert str(back.amount) == "0.10000000" and back.time == tx.time
    with pytest.raises(UsageError):
        portfolios.create("main", "usd")
    portfolios.rename("main", "long term")
    assert portfolios.require("long term").id == main.id
    assert portfolios.delete("long term") == 1
    assert txs.count(main.id) == 0  # cascade
    with pytest.raises(UsageError):
        portfolios.require("main")


def test_a_second_connection_waits_for_the_writer(tmp_path):
    """busy_timeout: a writer that holds the lock briefly does not make others fail."""
    import threading
    import time

    path = tmp_path / "s.sqlite3"
    a, b = store_db.connect(path), store_db.connect(path)
    done = threading.Event()

    def hold():
        with store_db.transaction(a):
            a.execute("INSERT INTO portfolios (name, currency, created_at) "
                      "VALUES ('a', 'usd', 'x')")
            time.sleep(0.5)
        done.set()

    t = threading.Thread(target=hold)
    t.start()
    time.sleep(0.1)
    with store_db.transaction(b):
        b.execute("INSERT INTO portfolios (name, currency, created_at) VALUES ('b', 'usd', 'x')")
    t.join()
    assert b.execute("SELECT count(*) FROM portfolios").fetchone()[0] == 2
