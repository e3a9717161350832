"""Turning what a user typed (ticker, name or id) into a CoinGecko coin."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mobius_cli.core.models import CoinRef


@dataclass(frozen=True)
class Resolution:
    """The chosen coin, the other coins that matched, and a note when it was a choice."""

    query: str
    coin: CoinRef
    alternatives: tuple[CoinRef, ...] = ()

    @property
    def note(self) -> str | None:
        if not self.alternatives:
            return None
        others = ", ".join(c.id for c in self.alternatives[:4])
        rank = f", rank #{self.coin.rank}" if self.coin.rank else ""
        return (f"{self.query.upper()} is the ticker of several coins; using "
                f"{self.coin.name} ({self.coin.id}{rank}). Others: {others}. "
                "Choose with --id ID")


def _by_rank(coin: CoinRef) -> tuple[int, int, str]:
    return (coin.rank is None, coin.rank or 0, coin.id)


def match(query: str, coins: Iterable[CoinRef]) -> Resolution | None:
    """The best coin for `query`: an exact id, else a ticker (by rank), else a name."""
    q = query.strip().lstrip("$").lower()
    if not q:
        return None
    by_id: CoinRef | None = None
    by_symbol: list[CoinRef] = []
    by_name: list[CoinRef] = []
    for coin in coins:
        if coin.id == q:
            by_id = coin
        if coin.symbol.lower() == q:
            by_symbol.append(coin)
        if coin.name.lower() == q:
            by_name.append(coin)
    if by_symbol:
        by_symbol.sort(key=_by_rank)
        best = by_symbol[0]
        # Only coins with a market-cap rank are real rivals; unranked clones are noise.
        rivals = tuple(c for c in by_symbol[1:] if c.rank is not None or best.rank is None)
        return Resolution(query, best, rivals)
    if by_id is not None:
        return Resolution(query, by_id)
    if by_name:
        by_name.sort(key=_by_rank)
        return Resolution(query, by_name[0])
    return None


def suggest(query: str, coins: Iterable[CoinRef], limit: int = 3) -> list[str]:
    """Tickers close to `query`, best first, for a "did you mean" line."""
    from rapidfuzz import fuzz, process, utils

    q = query.strip().lstrip("$").lower()
    choices: dict[str, str] = {}
    for coin in coins:
        choices.setdefault(coin.symbol.lower(), coin.symbol)
        choices.setdefault(coin.name.lower(), coin.symbol)
    found = process.extract(q, list(choices), scorer=fuzz.WRatio, limit=limit * 3,
                            processor=utils.default_process, score_cutoff=60)
    seen: list[str] = []
    for text, _score, _index in found:
        symbol = choices[text]
        if symbol not in seen:
            seen.append(symbol)
    return seen[:limit]
