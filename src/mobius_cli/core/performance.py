"""What the money did: time-weighted and money-weighted (XIRR) returns. Pure Python.

The window starts at the first close, or, when nothing is held then, at the last close
before the first flow (its value is 0 and every buy is money in): so the value at the
start + money in - money out is the net money put in, exactly.

Time-weighted return: the value on each daily close, with the day's net external flow
(money put in minus money taken out) counted at that close: r_t = (V_t - F_t) / V_{t-1} - 1,
chained: TWR = prod(1 + r_t) - 1 (days that start with nothing held are skipped).

Money-weighted return (XIRR): the annual rate r with sum CF_k / (1 + r)^(days_k / 365) = 0,
money put in negative, money taken out and the value now positive; the value now is dated
at the last close, or at the last flow when a trade is later than the newest close (it is
valued at that close, the live price), so money always goes in before it comes out.
A rate is reported only when the flows span at least a day (from the first to the
valuation: less is no time to annualise) and exactly one rate exists in (-99.99%,
+2,200,000%): otherwise "no solution" or "not unique" with the reason, never a wrong number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

YEAR_DAYS = 365.0
SAME_DAY = ("no solution: every flow is on the same day (less than 24 hours from the first "
            "to the valuation: too short to annualise)")
_LOW, _HIGH, _STEP = -9.2, 10.0, 0.04  # log(1 + r): r from -99.99% to ~+2.2e6%


@dataclass
class Xirr:
    """A money-weighted annual return, or why there is none."""

    rate: float | None
    reason: str | None = None  # set when rate is None

    def to_json(self) -> dict[str, float | str | None]:
        return {"rate_pct": None if self.rate is None else self.rate * 100,
                "reason": self.reason}


def twr(values: Sequence[float], money_in: Sequence[float],
        money_out: Sequence[float]) -> float | None:
    """Chained daily returns, r_t = (V_t + out_t) / (V_{t-1} + in_t) - 1: money put in on a
    day works from the start of that day (a buy below the close gains on its first day),
    money taken out counts at what it fetched; days with nothing to start from are skipped.
    None when nothing was ever held over a day."""
    growth, counted = 1.0, 0
    for t in range(1, len(values)):
        base = values[t - 1] + money_in[t]
        if base <= 0:
            continue
        growth *= (values[t] + money_out[t]) / base
        counted += 1
    return growth - 1 if counted else None


def _npv(flows: Sequence[tuple[float, float]], x: float) -> float:
    """Net present value at log(1 + r) = x; flows as (years from the first, amount)."""
    return sum(amount * math.exp(-x * years) for years, amount in flows)


def xirr(cash_flows: Sequence[tuple[datetime, float]]) -> Xirr:
    """The annual rate that makes the flows' present value zero, if there is exactly one."""
    flows = [(t, float(a)) for t, a in cash_flows if a]
    if not flows:
        return Xirr(None, "no cash flows")
    if all(a > 0 for _, a in flows) or all(a < 0 for _, a in flows):
        return Xirr(None, "no solution: the flows all go one way (nothing to balance)")
    start = min(t for t, _ in flows)
    years = [((t - start).total_seconds() / 86400 / YEAR_DAYS, a) for t, a in flows]
    if max(y for y, _ in years) < 1 / YEAR_DAYS:  # a fee's loss over seconds is not a rate
        return Xirr(None, SAME_DAY)
    grid = [_LOW + i * _STEP for i in range(int((_HIGH - _LOW) / _STEP) + 1)]
    values = [_npv(years, x) for x in grid]
    roots: list[float] = []
    for i in range(len(grid) - 1):
        a, b = values[i], values[i + 1]
        if a == 0:
            roots.append(grid[i])
        elif a * b < 0:
            roots.append(_bisect(years, grid[i], grid[i + 1], a))
    if values[-1] == 0:
        roots.append(grid[-1])
    if not roots:
        return Xirr(None, "no solution: no annual rate from -99.99% to +2,200,000% makes "
                          "the flows balance")
    if len(roots) > 1:
        shown = ", ".join(f"{math.expm1(x):.2%}" for x in roots[:3])
        return Xirr(None, f"not unique: several rates balance these flows ({shown})")
    return Xirr(math.expm1(roots[0]))


