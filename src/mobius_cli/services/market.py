"""Market answers built from providers and core: what subcommands, `ask`, the REPL and a
Python caller share.

Each function takes the providers it needs and returns a typed result with `to_json()`;
nothing here knows about the CLI, Typer or Rich::

    from mobius_cli.providers.cache import ResponseCache
    from mobius_cli.providers.coingecko import CoinGecko
    from mobius_cli.providers.http import HttpClient
    from mobius_cli.services import market

    cg = CoinGecko(HttpClient(ResponseCache(path)))
    [btc] = market.quotes(cg, market.resolve(cg, ["btc"]), "usd")
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mobius_cli.core import market
from mobius_cli.core.models import (
    CoinFacts,
    CoinRef,
    FearGreedPoint,
    GlobalMarket,
    MarketCoin,
    PricePoint,
    Quote,
    TrendingCoin,
    iso_utc,
)
from mobius_cli.errors import AuthError, SourceError, UsageError

if TYPE_CHECKING:
    from mobius_cli.providers.coingecko import CoinGecko
    from mobius_cli.providers.defillama import DefiLlama
    from mobius_cli.providers.feargreed import FearGreed

Note = Callable[[str], None]

# Every --days (history, compare, ta, dca, fear-greed, defi tvl) takes 1..MAX_DAYS: ten
# years of daily data, more than the Fear & Greed index (2018) or DeFiLlama's TVL (2018)
# have; `history` and `compare` also take 'max' for all of CoinGecko's (back to 2013).
MAX_DAYS = 3650


def days_error(days: object, *, or_max: bool = False) -> UsageError:
    """The one message for a --days out of range, naming the bounds every command shares."""
    shown = days if isinstance(days, int) and not isinstance(days, bool) else repr(days)
    also = " or 'max' (all of CoinGecko's history, back to 2013)" if or_max else ""
    return UsageError(f"--days must be a whole number from 1 to {MAX_DAYS} (ten years){also}, "
                      f"not {shown}")


def _quiet(message: str) -> None:
    """A note nobody asked to see."""


def _typed(query: str) -> str:
    """What a user typed for a coin, as compared with tickers: `$TON ` → `ton`."""
    return query.strip().lstrip("$").lower()


def resolve(cg: CoinGecko, symbols: Sequence[str], ids: Sequence[str] = (), *,
            on_note: Note | None = None) -> list[CoinRef]:
    """Tickers, names or ids (and exact --id values) → coins, in order, without duplicates.

    An --id says which coin a shared ticker means: it takes the place of the first of
    `symbols` that is its ticker (`ton --id tokamak-network` is Tokamak Network alone, with
    no shared-ticker note); an --id that is none of their tickers is added after them.
    """
    if not symbols and not ids:
        raise UsageError("name at least one coin", hint="a ticker, name or id, e.g. btc")
    if not ids:
        return cg.resolve_many(symbols, note=on_note)
    picked: dict[int, CoinRef] = {}
    extra: list[CoinRef] = []
    for coin in (cg.coin_by_id(i) for i in ids):
        slot = next((n for n, query in enumerate(symbols)
                     if n not in picked and _typed(query) == coin.symbol.lower()), None)
        if slot is None:
            extra.append(coin)
        else:
            picked[slot] = coin
    coins = [picked[n] if n in picked else cg.resolve_many([query], note=on_note)[0]
             for n, query in enumerate(symbols)]
    unique: dict[str, CoinRef] = {}
    for coin in coins + extra:
        unique.setdefault(coin.id, coin)
    return list(unique.values())


def resolve_one(cg: CoinGecko, symbol: str | None, coin_id: str | None = None, *,
                on_note: Note | None = None) -> CoinRef:
    """One coin from a ticker, name or id, or an --id; with both, the --id says which coin
    the ticker means and must be one of its coins (else a usage error)."""
    if symbol and coin_id:
        coin = cg.coin_by_id(coin_id)
        if _typed(symbol) not in (coin.symbol.lower(), coin.id, coin.name.lower()):
            raise UsageError(f"--id {coin.id} is {coin.name}'s id (ticker "
                             f"{coin.symbol.upper()}), not {_typed(symbol).upper()}'s",
                             hint="give the ticker alone, or --id alone")
        return coin
    return resolve(cg, [symbol] if symbol else [], [coin_id] if coin_id else [],
                   on_note=on_note)[0]


def quotes(cg: CoinGecko, coins: Sequence[CoinRef], vs: str, *,
           fallback: DefiLlama | None = None, offline: bool = False,
           on_note: Note | None = None) -> list[Quote]:
    """Quotes in one request; when CoinGecko fails, `fallback`'s (DeFiLlama's) USD prices,
    else the last cached quotes, flagged `stale`."""
    note = on_note or _quiet
    try:
        return cg.quotes(coins, vs)
    except SourceError as exc:
        from mobius_cli.providers.http import HttpStatusError

        if offline or isinstance(exc, (AuthError, HttpStatusError)):
            raise
        failure = exc
    if vs == "usd" and fallback is not None:
        try:
            found = fallback.quotes(coins)
        except SourceError:
            found = []
        if found:
            note(f"{failure.message}; prices from DeFiLlama instead (USD only, no 24h "
                 "change, market cap or volume)")
            missing = [c.symbol for c in coins if c.id not in {q.coin.id for q in found}]
            if missing:
                note(f"DeFiLlama has no price for {', '.join(missing)}")
            return found
    stale = cg.stale_quotes(coins, vs, failure.message)
    if stale is not None:
        return stale
    if vs != "usd" and fallback is not None:
        failure.hint = "the DeFiLlama fallback has USD prices only: try --vs usd"
    raise failure


@dataclass
class MarketOverview:
    """The top coins and the global market, in one currency."""

    currency: str
    coins: list[MarketCoin]
    total_market_cap: float | None
    total_volume: float | None
    market_cap_change_24h_pct: float | None  # in USD terms, whatever the currency
    dominance: dict[str, float]
    active_cryptocurrencies: int | None
    updated_at: datetime | float | None
    as_of: datetime | None = None
    stale: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "total_market_cap": self.total_market_cap,
            "total_volume_24h": self.total_volume,
            "market_cap_change_24h_pct": self.market_cap_change_24h_pct,
            "btc_dominance_pct": self.dominance.get("btc"),
            "eth_dominance_pct": self.dominance.get("eth"),
            "active_cryptocurrencies": self.active_cryptocurrencies,
            "updated_at": iso_utc(self.updated_at),
            "coins": [c.to_json(self.currency) for c in self.coins],
        }


def overview(cg: CoinGecko, vs: str, limit: int) -> MarketOverview:
    """The `limit` largest coins (24h and 7d change) and the global totals."""
    coins = cg.markets(vs, limit=limit, periods=("24h", "7d"))
    world: GlobalMarket = cg.global_market()
    return MarketOverview(
        vs, coins[:limit], world.total_market_cap.get(vs), world.total_volume.get(vs),
        world.market_cap_change_24h_pct_usd, world.dominance, world.active_cryptocurrencies,
        world.updated_at, as_of=world.as_of, stale=world.stale)


@dataclass
class History:
    """A coin's price series over `days`, with when it was fetched."""

    coin: CoinRef
    currency: str
    days: int | str
    points: list[PricePoint]
    as_of: datetime | None = None
    stale: bool = False

    @property
    def change_pct(self) -> float | None:
        return market.change_pct(self.points)

    def to_json(self) -> dict[str, Any]:
        prices = [p.price for p in self.points]
        return {
            "symbol": self.coin.symbol, "id": self.coin.id, "name": self.coin.name,
            "currency": self.currency, "days": self.days,
            "change_pct": self.change_pct,
            "high": max(prices) if prices else None, "low": min(prices) if prices else None,
            "as_of": iso_utc(self.as_of), "stale": self.stale,
            "prices": [p.to_json() for p in self.points],
        }


