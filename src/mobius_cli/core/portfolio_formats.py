"""Portfolio files in and out: the mobius CSV and JSON, the Koinly universal template, and
the Coinbase, Kraken ledger and Binance exports. Pure: text in, rows (or errors) out.

Parsing never resolves coins or fetches rates: a row names its coin by ticker (or id, in
mobius files) and its price in some currency; the service resolves and converts.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

from mobius_cli.core.coins import FIAT_CODES
from mobius_cli.core.ledger import (
    COMMA_HINT,
    KINDS,
    MAX_AMOUNT,
    MAX_PRICE,
    MIN_AMOUNT,
    Transaction,
    drop_grouping,
)

FORMATS = ("mobius", "json", "koinly", "coinbase", "kraken", "binance")

MOBIUS_COLUMNS = ("id", "time", "kind", "symbol", "coin_id", "amount", "price", "currency",
                  "rate", "fee", "fee_currency", "fee_rate", "rate_currency", "note")
KOINLY_COLUMNS = ("Date", "Sent Amount", "Sent Currency", "Received Amount",
                  "Received Currency", "Fee Amount", "Fee Currency", "Net Worth Amount",
                  "Net Worth Currency", "Label", "Description", "TxHash")
# Dollar stablecoins count as money, like fiat: a BTC/USDT trade is a purchase of BTC priced
# in USDT (converted at USDT's rate that day), not also a sale of USDT that would need the
# USDT's own purchase history.
STABLECOINS = frozenset({"usdt", "usdc", "busd", "dai", "fdusd", "tusd", "usdp", "pyusd"})
QUOTE_MONEY = FIAT_CODES | STABLECOINS


@dataclass
class Row:
    """One transaction read from a file, before its coin is resolved and rates are found.

    `currency` is what `price` is quoted in: a fiat code, or a coin's ticker (a crypto
    pair); `rate`/`fee_rate` are set only when the file carries them (mobius files).
    `market_price` asks the service to value the row at the coin's price that day.
    """

    line: int
    kind: str
    symbol: str
    amount: Decimal
    price: Decimal
    currency: str
    time: datetime
    fee: Decimal = Decimal(0)
    fee_currency: str = ""
    note: str = ""
    coin_id: str | None = None
    rate: Decimal | None = None
    fee_rate: Decimal | None = None
    rate_currency: str | None = None
    market_price: bool = False


@dataclass
class Parsed:
    """Rows, the problems found (line, reason), and rows deliberately skipped."""

    format: str
    rows: list[Row] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


class RowError(ValueError):
    """A bad value in a row; the reader adds the line number."""


class MissingColumns(ValueError):
    """The header lacks columns the format needs: no row can be read."""

    def __init__(self, fmt: str, columns: Sequence[str]):
        super().__init__(f"missing column{'s' * (len(columns) != 1)} {', '.join(columns)}")
        self.format, self.columns = fmt, list(columns)


# The columns each format cannot do without (a pair: either name will do).
MOBIUS_REQUIRED = ("time", "kind", "symbol", "coin_id", "amount", "price", "currency")
REQUIRED: dict[str, tuple[str | tuple[str, str], ...]] = {
    "mobius": MOBIUS_REQUIRED,
    "koinly": ("Date", "Sent Amount", "Sent Currency", "Received Amount",
               "Received Currency"),
    "coinbase": ("Timestamp", "Transaction Type", "Asset", "Quantity Transacted",
                 ("Spot Price at Transaction", "Price at Transaction")),
    "kraken": ("txid", "refid", "time", "type", "asset", "amount"),
}
# A column that needs its partner (an amount without its currency cannot be read).
PAIRED = {"Fee Amount": "Fee Currency", "Net Worth Amount": "Net Worth Currency"}


# --- small parsers -------------------------------------------------------------------


def dec(text: Any, what: str, *, zero: bool = True, negative: bool = False,
        most: Decimal = MAX_AMOUNT) -> Decimal:
    """A Decimal cell: finite, within bounds; '' counts as 0 where zero is allowed."""
    raw = str(text if text is not None else "").strip()
    if "_" in raw:  # Decimal would read 1_000 as 1000
        raise RowError(f"{what} {text!r} is not a number (no underscores: 1000 or 1,000)")
    if not (raw[:1].isdigit() and raw[-1:].isdigit()):
        raw = raw.replace("$", "").replace("€", "").replace("£", "")
    grouped = drop_grouping(raw)
    if grouped is None:
        raise RowError(f"{what} {text!r} is not a number ({COMMA_HINT})")
    raw = grouped
    if raw == "":
        if zero:
            return Decimal(0)
        raise RowError(f"{what} is missing")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise RowError(f"{what} {text!r} is not a number") from None
    if not value.is_finite():
        raise RowError(f"{what} {text!r} is not a finite number")
    if value < 0 and not negative:
        raise RowError(f"{what} {text!r} is negative")
    if value == 0 and not zero:
        raise RowError(f"{what} is zero")
    if abs(value) > most:
        raise RowError(f"{what} {text!r} is too large to be real")
    if 0 < abs(value) < MIN_AMOUNT:
        raise RowError(f"{what} {text!r} is too small to be real (the least is {MIN_AMOUNT:f})")
    return value


_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
                 "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%d-%m-%Y %H:%M:%S")


def when(text: str) -> datetime:
    """A UTC time from the forms exports use ('2024-01-02 03:04:05 UTC', ISO with Z...)."""
    raw = (text or "").strip()
    if not raw:
        raise RowError("the date is missing")
    if raw.endswith("Z") and "T" in raw:
        raw = raw[:-1]
    elif raw[-1:].isalpha():
        raw = re.sub(r"\s*(UTC|Z|GMT)$", "", raw, flags=re.I)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        for form in _TIME_FORMATS:
            try:
                moment = datetime.strptime(raw, form)
                break
            except ValueError:
                continue
        else:
            raise RowError(f"date {text!r} is not a date") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    if moment > datetime.now(timezone.utc):
        raise RowError(f"date {text!r} is in the future")
    if moment.year < 2009:
        raise RowError(f"date {text!r} is before bitcoin existed (2009)")
    return moment


def ticker(text: str, what: str = "currency") -> str:
    code = (text or "").strip().upper()
    if not code:
        raise RowError(f"{what} is missing")
    if not re.fullmatch(r"[A-Z0-9.\-]{1,20}", code):
        raise RowError(f"{what} {text!r} is not a ticker")
    return code


def is_money(code: str) -> bool:
    return code.lower() in QUOTE_MONEY


def _div(a: Decimal, b: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        return a / b


def _mul(a: Decimal, b: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 60
        return a * b


def _reader(lines: Sequence[str]) -> Iterable[tuple[int, dict[str, str]]]:
    """(line number, row) for a CSV whose header is `lines[0]` (numbers count from 1)."""
    reader = csv.DictReader(lines)
    for row in reader:
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        yield reader.line_num, {(k or "").strip(): (v or "").strip() if isinstance(v, str) else ""
                                for k, v in row.items()}


# --- detection -----------------------------------------------------------------------


def _norm(header: str) -> list[str]:
    return [c.strip().strip('"').strip().lower() for c in next(csv.reader([header]), [])]


def detect(text: str) -> tuple[str, int]:
    """(format, index of the header line); an unknown file is a ValueError."""
    if text.lstrip().startswith(("{", "[")):
        return "json", 0
    lines = text.splitlines()
    for i, line in enumerate(lines[:30]):
        cols = _norm(line)
        if not cols:
            continue
        if cols[:3] == ["id", "time", "kind"] or {"time", "kind", "coin_id", "amount"} <= set(cols):
            return "mobius", i
        if {"date", "sent amount", "received amount"} <= set(cols):
            return "koinly", i
        if {"timestamp", "transaction type", "asset", "quantity transacted"} <= set(cols):
            return "coinbase", i
        if {"txid", "refid", "time", "type", "asset", "amount", "fee"} <= set(cols):
            return "kraken", i
        if {"date(utc)", "pair", "side", "executed"} <= set(cols) or \
                {"utc_time", "operation", "coin", "change"} <= set(cols):
            return "binance", i
    raise ValueError("not a file Mobius recognises (mobius, koinly, coinbase, kraken or "
                     "binance CSV, or mobius JSON)")


def header_index(text: str, fmt: str) -> int:
    """Where the header is, for a format the user named."""
    try:
        found, index = detect(text)
    except ValueError:
        return 0
    return index if found == fmt else 0


def missing_columns(fmt: str, header: str) -> list[str]:
    """The columns `fmt` needs that `header` lacks (mobius names in any case)."""
    cols = [c.strip().strip('"').strip() for c in next(csv.reader([header]), [])]
    if fmt == "mobius":
        cols = [c.lower() for c in cols]
    have = set(cols)
    if fmt == "binance":
        needs: tuple[str | tuple[str, str], ...] = (
            ("Date(UTC)", "Pair", "Side", "Executed", "Amount") if "Date(UTC)" in have
            else ("UTC_Time", "Operation", "Coin", "Change"))
    else:
        needs = REQUIRED.get(fmt, ())
    missing = [need if isinstance(need, str) else need[0] for need in needs
               if not (have & ({need} if isinstance(need, str) else set(need)))]
    missing += [pair for col, pair in PAIRED.items()
                if fmt == "koinly" and col in have and pair not in have]
    return missing


def parse(text: str, fmt: str = "auto") -> Parsed:
    """Parse a whole file; errors are collected per line, never raised per row.

    A header without the columns the format needs is a MissingColumns error (a ValueError,
    as is a file of no known format)."""
    text = text.lstrip("\ufeff")
    if fmt == "auto":
        fmt, start = detect(text)
    else:
        start = header_index(text, fmt)
    if fmt == "json":
        return _parse_json(text)
    lines = text.splitlines(keepends=True)[start:]  # a quoted note keeps its line breaks
    missing = missing_columns(fmt, lines[0] if lines else "")
    if missing:
        raise MissingColumns(fmt, missing)
    parsed = Parsed(fmt)
    reader = {"mobius": _mobius, "koinly": _koinly, "coinbase": _coinbase,
              "kraken": _kraken, "binance": _binance}[fmt]
    reader(lines, parsed, start)
    parsed.rows.sort(key=lambda r: (r.time, r.line))
    return parsed


def _collect(parsed: Parsed, line: int, build: Any) -> None:
    try:
        result = build()
    except RowError as exc:
        parsed.errors.append((line, str(exc)))
        return
    if isinstance(result, str):
        parsed.skipped.append((line, result))
    elif isinstance(result, Row):
        parsed.rows.append(result)
    else:
        parsed.rows.extend(result)


# --- mobius CSV and JSON -------------------------------------------------------------


def _mobius_row(line: int, r: dict[str, Any]) -> Row:
    for key in MOBIUS_REQUIRED:  # a JSON item may lack a key; a CSV cell may be empty
        empty = not str(r.get(key) if r.get(key) is not None else "").strip()
        if key not in r or (empty and key != "price"):  # an empty price is 0 (transfers)
            raise RowError(f"{key} is missing")
    kind = str(r.get("kind", "")).strip().lower()
    if kind not in KINDS:
        raise RowError(f"kind {r.get('kind')!r} is not one of {', '.join(KINDS)}")
    coin_id = str(r.get("coin_id", "")).strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9.\-_]{0,99}", coin_id):
        raise RowError(f"coin_id {r.get('coin_id')!r} is not a CoinGecko id")
    currency = str(r.get("currency", "")).strip().lower()
    fee_currency = str(r.get("fee_currency", "")).strip().lower() or currency
    if not currency:
        raise RowError("currency is missing")
    return Row(line, kind, ticker(str(r.get("symbol", "")), "symbol"),
               dec(r.get("amount"), "amount", zero=False),
               dec(r.get("price"), "price", most=MAX_PRICE), currency,
               when(str(r.get("time", ""))),
               fee=dec(r.get("fee"), "fee", most=MAX_PRICE), fee_currency=fee_currency,
               note=str(r.get("note") or ""), coin_id=coin_id,
               # no rate given: the day's rate is looked up, as for any other file
               rate=_rate(r.get("rate"), "rate"), fee_rate=_rate(r.get("fee_rate"), "fee_rate"),
               rate_currency=str(r.get("rate_currency") or "").strip().lower() or None)


def _rate(text: Any, what: str) -> Decimal | None:
    if not str(text if text is not None else "").strip():
        return None
    return dec(text, what, zero=False, most=MAX_PRICE)


def _mobius(lines: Sequence[str], parsed: Parsed, start: int) -> None:
    for line, r in _reader(lines):
        r = {k.lower(): v for k, v in r.items()}  # a header in capitals reads the same
        _collect(parsed, line + start, lambda r=r, line=line: _mobius_row(line + start, r))


def _parse_json(text: str) -> Parsed:
    import json

    parsed = Parsed("json")
    try:
        data = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except ValueError as exc:
        parsed.errors.append((getattr(exc, "lineno", 1), f"not valid JSON ({exc})"))
        return parsed
    items = data.get("transactions") if isinstance(data, dict) else data
    if not isinstance(items, list):
        parsed.errors.append((1, "expected a list of transactions"))
        return parsed
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            parsed.errors.append((i, f"transaction {i} is not an object"))
            continue
        _collect(parsed, i, lambda item=item, i=i: _mobius_row(i, item))
    return parsed


def _plain(value: Decimal) -> str:
    """A Decimal written as entered (no exponent unless it came with one)."""
    return str(value)


def write_mobius(rows: Sequence[Transaction], currency: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(MOBIUS_COLUMNS)
    for t in rows:
        writer.writerow([t.id, _iso(t.time), t.kind, t.symbol, t.coin_id, _plain(t.amount),
                         _plain(t.price), t.currency, _plain(t.rate), _plain(t.fee),
                         t.fee_currency, _plain(t.fee_rate), currency, t.note])
    return out.getvalue()


def write_json(rows: Sequence[Transaction], portfolio: str, currency: str) -> str:
    """JSON with Decimals as exact JSON numbers (written from their text, not floats)."""
    import json

    marks: dict[str, str] = {}

    def num(value: Decimal) -> str:
        key = f"\x00{len(marks)}\x00"
        marks[key] = str(value)
        return key

    items = [{"id": t.id, "time": _iso(t.time), "kind": t.kind, "symbol": t.symbol,
              "coin_id": t.coin_id, "amount": num(t.amount), "price": num(t.price),
              "currency": t.currency, "rate": num(t.rate), "fee": num(t.fee),
              "fee_currency": t.fee_currency, "fee_rate": num(t.fee_rate),
              "rate_currency": currency, "note": t.note}
             for t in rows]
    text = json.dumps({"portfolio": portfolio, "currency": currency, "transactions": items},
                      indent=2, ensure_ascii=False)
    return re.sub(r'"(\\u0000\d+\\u0000)"',
                  lambda m: marks[m.group(1).replace("\\u0000", "\x00")], text) + "\n"


def _iso(moment: datetime) -> str:
    text = moment.astimezone(timezone.utc).isoformat()
    return text.replace("+00:00", "Z")


# --- Koinly universal template -------------------------------------------------------


def _koinly_row(line: int, r: dict[str, str]) -> list[Row] | str:
    moment = when(r.get("Date", ""))
    sent = dec(r.get("Sent Amount"), "Sent Amount")
    got = dec(r.get("Received Amount"), "Received Amount")
    sent_cur = ticker(r.get("Sent Currency", ""), "Sent Currency") if sent else ""
    got_cur = ticker(r.get("Received Currency", ""), "Received Currency") if got else ""
    fee = dec(r.get("Fee Amount"), "Fee Amount", most=MAX_PRICE)
    fee_cur = ticker(r.get("Fee Currency", ""), "Fee Currency") if fee else ""
    worth = dec(r.get("Net Worth Amount"), "Net Worth Amount", most=MAX_PRICE)
    worth_cur = ticker(r.get("Net Worth Currency", ""), "Net Worth Currency") if worth else ""
    label = r.get("Label", "").strip()
    note = " ".join(x for x in (label, r.get("Description", "").strip()) if x)
    if not sent and not got:
        raise RowError("neither Sent Amount nor Received Amount is given")
    if (not sent or is_money(sent_cur)) and (not got or is_money(got_cur)):
        return "money only (no coin moves)"

    def row(kind: str, symbol: str, amount: Decimal, price: Decimal, cur: str,
            market: bool = False, with_fee: bool = True) -> Row:
        return Row(line, kind, symbol, amount, price, cur.lower(), moment,
                   fee=fee if with_fee else Decimal(0),
                   fee_currency=(fee_cur or cur).lower(), note=note, market_price=market)

    if sent and got and is_money(sent_cur):
        return [row("buy", got_cur, got, _div(sent, got), sent_cur)]
    if sent and got and is_money(got_cur):
        return [row("sell", sent_cur, sent, _div(got, sent), got_cur)]
    if sent and got:  # coin for coin: a sale of one and a purchase of the other
        if worth:
            return [row("sell", sent_cur, sent, _div(worth, sent), worth_cur, with_fee=False),
                    row("buy", got_cur, got, _div(worth, got), worth_cur)]
        return [row("sell", sent_cur, sent, _div(got, sent), got_cur, with_fee=False),
                row("buy", got_cur, got, _div(sent, got), sent_cur)]
    if got:
        if worth:
            return [row("transfer_in", got_cur, got, _div(worth, got), worth_cur)]
        return [row("transfer_in", got_cur, got, Decimal(1), got_cur, market=True)]
    return [row("transfer_out", sent_cur, sent, Decimal(0), worth_cur or sent_cur)]


def _koinly(lines: Sequence[str], parsed: Parsed, start: int) -> None:
    for line, r in _reader(lines):
        _collect(parsed, line + start, lambda r=r, line=line: _koinly_row(line + start, r))


def plain_number(value: Decimal) -> str:
    """A Decimal in one plain form: no exponent, no trailing zeros or dot (30000.0 and
    3.0E+4 are both 30000; 0.50 is 0.5)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def write_koinly(rows: Sequence[Transaction], currency: str) -> str:
    """The Koinly universal template: money sent or received, coins received or sent;
    every number in one plain form (plain_number)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(KOINLY_COLUMNS)
    for t in rows:
        money = _mul(t.amount, t.price)
        worth = _mul(money, t.rate)
        cur, sym = t.currency.upper(), t.symbol
        sent, got = ("", ""), ("", "")
        if t.kind == "buy":
            sent, got = (plain_number(money), cur), (plain_number(t.amount), sym)
        elif t.kind == "sell":
            sent, got = (plain_number(t.amount), sym), (plain_number(money), cur)
        elif t.kind == "transfer_in":
            got = (plain_number(t.amount), sym)
        else:
            sent = (plain_number(t.amount), sym)
        fee = (plain_number(t.fee), t.fee_currency.upper()) if t.fee else ("", "")
        nw = (plain_number(worth), currency.upper()) if t.kind != "transfer_out" else ("", "")
        writer.writerow([t.time.strftime("%Y-%m-%d %H:%M:%S UTC"), *sent, *got, *fee, *nw,
                         "", t.note, ""])
    return out.getvalue()


# --- Coinbase ------------------------------------------------------------------------

_COINBASE_IN = ("receive", "rewards income", "coinbase earn", "learning reward",
                "staking income", "inflation reward", "interest income", "airdrop")
_COINBASE_OUT = ("sell", "advanced trade sell", "convert", "send", "withdrawal", "withdraw")
_CONVERTED = re.compile(r"Converted\s+([\d.,]+)\s+(\S+)\s+to\s+([\d.,]+)\s+(\S+)", re.I)


def _coinbase_row(line: int, r: dict[str, str]) -> list[Row] | str:
    moment = when(r.get("Timestamp", ""))
    kind = r.get("Transaction Type", "").strip().lower()
    asset = ticker(r.get("Asset", ""), "Asset")
    qty = dec(r.get("Quantity Transacted"), "Quantity Transacted", negative=True)
    # The newer layout writes what leaves the account (Sell, Send, Convert) as a negative
    # quantity; coins coming in are never negative, so a negative Buy is a broken row.
    if qty < 0 and kind not in _COINBASE_OUT:
        raise RowError(f"Quantity Transacted {r.get('Quantity Transacted')!r} is negative "
                       f"on a {r.get('Transaction Type', '').strip()} row")
    qty = abs(qty)
    cur = (r.get("Spot Price Currency") or r.get("Price Currency") or "USD").strip()
    price = dec(r.get("Spot Price at Transaction") or r.get("Price at Transaction"),
                "Spot Price at Transaction", most=MAX_PRICE)
    fee = dec(r.get("Fees and/or Spread"), "Fees and/or Spread", negative=True,
              most=MAX_PRICE).copy_abs()
    note = r.get("Notes", "")
    if is_money(asset):
        return "money only (no coin moves)"
    if not qty:
        raise RowError("Quantity Transacted is zero")

    def row(k: str, sym: str, amount: Decimal, p: Decimal, c: str, f: Decimal = fee,
            market: bool = False) -> Row:
        return Row(line, k, sym, amount, p, c.lower(), moment, fee=f, fee_currency=cur.lower(),
                   note=note, market_price=market)

    if kind in ("buy", "advanced trade buy"):
        return [row("buy", asset, qty, price, cur)]
    if kind in ("sell", "advanced trade sell"):
        return [row("sell", asset, qty, price, cur)]
    if kind == "convert":
        found = _CONVERTED.search(note)
        if not found:
            raise RowError("a Convert row without 'Converted X A to Y B' in Notes")
        to_amount = dec(found.group(3), "converted amount", zero=False)
        to_sym = ticker(found.group(4))
        subtotal = dec(r.get("Subtotal"), "Subtotal", most=MAX_PRICE) or _mul(qty, price)
        return [row("sell", asset, qty, price, cur),
                row("buy", to_sym, to_amount, _div(subtotal, to_amount), cur, Decimal(0))]
    if kind in _COINBASE_IN or kind.startswith(("reward", "staking")):
        return [row("transfer_in", asset, qty, price, cur) if price else
                row("transfer_in", asset, qty, Decimal(1), asset, market=True)]
    if kind in ("send", "withdrawal", "withdraw"):
        return [row("transfer_out", asset, qty, Decimal(0), cur)]
    if kind in ("deposit",):
        return [row("transfer_in", asset, qty, price, cur)]
    raise RowError(f"unknown Transaction Type {r.get('Transaction Type')!r}")


def _coinbase(lines: Sequence[str], parsed: Parsed, start: int) -> None:
    for line, r in _reader(lines):
        _collect(parsed, line + start, lambda r=r, line=line: _coinbase_row(line + start, r))


# --- Kraken ledger -------------------------------------------------------------------

_KRAKEN_CODES = {"XBT": "BTC", "XXBT": "BTC", "XETH": "ETH", "XXDG": "DOGE", "XDG": "DOGE",
                 "XLTC": "LTC", "XXRP": "XRP", "XXLM": "XLM", "XETC": "ETC", "XZEC": "ZEC",
                 "XXMR": "XMR", "XMLN": "MLN", "XREP": "REP", "ZEUR": "EUR", "ZUSD": "USD",
                 "ZGBP": "GBP", "ZCAD": "CAD", "ZJPY": "JPY", "ZAUD": "AUD", "ZCHF": "CHF",
                 "ETH2": "ETH"}


def kraken_asset(code: str) -> str:
    """Kraken's asset codes: XXBT → BTC, ZEUR → EUR, DOT.S → DOT, XBT.M → BTC."""
    base = (code or "").strip().upper().split(".")[0]
    if base in _KRAKEN_CODES:
        return _KRAKEN_CODES[base]
    if len(base) == 4 and base[0] in "XZ" and base[1:] in _KRAKEN_CODES.values():
        return base[1:]
    return ticker(base, "asset")


