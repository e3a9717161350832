"""The portfolio ledger: transactions in, lots, cost basis and realized P&L out. Pure.

A buy (or transfer in) opens a lot costing amount × price + fee. A sell consumes lots in
the order of the method (fifo, lifo, hifo: highest unit cost first, avg: every lot in
proportion, which is the average-cost pool); its proceeds are amount × price − fee and
realized P&L = proceeds − the cost of what it consumed. A transfer out consumes lots the
same way without realizing anything except its fee, which is a loss. Prices and fees are
converted into the portfolio's currency with the rate stored on each transaction.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation, localcontext

from mobius_cli.errors import UsageError

KINDS = ("buy", "sell", "transfer_in", "transfer_out")
INFLOWS = ("buy", "transfer_in")
METHODS = ("fifo", "lifo", "hifo", "avg")
ZERO = Decimal(0)
PRECISION = 50  # digits: far beyond any amount or price, so only display rounds

# Beyond these an amount or price is a typo, not a trade (SHIB's supply is ~5.9e14).
MAX_AMOUNT = Decimal("1e15")
MAX_PRICE = Decimal("1e13")
# Below one wei (1e-18 ETH), the smallest unit of any chain, a positive figure is a typo too.
MIN_AMOUNT = Decimal("1e-18")


@dataclass(frozen=True)
class Portfolio:
    """A named portfolio and its base currency."""

    id: int
    name: str
    currency: str
    created_at: datetime


@dataclass
class Transaction:
    """One ledger row as stored; price and fee in their own currencies, with the rates."""

    kind: str
    coin_id: str
    symbol: str
    amount: Decimal
    price: Decimal
    currency: str
    time: datetime
    rate: Decimal = Decimal(1)
    fee: Decimal = ZERO
    fee_currency: str = ""
    fee_rate: Decimal = Decimal(1)
    note: str = ""
    source: str = "manual"
    id: int | None = None

    @property
    def unit_price(self) -> Decimal:
        """The unit price in the portfolio's currency."""
        with localcontext() as ctx:
            ctx.prec = PRECISION
            return self.price * self.rate

    @property
    def fee_value(self) -> Decimal:
        """The fee in the portfolio's currency."""
        with localcontext() as ctx:
            ctx.prec = PRECISION
            return self.fee * self.fee_rate


@dataclass
class Lot:
    """What is left of one inflow: amount and its remaining cost."""

    amount: Decimal
    cost: Decimal
    time: datetime
    tx_id: int | None = None

    @property
    def unit_cost(self) -> Decimal:
        return self.cost / self.amount if self.amount else ZERO


@dataclass
class Position:
    """One coin's open lots and the P&L realized on it so far."""

    coin_id: str
    symbol: str
    lots: list[Lot] = field(default_factory=list)
    realized: Decimal = ZERO
    held: Decimal = ZERO  # the sum of the lots' amounts, kept as they change

    @property
    def amount(self) -> Decimal:
        return self.held

    @property
    def cost_basis(self) -> Decimal:
        return sum((lot.cost for lot in self.lots), ZERO)


@dataclass
class Disposal:
    """A sell or transfer out: what it consumed and what it realized."""

    tx_id: int | None
    coin_id: str
    amount: Decimal
    proceeds: Decimal
    cost: Decimal
    realized: Decimal


@dataclass
class Ledger:
    """The state after replaying every transaction."""

    method: str
    positions: dict[str, Position]
    disposals: list[Disposal]

    @property
    def realized(self) -> Decimal:
        return sum((p.realized for p in self.positions.values()), ZERO)

    def open_positions(self) -> list[Position]:
        return [p for p in self.positions.values() if p.amount > 0]


class OversellError(UsageError):
    """A sell or transfer out of more than was held at that moment."""

    def __init__(self, symbol: str, held: Decimal, wanted: Decimal, when: datetime,
                 tx_id: int | None = None, tx: Transaction | None = None):
        super().__init__(
            f"cannot sell {fmt_decimal(wanted)} {symbol}: only {fmt_decimal(held)} held "
            f"on {when.date().isoformat()}",
            hint="check the amount, or record the buy first")
        self.symbol, self.held, self.wanted, self.tx_id = symbol, held, wanted, tx_id
        self.tx = tx


def fmt_decimal(value: Decimal) -> str:
    """A Decimal as plain text without exponent or trailing zeros."""
    text = format(value.normalize(), "f") if value else "0"
    return text


