"""CoinGecko: coin resolution, quotes, markets, coin facts, history, trending.

Every method returns models from mobius_cli.core.models, never CoinGecko's JSON; every
endpoint's reply is checked by a validator before it is used or cached, so an empty or
malformed reply is retried and never poisons the cache.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from mobius_cli.core.models import (
    CoinFacts,
    CoinLinks,
    CoinRef,
    ExchangeRate,
    GlobalMarket,
    MarketCoin,
    PricePoint,
    PriceSeries,
    Quote,
    TrendingCoin,
    parse_iso,
)
from mobius_cli.core.models import clean_text as clean
from mobius_cli.core.resolve import Resolution, match, suggest
from mobius_cli.errors import AuthError, NotFoundError, SourceError, UsageError
from mobius_cli.providers.http import (
    TTL_GLOBAL,
    TTL_LISTS,
    TTL_METADATA,
    TTL_PRICES,
    HttpStatusError,
    join_url,
)

if TYPE_CHECKING:
    from mobius_cli.providers.http import Fetched, HttpClient
    from mobius_cli.settings import Settings

SOURCE = "CoinGecko"
DEFAULT_URL = "https://api.coingecko.com/api/v3"
RANKED_PAGE_SIZE = 250
PERIODS = ("1h", "24h", "7d", "14d", "30d", "200d", "1y")
UNSUPPORTED_HINT = "try usd, eur, gbp, jpy, btc or eth"

Validator = Callable[[Any], None]
Key = str | Callable[[], str | None] | None  # a key, or a getter (secrets.LazySecret)


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


def _figure(value: Any) -> float | None:
    """A number as the source wrote it (77671 stays an integer in JSON), else None."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _coin(row: dict[str, Any], rank: int | None = None) -> CoinRef:
    return CoinRef(clean(row["id"]), clean(row["symbol"]).upper(), clean(row["name"]), rank)


def fetched_at(http: HttpClient, url: str, params: dict[str, Any] | None,
               fetched: Fetched) -> datetime:
    """When the body was fetched from the source: the time the cache stored it (the same
    in every process that reads that entry), else now less its age."""
    from mobius_cli.providers.http import cache_key

    entry = http.cache.get(cache_key(url, params))
    if entry is not None and entry[1] is fetched.data:
        return datetime.fromtimestamp(entry[0], tz=timezone.utc)
    return datetime.now(timezone.utc) - timedelta(seconds=fetched.age)


# --- validators: what each endpoint must answer for the reply to be used or cached -----


def _reject(message: str) -> None:
    from mobius_cli.providers.http import BadResponse

    raise BadResponse(message)


def _rows_of_coins(data: Any, what: str) -> None:
    if not isinstance(data, list) or not data:
        _reject(f"{what} came back empty" if isinstance(data, list) or data == {}
                else f"{what} is not a list")
    for row in data:
        if not isinstance(row, dict) or not isinstance(row.get("id"), str) \
                or "symbol" not in row or "name" not in row:
            _reject(f"{what} has a row without id, symbol and name")


def check_coins_list(data: Any) -> None:
    """/coins/list: a non-empty list of {id, symbol, name}."""
    _rows_of_coins(data, "the coin list")


def check_markets(data: Any) -> None:
    """/coins/markets: a non-empty list of coin rows."""
    _rows_of_coins(data, "the market listing")


def check_simple_price(data: Any) -> None:
    """/simple/price: an object of coin id -> object (`{}` is refused: every id asked for
    comes from CoinGecko's own lists, so an answer with none of them is a broken reply)."""
    if not isinstance(data, dict):
        _reject("prices are not an object")
    if not data:
        _reject("no prices in the reply")
    if not all(isinstance(v, dict) for v in data.values()):
        _reject("a price entry is not an object")


def check_global(data: Any) -> None:
    """/global: {data: {total_market_cap: {...}}}."""
    inner = data.get("data") if isinstance(data, dict) else None
    if not isinstance(inner, dict) or not isinstance(inner.get("total_market_cap"), dict) \
            or not inner["total_market_cap"]:
        _reject("global market data without total_market_cap")


def check_coin_detail(data: Any) -> None:
    """/coins/{id}: an object with id and symbol."""
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) \
            or not isinstance(data.get("symbol"), str):
        _reject("coin details without id and symbol")


