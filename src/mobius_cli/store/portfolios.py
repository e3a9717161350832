"""Repositories for portfolios and their transactions (migration 1's tables)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING

from mobius_cli.core.ledger import Portfolio, Transaction
from mobius_cli.errors import UsageError

if TYPE_CHECKING:
    from mobius_cli.store.db import Store

DEFAULT_PORTFOLIO = "main"
PORTFOLIO_ALERT = "portfolio:"  # an alert on a portfolio's value names it so (services.alerts)

_TX_COLUMNS = ("id, kind, coin_id, symbol, amount, price, currency, rate, fee, fee_currency, "
               "fee_rate, time, note, source")


def db_time(moment: datetime) -> str:
    """A UTC time as fixed-width text (microseconds always), so text order is time order."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_db_time(text: str) -> datetime:
    # fromisoformat is ~20x faster than strptime; show reads every row of the ledger.
    return datetime.fromisoformat(text[:-1]).replace(tzinfo=timezone.utc)


def _now() -> str:
    return db_time(datetime.now(timezone.utc))


def _portfolio(row: Sequence) -> Portfolio:
    return Portfolio(row[0], row[1], row[2], from_db_time(row[3]))


class PortfolioRepo:
    """Named portfolios, each with a base currency."""

    def __init__(self, store: Store):
        self.store = store

    @property
    def conn(self) -> sqlite3.Connection:
        return self.store.conn

    def get(self, name: str) -> Portfolio | None:
        row = self.conn.execute("SELECT id, name, currency, created_at FROM portfolios "
                                "WHERE name = ?", (name.strip(),)).fetchone()
        return _portfolio(row) if row else None

    def require(self, name: str) -> Portfolio:
        """The portfolio called `name`; unknown is a usage error listing the others."""
        found = self.get(name)
        if found is None:
            names = [p.name for p in self.list()]
            hint = f"portfolios: {', '.join(names)}" if names else \
                "create one with `mobius portfolio create NAME`"
            raise UsageError(f"no portfolio named {name!r}", hint=hint)
        return found

    def list(self) -> list[Portfolio]:
        rows = self.conn.execute("SELECT id, name, currency, created_at FROM portfolios "
                                 "ORDER BY id").fetchall()
        return [_portfolio(r) for r in rows]

    def counts(self) -> dict[int, int]:
        """Number of transactions per portfolio id."""
        return dict(self.conn.execute(
            "SELECT portfolio_id, count(*) FROM transactions GROUP BY portfolio_id").fetchall())

    def create(self, name: str, currency: str) -> Portfolio:
        name = _check_name(name)
        with self.store.transaction() as conn:
            try:
                conn.execute("INSERT INTO portfolios (name, currency, created_at) "
                             "VALUES (?, ?, ?)", (name, currency.lower(), _now()))
            except sqlite3.IntegrityError:
                raise UsageError(f"a portfolio named {name!r} already exists") from None
        return self.require(name)

    def ensure(self, name: str, currency: str) -> Portfolio:
        """The portfolio `name`, created (in `currency`) if it does not exist yet."""
        found = self.get(name)
        if found is not None:
            return found
        with self.store.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO portfolios (name, currency, created_at) "
                         "VALUES (?, ?, ?)", (_check_name(name), currency.lower(), _now()))
        return self.require(name)

    def rename(self, old: str, new: str) -> Portfolio:
        new = _check_name(new)
        with self.store.transaction() as conn:
            current = self.require(old)
            try:
                conn.execute("UPDATE portfolios SET name = ? WHERE id = ?", (new, current.id))
            except sqlite3.IntegrityError:
                raise UsageError(f"a portfolio named {new!r} already exists") from None
            # its value alerts follow it (they name it as 'portfolio:NAME')
            conn.execute("UPDATE alerts SET coin_id = ?, symbol = ? WHERE coin_id = ?",
                         (PORTFOLIO_ALERT + new, PORTFOLIO_ALERT + new,
                          PORTFOLIO_ALERT + current.name))
        return self.require(new)

    def alerts_on(self, name: str) -> list[int]:
        """Ids of the alerts on this portfolio's value."""
        current = self.require(name)
        return [r[0] for r in self.conn.execute("SELECT id FROM alerts WHERE coin_id = ? "
                                                "ORDER BY id", (PORTFOLIO_ALERT + current.name,))]

    def delete(self, name: str) -> int:
        """Delete a portfolio, its transactions and the alerts on its value (which could
        never be checked again); returns how many transactions went."""
        with self.store.transaction() as conn:
            current = self.require(name)
            count = conn.execute("SELECT count(*) FROM transactions WHERE portfolio_id = ?",
                                 (current.id,)).fetchone()[0]
            conn.execute("DELETE FROM portfolios WHERE id = ?", (current.id,))
            conn.execute("DELETE FROM alerts WHERE coin_id = ?", (PORTFOLIO_ALERT + current.name,))
        return count


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 64 or any(not (c.isalnum() or c in "-_. ") for c in name):
        raise UsageError(f"{name!r} is not a usable portfolio name",
                         hint="letters, digits, spaces, '-', '_' or '.', up to 64 characters")
    return name


