"""Pure market arithmetic: conversions, performance, sampling of series."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from mobius_cli.core.models import PricePoint
from mobius_cli.errors import UsageError

# /coins/markets serves performance for these periods in one request.
MARKET_PERIODS = {1: "24h", 7: "7d", 14: "14d", 30: "30d", 200: "200d", 365: "1y"}


def parse_amount(text: str) -> float:
    """'1,500' / '2.5k' / '.5' → a positive, finite number; anything else is refused. A
    comma only groups thousands: '1,5' is refused, never read as 15."""
    from mobius_cli.core.ledger import COMMA_HINT, scaled_number

    raw = text.strip().lstrip("$")
    if "_" in raw:  # float() would read 1_000 as 1000
        raise UsageError(f"not an amount: {text!r}", hint="write it without underscores: "
                         "1000 or 1,000")
    try:
        value = scaled_number(raw)
    except ValueError:
        raise UsageError(f"not an amount: {text!r}", hint="use a number such as 2, 0.5 or 1.5k")\
            from None
    if value is None:
        raise UsageError(f"not an amount: {text!r}", hint=COMMA_HINT)
    if value == float("inf") or value > 1e15:
        raise UsageError(f"the amount {text!r} is too large")
    if not value > 0:
        raise UsageError(f"the amount must be a positive number, not {text!r}")
    return value


def parse_days(text: str | int) -> int | str:
    """'30' → 30, 'max' → 'max'; 1..36500 days."""
    if str(text).strip().lower() == "max":
        return "max"
    try:
        days = int(str(text).strip().rstrip("dD"))
    except ValueError:
        raise UsageError(f"--days must be a whole number of days or 'max', not {text!r}")\
            from None
    if not 1 <= days <= 36500:
        raise UsageError(f"--days must be between 1 and 36500, not {days}")
    return days


def conversion_rate(from_code: str, to_code: str, *, from_is_fiat: bool, to_is_fiat: bool,
                    prices: Mapping[str, Mapping[str, float]],
                    btc_rates: Mapping[str, float] | None = None) -> float:
    """Units of `to` per unit of `from`.

    `from_code`/`to_code` are CoinGecko ids for coins and lower-case codes for fiat;
    `prices[id][currency]` are CoinGecko simple prices; `btc_rates[code]` are
    /exchange_rates values (units per BTC), needed only for fiat → fiat.
    """
    if from_is_fiat and to_is_fiat:
        if not btc_rates or from_code not in btc_rates or to_code not in btc_rates:
            raise UsageError(f"no exchange rate for {from_code.upper()} → {to_code.upper()}")
        return btc_rates[to_code] / btc_rates[from_code]
    if to_is_fiat:
        return _price(prices, from_code, to_code)
    if from_is_fiat:
        return 1.0 / _price(prices, to_code, from_code)
    return _price(prices, from_code, "usd") / _price(prices, to_code, "usd")


def _price(prices: Mapping[str, Mapping[str, float]], coin_id: str, currency: str) -> float:
    value = prices.get(coin_id, {}).get(currency)
    if not isinstance(value, (int, float)) or value <= 0:
        raise UsageError(f"no {currency.upper()} price for {coin_id}",
                         hint="try another currency")
    return float(value)


def change_pct(series: Sequence[PricePoint]) -> float | None:
    """Percentage change from the first to the last point."""
    if len(series) < 2 or series[0].price == 0:
        return None
    return (series[-1].price / series[0].price - 1) * 100


def sample(series: Sequence[PricePoint], rows: int) -> list[PricePoint]:
    """At most `rows` points, evenly spaced, always keeping the first and last."""
    if len(series) <= rows or rows < 2:
        return list(series)
    step = (len(series) - 1) / (rows - 1)
    return [series[round(i * step)] for i in range(rows)]


def daily_closes(series: Sequence[PricePoint]) -> list[PricePoint]:
    """The last point of each UTC day."""
    by_day: dict[datetime, PricePoint] = {}
    for point in series:
        by_day[point.time.replace(hour=0, minute=0, second=0, microsecond=0)] = point
    return list(by_day.values())
