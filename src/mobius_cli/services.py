"""Market answers built from providers and core: what subcommands, `ask` and the REPL share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mobius_cli.core import market
from mobius_cli.core.models import CoinRef, MarketCoin, PricePoint, Quote, iso_utc
from mobius_cli.errors import AuthError, SourceError, UsageError

if TYPE_CHECKING:
    from mobius_cli.context import AppContext


def resolve(app: AppContext, symbols: Sequence[str], ids: Sequence[str] = ()) -> list[CoinRef]:
    if not symbols and not ids:
        raise UsageError("name at least one coin", hint="a ticker, name or id, e.g. btc")
    return app.coingecko.resolve_many(symbols, ids, note=app.note)


def quotes(app: AppContext, coins: Sequence[CoinRef], vs: str) -> list[Quote]:
    """Quotes in one request; when CoinGecko fails, DeFiLlama's prices, else stale ones."""
    try:
        return app.coingecko.quotes(coins, vs)
    except SourceError as exc:
        from mobius_cli.providers.http import HttpStatusError

        if app.offline or isinstance(exc, (AuthError, HttpStatusError)):
            raise
        failure = exc
    if vs == "usd":
        try:
            found = app.defillama.quotes(coins)
        except SourceError:
            found = []
        if found:
            app.note(f"{failure.message}; prices from DeFiLlama instead (USD only, no 24h "
                     "change, market cap or volume)")
            missing = [c.symbol for c in coins if c.id not in {q.coin.id for q in found}]
            if missing:
                app.note(f"DeFiLlama has no price for {', '.join(missing)}")
            return found
    stale = app.coingecko.stale_quotes(coins, vs, failure.message)
    if stale is not None:
        return stale
    if vs != "usd":
        failure.hint = "the DeFiLlama fallback has USD prices only: try --vs usd"
    raise failure


@dataclass
class MarketOverview:
    currency: str
    coins: list[MarketCoin]
    total_market_cap: float | None
    total_volume: float | None
    market_cap_change_24h_pct: float | None
    dominance: dict[str, float]
    active_cryptocurrencies: int | None
    updated_at: float | None

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


def overview(app: AppContext, vs: str, limit: int) -> MarketOverview:
    coins = app.coingecko.markets(vs, limit=limit, periods=("24h", "7d"))
    data = app.coingecko.global_market()
    return MarketOverview(
        vs, coins[:limit], data.get("total_market_cap", {}).get(vs),
        data.get("total_volume", {}).get(vs), data.get("market_cap_change_percentage_24h_usd"),
        data.get("market_cap_percentage", {}), data.get("active_cryptocurrencies"),
        data.get("updated_at"))


@dataclass
class History:
    coin: CoinRef
    currency: str
    days: int | str
    points: list[PricePoint]

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
            "prices": [p.to_json() for p in self.points],
        }


def history(app: AppContext, coin: CoinRef, vs: str, days: int | str) -> History:
    return History(coin, vs, days, app.coingecko.history(coin, vs, days))


@dataclass
class Comparison:
    currency: str
    days: int | str
    rows: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> list[dict[str, Any]]:
        return self.rows


def compare(app: AppContext, coins: Sequence[CoinRef], vs: str, days: int | str) -> Comparison:
    """Price, market cap and performance over `days`: one request for the usual periods."""
    period = market.MARKET_PERIODS.get(days) if isinstance(days, int) else None
    rows = app.coingecko.markets(vs, limit=len(coins), ids=[c.id for c in coins],
                                 periods=tuple(dict.fromkeys(("24h", period or "24h"))))
    by_id = {r.coin.id: r for r in rows}
    result = Comparison(vs, days)
    for coin in coins:
        row = by_id.get(coin.id)
        if period:
            change = row.change_pct.get(period) if row else None
        else:
            change = market.change_pct(app.coingecko.history(coin, vs, days))
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


def convert(app: AppContext, amount: float, from_text: str, to_text: str) -> Conversion:
    """Convert between any two of fiat and crypto, in one request."""
    from_fiat, to_fiat = _is_fiat(from_text), _is_fiat(to_text)
    from_code = from_text.lower() if from_fiat else resolve(app, [from_text])[0]
    to_code = to_text.lower() if to_fiat else resolve(app, [to_text])[0]
    if from_fiat and to_fiat:
        rates = {k: float(v["value"]) for k, v in app.coingecko.exchange_rates().items()}
        rate = market.conversion_rate(str(from_code), str(to_code), from_is_fiat=True,
                                      to_is_fiat=True, prices={}, btc_rates=rates)
    else:
        ids = [c.id for c in (from_code, to_code) if isinstance(c, CoinRef)]
        fiat = [c for c in (from_code, to_code) if isinstance(c, str)] or ["usd"]
        prices = app.coingecko.prices(list(dict.fromkeys(ids)), fiat)
        rate = market.conversion_rate(
            from_code.id if isinstance(from_code, CoinRef) else from_code,
            to_code.id if isinstance(to_code, CoinRef) else to_code,
            from_is_fiat=from_fiat, to_is_fiat=to_fiat, prices=prices)
    return Conversion(amount, _code(from_code), _code(to_code), rate)


def _code(side: CoinRef | str) -> str:
    """How a side of a conversion is shown: a coin's ticker or a currency's code."""
    return side.symbol if isinstance(side, CoinRef) else side.upper()


def movers(app: AppContext, vs: str, *, universe: int, limit: int) -> dict[str, list[MarketCoin]]:
    """Top gainers and losers over 24h among the `universe` largest coins."""
    rows = [r for r in app.coingecko.markets(vs, limit=universe, periods=("24h",))
            if r.change_pct.get("24h") is not None]
    rows.sort(key=lambda r: r.change_pct["24h"] or 0.0, reverse=True)
    losers = sorted(rows, key=lambda r: r.change_pct["24h"] or 0.0)
    return {"gainers": [r for r in rows if (r.change_pct["24h"] or 0) > 0][:limit],
            "losers": [r for r in losers if (r.change_pct["24h"] or 0) < 0][:limit]}
