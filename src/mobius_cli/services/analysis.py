"""Technical analysis, gas and DCA answers, from providers and the pure core.

Library-first, like `services.market`: functions take the providers they need and return
typed results with `to_json()` (the shapes in product.md); no Typer, Rich or AppContext::

    report = analysis.technicals(cg, coin, "usd", days=365)
    print(report.to_json()["overall"])
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mobius_cli.core.models import CoinRef, PricePoint, iso_utc
from mobius_cli.errors import MobiusError, SourceError

if TYPE_CHECKING:
    from mobius_cli.core.dca import DcaResult
    from mobius_cli.core.gas import GasLevels
    from mobius_cli.core.signals import Technicals
    from mobius_cli.providers.cache import ResponseCache
    from mobius_cli.providers.coingecko import CoinGecko
    from mobius_cli.providers.rpc import Chain, RpcNodes

Note = Callable[[str], None]
MAX_DAYS = 3650  # services.market.MAX_DAYS: every --days shares the bounds
L2_CHAINS = frozenset({"arbitrum", "optimism", "base"})


def _quiet(message: str) -> None:
    """A note nobody asked to see."""


def check_days(days: int) -> int:
    """A back-test or indicator window: 1..3650 days."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        from mobius_cli.services.market import days_error

        raise days_error(days)
    return days


def daily_closes(cg: CoinGecko, coin: CoinRef, vs: str, days: int
                 ) -> tuple[list[PricePoint], datetime | None, bool]:
    """(closes, as_of, stale): the documented daily series, the last point live."""
    series = cg.history(coin, vs, days, interval="daily")
    return list(series.points), series.as_of, series.stale


# --- technical analysis ----------------------------------------------------------------


@dataclass
class TaReport:
    """Indicators, signals and the overall view for one coin."""

    coin: CoinRef
    currency: str
    days: int
    points: list[PricePoint]
    tech: Technicals
    stale: bool = False

    @property
    def as_of(self) -> datetime | None:
        return self.points[-1].time if self.points else None

    def to_json(self) -> dict[str, Any]:
        return {
            "symbol": self.coin.symbol, "currency": self.currency,
            "as_of": iso_utc(self.as_of), "closes": len(self.tech.closes),
            "close": self.tech.close, **self.tech.indicators_json(),
            "signals": [s.to_json() for s in self.tech.signals],
            "overall": {"signal": self.tech.overall, "confidence": self.tech.confidence},
        }


def technicals(cg: CoinGecko, coin: CoinRef, vs: str, days: int = 365) -> TaReport:
    """RSI, MACD, Bollinger, SMA/EMA and signals on `days` of daily closes."""
    points, _as_of, stale = daily_closes(cg, coin, vs, check_days(days))
    if not points:
        raise SourceError("CoinGecko", f"no price history for {coin.symbol}")
    closes = [p.price for p in points]
    return TaReport(coin, vs, days, points, analysed(closes, cg.http.cache), stale)


MEMO_PREFIX = "memo:ta:"


def analysed(closes: list[float], cache: ResponseCache | None = None) -> Technicals:
    """core.signals.analyse(closes), remembered in `cache` under a key made of the closes
    and the code that reads them: the same closes give the same answer, so a second `ta`
    on an unchanged series answers without loading numpy (half its run time)."""
    import json

    from mobius_cli.core.signals import Technicals, analyse

    key = _memo_key(closes) if cache is not None else None
    if cache is not None and key is not None:
        hit = cache.get(key)
        if hit is not None:
            try:
                return Technicals.from_memo(closes, hit[1])
            except (KeyError, TypeError, ValueError):
                cache.delete(key)  # an entry of another shape: computed afresh below
    tech = analyse(closes)
    if cache is not None and key is not None:
        try:
            memo = tech.to_memo()
            cache.put(key, memo, json.dumps(memo, allow_nan=False, separators=(",", ":")))
        except ValueError:  # a NaN or infinity has no JSON: not remembered
            pass
    return tech


def _memo_key(closes: list[float]) -> str | None:
    """The closes and the source of the modules that compute from them (a changed
    indicator or signal rule is a new key), hashed; None when the source is unreadable."""
    import hashlib
    import json

    code = _code_digest()
    if code is None:
        return None
    try:
        data = json.dumps(closes, allow_nan=False).encode()
    except ValueError:
        return None
    return MEMO_PREFIX + hashlib.sha256(code + data).hexdigest()


