"""Market data models shared by providers, commands and renderers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any


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


@dataclass
class Quote:
    """A current price with its 24h context."""

    coin: CoinRef
    price: float
    currency: str
    change_24h_pct: float | None = None
    market_cap: float | None = None
    volume_24h: float | None = None
    last_updated: datetime | None = None

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