def _kraken(lines: Sequence[str], parsed: Parsed, start: int) -> None:
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, r in _reader(lines):
        if not r.get("txid"):
            continue  # unconfirmed rows repeat without a txid
        kind = r.get("type", "").lower()
        if kind in ("trade", "spend", "receive"):
            groups.setdefault(r.get("refid", ""), []).append((line + start, r))
        else:
            _collect(parsed, line + start,
                     lambda r=r, line=line: _kraken_single(line + start, r))
    for refid, legs in groups.items():
        _collect(parsed, legs[0][0], lambda legs=legs, refid=refid: _kraken_trade(legs, refid))


def _kraken_single(line: int, r: dict[str, str]) -> list[Row] | str:
    kind = r.get("type", "").lower()
    asset = kraken_asset(r.get("asset", ""))
    amount = dec(r.get("amount"), "amount", negative=True)
    fee = dec(r.get("fee"), "fee", negative=True).copy_abs()
    moment = when(r.get("time", ""))
    if is_money(asset):
        return "money only (no coin moves)"
    if kind in ("transfer", "margin", "rollover", "settled", "adjustment") and not amount:
        return f"{kind} without an amount"
    if amount > 0:
        net = amount - fee
        if net <= 0:
            return "nothing left after the fee"
        return [Row(line, "transfer_in", asset, net, Decimal(1), asset.lower(), moment,
                    fee_currency=asset.lower(), note=f"kraken {kind}", market_price=True)]
    if amount < 0:
        # Every unit that left (the amount and the fee) leaves the holdings; the fee, in
        # the coin, is valued at the coin's price that day: the realized loss.
        if fee:
            return [Row(line, "transfer_out", asset, -amount + fee, Decimal(1), asset.lower(),
                        moment, fee=fee, fee_currency=asset.lower(), note=f"kraken {kind}",
                        market_price=True)]
        return [Row(line, "transfer_out", asset, -amount, Decimal(0), asset.lower(),
                    moment, fee_currency=asset.lower(), note=f"kraken {kind}")]
    return f"{kind} without an amount"


