"""alternative.me's Crypto Fear & Greed Index."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from mobius_cli.core.models import FearGreedPoint
from mobius_cli.core.models import clean_text as clean
from mobius_cli.providers.http import TTL_GLOBAL, join_url

if TYPE_CHECKING:
    from mobius_cli.providers.http import HttpClient
    from mobius_cli.settings import Settings

SOURCE = "alternative.me"
DEFAULT_URL = "https://api.alternative.me"


def _whole(value: Any) -> int | None:
    """An integer from the index's string numbers ("24"), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def check_fng(data: Any) -> None:
    """/fng/: no error, and a non-empty data list of {value, value_classification, timestamp}
    with whole numbers (as strings)."""
    from mobius_cli.providers.http import BadResponse

    if not isinstance(data, dict):
        raise BadResponse("the index is not an object")
    error = data.get("metadata").get("error") if isinstance(data.get("metadata"), dict) \
        else None
    if error:
        raise BadResponse(f"the index reports an error: {error}")
    points = data.get("data")
    if not isinstance(points, list) or not points:
        raise BadResponse("the index came back empty")
    for p in points:
        if not isinstance(p, dict) or _whole(p.get("value")) is None \
                or _whole(p.get("timestamp")) is None \
                or not isinstance(p.get("value_classification"), str):
            raise BadResponse("the index has a malformed point")


class FearGreed:
    """GET /fng/: daily index values, newest first; every number arrives as a string."""

    def __init__(self, http: HttpClient, settings: Settings | None = None, *,
                 base_url: str | None = None):
        self.http = http
        self.base_url = base_url or (settings.get("fng_url") if settings else None) \
            or DEFAULT_URL

    def points(self, days: int = 1) -> list[FearGreedPoint]:
        """The last `days` daily values, newest first."""
        data = self.http.get_json(SOURCE, join_url(self.base_url, "/fng/"),
                                  params={"limit": days}, ttl=TTL_GLOBAL,
                                  validate=check_fng).data
        return [FearGreedPoint(datetime.fromtimestamp(_whole(p["timestamp"]) or 0,
                                                      tz=timezone.utc),
                               _whole(p["value"]) or 0, clean(p["value_classification"]))
                for p in data["data"]]
