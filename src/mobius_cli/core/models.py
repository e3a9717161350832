"""Market data models shared by providers, commands and renderers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, overload

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Whole terminal escape sequences (colours, cursor moves, OSC titles and links), so that no
# "[31m" is left behind when the ESC goes.
_ESCAPES = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
                      r"|\x1b[@-Z\\-_]")


def clean_text(value: Any, *, keep_newlines: bool = False) -> str:
    """Text from an API made safe to print: control characters (ANSI escapes, carriage
    returns...) removed; newlines and tabs become spaces unless `keep_newlines`."""
    text = "" if value is None else str(value)
    if not keep_newlines:
        text = text.replace("\n", " ").replace("\t", " ")
    return _CONTROL.sub("", _ESCAPES.sub("", text))


def iso_utc(moment: datetime | float | int | None) -> str | None:
    """ISO 8601 UTC with a Z, from a datetime or unix seconds."""
    if moment is None:
        return None
    if not isinstance(moment, datetime):
        moment = datetime.fromtimestamp(float(moment), tz=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def parse_iso(text: str | None) -> datetime | None:
    """A datetime from CoinGecko's ISO strings ('2026-05-18T12:49:21.599Z')."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


@dataclass(frozen=True)
class CoinRef:
    """A coin as CoinGecko knows it."""

    id: str
    symbol: str  # upper-case ticker
    name: str
    rank: int | None = None


def iso_utc_ms(moment: datetime | None) -> str | None:
    """ISO 8601 UTC with milliseconds and a Z, as CoinGecko writes dates."""
    if moment is None:
        return None
    moment = moment.astimezone(timezone.utc)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


@dataclass
class Quote:
    """A current price with its 24h context.

    `last_updated` is when the source last priced the coin; `as_of` is when Mobius got
    the answer from the source (earlier than now when it came from the cache); `stale`
    is True when the answer is older than its time to live (a source failed and a cached
    answer stood in, or offline data past its TTL). Alerts must not act on stale quotes.
    """

    coin: CoinRef
    price: float
    currency: str
    change_24h_pct: float | None = None
    market_cap: float | None = None
    volume_24h: float | None = None
    last_updated: datetime | None = None
    as_of: datetime | None = None
    stale: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "symbol": self.coin.symbol,
            "id": self.coin.id,
            "name": self.coin.name,
            "price": self.price,
            "currency": self.currency,
            "change_24h_pct": self.change_24h_pct,
            "market_cap": self.market_cap,
            "volume_24h": self.volume_24h,
            "last_updated": iso_utc(self.last_updated),
            "stale": self.stale,
        }


@dataclass
class MarketCoin:
    """One row of a market listing (/coins/markets)."""

    coin: CoinRef
    price: float | None
    market_cap: float | None
    volume_24h: float | None
    change_pct: dict[str, float | None] = field(default_factory=dict)  # "24h" -> pct

    def to_json(self, currency: str) -> dict[str, Any]:
        return {
            "rank": self.coin.rank,
            "symbol": self.coin.symbol,
            "id": self.coin.id,
            "name": self.coin.name,
            "price": self.price,
            "currency": currency,
            "market_cap": self.market_cap,
            "volume_24h": self.volume_24h,
            **{f"change_{period}_pct": pct for period, pct in self.change_pct.items()},
        }


@dataclass
class PricePoint:
    """One point of a price series."""

    time: datetime
    price: float

    def to_json(self) -> dict[str, Any]:
        return {"time": iso_utc(self.time), "price": self.price}


@dataclass
class PriceSeries:
    """A coin's prices over time, oldest first, with when they were fetched.

    It reads as a sequence of its points (`len`, indexing, iteration), so code written
    for a plain list of PricePoint keeps working.
    """

    coin: CoinRef
    currency: str
    days: int | str
    points: list[PricePoint] = field(default_factory=list)
    as_of: datetime | None = None
    stale: bool = False

    def __len__(self) -> int:
        return len(self.points)

    def __iter__(self) -> Iterator[PricePoint]:
        return iter(self.points)

    @overload
    def __getitem__(self, index: int) -> PricePoint: ...

    @overload
    def __getitem__(self, index: slice) -> list[PricePoint]: ...

    def __getitem__(self, index: int | slice) -> PricePoint | list[PricePoint]:
        return self.points[index]

    def __bool__(self) -> bool:
        return bool(self.points)