def _kraken_trade(legs: list[tuple[int, dict[str, str]]], refid: str) -> list[Row] | str:
    line = legs[0][0]
    spent = [(n, r) for n, r in legs if dec(r.get("amount"), "amount", negative=True) < 0]
    got = [(n, r) for n, r in legs if dec(r.get("amount"), "amount", negative=True) > 0]
    if len(spent) != 1 or len(got) != 1:
        raise RowError(f"trade {refid} does not have one side spent and one received")
    (_, s), (_, g) = spent[0], got[0]
    s_sym, g_sym = kraken_asset(s["asset"]), kraken_asset(g["asset"])
    s_amt = -dec(s["amount"], "amount", negative=True)
    g_amt = dec(g["amount"], "amount")
    s_fee = dec(s.get("fee"), "fee", negative=True).copy_abs()
    g_fee = dec(g.get("fee"), "fee", negative=True).copy_abs()
    moment = when(g.get("time", ""))
    note = f"kraken {refid}"
    rows: list[Row] = []
    if not is_money(s_sym):  # a sale of the coin spent
        price = _div(g_amt, s_amt)
        fee_money = g_fee if is_money(g_sym) else Decimal(0)
        rows.append(Row(line, "sell", s_sym, s_amt + s_fee, price, g_sym.lower(), moment,
                        fee=_mul(s_fee, price) + fee_money, fee_currency=g_sym.lower(),
                        note=note))
    if not is_money(g_sym):  # a purchase of the coin received, net of a fee in it
        net = g_amt - g_fee
        if net <= 0:
            raise RowError(f"trade {refid}: the fee takes all that was received")
        price = _div(s_amt, g_amt)
        fee_money = s_fee if is_money(s_sym) else Decimal(0)
        rows.append(Row(line, "buy", g_sym, net, price, s_sym.lower(), moment,
                        fee=_mul(g_fee, price) + fee_money, fee_currency=s_sym.lower(),
                        note=note))
    return rows or "money only (no coin moves)"


