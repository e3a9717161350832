"""Import and export of portfolio ledgers: all-or-nothing, duplicates detected, exact."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mobius_cli.core import portfolio_formats as formats
from mobius_cli.core.ledger import (
    INFLOWS,
    PRECISION,
    OversellError,
    Portfolio,
    Transaction,
    fmt_decimal,
)
from mobius_cli.errors import MobiusError, UsageError

if TYPE_CHECKING:
    from mobius_cli.providers.coingecko import CoinGecko
    from mobius_cli.services.portfolio import PortfolioOptions
    from mobius_cli.store.db import Store

EXPORT_FORMATS = ("csv", "mobius", "json", "koinly")
IMPORT_FORMATS = ("auto", "mobius", "json", "koinly", "coinbase", "kraken", "binance")
MAX_ERRORS_SHOWN = 40
DOC = "docs/portfolio-csv.md"


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
    text = read_text(path)
    try:
        parsed = formats.parse(text, fmt)
    except formats.MissingColumns as exc:
        raise UsageError(f"{path}: {exc} in the {exc.format} header",
                         hint=f"see {DOC} for the columns") from None
    except ValueError as exc:
        raise UsageError(f"{path}: {exc}", hint="name the format with --format") from None
    book = open_portfolio(store, portfolio, options)
    # Every stage reports every bad row it finds; a row found bad is left out of the next
    # stages, and all of them are reported together at the end (nothing is written).
    errors: list[tuple[int, str]] = list(parsed.errors)
    bad: set[int] = {n for n, _ in errors}

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
            errors.append((row.line, _reason(found)))
            bad.add(row.line)
    unknown = _unknown_ids(cg, {r.coin_id for r in parsed.rows if r.coin_id})
    for row in parsed.rows:
        if row.coin_id in unknown:
            errors.append((row.line, f"unknown coin id {row.coin_id!r}"))
            bad.add(row.line)

    # Rates into the portfolio's currency, one series per currency for the whole file.
    rates = Rates(cg, book.currency, options)
    rows = [r for r in parsed.rows if r.line not in bad]
    needs = []
    for row in rows:
        if row.rate_currency and row.rate_currency != book.currency:
            row.rate = row.fee_rate = None  # exported from a portfolio in another currency
        if row.rate is None:
            needs.append((row.currency, row.time))
            if row.fee and row.fee_currency not in (row.currency, row.symbol.lower()):
                needs.append((row.fee_currency, row.time))
    rates.prepare(needs)
    priced: list[tuple[Any, Decimal, Decimal]] = []
    for row in rows:
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
            errors.append((row.line, _reason(exc)))
            bad.add(row.line)
            continue
        priced.append((row, rate, fee_rate))
    txs: list[Transaction] = []
    lines: list[int] = []
    source = f"import:{parsed.format}"
    for row, rate, fee_rate in priced:
        if row.line in bad:  # a line of two rows (a swap) goes whole or not at all
            continue
        coin = coins.get(row.symbol)
        coin_id = row.coin_id or coin.id
        symbol = row.symbol if row.coin_id else coin.symbol
        price, currency = row.price, row.currency
        if row.market_price:  # priced in the coin itself: its price that day, as money
            price, currency, rate = row.price * rate, book.currency, Decimal(1)
        txs.append(Transaction(row.kind, coin_id, symbol, row.amount, price, currency,
                               row.time, rate=rate, fee=row.fee,
                               fee_currency=row.fee_currency or row.currency,
                               fee_rate=fee_rate, note=row.note, source=source))
        lines.append(row.line)

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
        oversold = _oversells(existing, fresh, fresh_lines)
        if oversold and errors:  # the balance was counted without the rows already bad
            oversold = [(n, f"{reason} (counting only the rows without errors)")
                        for n, reason in oversold]
        errors += oversold
        if errors:
            raise bad_rows(path, errors)
        if not dry_run and fresh:
            repo.add_many(book.id, fresh)
    return ImportResult(book, parsed.format, path, len(parsed.rows), len(fresh), duplicates,
                        parsed.skipped, dry_run)


def _reason(exc: MobiusError) -> str:
    return exc.message + (f" ({exc.hint})" if exc.hint else "")


def read_text(path: str) -> str:
    """A file's text, or one clear line saying why it cannot be read."""
    import errno

    if not path.strip():
        raise UsageError("no file named: give the path of a CSV or JSON file to import")
    target = Path(path).expanduser()
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory, not a file") from None
    except PermissionError:
        raise UsageError(f"{path}: permission denied (cannot read it)") from None
    except OSError as exc:
        if exc.errno == errno.ENOTDIR:
            raise UsageError(f"{path}: a part of the path is a file, not a directory") \
                from None
        raise UsageError(f"{path}: cannot read it ({exc.strerror or type(exc).__name__})") \
            from None
    try:
        if b"\x00" in data[:8192]:  # binary, or UTF-16 text: neither reads as CSV
            raise UnicodeDecodeError("utf-8", data[:1], 0, 1, "NUL byte")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not a UTF-8 text file",
                         hint="save or export it as UTF-8 CSV or JSON") from None


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