@dataclass
class CoinLinks:
    """Where a coin lives on the web (empty strings from the source are dropped)."""

    homepage: str | None = None
    whitepaper: str | None = None
    explorers: list[str] = field(default_factory=list)
    github: list[str] = field(default_factory=list)
    twitter: str | None = None
    reddit: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"homepage": self.homepage, "whitepaper": self.whitepaper,
                "explorers": list(self.explorers), "github": list(self.github),
                "twitter": self.twitter, "reddit": self.reddit}


@dataclass
class CoinFacts:
    """What a coin is: rank, price, supply, all-time high and low, links, description.

    Money figures are in `currency`; `description` is plain text (markup removed, whole).
    """

    coin: CoinRef
    currency: str
    rank: int | None = None
    price: float | None = None
    market_cap: float | None = None
    volume_24h: float | None = None
    change_24h_pct: float | None = None
    circulating_supply: float | None = None
    total_supply: float | None = None
    max_supply: float | None = None
    ath: float | None = None
    ath_change_pct: float | None = None
    ath_date: datetime | None = None
    atl: float | None = None
    atl_change_pct: float | None = None
    atl_date: datetime | None = None
    genesis_date: str | None = None
    categories: list[str] = field(default_factory=list)
    links: CoinLinks = field(default_factory=CoinLinks)
    description: str = ""
    as_of: datetime | None = None
    stale: bool = False

    @property
    def summary(self) -> str:
        """The description's first sentences (about 400 characters)."""
        return first_sentences(self.description)

    def to_json(self) -> dict[str, Any]:
        return {
            "symbol": self.coin.symbol,
            "id": self.coin.id,
            "name": self.coin.name,
            "rank": self.rank,
            "currency": self.currency,
            "price": self.price,
            "market_cap": self.market_cap,
            "volume_24h": self.volume_24h,
            "change_24h_pct": self.change_24h_pct,
            "circulating_supply": self.circulating_supply,
            "total_supply": self.total_supply,
            "max_supply": self.max_supply,
            "ath": self.ath,
            "ath_change_pct": self.ath_change_pct,
            "ath_date": iso_utc_ms(self.ath_date),
            "atl": self.atl,
            "atl_change_pct": self.atl_change_pct,
            "atl_date": iso_utc_ms(self.atl_date),
            "genesis_date": self.genesis_date,
            "categories": list(self.categories),
            "links": self.links.to_json(),
            "description": self.summary,
        }


def first_sentences(text: str, limit: int = 400) -> str:
    """Whitespace-collapsed text cut at a sentence boundary near `limit`."""
    plain = re.sub(r"\s+", " ", (text or "").replace("\r", "")).strip()
    if len(plain) <= limit:
        return plain
    cut = plain.rfind(". ", 0, limit)
    return plain[: cut + 1] if cut > 80 else plain[:limit].rstrip() + "…"


@dataclass
class GlobalMarket:
    """The whole crypto market (/global): totals by currency and dominance by ticker."""

    total_market_cap: dict[str, float] = field(default_factory=dict)  # currency -> value
    total_volume: dict[str, float] = field(default_factory=dict)
    market_cap_change_24h_pct_usd: float | None = None  # CoinGecko gives USD terms only
    dominance: dict[str, float] = field(default_factory=dict)  # lower-case ticker -> pct
    active_cryptocurrencies: int | None = None
    updated_at: datetime | None = None
    as_of: datetime | None = None
    stale: bool = False


@dataclass
class TrendingCoin:
    """A coin on CoinGecko's trending list; its price and change are in USD."""

    coin: CoinRef  # `rank` is the market-cap rank
    price_usd: float | None = None
    change_24h_pct_usd: float | None = None
    score: int | None = None  # 0 = most searched


@dataclass
class ExchangeRate:
    """One /exchange_rates entry: units of `code` per bitcoin."""

    code: str
    name: str
    unit: str
    value: float  # per 1 BTC
    kind: str  # crypto, fiat or commodity


@dataclass
class FearGreedPoint:
    """One day of the Crypto Fear & Greed index."""

    time: datetime
    value: int
    classification: str