# --- Binance -------------------------------------------------------------------------

_AMOUNT_CODE = re.compile(r"^\s*([-+]?[\d.,]+(?:[eE][-+]?\d+)?)\s*([A-Za-z0-9]+)\s*$")
_BINANCE_TRADE_OPS = {"buy", "sell", "fee", "transaction buy", "transaction spend",
                      "transaction fee", "transaction revenue", "transaction sold",
                      "small assets exchange bnb", "binance convert", "large otc trading"}
_BINANCE_IN = ("deposit", "distribution", "simple earn flexible interest",
               "simple earn locked rewards", "staking rewards", "eth 2.0 staking rewards",
               "airdrop assets", "cashback voucher", "commission rebate", "pos savings interest",
               "savings interest", "launchpool interest", "referral commission")


def _amount_code(text: str, what: str) -> tuple[Decimal, str]:
    found = _AMOUNT_CODE.match(text or "")
    if not found:
        raise RowError(f"{what} {text!r} is not an amount with a currency")
    return dec(found.group(1), what), ticker(found.group(2))


def _binance(lines: Sequence[str], parsed: Parsed, start: int) -> None:
    cols = set(_norm(lines[0])) if lines else set()
    if "date(utc)" in cols:
        for line, r in _reader(lines):
            _collect(parsed, line + start, lambda r=r, line=line: _binance_fill(line + start, r))
        return
    groups: dict[tuple[str, str], list[tuple[int, dict[str, str]]]] = {}
    for line, r in _reader(lines):
        op = r.get("Operation", "").strip().lower()
        if op in _BINANCE_TRADE_OPS:
            groups.setdefault((r.get("UTC_Time", ""), r.get("Account", "")), []).append(
                (line + start, r))
        else:
            _collect(parsed, line + start, lambda r=r, line=line: _binance_move(line + start, r))
    for (stamp, _), legs in groups.items():
        _collect(parsed, legs[0][0], lambda legs=legs, stamp=stamp: _binance_trade(legs, stamp))