@functools.cache
def _code_digest() -> bytes | None:
    """A hash of the indicator and signal modules' source, read once per process."""
    import hashlib
    from pathlib import Path

    from mobius_cli.core import indicators, signals

    digest = hashlib.sha256()
    try:
        for module in (indicators, signals):
            digest.update(Path(module.__file__ or "").read_bytes())
    except OSError:
        return None
    return digest.digest()


# --- DCA -------------------------------------------------------------------------------


@dataclass
class DcaReport:
    """A DCA back-test of one coin, with the lump sum beside it."""

    coin: CoinRef
    currency: str
    days: int
    result: DcaResult
    stale: bool = False

    def to_json(self) -> dict[str, Any]:
        r = self.result.to_json()
        return {"symbol": self.coin.symbol, "currency": self.currency,
                "amount": r["amount"], "every_days": r["every_days"], "days": self.days,
                **{k: r[k] for k in ("buys", "invested", "units", "average_cost", "value",
                                     "return_pct", "max_drawdown_pct", "lump_sum")}}


def dca(cg: CoinGecko, coin: CoinRef, vs: str, amount: float, every_days: int,
        days: int = 365) -> DcaReport:
    """Buy `amount` every `every_days` closes over `days`, valued at the live price."""
    from mobius_cli.core.dca import backtest

    points, _as_of, stale = daily_closes(cg, coin, vs, check_days(days))
    if not points:
        raise SourceError("CoinGecko", f"no price history for {coin.symbol}")
    result = backtest([(p.time, p.price) for p in points], amount, every_days)
    return DcaReport(coin, vs, days, result, stale)


# --- gas -------------------------------------------------------------------------------


@dataclass
class GasReport:
    """Fee levels of the chains asked for, and the chains whose node failed."""

    currency: str
    levels: list[GasLevels] = field(default_factory=list)
    failures: list[tuple[Chain, MobiusError]] = field(default_factory=list)

    def to_json(self) -> list[dict[str, Any]]:
        return [lv.to_json() for lv in self.levels]


def _chain_levels(nodes: RpcNodes, chain: Chain) -> GasLevels:
    from mobius_cli.core.gas import BadFeeHistory, levels

    history = nodes.fee_history(chain)
    try:
        found = levels(chain.name, history)
    except BadFeeHistory as exc:
        raise SourceError(chain.source, f"bad response ({exc})") from None
    found.native_symbol = chain.native_symbol
    found.title = chain.title
    return found


def gas(nodes: RpcNodes, cg: CoinGecko | None, chains: Sequence[Chain], vs: str, *,
        on_note: Note = _quiet) -> GasReport:
    """Fee levels of `chains` (in parallel, one batched JSON-RPC call each) and the
    costs in `vs` from one CoinGecko price request for their native coins.

    One chain asked for: its failure is raised. Several: failures are collected, and
    only raised when every chain failed.
    """
    report = GasReport(vs)
    ids = sorted({c.native_id for c in chains if c.native_id})
    prices: dict[str, dict[str, float]] = {}
    if cg is not None and ids:
        # First, on this thread: the response cache belongs to the thread that opened it.
        try:
            prices = cg.prices(ids, [vs])
        except SourceError as exc:
            on_note(f"{exc.message}; costs shown in native coins only")
    if len(chains) == 1:
        outcomes: list[GasLevels | MobiusError] = [_chain_levels(nodes, chains[0])]
    else:
        nodes.http.client  # noqa: B018 - build the shared httpx client before the threads

        def one(chain: Chain) -> GasLevels | MobiusError:
            try:
                return _chain_levels(nodes, chain)
            except MobiusError as exc:
                return exc

        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(8, len(chains))) as pool:
            outcomes = list(pool.map(one, chains))
    for chain, outcome in zip(chains, outcomes, strict=True):
        if isinstance(outcome, MobiusError):
            report.failures.append((chain, outcome))
            continue
        outcome.currency = vs
        price = prices.get(chain.native_id or "", {}).get(vs)
        outcome.native_price = price
        if price is None and chain.native_id and prices:
            on_note(f"no {vs.upper()} price for {chain.native_symbol}; "
                    f"{chain.title} costs in {chain.native_symbol} only")
        report.levels.append(outcome)
    if not report.levels and report.failures:
        raise report.failures[0][1]
    for chain, error in report.failures:
        on_note(f"{error.message}; {chain.title} left out")
    return report