def check_market_chart(data: Any) -> None:
    """/coins/{id}/market_chart: {prices: [[ms, price], ...]}."""
    prices = data.get("prices") if isinstance(data, dict) else None
    if not isinstance(prices, list):
        _reject("price history without a prices list")
    for point in prices:
        if not isinstance(point, list) or len(point) < 2 or _num(point[0]) is None \
                or (point[1] is not None and _num(point[1]) is None):
            _reject("price history has a malformed point")


def check_trending(data: Any) -> None:
    """/search/trending: {coins: [{item: {id, symbol, name}}, ...]}, not empty."""
    coins = data.get("coins") if isinstance(data, dict) else None
    if not isinstance(coins, list) or not coins:
        _reject("the trending list came back empty")
    for entry in coins:
        item = entry.get("item") if isinstance(entry, dict) else None
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            _reject("a trending entry has no coin")


def check_exchange_rates(data: Any) -> None:
    """/exchange_rates: {rates: {code: {value, ...}}}, not empty."""
    rates = data.get("rates") if isinstance(data, dict) else None
    if not isinstance(rates, dict) or not rates:
        _reject("exchange rates came back empty")
    if not all(isinstance(r, dict) and _num(r.get("value")) is not None
               for r in rates.values()):
        _reject("an exchange rate has no value")


def check_supported(data: Any) -> None:
    """/simple/supported_vs_currencies: a non-empty list of codes."""
    if not isinstance(data, list) or not data or not all(isinstance(c, str) for c in data):
        _reject("the list of currencies came back empty or malformed")