def history(cg: CoinGecko, coin: CoinRef, vs: str, days: int | str) -> History:
    """Prices of `coin` over the last `days` (or 'max')."""
    series = cg.history(coin, vs, days)
    return History(coin, vs, days, series.points, as_of=series.as_of, stale=series.stale)


@dataclass
class Comparison:
    """Coins side by side: price, market cap, 24h change and change over `days`."""

    currency: str
    days: int | str
    rows: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> list[dict[str, Any]]:
        return self.rows


def compare(cg: CoinGecko, coins: Sequence[CoinRef], vs: str, days: int | str) -> Comparison:
    """Price, market cap and performance over `days`: one request for the usual periods."""
    period = market.MARKET_PERIODS.get(days) if isinstance(days, int) else None
    rows = cg.markets(vs, limit=len(coins), ids=[c.id for c in coins],
                      periods=tuple(dict.fromkeys(("24h", period or "24h"))))
    by_id = {r.coin.id: r for r in rows}
    result = Comparison(vs, days)
    for coin in coins:
        row = by_id.get(coin.id)
        if period:
            change = row.change_pct.get(period) if row else None
        else:
            change = market.change_pct(cg.history(coin, vs, days).points)
        result.rows.append({
            "symbol": coin.symbol, "id": coin.id, "name": coin.name,
            "price": row.price if row else None, "currency": vs,
            "market_cap": row.market_cap if row else None,
            "change_24h_pct": row.change_pct.get("24h") if row else None,
            "days": days, "change_pct": change,
        })
    return result


@dataclass
class Conversion:
    """`amount` of one coin or currency in another, at `rate`."""

    amount: float
    from_code: str
    to_code: str
    rate: float

    @property
    def result(self) -> float:
        return self.amount * self.rate

    def to_json(self) -> dict[str, Any]:
        return {"amount": self.amount, "from": self.from_code, "to": self.to_code,
                "rate": self.rate, "result": self.result}


# Units CoinGecko quotes in like currencies, though they are fractions of a coin.
BITCOIN_UNITS = frozenset({"sats", "bits"})