def _binance_fill(line: int, r: dict[str, str]) -> list[Row]:
    """Trade History: one fill per row ('0.001BTC', '29.5USDT', fee '0.000001BTC')."""
    moment = when(r.get("Date(UTC)", ""))
    side = r.get("Side", "").strip().lower()
    if side not in ("buy", "sell"):
        raise RowError(f"Side {r.get('Side')!r} is not BUY or SELL")
    qty, base = _amount_code(r.get("Executed", ""), "Executed")
    total, quote = _amount_code(r.get("Amount", ""), "Amount")
    fee, fee_cur = _amount_code(r.get("Fee", "") or "0" + quote, "Fee")
    if not qty:
        raise RowError("Executed is zero")
    price = _div(total, qty)
    rows = []
    if side == "buy":
        net = qty - fee if fee_cur == base else qty
        fee_money = _mul(fee, price) if fee_cur == base else fee
        rows.append(Row(line, "buy", base, net, price, quote.lower(), moment, fee=fee_money,
                        fee_currency=quote.lower() if fee_cur == base else fee_cur.lower(),
                        note="binance"))
    else:
        rows.append(Row(line, "sell", base, qty, price, quote.lower(), moment, fee=fee,
                        fee_currency=fee_cur.lower(), note="binance"))
    if not is_money(quote):  # the quote coin changes hands too
        rows.append(Row(line, "sell" if side == "buy" else "buy", quote, total,
                        _div(qty, total), base.lower(), moment, note="binance"))
    return rows


