"""Dollar-cost averaging back-test on daily closes (pure).

The method (product.md): buy `amount` (in the quote currency) at the first daily close of
the period and every `every` closes after it; the last close is the live price and counts
as today's. Value = units × the live price. The lump sum puts the same total in at the
first close. Max drawdown is the deepest fall of the position's value below its running
peak, where money added after the peak raises the peak by the same amount (new money is
not a gain), as a percentage of that peak.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mobius_cli.errors import UsageError

EVERY_WORDS = {"day": 1, "daily": 1, "week": 7, "weekly": 7, "month": 30, "monthly": 30,
               "fortnight": 14, "biweekly": 14}


def parse_every(text: str | int) -> int:
    """'day' → 1, 'week' → 7, 'month' → 30, '10' → 10 (days between buys)."""
    raw = str(text).strip().lower()
    if raw in EVERY_WORDS:
        return EVERY_WORDS[raw]
    raw = raw.removesuffix("days").removesuffix("d").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 3650:
        raise UsageError(f"--every must be day, week, month or a number of days, not {text!r}")
    return int(raw)


@dataclass
class DcaStep:
    """The position on one close."""

    time: datetime
    price: float
    bought: bool
    invested: float
    units: float

    @property
    def value(self) -> float:
        return self.units * self.price


@dataclass
class DcaResult:
    """The back-test's figures; `steps` holds the position on every close."""

    amount: float
    every_days: int
    buys: int
    invested: float
    units: float
    price: float  # the live price the position is valued at
    first_price: float
    max_drawdown_pct: float
    steps: list[DcaStep] = field(default_factory=list)

    @property
    def average_cost(self) -> float:
        return self.invested / self.units if self.units else 0.0

    @property
    def value(self) -> float:
        return self.units * self.price

    @property
    def return_pct(self) -> float:
        return (self.value / self.invested - 1) * 100 if self.invested else 0.0

    @property
    def lump_units(self) -> float:
        return self.invested / self.first_price

    @property
    def lump_value(self) -> float:
        return self.lump_units * self.price

    @property
    def lump_return_pct(self) -> float:
        return (self.price / self.first_price - 1) * 100

    def to_json(self) -> dict[str, Any]:
        return {
            "amount": self.amount, "every_days": self.every_days, "buys": self.buys,
            "invested": self.invested, "units": self.units, "average_cost": self.average_cost,
            "value": self.value, "return_pct": self.return_pct,
            "max_drawdown_pct": self.max_drawdown_pct,
            "lump_sum": {"units": self.lump_units, "value": self.lump_value,
                         "return_pct": self.lump_return_pct},
        }


def backtest(points: Sequence[tuple[datetime, float]], amount: float,
             every_days: int) -> DcaResult:
    """Buy `amount` on close 0 and every `every_days` closes after; value at the last."""
    if not amount > 0:
        raise UsageError("--amount must be a positive number")
    if every_days < 1:
        raise UsageError("--every must be at least 1 day")
    closes = [(t, float(p)) for t, p in points]
    if not closes:
        raise UsageError("no daily closes for that period")
    if any(not p > 0 for _, p in closes):
        raise UsageError("the price series holds a zero or negative close; cannot back-test")
    invested = units = 0.0
    buys = 0
    peak = 0.0
    worst = 0.0
    steps = []
    for i, (time, price) in enumerate(closes):
        bought = i % every_days == 0
        if bought:
            invested += amount
            units += amount / price
            buys += 1
            peak += amount
        value = units * price
        peak = max(peak, value)
        if peak > 0:
            worst = min(worst, (value - peak) / peak)
        steps.append(DcaStep(time, price, bought, invested, units))
    return DcaResult(amount, every_days, buys, invested, units, closes[-1][1], closes[0][1],
                     -worst * 100, steps)
