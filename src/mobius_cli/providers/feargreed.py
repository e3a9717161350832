"""alternative.me's Crypto Fear & Greed Index."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from mobius_cli.errors import SourceError
from mobius_cli.providers.http import TTL_GLOBAL, join_url

if TYPE_CHECKING:
    from mobius_cli.providers.http import HttpClient
    from mobius_cli.settings import Settings

SOURCE = "alternative.me"


class FearGreed:
    """GET /fng/: daily index values, newest first; every number arrives as a string."""

    def __init__(self, http: HttpClient, settings: Settings):
        self.http = http
        self.base_url = settings.get("fng_url")

    def points(self, days: int = 1) -> list[dict]:
        """[{value, classification, time}] newest first."""
        data = self.http.get_json(SOURCE, join_url(self.base_url, "/fng/"),
                                  params={"limit": days}, ttl=TTL_GLOBAL).data
        error = (data.get("metadata") or {}).get("error") if isinstance(data, dict) else None
        if error:
            raise SourceError(SOURCE, str(error))
        try:
            return [{"value": int(p["value"]), "classification": p["value_classification"],
                     "time": datetime.fromtimestamp(int(p["timestamp"]), tz=timezone.utc)}
                    for p in data["data"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise SourceError(SOURCE, f"unexpected response ({exc})") from None
