"""CoinGecko: coin resolution, quotes, markets, coin facts, history, trending."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from mobius_cli.core.models import CoinRef, MarketCoin, PricePoint, Quote
from mobius_cli.core.resolve import Resolution, match, suggest
from mobius_cli.errors import AuthError, NotFoundError, SourceError, UsageError
from mobius_cli.providers.http import (
    TTL_GLOBAL,
    TTL_LISTS,
    TTL_METADATA,
    TTL_PRICES,
    HttpStatusError,
    describe_age,
    join_url,
)

if TYPE_CHECKING:
    from mobius_cli.providers.http import HttpClient
    from mobius_cli.settings import Settings

SOURCE = "CoinGecko"
RANKED_PAGE_SIZE = 250
PERIODS = ("1h", "24h", "7d", "14d", "30d", "200d", "1y")


def history_ttl(days: int | str) -> float:
    """CoinGecko refreshes charts by granularity: 5-minutely, hourly, or daily."""
    if days == "max" or int(days) > 90:
        return 12 * 3600.0
    if int(days) > 1:
        return 30 * 60.0
    return 60.0


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


class CoinGecko:
    """The CoinGecko API, free, Demo or Pro."""

    def __init__(self, http: HttpClient, settings: Settings, *, demo_key: str | None = None,
                 pro_key: str | None = None):
        from mobius_cli.settings import COINGECKO_PRO_URL

        self.http = http
        self.headers: dict[str, str] = {}
        self.base_url = settings.get("coingecko_url")
        if pro_key:
            self.headers["x-cg-pro-api-key"] = pro_key
            if settings.source_of("coingecko_url") == "default":
                self.base_url = COINGECKO_PRO_URL
        elif demo_key:
            self.headers["x-cg-demo-api-key"] = demo_key
        self._ranked: list[CoinRef] | None = None
        self._listing: list[CoinRef] | None = None

    def get(self, path: str, params: dict[str, Any] | None = None, *, ttl: float,
            allow_stale: bool = True, note_age: bool = True) -> Any:
        """GET a CoinGecko endpoint as JSON, through the cache."""
        url = join_url(self.base_url, path)
        try:
            return self.http.get_json(SOURCE, url, params=params, ttl=ttl, headers=self.headers,
                                      allow_stale=allow_stale, note_age=note_age).data
        except HttpStatusError as exc:
            if exc.status in (401, 403):
                raise AuthError(SOURCE, f"the API key was refused ({exc.server_message})",
                                  hint="check it with `mobius keys list`") from None
            raise

    # --- resolution ------------------------------------------------------------------

    def ranked_coins(self) -> list[CoinRef]:
        """The top coins by market cap (a day's cache), used to rank shared tickers."""
        if self._ranked is None:
            rows = self.get("/coins/markets", {"vs_currency": "usd", "order": "market_cap_desc",
                                               "per_page": RANKED_PAGE_SIZE, "page": 1},
                            ttl=TTL_LISTS, note_age=False)
            self._ranked = [CoinRef(r["id"], str(r["symbol"]).upper(), r["name"],
                                    r.get("market_cap_rank")) for r in rows]
        return self._ranked

    def all_coins(self) -> list[CoinRef]:
        """Every coin CoinGecko lists (a day's cache), ranked where known."""
        if self._listing is None:
            ranks = {c.id: c.rank for c in self.ranked_coins()}
            rows = self.get("/coins/list", ttl=TTL_LISTS, note_age=False)
            self._listing = [CoinRef(r["id"], str(r["symbol"]).upper(), r["name"],
                                     ranks.get(r["id"])) for r in rows]
        return self._listing

    def resolve(self, query: str) -> Resolution:
        """A ticker, name or id → a coin; unknown input is a usage error with suggestions."""
        try:
            ranked = self.ranked_coins()
        except SourceError:
            ranked = builtin_coins()
            found = match(query, ranked)
            if found is not None:
                return found
            raise
        found = match(query, ranked)
        if found is not None:
            return found
        listing = self.all_coins()
        found = match(query, listing)
        if found is not None:
            return found
        close = suggest(query, ranked) or suggest(query, listing)
        hint = f"did you mean {' or '.join(close)}?" if close else "check the ticker"
        raise NotFoundError(f"unknown coin {query!r}", hint=hint)

    def coin_by_id(self, coin_id: str) -> CoinRef:
        """A coin picked with --id, checked against the listing."""
        coin_id = coin_id.strip().lower()
        for coin in self.ranked_coins():
            if coin.id == coin_id:
                return coin
        for coin in self.all_coins():
            if coin.id == coin_id:
                return coin
        close = [c.id for c in self.all_coins() if c.symbol.lower() == coin_id][:3]
        hint = f"ids for that ticker: {', '.join(close)}" if close else \
            "ids are CoinGecko slugs such as avalanche-2"
        raise NotFoundError(f"unknown coin id {coin_id!r}", hint=hint)

    def resolve_many(self, queries: Sequence[str], ids: Sequence[str] = (),
                     note: Any = None) -> list[CoinRef]:
        """Resolve tickers and --id values, in order, without duplicates."""
        coins: list[CoinRef] = []
        for query in queries:
            found = self.resolve(query)
            if found.note and note:
                note(found.note)
            coins.append(found.coin)
        coins.extend(self.coin_by_id(i) for i in ids)
        unique: dict[str, CoinRef] = {}
        for coin in coins:
            unique.setdefault(coin.id, coin)
        return list(unique.values())

    # --- data ------------------------------------------------------------------------

    def quotes(self, coins: Sequence[CoinRef], vs: str) -> list[Quote]:
        """Quotes for all `coins` in one request."""
        try:
            data = self.get("/simple/price", _quote_params(coins, vs), ttl=TTL_PRICES,
                            allow_stale=False)
        except SourceError:
            if not self.http.offline:
                raise
            data = self._offline_quotes(coins, vs)
            if data is None:
                raise
        return _parse_quotes(data, coins, vs)

    def _offline_quotes(self, coins: Sequence[CoinRef], vs: str) -> dict[str, Any] | None:
        """Offline, quotes assembled from earlier requests for other sets of coins."""
        wanted = {k: v for k, v in _quote_params(coins, vs).items() if k != "ids"}
        found: dict[str, Any] = {}
        oldest = None
        for query, stored_at, data in self.http.cached_variants(
                join_url(self.base_url, "/simple/price")):
            if not isinstance(data, dict) or {k: query.get(k) for k in wanted} != wanted:
                continue
            for coin in coins:
                if coin.id not in found and isinstance(data.get(coin.id), dict):
                    found[coin.id] = data[coin.id]
                    oldest = stored_at if oldest is None else min(oldest, stored_at)
        if oldest is None or any(c.id not in found for c in coins):
            return None
        self.http.on_note(f"offline: {SOURCE} data from the cache, "
                          f"{describe_age(max(0.0, time.time() - oldest))} old")
        return found

    def stale_quotes(self, coins: Sequence[CoinRef], vs: str, reason: str) -> list[Quote] | None:
        """The last quotes cached for exactly these coins, however old (noted as stale)."""
        found = self.http.stale(join_url(self.base_url, "/simple/price"),
                                params=_quote_params(coins, vs), reason=reason)
        return None if found is None else _parse_quotes(found.data, coins, vs)

    def prices(self, ids: Sequence[str], currencies: Sequence[str]) -> dict[str, dict]:
        """Bare prices of `ids` in each of `currencies` (one request)."""
        return self.get("/simple/price", {"ids": ",".join(ids),
                                          "vs_currencies": ",".join(currencies)},
                        ttl=TTL_PRICES)

    def markets(self, vs: str, *, limit: int = 100, ids: Sequence[str] = (),
                periods: Sequence[str] = ("24h",)) -> list[MarketCoin]:
        """Coins by market cap with their performance over `periods`."""
        params: dict[str, Any] = {"vs_currency": vs, "order": "market_cap_desc",
                                  "per_page": min(max(limit, 1), 250), "page": 1,
                                  "price_change_percentage": ",".join(periods)}
        if ids:
            params["ids"] = ",".join(ids)
        try:
            rows = self.get("/coins/markets", params, ttl=TTL_PRICES)
        except HttpStatusError as exc:
            if exc.status == 400 and "vs_currency" in exc.server_message:
                raise UsageError(f"unsupported currency {vs!r}",
                                 hint="try usd, eur, gbp, jpy, btc or eth") from None
            raise
        result = []
        for r in rows:
            coin = CoinRef(r["id"], str(r["symbol"]).upper(), r["name"], r.get("market_cap_rank"))
            change = {p: _num(r.get(f"price_change_percentage_{p}_in_currency")) for p in periods}
            if change.get("24h") is None and "24h" in periods:
                change["24h"] = _num(r.get("price_change_percentage_24h"))
            result.append(MarketCoin(coin, _num(r.get("current_price")), _num(r.get("market_cap")),
                                     _num(r.get("total_volume")), change))
        return result

    def global_market(self) -> dict[str, Any]:
        return self.get("/global", ttl=TTL_GLOBAL)["data"]

    def coin_details(self, coin: CoinRef) -> dict[str, Any]:
        try:
            return self.get(f"/coins/{coin.id}", {
                "localization": "false", "tickers": "false", "market_data": "true",
                "community_data": "false", "developer_data": "false", "sparkline": "false",
            }, ttl=TTL_METADATA)
        except HttpStatusError as exc:
            if exc.status == 404:
                raise NotFoundError(f"CoinGecko does not know {coin.id!r}") from None
            raise

    def history(self, coin: CoinRef, vs: str, days: int | str) -> list[PricePoint]:
        try:
            data = self.get(f"/coins/{coin.id}/market_chart",
                            {"vs_currency": vs, "days": days}, ttl=history_ttl(days))
        except HttpStatusError as exc:
            if exc.status == 404:
                raise NotFoundError(f"CoinGecko has no history for {coin.id!r}") from None
            if exc.status == 400 and "vs_currency" in exc.server_message:
                raise UsageError(f"unsupported currency {vs!r}") from None
            raise
        return [PricePoint(datetime.fromtimestamp(ms / 1000, tz=timezone.utc), float(price))
                for ms, price in data.get("prices", []) if price is not None]

    def trending(self) -> list[dict[str, Any]]:
        return [entry["item"] for entry in self.get("/search/trending", ttl=TTL_GLOBAL)
                .get("coins", [])]

    def exchange_rates(self) -> dict[str, dict[str, Any]]:
        return self.get("/exchange_rates", ttl=TTL_GLOBAL)["rates"]


def _quote_params(coins: Sequence[CoinRef], vs: str) -> dict[str, Any]:
    return {"ids": ",".join(c.id for c in coins), "vs_currencies": vs,
            "include_market_cap": "true", "include_24hr_vol": "true",
            "include_24hr_change": "true", "include_last_updated_at": "true"}


def _parse_quotes(data: Any, coins: Sequence[CoinRef], vs: str) -> list[Quote]:
    quotes = []
    for coin in coins:
        row = data.get(coin.id) if isinstance(data, dict) else None
        if row is None:
            raise NotFoundError(f"CoinGecko has no price for {coin.id!r}")
        if _num(row.get(vs)) is None:
            raise UsageError(f"unsupported currency {vs!r}",
                             hint="try usd, eur, gbp, jpy, btc or eth")
        updated = row.get("last_updated_at")
        quotes.append(Quote(
            coin, float(row[vs]), vs, _num(row.get(f"{vs}_24h_change")),
            _num(row.get(f"{vs}_market_cap")), _num(row.get(f"{vs}_24h_vol")),
            datetime.fromtimestamp(updated, tz=timezone.utc) if updated else None))
    return quotes


def builtin_coins() -> list[CoinRef]:
    """Well-known coins, used when CoinGecko's own index cannot be fetched."""
    from mobius_cli.core.coins import KNOWN_COINS

    return [CoinRef(c.id, c.symbol, c.names[0].title(), rank) for rank, c in
            enumerate(KNOWN_COINS, start=1)]