def _oversells(existing: list[Transaction], fresh: list[Transaction],
               lines: list[int]) -> list[tuple[int, str]]:
    """Every fresh row that sells (or sends) more of a coin than is held at that moment,
    in ledger order (as `replay` orders it); a row refused is not counted in the balance
    after it, so each later one is judged on its own."""
    line_of = {id(t): n for t, n in zip(fresh, lines, strict=True)}
    outflows = {t.coin_id for t in fresh if t.kind in ("sell", "transfer_out")}
    # fresh rows carry no id yet: they sort after existing rows at the same moment, in order
    ordered = sorted((t for t in [*existing, *fresh] if t.coin_id in outflows),
                     key=lambda t: (t.time, 1 << 62 if t.id is None else t.id))
    held: dict[str, Decimal] = {}
    last_out: dict[str, Transaction] = {}  # the latest fresh outflow of each coin so far
    errors: list[tuple[int, str]] = []
    with localcontext() as ctx:
        ctx.prec = PRECISION
        for t in ordered:
            have = held.get(t.coin_id, Decimal(0))
            if t.kind in INFLOWS:
                held[t.coin_id] = have + t.amount
            elif t.amount <= have:
                held[t.coin_id] = have - t.amount
                if id(t) in line_of:
                    last_out[t.coin_id] = t
            elif id(t) in line_of:
                errors.append((line_of[id(t)],
                               OversellError(t.symbol, have, t.amount, t.time).message))
            else:  # a sale already in the portfolio, left short by an earlier fresh one
                blame = last_out.get(t.coin_id)
                errors.append((line_of[id(blame)] if blame is not None else 0,
                               f"leaves too little {t.symbol} for sale #{t.id} already in "
                               f"the portfolio ({fmt_decimal(t.amount)} {t.symbol} on "
                               f"{t.time.date().isoformat()}, only {fmt_decimal(have)} "
                               "held then)"))
    return errors


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
    """Write a file only the user can read (it holds their financial history), whole or not
    at all (a temporary file renamed over it); a path that cannot be written is one clear
    line saying why. A device or pipe (/dev/stdout) is written directly."""
    import errno
    import stat

    if not path.strip():
        raise UsageError("no file named: give --output a file name, or - for stdout")
    target = Path(path).expanduser()
    if target.is_dir():
        raise UsageError(f"{path} is a directory, not a file",
                         hint=f"name a file in it, e.g. {target / 'ledger.csv'}")
    try:
        special = target.exists() and not stat.S_ISREG(target.stat().st_mode)
    except OSError:
        special = False
    tmp = target if special else target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except FileNotFoundError:
        raise UsageError(f"cannot write {path}: the folder {target.parent} does not exist") \
            from None
    except PermissionError:
        raise UsageError(f"cannot write {path}: permission denied") from None
    except OSError as exc:
        if exc.errno == errno.ENOTDIR:
            raise UsageError(f"cannot write {path}: a part of the path is a file, not a "
                             "folder") from None
        raise UsageError(f"cannot write {path}: {_why(exc)}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        if not special:
            os.replace(tmp, target)
    except OSError as exc:  # a full disk mid-way: the old file (if any) is left as it was
        if not special:
            tmp.unlink(missing_ok=True)
        raise UsageError(f"cannot write {path}: {_why(exc)}") from None
    except BaseException:  # Ctrl-C: no temporary file left behind
        if not special:
            tmp.unlink(missing_ok=True)
        raise


def _why(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()
