"""CoinGecko provider rules that need no server: cache lifetimes by kind of data."""

import pytest

from mobius_cli.providers.coingecko import history_ttl
from mobius_cli.providers.http import TTL_LISTS, TTL_PRICES


@pytest.mark.parametrize(("days", "ttl"), [
    (1, 60.0),             # 5-minutely points
    (2, 30 * 60.0),        # hourly points from 2 to 90 days
    (90, 30 * 60.0),
    (91, 12 * 3600.0),     # daily points beyond 90 days
    (365, 12 * 3600.0),
    ("max", 12 * 3600.0),
])
def test_history_lives_as_long_as_its_granularity(days, ttl):
    assert history_ttl(days) == ttl


def test_prices_live_about_a_minute_and_coin_lists_a_day():
    assert TTL_PRICES == 60.0 and TTL_LISTS == 24 * 3600.0