class CoinGecko:
    """The CoinGecko API, free, Demo or Pro.

    Settings give the base URL (and whether it was overridden); a library caller can
    pass `base_url` instead: `CoinGecko(HttpClient(ResponseCache(path)), base_url=...)`.
    """

    def __init__(self, http: HttpClient, settings: Settings | None = None, *,
                 demo_key: Key = None, pro_key: Key = None, base_url: str | None = None):
        from mobius_cli.secrets import key_header
        from mobius_cli.settings import COINGECKO_PRO_URL

        self.http = http
        # A key may be a LazySecret: read from the keyring only when a request goes out.
        self.headers: Mapping[str, str] = {}
        configured = base_url or (settings.get("coingecko_url") if settings else None)
        self.base_url = configured or DEFAULT_URL
        if pro_key:
            self.headers = key_header("x-cg-pro-api-key", pro_key)
            default = base_url is None and (
                settings is None or settings.source_of("coingecko_url") == "default")
            if default:
                self.base_url = COINGECKO_PRO_URL
        elif demo_key:
            self.headers = key_header("x-cg-demo-api-key", demo_key)
        self._ranked: list[CoinRef] | None = None
        self._listing: list[CoinRef] | None = None

    def fetch(self, path: str, params: dict[str, Any] | None = None, *, ttl: float,
              validate: Validator | None = None, allow_stale: bool = True,
              note_age: bool = True) -> Fetched:
        """GET a CoinGecko endpoint through the cache: the body and how old it is."""
        return self.fetch_timed(path, params, ttl=ttl, validate=validate,
                                allow_stale=allow_stale, note_age=note_age)[0]

    def fetch_timed(self, path: str, params: dict[str, Any] | None = None, *, ttl: float,
                    validate: Validator | None = None, allow_stale: bool = True,
                    note_age: bool = True) -> tuple[Fetched, datetime]:
        """`fetch`, and when the body came from the source."""
        url = join_url(self.base_url, path)
        try:
            fetched = self.http.get_json(SOURCE, url, params=params, ttl=ttl,
                                         headers=self.headers, allow_stale=allow_stale,
                                         note_age=note_age, validate=validate)
        except HttpStatusError as exc:
            if exc.status in (401, 403):
                raise AuthError(SOURCE, f"the API key was refused ({exc.server_message})",
                                  hint="check it with `mobius keys list`") from None
            raise
        return fetched, fetched_at(self.http, url, params, fetched)

    def get(self, path: str, params: dict[str, Any] | None = None, *, ttl: float,
            validate: Validator | None = None, allow_stale: bool = True,
            note_age: bool = True) -> Any:
        """GET a CoinGecko endpoint as JSON, through the cache."""
        return self.fetch(path, params, ttl=ttl, validate=validate, allow_stale=allow_stale,
                          note_age=note_age).data

    # --- resolution ------------------------------------------------------------------

    def ranked_coins(self) -> list[CoinRef]:
        """The top coins by market cap (a day's cache), used to rank shared tickers."""
        if self._ranked is None:
            rows = self.get("/coins/markets", {"vs_currency": "usd", "order": "market_cap_desc",
                                               "per_page": RANKED_PAGE_SIZE, "page": 1},
                            ttl=TTL_LISTS, validate=check_markets, note_age=False)
            self._ranked = [_coin(r, _int(r.get("market_cap_rank"))) for r in rows]
        return self._ranked

    def all_coins(self) -> list[CoinRef]:
        """Every coin CoinGecko lists (a day's cache), ranked where known."""
        if self._listing is None:
            ranks = {c.id: c.rank for c in self.ranked_coins()}
            rows = self.get("/coins/list", ttl=TTL_LISTS, validate=check_coins_list,
                            note_age=False)
            self._listing = [_coin(r, ranks.get(r["id"])) for r in rows]
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
                     note: Callable[[str], None] | None = None) -> list[CoinRef]:
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

    def supported_currencies(self) -> frozenset[str]:
        """Every vs currency CoinGecko quotes in, lower case (a day's cache)."""
        codes = self.get("/simple/supported_vs_currencies", ttl=TTL_LISTS,
                         validate=check_supported, note_age=False)
        return frozenset(c.strip().lower() for c in codes)

    # --- data ------------------------------------------------------------------------

    def quotes(self, coins: Sequence[CoinRef], vs: str) -> list[Quote]:
        """Quotes for all `coins` in one request, with when they were fetched."""
        try:
            fetched, as_of = self.fetch_timed("/simple/price", _quote_params(coins, vs),
                                              ttl=TTL_PRICES, validate=check_simple_price,
                                              allow_stale=False)
            data, stale = fetched.data, fetched.stale
        except SourceError:
            if not self.http.offline:
                raise
            assembled = self._offline_quotes(coins, vs)
            if assembled is None:
                raise
            data, as_of, stale = assembled
        return _parse_quotes(data, coins, vs, as_of=as_of, stale=stale)

    def _offline_quotes(self, coins: Sequence[CoinRef], vs: str
                        ) -> tuple[dict[str, Any], datetime, bool] | None:
        """Offline, quotes assembled from earlier requests for other sets of coins:
        (the assembled reply, when its oldest part was fetched, whether that is stale)."""
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
        age = max(0.0, time.time() - oldest)
        self.http.note_offline(SOURCE, age)
        return found, datetime.fromtimestamp(oldest, tz=timezone.utc), age >= TTL_PRICES

    def stale_quotes(self, coins: Sequence[CoinRef], vs: str, reason: str) -> list[Quote] | None:
        """The last quotes cached for exactly these coins, however old (flagged stale)."""
        url, params = join_url(self.base_url, "/simple/price"), _quote_params(coins, vs)
        found = self.http.stale(url, params=params, reason=reason, validate=check_simple_price)
        if found is None:
            return None
        return _parse_quotes(found.data, coins, vs, stale=True,
                             as_of=fetched_at(self.http, url, params, found))

    def prices(self, ids: Sequence[str], currencies: Sequence[str]) -> dict[str, dict[str, float]]:
        """Bare prices, {coin id: {currency: price}}, of `ids` in `currencies` (one request)."""
        data = self.get("/simple/price", {"ids": ",".join(ids),
                                          "vs_currencies": ",".join(currencies)},
                        ttl=TTL_PRICES, validate=check_simple_price)
        return {coin_id: {cur: float(v) for cur, v in row.items() if _num(v) is not None}
                for coin_id, row in data.items()}

    def markets(self, vs: str, *, limit: int = 100, ids: Sequence[str] = (),
                periods: Sequence[str] = ("24h",)) -> list[MarketCoin]:
        """Coins by market cap with their performance over `periods`."""
        params: dict[str, Any] = {"vs_currency": vs, "order": "market_cap_desc",
                                  "per_page": min(max(limit, 1), 250), "page": 1,
                                  "price_change_percentage": ",".join(periods)}
        if ids:
            params["ids"] = ",".join(ids)
        try:
            rows = self.get("/coins/markets", params, ttl=TTL_PRICES, validate=check_markets)
        except HttpStatusError as exc:
            if exc.status == 400 and "vs_currency" in exc.server_message:
                raise UsageError(f"unsupported currency {vs!r}", hint=UNSUPPORTED_HINT) \
                    from None
            raise
        result = []
        for r in rows:
            change = {p: _num(r.get(f"price_change_percentage_{p}_in_currency")) for p in periods}
            if change.get("24h") is None and "24h" in periods:
                change["24h"] = _num(r.get("price_change_percentage_24h"))
            result.append(MarketCoin(_coin(r, _int(r.get("market_cap_rank"))),
                                     _num(r.get("current_price")), _num(r.get("market_cap")),
                                     _num(r.get("total_volume")), change))
        return result

    def global_market(self) -> GlobalMarket:
        """Totals of the whole market (/global)."""
        fetched, as_of = self.fetch_timed("/global", ttl=TTL_GLOBAL, validate=check_global)
        data = fetched.data["data"]

        def by_currency(key: str) -> dict[str, float]:
            values = data.get(key)
            return {str(k): float(v) for k, v in (values or {}).items() if _num(v) is not None} \
                if isinstance(values, dict) else {}

        updated = _num(data.get("updated_at"))
        return GlobalMarket(
            total_market_cap=by_currency("total_market_cap"),
            total_volume=by_currency("total_volume"),
            market_cap_change_24h_pct_usd=_num(data.get("market_cap_change_percentage_24h_usd")),
            dominance=by_currency("market_cap_percentage"),
            active_cryptocurrencies=_int(data.get("active_cryptocurrencies")),
            updated_at=datetime.fromtimestamp(updated, tz=timezone.utc) if updated else None,
            as_of=as_of, stale=fetched.stale)

    def coin_facts(self, coin: CoinRef, vs: str) -> CoinFacts:
        """Rank, price, supply, ATH/ATL, links and description of a coin, in `vs`."""
        try:
            fetched, as_of = self.fetch_timed(f"/coins/{coin.id}", {
                "localization": "false", "tickers": "false", "market_data": "true",
                "community_data": "false", "developer_data": "false", "sparkline": "false",
            }, ttl=TTL_METADATA, validate=check_coin_detail)
        except HttpStatusError as exc:
            if exc.status == 404:
                raise NotFoundError(f"CoinGecko does not know {coin.id!r}") from None
            raise
        return _coin_facts(fetched.data, coin, vs, as_of=as_of, stale=fetched.stale)

    def history(self, coin: CoinRef, vs: str, days: int | str, *,
                interval: str | None = None) -> PriceSeries:
        """Prices over the last `days` (or 'max'); `interval='daily'` for daily points."""
        params: dict[str, Any] = {"vs_currency": vs, "days": days}
        if interval:
            params["interval"] = interval
        try:
            fetched, as_of = self.fetch_timed(f"/coins/{coin.id}/market_chart", params,
                                              ttl=history_ttl(days), validate=check_market_chart)
        except HttpStatusError as exc:
            if exc.status == 404:
                raise NotFoundError(f"CoinGecko has no history for {coin.id!r}") from None
            if exc.status == 400 and "vs_currency" in exc.server_message:
                raise UsageError(f"unsupported currency {vs!r}", hint=UNSUPPORTED_HINT) \
                    from None
            raise
        points = [PricePoint(datetime.fromtimestamp(ms / 1000, tz=timezone.utc), float(price))
                  for ms, price, *_ in fetched.data["prices"] if price is not None]
        return PriceSeries(coin, vs, days, points, as_of=as_of, stale=fetched.stale)

    def trending(self) -> list[TrendingCoin]:
        """Coins most searched on CoinGecko now, most searched first (prices in USD)."""
        data = self.get("/search/trending", ttl=TTL_GLOBAL, validate=check_trending)
        found = []
        for entry in data["coins"]:
            item = entry["item"]
            extra = item.get("data") if isinstance(item.get("data"), dict) else {}
            change = extra.get("price_change_percentage_24h")
            found.append(TrendingCoin(
                CoinRef(clean(item["id"]), clean(item.get("symbol")).upper(),
                        clean(item.get("name")), _int(item.get("market_cap_rank"))),
                price_usd=_num(extra.get("price")),
                change_24h_pct_usd=_num(change.get("usd")) if isinstance(change, dict)
                else None,
                score=_int(item.get("score"))))
        return found

    def exchange_rates(self) -> dict[str, ExchangeRate]:
        """Units of each currency per bitcoin, by lower-case code."""
        rates = self.get("/exchange_rates", ttl=TTL_GLOBAL, validate=check_exchange_rates)
        return {code.lower(): ExchangeRate(code.lower(), clean(r.get("name")),
                                           clean(r.get("unit")), float(r["value"]),
                                           clean(r.get("type")))
                for code, r in rates["rates"].items()}