def _binance_move(line: int, r: dict[str, str]) -> list[Row] | str:
    op = r.get("Operation", "").strip().lower()
    coin = ticker(r.get("Coin", ""), "Coin")
    change = dec(r.get("Change"), "Change", negative=True)
    moment = when(r.get("UTC_Time", ""))
    if is_money(coin):
        return "money only (no coin moves)"
    if not change:
        return f"{op} without a change"
    if change > 0 and (op in _BINANCE_IN or "interest" in op or "reward" in op):
        return [Row(line, "transfer_in", coin, change, Decimal(1), coin.lower(), moment,
                    fee_currency=coin.lower(), note=f"binance {op}", market_price=True)]
    if change < 0 and op in ("withdraw", "withdrawal", "send"):
        return [Row(line, "transfer_out", coin, -change, Decimal(0), coin.lower(), moment,
                    fee_currency=coin.lower(), note=f"binance {op}")]
    if op in ("transfer between main and funding wallet", "transfer between spot and funding",
              "transfer_in", "transfer_out", "main and funding account transfer"):
        return f"internal transfer ({op})"
    raise RowError(f"unknown Operation {r.get('Operation')!r}")


def _binance_trade(legs: list[tuple[int, dict[str, str]]], stamp: str) -> list[Row] | str:
    """Transaction History: one trade spread over Buy/Spend/Fee rows at the same time."""
    got: dict[str, Decimal] = {}
    spent: dict[str, Decimal] = {}
    fees: dict[str, Decimal] = {}
    for _, r in legs:
        op = r.get("Operation", "").strip().lower()
        coin = ticker(r.get("Coin", ""), "Coin")
        change = dec(r.get("Change"), "Change", negative=True)
        bucket = fees if "fee" in op else got if change > 0 else spent
        bucket[coin] = bucket.get(coin, Decimal(0)) + abs(change)
    if len(got) != 1 or len(spent) != 1:
        raise RowError(f"the trade at {stamp} does not have one coin spent and one received")
    (g_sym, g_amt), (s_sym, s_amt) = next(iter(got.items())), next(iter(spent.items()))
    moment = when(stamp)
    line = legs[0][0]
    rows: list[Row] = []
    g_fee = fees.pop(g_sym, Decimal(0))
    s_fee = fees.pop(s_sym, Decimal(0))
    other_fee = next(iter(fees.items()), None)  # e.g. paid in BNB
    if other_fee is not None and len(fees) > 1:
        raise RowError(f"the trade at {stamp} pays fees in several coins")
    if not is_money(s_sym):  # a sale of the coin spent
        price = _div(g_amt, s_amt)
        fee = _mul(s_fee, price) + (g_fee if is_money(g_sym) else Decimal(0))
        fee_cur = g_sym.lower()
        if other_fee is not None and is_money(g_sym):
            fee, fee_cur = other_fee[1], other_fee[0].lower()
        rows.append(Row(line, "sell", s_sym, s_amt + s_fee, price, g_sym.lower(), moment,
                        fee=fee, fee_currency=fee_cur, note="binance"))
    if not is_money(g_sym):  # a purchase of the coin received, net of a fee taken in it
        net = g_amt - g_fee
        if net <= 0:
            raise RowError(f"the trade at {stamp}: the fee takes all that was received")
        price = _div(s_amt, g_amt)
        fee = _mul(g_fee, price) + (s_fee if is_money(s_sym) else Decimal(0))
        fee_cur = s_sym.lower()
        if other_fee is not None:
            fee, fee_cur = other_fee[1], other_fee[0].lower()
        rows.append(Row(line, "buy", g_sym, net, price, s_sym.lower(), moment, fee=fee,
                        fee_currency=fee_cur, note="binance"))
    return rows or "money only (no coin moves)"
