"""Portfolio analytics: risk, optimisation and performance from daily closes.

Library-first: functions take the store and CoinGecko and return dataclasses with
`to_json()` (the shapes in product.md); nothing prints, no Typer, Rich or AppContext.
numpy is imported only inside the functions that compute::

    report = analytics.risk(store, cg, days=365, options=AnalyticsOptions(closes_dir=dir))
    report.to_json()["volatility_annual_pct"]

Daily closes are CoinGecko's `/coins/{id}/market_chart?interval=daily` points in the order
served, the last point live. They are kept per coin and currency in `closes_dir`
(JSON, one file each): a later run asks only for the days since the last stored one (the
HTTP cache answers a repeat within its TTL without any request).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mobius_cli.core.models import CoinRef, PricePoint, iso_utc
from mobius_cli.errors import MobiusError, UsageError

if TYPE_CHECKING:
    from mobius_cli.core.performance import Book, Xirr
    from mobius_cli.core.risk import RiskFigures
    from mobius_cli.providers.coingecko import CoinGecko
    from mobius_cli.store.db import Store

DAY = 86400
MAX_DAYS = 3650
MIN_CLOSES = 3  # two returns: the least a sample standard deviation needs
FEW_CLOSES = 30
BTC = CoinRef("bitcoin", "BTC", "Bitcoin")
Progress = Callable[[int, int, str], None]  # (done, total, symbol)


def _quiet(message: str) -> None:
    """A note nobody asked to see."""


def _no_progress(done: int, total: int, symbol: str) -> None:
    """No progress display."""


@dataclass
class AnalyticsOptions:
    """Where closes are kept, the risk-free rate, and how notes and progress are shown."""

    closes_dir: Path | None = None  # per-coin daily closes (None: not kept)
    snapshot_dir: Path | None = None  # the portfolio service's ledger snapshots
    risk_free_rate: float = 0.0  # annual, a fraction (config risk_free_rate)
    default_currency: str = "usd"
    on_note: Callable[[str], None] = _quiet
    progress: Progress = _no_progress


def _opts(options: AnalyticsOptions | None) -> AnalyticsOptions:
    return options or AnalyticsOptions()


def check_days(days: int) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 2 <= days <= MAX_DAYS:
        raise UsageError(f"--days must be a whole number from 2 to {MAX_DAYS}, not {days!r}")
    return days


def check_confidence(confidence: float) -> float:
    if not 0.5 <= confidence < 1:
        raise UsageError(f"--confidence must be from 0.5 to below 1 (e.g. 0.95 or 0.99), "
                         f"not {confidence:g}")
    return confidence


# --- daily closes, kept per coin -----------------------------------------------------------


@dataclass
class Closes:
    """One coin's daily closes: settled days (UTC day number -> close) and the live point."""

    coin: CoinRef
    settled: dict[int, float]
    live: PricePoint
    first_day: int | None = None  # the source has nothing before this day
    stored_only: bool = False  # the source failed; these are the stored closes

    def window(self, days: int) -> list[PricePoint]:
        """The points a `days=N&interval=daily` request serves: the settled closes of the
        last N days before the live point, then the live point."""
        start = math.ceil((self.live.time.timestamp() - days * DAY) / DAY)
        return [PricePoint(datetime.fromtimestamp(d * DAY, timezone.utc), self.settled[d])
                for d in sorted(self.settled) if d >= start and d * DAY < self.live.time
                .timestamp()] + [self.live]


def _store_path(folder: Path, coin: CoinRef, vs: str) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in coin.id)
    return folder / f"{safe}--{vs}.json"


def _read(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write(path: Path, data: dict[str, Any]) -> None:
    import os

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, separators=(",", ":"))
        os.replace(tmp, path)
    except OSError:
        pass  # a cache: never worth failing the answer over


def _fresh_for(days: int) -> float:
    """How long kept closes answer without a request: the HTTP cache's TTL for the same
    request (providers.coingecko.history_ttl; not imported: it would load httpx)."""
    return 12 * 3600.0 if days > 90 else 30 * 60.0


