"""Library-first services, one module per domain (`services.market`; portfolio, alerts,
defi and ta later): functions that take the providers (and store) they need and return
typed results with `to_json()`. No Typer, no Rich, no AppContext."""

from __future__ import annotations

from mobius_cli.services import market
from mobius_cli.services.market import (
    Comparison,
    Conversion,
    FearGreedIndex,
    History,
    MarketOverview,
    Movers,
    Trending,
)

__all__ = ["Comparison", "Conversion", "FearGreedIndex", "History", "MarketOverview",
           "Movers", "Trending", "market"]
