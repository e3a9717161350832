"""Import and export of portfolio ledgers: all-or-nothing, duplicates detected, exact."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mobius_cli.core import portfolio_formats as formats
from mobius_cli.core.ledger import OversellError, Portfolio, Transaction, replay
from mobius_cli.errors import MobiusError, UsageError

if TYPE_CHECKING:
    from mobius_cli.providers.coingecko import CoinGecko
    from mobius_cli.services.portfolio import PortfolioOptions
    from mobius_cli.store.db import Store

EXPORT_FORMATS = ("csv", "mobius", "json", "koinly")
IMPORT_FORMATS = ("auto", "mobius", "json", "koinly", "coinbase", "kraken", "binance")
MAX_ERRORS_SHOWN = 40


@dataclass
class ImportResult:
    portfolio: Portfolio
    format: str
    file: str
    rows: int
    added: int
    duplicates: int
    skipped: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"portfolio": self.portfolio.name, "format": self.format, "file": self.file,
                "rows": self.rows, "added": self.added, "duplicates": self.duplicates,
                "skipped": [{"line": n, "reason": r} for n, r in self.skipped],
                "dry_run": self.dry_run}

    def summary(self) -> str:
        verb = "would import" if self.dry_run else "imported"
        text = (f"{verb} {self.added} transaction{'s' * (self.added != 1)} into portfolio "
                f"{self.portfolio.name} ({self.format})")
        if self.duplicates:
            text += f"; {self.duplicates} already there, skipped"
        if self.skipped:
            text += f"; {len(self.skipped)} row{'s' * (len(self.skipped) != 1)} without coins " \
                    "skipped (" + ", ".join(f"line {n}: {r}" for n, r in self.skipped[:3]) + \
                    (", …" if len(self.skipped) > 3 else "") + ")"
        return text + ("; nothing written (dry run)" if self.dry_run else "")


def bad_rows(path: str, errors: list[tuple[int, str]]) -> UsageError:
    """One error listing every bad row by line (nothing was imported)."""
    errors = sorted(set(errors))
    lines = [f"  line {n}: {reason}" for n, reason in errors[:MAX_ERRORS_SHOWN]]
    if len(errors) > MAX_ERRORS_SHOWN:
        lines.append(f"  … and {len(errors) - MAX_ERRORS_SHOWN} more")
    noun = "row" if len(errors) == 1 else "rows"
    # The advice goes on the first line: after the list it read as part of the last row.
    return UsageError(f"{path}: {len(errors)} bad {noun}, nothing imported (fix them and import "
                      "again; --dry-run checks without writing)\n" + "\n".join(lines))


def _key(t: Transaction) -> tuple:
    """What makes two rows the same transaction (Decimals compared by value; a price of 0,
    as a transfer out has, is the same in any currency)."""
    return (t.kind, t.coin_id, t.amount.normalize(), t.price.normalize(),
            t.currency if t.price else "", t.time, t.fee.normalize())


def import_file(store: Store, cg: CoinGecko, path: str, fmt: str = "auto",
                portfolio: str | None = None, *, dry_run: bool = False,
                options: PortfolioOptions | None = None) -> ImportResult:
    """Read, check and write a whole file in ONE transaction; any bad row, nothing written.

    Coins are resolved and day rates fetched (once per currency) before the transaction;
    the duplicate and balance checks run inside it, so a concurrent writer cannot slip
    in between the check and the write.
    """
    from mobius_cli.services.portfolio import Rates, open_portfolio, repos

    fmt = (fmt or "auto").strip().lower()
    if fmt == "csv":
        fmt = "mobius"
    if fmt not in IMPORT_FORMATS:
        raise UsageError(f"unknown import format {fmt!r}", hint=", ".join(IMPORT_FORMATS))
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read it ({exc})") from None
    try:
        parsed = formats.parse(text, fmt)
    except ValueError as exc:
        raise UsageError(f"{path}: {exc}", hint="name the format with --format") from None
    if parsed.errors:
        raise bad_rows(path, parsed.errors)
    book = open_portfolio(store, portfolio, options)
    errors: list[tuple[int, str]] = []

    # Coins: mobius files name ids; others name tickers, each resolved once.
    coins: dict[str, Any] = {}
    for sym in sorted({r.symbol for r in parsed.rows if not r.coin_id}):
        try:
            coins[sym] = cg.resolve(sym).coin
        except MobiusError as exc:
            if not isinstance(exc, UsageError):
                raise
            coins[sym] = exc
    for row in parsed.rows:
        found = coins.get(row.symbol) if not row.coin_id else None
        if isinstance(found, MobiusError):
            errors.append((row.line, found.message + (f" ({found.hint})" if found.hint else "")))
    unknown = _unknown_ids(cg, {r.coin_id for r in parsed.rows if r.coin_id})
    errors += [(r.line, f"unknown coin id {r.coin_id!r}") for r in parsed.rows
               if r.coin_id in unknown]
    if errors:
        raise bad_rows(path, errors)

    # Rates into the portfolio's currency, one series per currency for the whole file.
    rates = Rates(cg, book.currency, options)
    needs = []
    for row in parsed.rows:
        if row.rate_currency and row.rate_currency != book.currency:
            row.rate = row.fee_rate = None  # exported from a portfolio in another currency
        if row.rate is None:
            needs.append((row.currency, row.time))
            if row.fee and row.fee_currency not in (row.currency, row.symbol.lower()):
                needs.append((row.fee_currency, row.time))
    rates.prepare(needs)
    txs: list[Transaction] = []
    lines: list[int] = []
    source = f"import:{parsed.format}"
    for row in parsed.rows:
        coin = coins.get(row.symbol)
        coin_id = row.coin_id or coin.id
        symbol = row.symbol if row.coin_id else coin.symbol
        try:
            rate = row.rate if row.rate is not None else rates.rate(row.currency, row.time)
            if row.fee_rate is not None:
                fee_rate = row.fee_rate
            elif row.fee_currency in ("", row.currency):
                fee_rate = rate
            elif row.fee_currency == row.symbol.lower():
                fee_rate = row.price * rate
            else:
                fee_rate = rates.rate(row.fee_currency, row.time) if row.fee else Decimal(1)
        except UsageError as exc:
            errors.append((row.line, exc.message))
            continue
        price, currency = row.price, row.currency
        if row.market_price:  # priced in the coin itself: its price that day, as money
            price, currency, rate = row.price * rate, book.currency, Decimal(1)
        txs.append(Transaction(row.kind, coin_id, symbol, row.amount, price, currency,
                               row.time, rate=rate, fee=row.fee,
                               fee_currency=row.fee_currency or row.currency,
                               fee_rate=fee_rate, note=row.note, source=source))
        lines.append(row.line)
    if errors:
        raise bad_rows(path, errors)

    _, repo = repos(store)
    with store.transaction():
        existing = repo.list(book.id)
        seen = Counter(_key(t) for t in existing)
        fresh: list[Transaction] = []
        fresh_lines: list[int] = []
        duplicates = 0
        for tx, line in zip(txs, lines, strict=True):
            key = _key(tx)
            if seen[key] > 0:
                seen[key] -= 1
                duplicates += 1
            else:
                fresh.append(tx)
                fresh_lines.append(line)
        _check_balances(path, existing, fresh, fresh_lines)
        if not dry_run and fresh:
            repo.add_many(book.id, fresh)
    return ImportResult(book, parsed.format, path, len(parsed.rows), len(fresh), duplicates,
                        parsed.skipped, dry_run)


def _unknown_ids(cg: CoinGecko, ids: set[str]) -> set[str]:
    """The ids CoinGecko does not list (the full list is read only when a file names a coin
    outside the ranked ones); none when the list cannot be had, so a file still imports."""
    from mobius_cli.errors import SourceError

    try:
        ids = ids - {c.id for c in cg.ranked_coins()}
        if ids:
            ids = ids - {c.id for c in cg.all_coins()}
    except SourceError:
        return set()
    return ids


def _check_balances(path: str, existing: list[Transaction], fresh: list[Transaction],
                    lines: list[int]) -> None:
    """Refuse a file that sells (or sends) more of a coin than is held at that moment."""
    line_of = {id(t): n for t, n in zip(fresh, lines, strict=True)}
    by_coin: dict[str, list[Transaction]] = {}
    for t in existing:
        by_coin.setdefault(t.coin_id, []).append(t)
    outflows = set()
    for t in fresh:
        by_coin.setdefault(t.coin_id, []).append(t)
        if t.kind in ("sell", "transfer_out"):
            outflows.add(t.coin_id)
    errors = []
    for coin_id in sorted(outflows):
        # fresh rows carry no id yet: they sort after existing rows at the same moment
        try:
            replay(by_coin[coin_id], "fifo")
        except OversellError as exc:
            errors.append((line_of.get(id(exc.tx), 0), exc.message))
    if errors:
        raise bad_rows(path, errors)


# --- export ------------------------------------------------------------------------------


def export_text(store: Store, portfolio: str | None = None, fmt: str = "csv",
                options: PortfolioOptions | None = None) -> str:
    from mobius_cli.services.portfolio import open_portfolio, repos

    fmt = (fmt or "csv").strip().lower()
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"unknown export format {fmt!r}", hint="csv, json or koinly")
    book = open_portfolio(store, portfolio, options)
    _, repo = repos(store)
    rows = repo.list(book.id)
    if fmt == "json":
        return formats.write_json(rows, book.name, book.currency)
    if fmt == "koinly":
        return formats.write_koinly(rows, book.currency)
    return formats.write_mobius(rows, book.currency)


def write_private(path: str, text: str) -> None:
    """Write a file only the user can read (it holds their financial history)."""
    target = Path(path).expanduser()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