def _is_fiat(code: str) -> bool:
    """A currency (or bitcoin unit) CoinGecko quotes in, as opposed to a coin to look up."""
    from mobius_cli.core.coins import FIAT_CODES

    return code.strip().lower() in FIAT_CODES | BITCOIN_UNITS


def convert(cg: CoinGecko, amount: float, from_text: str, to_text: str, *,
            on_note: Note | None = None) -> Conversion:
    """Convert between any two of fiat and crypto, in one request."""
    from_fiat, to_fiat = _is_fiat(from_text), _is_fiat(to_text)
    from_code = from_text.lower() if from_fiat else resolve(cg, [from_text], on_note=on_note)[0]
    to_code = to_text.lower() if to_fiat else resolve(cg, [to_text], on_note=on_note)[0]
    if from_fiat and to_fiat:
        rates = {code: r.value for code, r in cg.exchange_rates().items()}
        rate = market.conversion_rate(str(from_code), str(to_code), from_is_fiat=True,
                                      to_is_fiat=True, prices={}, btc_rates=rates)
    else:
        ids = [c.id for c in (from_code, to_code) if isinstance(c, CoinRef)]
        fiat = [c for c in (from_code, to_code) if isinstance(c, str)] or ["usd"]
        prices = cg.prices(list(dict.fromkeys(ids)), fiat)
        rate = market.conversion_rate(
            from_code.id if isinstance(from_code, CoinRef) else from_code,
            to_code.id if isinstance(to_code, CoinRef) else to_code,
            from_is_fiat=from_fiat, to_is_fiat=to_fiat, prices=prices)
    return Conversion(amount, _code(from_code), _code(to_code), rate)


def _code(side: CoinRef | str) -> str:
    """How a side of a conversion is shown: a coin's ticker or a currency's code."""
    return side.symbol if isinstance(side, CoinRef) else side.upper()


@dataclass
class Movers:
    """The biggest 24h gainers and losers among the `universe` largest coins."""

    currency: str
    universe: int
    gainers: list[MarketCoin] = field(default_factory=list)
    losers: list[MarketCoin] = field(default_factory=list)

    def side(self, name: str) -> list[MarketCoin]:
        """'gainers' or 'losers'."""
        return self.gainers if name == "gainers" else self.losers

    def __getitem__(self, name: str) -> list[MarketCoin]:
        return self.side(name)

    def to_json(self, sides: Sequence[str] = ("gainers", "losers")) -> dict[str, Any]:
        return {s: [r.to_json(self.currency) for r in self.side(s)] for s in sides}


def movers(cg: CoinGecko, vs: str, *, universe: int, limit: int) -> Movers:
    """Top gainers and losers over 24h among the `universe` largest coins."""
    rows = [r for r in cg.markets(vs, limit=universe, periods=("24h",))
            if r.change_pct.get("24h") is not None]
    rows.sort(key=lambda r: r.change_pct["24h"] or 0.0, reverse=True)
    losers = sorted(rows, key=lambda r: r.change_pct["24h"] or 0.0)
    return Movers(vs, universe,
                  [r for r in rows if (r.change_pct["24h"] or 0) > 0][:limit],
                  [r for r in losers if (r.change_pct["24h"] or 0) < 0][:limit])


def coin_facts(cg: CoinGecko, coin: CoinRef, vs: str) -> CoinFacts:
    """What a coin is: rank, price, supply, ATH/ATL, links, description (figures in `vs`)."""
    return cg.coin_facts(coin, vs)


@dataclass
class Trending:
    """Coins most searched on CoinGecko now; prices in USD whatever the vs currency."""

    coins: list[TrendingCoin]

    def to_json(self) -> list[dict[str, Any]]:
        return [{"rank": i, "symbol": t.coin.symbol, "id": t.coin.id, "name": t.coin.name,
                 "market_cap_rank": t.coin.rank, "price": t.price_usd, "currency": "usd",
                 "change_24h_pct": t.change_24h_pct_usd}
                for i, t in enumerate(self.coins, start=1)]


def trending(cg: CoinGecko) -> Trending:
    """CoinGecko's trending coins, most searched first."""
    return Trending(cg.trending())


@dataclass
class FearGreedIndex:
    """The Crypto Fear & Greed index: the latest value first, then older days."""

    points: list[FearGreedPoint]
    days: int = 1

    @property
    def now(self) -> FearGreedPoint:
        return self.points[0]

    def rows(self) -> list[dict[str, Any]]:
        return [{"date": iso_utc(p.time), "value": p.value,
                 "classification": p.classification} for p in self.points]

    def to_json(self) -> dict[str, Any]:
        rows = self.rows()
        return {"value": rows[0]["value"], "classification": rows[0]["classification"],
                "date": rows[0]["date"], "history": rows if self.days > 1 else []}


def fear_greed(fg: FearGreed, days: int = 1) -> FearGreedIndex:
    """The index today and, with `days` > 1, the days before (newest first)."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise days_error(days)
    points = fg.points(days)
    if not points:
        raise SourceError("alternative.me", "the index came back empty")
    return FearGreedIndex(points, days)