def coin_closes(cg: CoinGecko, coin: CoinRef, vs: str, days: int,
                folder: Path | None = None, now: float | None = None) -> Closes:
    """`days` of daily closes for one coin; only the days not yet stored are asked for."""
    path = None if folder is None else _store_path(folder, coin, vs)
    data = _read(path)
    try:
        settled = {int(k): float(v) for k, v in data.get("settled", {}).items()}
        first_day = data.get("first_day")
        live_t, live_p = data.get("live") or (None, None)
        fetched_at = float(data.get("fetched_at") or 0)
    except (TypeError, ValueError, AttributeError):
        settled, first_day, live_t, live_p, fetched_at = {}, None, None, None, 0.0
    now = time.time() if now is None else now
    today = int(now // DAY)
    need_from = math.ceil((now - days * DAY) / DAY)
    covered = bool(settled) and (min(settled) <= need_from + 1
                                 or (first_day is not None and min(settled) <= first_day))
    ask = days
    if covered:
        ask = min(days, max(2, today - max(settled) + 1))
        if live_t is not None and 0 <= now - fetched_at < _fresh_for(ask):
            live = PricePoint(datetime.fromtimestamp(live_t, timezone.utc), live_p)
            return Closes(coin, settled, live, first_day)  # fresh: no request at all
    try:
        series = cg.history(coin, vs, ask, interval="daily")
    except MobiusError:
        if live_t is None or not settled:
            raise
        live = PricePoint(datetime.fromtimestamp(live_t, timezone.utc), live_p)
        return Closes(coin, settled, live, first_day, stored_only=True)
    points = list(series.points)
    if not points:
        raise UsageError(f"CoinGecko has no {vs.upper()} history for {coin.symbol}")
    for p in points[:-1]:
        settled[int(p.time.timestamp() // DAY)] = p.price
    live = points[-1]
    if ask == days and len(points) > 1:
        served_from = int(points[0].time.timestamp() // DAY)
        want = math.ceil((live.time.timestamp() - days * DAY) / DAY)
        if served_from > want + 1:
            first_day = served_from  # a younger coin: there is no older history
    keep = today - MAX_DAYS - 2
    settled = {d: v for d, v in settled.items() if d >= keep}
    if path is not None:
        _write(path, {"coin": coin.id, "vs": vs, "first_day": first_day,
                      "settled": {str(d): v for d, v in sorted(settled.items())},
                      "live": [live.time.timestamp(), live.price], "fetched_at": now})
    return Closes(coin, settled, live, first_day)


def many_closes(cg: CoinGecko, coins: Sequence[CoinRef], vs: str, days: int,
                options: AnalyticsOptions | None = None) -> dict[str, Closes]:
    """Closes for every coin (one request each at most, progress reported per coin)."""
    opts = _opts(options)
    out: dict[str, Closes] = {}
    unique = list({c.id: c for c in coins}.values())
    for i, coin in enumerate(unique):
        out[coin.id] = coin_closes(cg, coin, vs, days, opts.closes_dir)
        opts.progress(i + 1, len(unique), coin.symbol)
    stored = [c.coin.symbol for c in out.values() if c.stored_only]
    if stored:
        opts.on_note(f"CoinGecko did not answer for {', '.join(stored)}: their stored closes "
                     "are used (the live price may be old)")
    return out


@dataclass
class Aligned:
    """Closes of the included coins on shared dates (rows), the last row live."""

    times: list[datetime]
    coins: list[CoinRef]
    closes: list[list[float]]  # rows: one per time, columns: coins
    btc: list[float]
    left_out: list[tuple[CoinRef, str]] = field(default_factory=list)


def _window_days(c: Closes, days: int) -> list[int]:
    """The settled days a `days=N&interval=daily` request serves before the live point."""
    live = c.live.time.timestamp()
    start = math.ceil((live - days * DAY) / DAY)
    return sorted(d for d in c.settled if d >= start and d * DAY < live)


def align_closes(found: dict[str, Closes], coins: Sequence[CoinRef], days: int
                 ) -> Aligned:
    """Shared dates within the window; coins whose history starts after the window's first
    day are left out (named with the days they have)."""
    btc = found[BTC.id]
    frame = _window_days(btc, days)
    start_day = frame[0] if frame else None
    included, left = [], []
    for coin in coins:
        have = _window_days(found[coin.id], days)
        if start_day is not None and (not have or have[0] > start_day + 1):
            left.append((coin, f"{len(have)} days of history, {days} asked"))
        else:
            included.append(coin)
    tables = [found[c.id].settled for c in included]
    common = [d for d in frame if all(d in t for t in tables)]
    times = [datetime.fromtimestamp(d * DAY, timezone.utc) for d in common] + [btc.live.time]
    rows = [[t[d] for t in tables] for d in common]
    rows.append([found[c.id].live.price for c in included])
    btc_rows = [btc.settled[d] for d in common] + [btc.live.price]
    return Aligned(times, included, rows, btc_rows, left)


# --- holdings --------------------------------------------------------------------------------


@dataclass
class Holdings:
    portfolio: Any  # core.ledger.Portfolio
    coins: list[CoinRef]
    amounts: list[Decimal]


def holdings(store: Store, portfolio: str | None, options: AnalyticsOptions) -> Holdings:
    """The current holdings (amounts do not depend on the cost basis method)."""
    from mobius_cli.services.portfolio import PortfolioOptions, open_portfolio, snapshot

    popts = PortfolioOptions(default_currency=options.default_currency,
                             snapshot_dir=options.snapshot_dir)
    book = open_portfolio(store, portfolio, popts)
    state = snapshot(store, book, "fifo", options.snapshot_dir)
    held = [p for p in state.positions if p.amount > 0]
    if not held:
        raise UsageError(f"portfolio {book.name} holds nothing yet",
                         hint="add a holding: `mobius portfolio add btc 0.5 --price 60000`")
    return Holdings(book, [CoinRef(p.coin_id, p.symbol, p.symbol) for p in held],
                    [p.amount for p in held])


def _left_out_note(left: list[tuple[CoinRef, str]], options: AnalyticsOptions,
                   value_share: dict[str, float] | None = None) -> None:
    for coin, why in left:
        share = ""
        if value_share and coin.id in value_share:
            share = f", {value_share[coin.id]:.1%} of the portfolio's value"
        options.on_note(f"{coin.symbol} left out: too little history ({why}{share}); "
                        "a shorter --days includes it")


def _prepare(store: Store, cg: CoinGecko, portfolio: str | None, days: int, vs: str | None,
             options: AnalyticsOptions) -> tuple[Holdings, str, Aligned]:
    held = holdings(store, portfolio, options)
    currency = (vs or held.portfolio.currency).lower()
    found = many_closes(cg, [*held.coins, BTC], currency, days, options)
    aligned = align_closes(found, held.coins, days)
    if aligned.left_out:
        values = {c.id: float(a) * found[c.id].live.price
                  for c, a in zip(held.coins, held.amounts, strict=True)}
        total = sum(values.values()) or 1.0
        _left_out_note(aligned.left_out, options, {k: v / total for k, v in values.items()})
    if not aligned.coins:
        raise UsageError("no holding has enough history for the window",
                         hint=f"try a shorter --days than {days}")
    if len(aligned.times) < MIN_CLOSES:
        raise UsageError(f"only {len(aligned.times)} daily closes in common",
                         hint="risk needs at least 3; try a longer --days")
    if len(aligned.times) < FEW_CLOSES:
        options.on_note(f"only {len(aligned.times)} daily closes: the figures are rough")
    return held, currency, aligned


# --- risk ------------------------------------------------------------------------------------


def _pct(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else x * 100


def _clean(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


@dataclass
class RiskReport:
    """Every risk figure of a portfolio, with what it was computed on."""

    portfolio: str
    currency: str
    days: int
    times: list[datetime]
    coins: list[CoinRef]
    amounts: list[float]
    figures: RiskFigures
    risk_free_rate: float
    left_out: list[tuple[CoinRef, str]] = field(default_factory=list)

    @property
    def as_of(self) -> datetime:
        return self.times[-1]

    @property
    def value(self) -> float:
        return float(self.figures.values[-1])

    @property
    def symbols(self) -> list[str]:
        return [c.symbol for c in self.coins]

    def to_json(self) -> dict[str, Any]:
        """The shape product.md promises scripts."""
        f = self.figures
        return {
            "portfolio": self.portfolio, "currency": self.currency, "days": self.days,
            "as_of": iso_utc(self.as_of), "confidence": f.confidence,
            "volatility_annual_pct": _pct(f.volatility_annual),
            "sharpe": f.sharpe, "sortino": f.sortino,
            "max_drawdown_pct": f.max_drawdown * 100,
            # The peak, trough and recovery the table names (null without a drawdown).
            "max_drawdown_start": self._drawdown_time(f.drawdown_peak),
            "max_drawdown_end": self._drawdown_time(f.drawdown_trough),
            "max_drawdown_recovery": self._drawdown_time(f.drawdown_recovery),
            "var_1d": {"historical_pct": f.var_historical * 100,
                       "parametric_pct": f.var_parametric * 100,
                       "historical_value": f.var_historical * self.value,
                       "parametric_value": f.var_parametric * self.value},
            "cvar_1d": {"pct": f.cvar * 100, "value": f.cvar * self.value},
            "beta_btc": f.beta_btc, "hhi": f.hhi, "effective_assets": f.effective_assets,
            "correlation": {"symbols": self.symbols,
                            "matrix": [[_clean(x) for x in row]
                                       for row in f.correlation.tolist()]},
            # Each holding's share of the value and of the variance (w_i (Σw)_i / w'Σw).
            "holdings": [{"symbol": coin.symbol, "id": coin.id,
                          "value_share_pct": _pct(float(w)),
                          "risk_share_pct": _pct(float(share))}
                         for coin, w, share in zip(self.coins, f.weights, f.risk_shares,
                                                   strict=True)],
        }

    def _drawdown_time(self, index: int | None) -> str | None:
        """The close at `index` as ISO 8601 UTC; None without a drawdown or an index."""
        if index is None or not self.figures.max_drawdown > 0:
            return None
        return iso_utc(self.times[index])


def risk(store: Store, cg: CoinGecko, portfolio: str | None = None, days: int = 365,
         confidence: float = 0.95, vs: str | None = None,
         options: AnalyticsOptions | None = None) -> RiskReport:
    """Volatility, Sharpe, Sortino, drawdown, VaR/CVaR, beta, concentration, correlation."""
    import numpy as np

    from mobius_cli.core.risk import risk_figures

    opts = _opts(options)
    check_days(days)
    check_confidence(confidence)
    held, currency, al = _prepare(store, cg, portfolio, days, vs, opts)
    amounts = [float(a) for c, a in zip(held.coins, held.amounts, strict=True)
               if c in al.coins]
    figures = risk_figures(np.array(al.closes), np.array(amounts), np.array(al.btc),
                           opts.risk_free_rate, confidence)
    return RiskReport(held.portfolio.name, currency, days, al.times, al.coins, amounts,
                      figures, opts.risk_free_rate, al.left_out)


# --- optimisation ------------------------------------------------------------------------------


@dataclass
class Trade:
    symbol: str
    side: str
    amount: float
    value: float

    def to_json(self) -> dict[str, Any]:
        return {"symbol": self.symbol, "side": self.side, "amount": self.amount,
                "value": self.value}


@dataclass
class OptimizeReport:
    """Target weights, the figures before and after, and the trades to get there."""

    objective: str
    portfolio: str
    currency: str
    days: int
    coins: list[CoinRef]
    current: list[float]
    weights: list[float]
    before: Any  # core.optimize.Stats
    after: Any
    trades: list[Trade]
    value: float
    max_weight: float | None
    risk_free_rate: float
    as_of: datetime | None = None
    left_out: list[tuple[CoinRef, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The shape product.md promises scripts."""
        return {"objective": self.objective, "currency": self.currency,
                "weights": {c.symbol: w for c, w in zip(self.coins, self.weights, strict=True)},
                "expected_return_annual_pct": self.after.expected_return * 100,
                "volatility_annual_pct": self.after.volatility * 100,
                "sharpe": self.after.sharpe,
                "trades": [t.to_json() for t in self.trades],
                "portfolio": self.portfolio, "days": self.days, "max_weight": self.max_weight,
                "before": {"weights": {c.symbol: w for c, w in zip(self.coins, self.current,
                                                                   strict=True)},
                           "expected_return_annual_pct": self.before.expected_return * 100,
                           "volatility_annual_pct": self.before.volatility * 100,
                           "sharpe": self.before.sharpe}}


def optimize(store: Store, cg: CoinGecko, objective: str = "max-sharpe",
             max_weight: float | None = None, days: int = 365, portfolio: str | None = None,
             vs: str | None = None, options: AnalyticsOptions | None = None
             ) -> OptimizeReport:
    """Long-only target weights for `objective`; trades to reach them (never executed)."""
    import numpy as np

    from mobius_cli.core import optimize as opt
    from mobius_cli.core.risk import simple_returns

    opts = _opts(options)
    objective = (objective or "max-sharpe").strip().lower().replace("_", "-")
    if objective not in opt.OBJECTIVES:
        raise UsageError(f"unknown objective {objective!r}",
                         hint=f"one of {', '.join(opt.OBJECTIVES)}")
    check_days(days)
    if max_weight is not None and not 0 < max_weight <= 1:
        raise UsageError(f"--max-weight must be above 0 and at most 1, not {max_weight:g}")
    held, currency, al = _prepare(store, cg, portfolio, days, vs, opts)
    closes = np.array(al.closes)
    amounts = np.array([float(a) for c, a in zip(held.coins, held.amounts, strict=True)
                        if c in al.coins])
    prices = closes[-1]
    values = amounts * prices
    total = float(values.sum())
    current = values / total
    mu, cov = opt.annualise(simple_returns(closes))
    rf = opts.risk_free_rate
    var = np.diag(cov)
    flat = [c.symbol for c, v in zip(al.coins, var, strict=True)
            if v <= 1e-18 * max(float(np.max(var)), 1e-300)]
    if flat and objective == "risk-parity":
        raise UsageError(f"risk parity needs every holding to move, and {', '.join(flat)} "
                         f"never moved in {currency.upper()} over the window",
                         hint="another --vs, or --objective min-variance or max-sharpe")
    try:
        weights = opt.optimise(objective, mu, cov, rf, max_weight)
    except opt.Infeasible as exc:
        raise UsageError(str(exc)) from None
    weights = np.where(weights < 1e-10, 0.0, weights)
    weights = weights / weights.sum()
    trades = []
    for coin, w, v, price in zip(al.coins, weights, values, prices, strict=True):
        diff = float(w) * total - float(v)
        if abs(diff) >= 0.005 and price > 0:
            trades.append(Trade(coin.symbol, "buy" if diff > 0 else "sell",
                                abs(diff) / float(price), abs(diff)))
    trades.sort(key=lambda t: (t.side != "sell", -t.value))
    return OptimizeReport(objective, held.portfolio.name, currency, days, al.coins,
                          current.tolist(), weights.tolist(), opt.stats(current, mu, cov, rf),
                          opt.stats(weights, mu, cov, rf), trades, total, max_weight, rf,
                          al.times[-1], al.left_out)


# --- performance -------------------------------------------------------------------------------


@dataclass
class PerformanceReport:
    """Time- and money-weighted returns over the window, beside holding BTC instead."""

    portfolio: str
    currency: str
    days: int
    book: Book
    start: int  # the close the window starts at: --days ago, or the last before the first flow
    twr: float | None
    xirr: Xirr
    btc_twr: float | None
    btc_xirr: Xirr
    btc_value: float
    left_out: list[tuple[CoinRef, str]] = field(default_factory=list)

    @property
    def value(self) -> float:
        return self.book.values[-1]

    @property
    def invested(self) -> float:
        return self.book.invested[-1]

    def to_json(self) -> dict[str, Any]:
        b = self.book
        return {"portfolio": self.portfolio, "currency": self.currency, "days": self.days,
                "start": iso_utc(b.times[self.start]), "as_of": iso_utc(b.times[-1]),
                "start_value": b.values[self.start], "value": self.value,
                "money_in": b.money_in, "money_out": b.money_out,
                "net_invested": self.invested, "gain": self.value - self.invested,
                "twr_pct": _pct(self.twr), "xirr_pct": _pct(self.xirr.rate),
                "xirr_note": self.xirr.reason,
                "btc": {"twr_pct": _pct(self.btc_twr), "xirr_pct": _pct(self.btc_xirr.rate),
                        "value": self.btc_value}}


def performance(store: Store, cg: CoinGecko, days: int = 365, portfolio: str | None = None,
                vs: str | None = None, options: AnalyticsOptions | None = None
                ) -> PerformanceReport:
    """What the money did over `days`, counting the ledger's cash flows."""
    from mobius_cli.core.performance import Flow, closes_used, daily_book, twr, xirr
    from mobius_cli.services.portfolio import (
        PortfolioOptions,
        Rates,
        history,
        open_portfolio,
    )

    opts = _opts(options)
    check_days(days)
    popts = PortfolioOptions(default_currency=opts.default_currency, on_note=opts.on_note)
    book = open_portfolio(store, portfolio, popts)
    txs = history(store, None, book.name, options=popts).transactions
    if not txs:
        raise UsageError(f"portfolio {book.name} has no transactions yet",
                         hint="add one: `mobius portfolio add btc 0.5 --price 60000`")
    currency = (vs or book.currency).lower()
    # BTC's closes first: its first close is where the window starts, what is held then
    # is the starting capital, and only the coins held from then on are fetched.
    btc = coin_closes(cg, BTC, currency, days, opts.closes_dir)
    frame = btc.window(days)
    times = [p.time for p in frame]
    window_start = times[0].timestamp()
    before: dict[str, Decimal] = {}
    for t in txs:
        if t.time.timestamp() <= window_start:
            sign = 1 if t.kind in ("buy", "transfer_in") else -1
            before[t.coin_id] = before.get(t.coin_id, Decimal(0)) + sign * t.amount
    inside = [t for t in txs if t.time.timestamp() > window_start]
    ids = {c for c, a in before.items() if a > 0} | {t.coin_id for t in inside}
    symbols = {t.coin_id: t.symbol for t in txs}
    coins = [CoinRef(i, symbols[i], symbols[i]) for i in sorted(ids)]
    fx = None
    if currency != book.currency:
        fx = Rates(cg, currency, popts)
    flows = []
    for t in inside:
        sign = 1 if t.kind in ("buy", "transfer_in") else -1
        money: float | None = None
        if t.kind in ("buy", "sell"):
            gross = t.amount * t.unit_price
            cash = gross + t.fee_value if t.kind == "buy" else -(gross - t.fee_value)
            rate = fx.rate(book.currency, t.time) if fx is not None else Decimal(1)
            money = float(cash * rate)
        flows.append(Flow(t.time, t.coin_id, float(sign * t.amount), money))
    held = {c: float(a) for c, a in before.items() if a > 0}
    # A close a coin lacks matters only on the days it is held (or a transfer of it is
    # valued): only those are counted in the note.
    used = closes_used(times, held, flows)
    found = many_closes(cg, coins, currency, days, opts)
    closes: dict[str, list[float]] = {}
    left: list[tuple[CoinRef, str]] = []
    for coin in coins:
        c = found[coin.id]
        needed = used.get(coin.id, [False] * len(times))
        series, last, missing = [], None, 0
        for i, p in enumerate(frame[:-1]):
            d = int(p.time.timestamp() // DAY)
            if d in c.settled:
                last = c.settled[d]
            elif last is None and needed[i]:
                missing += 1
            series.append(last)
        series.append(c.live.price)
        first = next(v for v in series if v is not None)
        series = [first if v is None else v for v in series]
        if missing:
            left.append((coin, f"no closes for {missing} of the days it is held in the "
                               "window; its earliest close stands in"))
        closes[coin.id] = series
    for coin, why in left:
        opts.on_note(f"{coin.symbol}: {why}")
    result = daily_book(times, closes, held, flows)
    held_from = next((i for i, v in enumerate(result.values) if v > 0), len(times) - 1)
    btc_prices = [p.price for p in frame]
    # BTC instead: the same money in and out at the same times, buying and selling BTC at
    # the close each flow counts at; its value now dated like the portfolio's.
    btc_units = 0.0
    if result.values[0]:
        btc_units = result.values[0] / btc_prices[0]
    for i in range(1, len(times)):
        if result.flows[i]:
            btc_units += result.flows[i] / btc_prices[i]
    btc_value = btc_units * btc_prices[-1]
    btc_cash = list(result.external)
    if btc_value and result.end is not None:
        btc_cash.append((result.end, btc_value))
    # BTC's time-weighted return over the days the portfolio's counts: from the first
    # close with something held (bought at the last close: 0%, it is the live price).
    btc_twr = (btc_prices[-1] / btc_prices[held_from] - 1 if result.values[held_from] > 0
               else None)
    return PerformanceReport(book.name, currency, days, result, result.start,
                             twr(result.values, result.day_in, result.day_out),
                             xirr(result.cash_flows),
                             btc_twr, xirr(btc_cash), btc_value, left)