def _quote_params(coins: Sequence[CoinRef], vs: str) -> dict[str, Any]:
    return {"ids": ",".join(c.id for c in coins), "vs_currencies": vs,
            "include_market_cap": "true", "include_24hr_vol": "true",
            "include_24hr_change": "true", "include_last_updated_at": "true"}


def _parse_quotes(data: Any, coins: Sequence[CoinRef], vs: str, *,
                  as_of: datetime | None = None, stale: bool = False) -> list[Quote]:
    quotes = []
    for coin in coins:
        row = data.get(coin.id) if isinstance(data, dict) else None
        if row is None:
            raise NotFoundError(f"CoinGecko has no price for {coin.id!r}")
        if _num(row.get(vs)) is None:
            raise UsageError(f"unsupported currency {vs!r}", hint=UNSUPPORTED_HINT)
        updated = _num(row.get("last_updated_at"))
        quotes.append(Quote(
            coin, float(row[vs]), vs, _num(row.get(f"{vs}_24h_change")),
            _num(row.get(f"{vs}_market_cap")), _num(row.get(f"{vs}_24h_vol")),
            datetime.fromtimestamp(updated, tz=timezone.utc) if updated else None,
            as_of=as_of, stale=stale))
    return quotes


def _plain_html(text: str) -> str:
    """A description without its HTML tags (CoinGecko's descriptions hold links)."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _coin_facts(details: dict[str, Any], coin: CoinRef, vs: str, *,
                as_of: datetime | None = None, stale: bool = False) -> CoinFacts:
    """The model of a /coins/{id} reply, figures in `vs`."""
    md = details.get("market_data") if isinstance(details.get("market_data"), dict) else {}
    links = details.get("links") if isinstance(details.get("links"), dict) else {}

    def cur(key: str) -> Any:
        value = md.get(key)
        return value.get(vs) if isinstance(value, dict) else None

    def urls(value: Any) -> list[str]:
        return [clean(u) for u in value if isinstance(u, str) and u.strip()] \
            if isinstance(value, list) else []

    def url(value: Any) -> str | None:
        return clean(value) if isinstance(value, str) and value.strip() else None

    homepage = urls(links.get("homepage"))
    repos = links.get("repos_url") if isinstance(links.get("repos_url"), dict) else {}
    twitter = url(links.get("twitter_screen_name"))
    description = details.get("description")
    english = description.get("en") if isinstance(description, dict) else None
    name = details.get("name")
    return CoinFacts(
        coin=CoinRef(clean(details.get("id") or coin.id), coin.symbol,
                     clean(name) if isinstance(name, str) and name else coin.name, coin.rank),
        currency=vs,
        rank=_int(details.get("market_cap_rank")) or _int(md.get("market_cap_rank")),
        price=_figure(cur("current_price")),
        market_cap=_figure(cur("market_cap")),
        volume_24h=_figure(cur("total_volume")),
        change_24h_pct=_figure(cur("price_change_percentage_24h_in_currency")),
        circulating_supply=_figure(md.get("circulating_supply")),
        total_supply=_figure(md.get("total_supply")),
        max_supply=_figure(md.get("max_supply")),
        ath=_figure(cur("ath")),
        ath_change_pct=_figure(cur("ath_change_percentage")),
        ath_date=parse_iso(cur("ath_date")) if isinstance(cur("ath_date"), str) else None,
        atl=_figure(cur("atl")),
        atl_change_pct=_figure(cur("atl_change_percentage")),
        atl_date=parse_iso(cur("atl_date")) if isinstance(cur("atl_date"), str) else None,
        genesis_date=url(details.get("genesis_date")),
        categories=urls(details.get("categories")),
        links=CoinLinks(
            homepage=homepage[0] if homepage else None,
            whitepaper=url(links.get("whitepaper")),
            explorers=urls(links.get("blockchain_site"))[:3],
            github=urls(repos.get("github"))[:2],
            twitter=f"https://x.com/{twitter}" if twitter else None,
            reddit=url(links.get("subreddit_url")),
        ),
        description=clean(_plain_html(english), keep_newlines=True)
        if isinstance(english, str) else "",
        as_of=as_of, stale=stale)


def builtin_coins() -> list[CoinRef]:
    """Well-known coins, used when CoinGecko's own index cannot be fetched."""
    from mobius_cli.core.coins import KNOWN_COINS

    return [CoinRef(c.id, c.symbol, c.names[0].title(), rank) for rank, c in
            enumerate(KNOWN_COINS, start=1)]