class TransactionRepo:
    """The ledger rows of each portfolio."""

    def __init__(self, store: Store):
        self.store = store

    @property
    def conn(self) -> sqlite3.Connection:
        return self.store.conn

    def add(self, portfolio_id: int, tx: Transaction) -> int:
        """Insert one row (call inside `store.transaction()` to combine with checks)."""
        cur = self.conn.execute(
            "INSERT INTO transactions (portfolio_id, kind, coin_id, symbol, amount, price, "
            "currency, rate, fee, fee_currency, fee_rate, time, note, source, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _values(portfolio_id, tx, _now()))
        return int(cur.lastrowid or 0)

    def add_many(self, portfolio_id: int, txs: Iterable[Transaction]) -> int:
        now = _now()
        cur = self.conn.executemany(
            "INSERT INTO transactions (portfolio_id, kind, coin_id, symbol, amount, price, "
            "currency, rate, fee, fee_currency, fee_rate, time, note, source, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (_values(portfolio_id, tx, now) for tx in txs))
        return cur.rowcount

    def list(self, portfolio_id: int, *, coin_id: str | None = None,
             since: datetime | None = None, until: datetime | None = None) -> list[Transaction]:
        """Rows in ledger order (time, then entry order), optionally filtered."""
        sql = f"SELECT {_TX_COLUMNS} FROM transactions WHERE portfolio_id = ?"
        args: list = [portfolio_id]
        if coin_id:
            sql += " AND coin_id = ?"
            args.append(coin_id)
        if since:
            sql += " AND time >= ?"
            args.append(db_time(since))
        if until:
            sql += " AND time < ?"
            args.append(db_time(until))
        rows = self.conn.execute(sql + " ORDER BY time, id", args).fetchall()
        return [_transaction(r) for r in rows]

    def get(self, portfolio_id: int, tx_id: int) -> Transaction | None:
        row = self.conn.execute(f"SELECT {_TX_COLUMNS} FROM transactions "
                                "WHERE portfolio_id = ? AND id = ?",
                                (portfolio_id, tx_id)).fetchone()
        return _transaction(row) if row else None

    def last_entered(self, portfolio_id: int) -> Transaction | None:
        """The most recently entered row (what `undo` removes)."""
        row = self.conn.execute(f"SELECT {_TX_COLUMNS} FROM transactions "
                                "WHERE portfolio_id = ? ORDER BY id DESC LIMIT 1",
                                (portfolio_id,)).fetchone()
        return _transaction(row) if row else None

    def delete(self, portfolio_id: int, tx_id: int) -> bool:
        cur = self.conn.execute("DELETE FROM transactions WHERE portfolio_id = ? AND id = ?",
                                (portfolio_id, tx_id))
        return cur.rowcount > 0

    def count(self, portfolio_id: int) -> int:
        return self.conn.execute("SELECT count(*) FROM transactions WHERE portfolio_id = ?",
                                 (portfolio_id,)).fetchone()[0]

    def fingerprint(self, portfolio_id: int) -> tuple[int, int]:
        """(rows, highest id): changes with every insert or delete, since ids only grow
        (AUTOINCREMENT) and rows are never updated in place."""
        row = self.conn.execute("SELECT count(*), coalesce(max(id), 0) FROM transactions "
                                "WHERE portfolio_id = ?", (portfolio_id,)).fetchone()
        return int(row[0]), int(row[1])


def _values(portfolio_id: int, tx: Transaction, now: str) -> tuple:
    return (portfolio_id, tx.kind, tx.coin_id, tx.symbol, str(tx.amount), str(tx.price),
            tx.currency, str(tx.rate), str(tx.fee), tx.fee_currency, str(tx.fee_rate),
            db_time(tx.time), tx.note, tx.source, now)


def _transaction(row: Sequence) -> Transaction:
    return Transaction(
        kind=row[1], coin_id=row[2], symbol=row[3], amount=Decimal(row[4]),
        price=Decimal(row[5]), currency=row[6], rate=Decimal(row[7]), fee=Decimal(row[8]),
        fee_currency=row[9], fee_rate=Decimal(row[10]), time=from_db_time(row[11]),
        note=row[12], source=row[13], id=row[0])