def replay(transactions: Iterable[Transaction], method: str = "fifo") -> Ledger:
    """Replay `transactions` in time order (ties: entry order) under `method`."""
    if method not in METHODS:
        raise UsageError(f"unknown cost basis method {method!r}",
                         hint=f"one of {', '.join(METHODS)}")
    # Rows not stored yet (no id) come after stored ones at the same moment, in given order.
    ordered = sorted(transactions, key=lambda t: (t.time, 1 << 62 if t.id is None else t.id))
    positions: dict[str, Position] = {}
    disposals: list[Disposal] = []
    with localcontext() as ctx:
        ctx.prec = PRECISION
        for tx in ordered:
            pos = positions.get(tx.coin_id)
            if pos is None:
                pos = positions[tx.coin_id] = Position(tx.coin_id, tx.symbol)
            fee = tx.fee * tx.fee_rate if tx.fee else ZERO
            if tx.kind in INFLOWS:
                pos.lots.append(Lot(tx.amount, tx.amount * tx.price * tx.rate + fee,
                                    tx.time, tx.id))
                pos.held += tx.amount
                continue
            held = pos.held
            if tx.amount > held:
                raise OversellError(tx.symbol, held, tx.amount, tx.time, tx.id, tx)
            cost = _consume(pos, tx.amount, method)
            pos.held -= tx.amount
            # A transfer out carries its cost basis away; only its fee is lost.
            proceeds = tx.amount * tx.price * tx.rate - fee if tx.kind == "sell" \
                else cost - fee
            pos.realized += proceeds - cost
            disposals.append(Disposal(tx.id, tx.coin_id, tx.amount, proceeds, cost,
                                      proceeds - cost))
    return Ledger(method, positions, disposals)


def _consume(pos: Position, amount: Decimal, method: str) -> Decimal:
    """Remove `amount` from the lots by `method`; return the cost removed."""
    if method == "avg":
        total = pos.held
        if amount == total:
            cost = pos.cost_basis
            pos.lots.clear()
            return cost
        cost = ZERO
        for lot in pos.lots:
            share = lot.amount * amount / total
            part = lot.cost * share / lot.amount
            lot.amount -= share
            lot.cost -= part
            cost += part
        pos.lots = [lot for lot in pos.lots if lot.amount > 0]
        return cost
    if method == "fifo":
        order = pos.lots
    elif method == "lifo":
        order = list(reversed(pos.lots))
    else:  # hifo: the dearest units first; equal unit costs, the earliest first
        order = sorted(pos.lots, key=lambda lot: -lot.unit_cost)
    left, cost = amount, ZERO
    for lot in order:
        if left <= 0:
            break
        if lot.amount <= left:
            left -= lot.amount
            cost += lot.cost
            lot.amount, lot.cost = ZERO, ZERO
        else:
            part = lot.cost * left / lot.amount
            lot.amount -= left
            lot.cost -= part
            cost += part
            left = ZERO
    pos.lots = [lot for lot in pos.lots if lot.amount > 0]
    return cost


# --- validating what people type ---------------------------------------------------

COMMA_HINT = "a comma only separates thousands (1,000); decimals take a dot (1.5)"
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?([eE][+-]?\d+)?")


def drop_grouping(raw: str) -> str | None:
    """'1,000.5' → '1000.5'; None when a comma is not a thousands separator ('1,5', '1,50')."""
    if "," not in raw:
        return raw
    return raw.replace(",", "") if _GROUPED.fullmatch(raw) else None


SCALES = {"k": 1e3, "m": 1e6, "b": 1e9}


def scaled_number(raw: str) -> float | None:
    """'2.5k' → 2500.0, '1,500' → 1500.0, '3M' → 3e6: a k/m/b suffix scales and a comma
    only groups thousands. None when the commas group nothing ('1,5'); ValueError when it
    is not a number at all."""
    scale = SCALES.get(raw[-1:].lower(), 1.0)
    grouped = drop_grouping(raw[:-1] if scale != 1.0 else raw)
    return None if grouped is None else float(grouped) * scale


def parse_decimal(text: str | Decimal | float | int, what: str = "amount", *,
                  allow_zero: bool = False, most: Decimal = MAX_AMOUNT) -> Decimal:
    """A finite, positive (or zero when allowed), not absurd (above MAX, below MIN_AMOUNT)
    Decimal, else a usage error."""
    if isinstance(text, bool):
        raise UsageError(f"{what} must be a number")
    if isinstance(text, float):
        if not math.isfinite(text):
            raise UsageError(f"{what} must be a finite number, not {text}")
        text = repr(text)
    if "_" in str(text):  # Decimal would read 1_000 as 1000; people write 1,000 or 1000
        raise UsageError(f"{what} {str(text)!r} is not a number",
                         hint="write it without underscores: 1000 or 1,000")
    raw = drop_grouping(str(text).strip())
    if raw is None:
        raise UsageError(f"{what} {str(text)!r} is not a number",
                         hint=COMMA_HINT)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise UsageError(f"{what} {str(text)!r} is not a number") from None
    if not value.is_finite():
        raise UsageError(f"{what} must be a finite number, not {text}")
    if value < 0:
        raise UsageError(f"{what} cannot be negative ({text})")
    if value == 0 and not allow_zero:
        raise UsageError(f"{what} must be more than zero")
    if value > most:
        raise UsageError(f"{what} {text} is too large to be real",
                         hint=f"the most Mobius accepts is {most:,.0f}")
    if 0 < value < MIN_AMOUNT:
        raise UsageError(f"{what} {text} is too small to be real",
                         hint=f"the least Mobius accepts is {MIN_AMOUNT:f}")
    return value.copy_abs()  # drops a negative zero's sign, never rounds


def check_kind(kind: str) -> str:
    kind = kind.strip().lower().replace("-", "_")
    if kind not in KINDS:
        raise UsageError(f"unknown transaction kind {kind!r}", hint=f"one of {', '.join(KINDS)}")
    return kind
