"""DeFiLlama: coin prices (a fallback for CoinGecko) and, later, TVL and yields."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from mobius_cli.core.models import CoinRef, Quote
from mobius_cli.providers.http import TTL_PRICES, join_url

if TYPE_CHECKING:
    from mobius_cli.providers.http import HttpClient
    from mobius_cli.settings import Settings

SOURCE = "DeFiLlama"


class DefiLlama:
    """The free DeFiLlama APIs."""

    def __init__(self, http: HttpClient, settings: Settings):
        self.http = http
        self.coins_url = settings.get("llama_coins_url")
        self.api_url = settings.get("defillama_url")

    def quotes(self, coins: Sequence[CoinRef]) -> list[Quote]:
        """USD prices by CoinGecko id, in one request; coins it does not know are left out."""
        keys = ",".join(f"coingecko:{c.id}" for c in coins)
        url = join_url(self.coins_url, f"/prices/current/{keys}")
        data = self.http.get_json(SOURCE, url, ttl=TTL_PRICES, allow_stale=False).data
        found = data.get("coins", {}) if isinstance(data, dict) else {}
        quotes = []
        for coin in coins:
            row = found.get(f"coingecko:{coin.id}")
            if row and isinstance(row.get("price"), (int, float)):
                stamp = row.get("timestamp")
                quotes.append(Quote(coin, float(row["price"]), "usd", last_updated=(
                    datetime.fromtimestamp(stamp, tz=timezone.utc) if stamp else None)))
        return quotes