def _bisect(flows: Sequence[tuple[float, float]], lo: float, hi: float, f_lo: float) -> float:
    for _ in range(200):
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        f_mid = _npv(flows, mid)
        if f_mid == 0:
            return mid
        if (f_mid < 0) == (f_lo < 0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    return (lo + hi) / 2


@dataclass
class Flow:
    """A ledger transaction as external money: positive in, negative out."""

    time: datetime
    coin_id: str
    units: float  # change in the coin held (+ bought/received, - sold/sent)
    money: float | None  # the flow's value; None: valued at the day's close (transfers)


@dataclass
class Book:
    """The portfolio day by day: value on each close, net flow into each day."""

    times: list[datetime]
    values: list[float]
    flows: list[float]
    invested: list[float]  # cumulative net money put in: the start value + flows since
    cash_flows: list[tuple[datetime, float]]  # for XIRR: in negative, out and now positive
    start: int = 0  # the close the window starts at (see the module docstring)
    money_in: float = 0.0  # buys with their fees, transfers in at the close, after start
    money_out: float = 0.0  # sales less their fees, transfers out at the close, after start
    day_in: list[float] = field(default_factory=list)  # each day's money in (>= 0)
    day_out: list[float] = field(default_factory=list)  # each day's money out (>= 0)
    external: list[tuple[datetime, float]] = field(default_factory=list)  # cash_flows
    # without the value now: the money put in (negative) and taken out, at its time
    end: datetime | None = None  # when the value now is dated: the last close, or a later
    # flow's time (its value is the last close's: the live price)

    @property
    def start_value(self) -> float:
        return self.values[self.start]


def flow_days(times: Sequence[datetime], flows: Sequence[Flow]) -> list[list[Flow]]:
    """The flows each close counts: those after close t-1 and up to close t (the last
    close takes everything after the one before it)."""
    days: list[list[Flow]] = [[] for _ in times]
    ordered = sorted(flows, key=lambda f: f.time)
    k = 0
    for t, when in enumerate(times):
        while k < len(ordered) and (t == len(times) - 1 or ordered[k].time <= when):
            days[t].append(ordered[k])
            k += 1
    return days


def closes_used(times: Sequence[datetime], held_before: dict[str, float],
                flows: Sequence[Flow]) -> dict[str, list[bool]]:
    """For each coin, whether its close on each day enters the figures: it is held after
    the day's flows, or a transfer of it is valued at that close."""
    units = dict(held_before)
    used: dict[str, list[bool]] = {c: [False] * len(times) for c in
                                   {*held_before, *(f.coin_id for f in flows)}}
    for t, day in enumerate(flow_days(times, flows)):
        for f in day:
            units[f.coin_id] = units.get(f.coin_id, 0.0) + f.units
            if t > 0 and f.money is None:
                used[f.coin_id][t] = True
        for c, u in units.items():
            if u:
                used[c][t] = True
    return used


def daily_book(times: Sequence[datetime], closes: dict[str, Sequence[float]],
               held_before: dict[str, float], flows: Sequence[Flow]) -> Book:
    """Value each close with the units held then; flows after close t-1 and up to close t
    count at close t; the holdings before the first close are its starting capital."""
    units = dict(held_before)
    values: list[float] = []
    per_day: list[float] = []
    cash: list[tuple[datetime, float]] = []
    money_in = money_out = 0.0
    days = flow_days(times, flows)
    day_in: list[float] = []
    day_out: list[float] = []
    for t, (when, day) in enumerate(zip(times, days, strict=True)):
        day_flow = put_in = taken_out = 0.0
        for f in day:
            units[f.coin_id] = units.get(f.coin_id, 0.0) + f.units
            if t > 0:
                money = f.money if f.money is not None else f.units * closes[f.coin_id][t]
                day_flow += money
                if money > 0:
                    put_in += money
                else:
                    taken_out -= money
                cash.append((f.time, -money))
        money_in += put_in
        money_out += taken_out
        day_in.append(put_in)
        day_out.append(taken_out)
        value = float(sum(u * closes[c][t] for c, u in units.items() if u))
        if t == 0:
            if value:
                cash.append((when, -value))
            day_flow = 0.0
        values.append(value)
        per_day.append(day_flow)
    external = list(cash)
    # The value now is dated no earlier than the last flow: a trade after the newest close
    # counts at that close (the live price), and XIRR must see it go in before it comes out.
    end = max([times[-1], *(f.time for f in flows)]) if times else None
    if end is not None and values[-1]:
        cash.append((end, values[-1]))
    start = 0
    if values and not values[0]:
        first = next((t for t in range(1, len(times)) if days[t] or values[t]), None)
        start = first - 1 if first is not None else len(times) - 1
    invested, total = [], values[0] if values else 0.0
    for t, f in enumerate(per_day):
        total += f if t else 0.0
        invested.append(total)
    return Book(list(times), values, per_day, invested, cash, start, money_in, money_out,
                day_in, day_out, external, end)
