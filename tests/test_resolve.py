"""Resolving tickers, names and ids to CoinGecko coins."""

import pytest

from mobius_cli.core.models import CoinRef
from mobius_cli.core.resolve import match, suggest

COINS = [
    CoinRef("bitcoin", "BTC", "Bitcoin", 1),
    CoinRef("ethereum", "ETH", "Ethereum", 2),
    CoinRef("uniswap", "UNI", "Uniswap", 20),
    CoinRef("universe-token", "UNI", "Universe", None),
    CoinRef("the-open-network", "TON", "Toncoin", 12),
    CoinRef("tokamak-network", "TON", "Tokamak Network", 240),
    CoinRef("avalanche-2", "AVAX", "Avalanche", 11),
    CoinRef("pepe", "PEPE", "Pepe", 25),
    CoinRef("shiba-inu", "SHIB", "Shiba Inu", 15),
]


@pytest.mark.parametrize(("query", "coin_id"), [
    ("btc", "bitcoin"), ("BTC", "bitcoin"), ("$pepe", "pepe"), ("bitcoin", "bitcoin"),
    ("Ethereum", "ethereum"), ("avalanche-2", "avalanche-2"), ("Avalanche", "avalanche-2"),
    ("shiba inu", "shiba-inu"), ("uni", "uniswap"), ("ton", "the-open-network"),
])
def test_match(query, coin_id):
    assert match(query, COINS).coin.id == coin_id


def test_shared_ticker_picks_by_rank_and_names_the_choice():
    found = match("ton", COINS)
    assert found.coin.id == "the-open-network"
    assert [c.id for c in found.alternatives] == ["tokamak-network"]
    assert "using Toncoin (the-open-network, rank #12)" in found.note
    assert "--id" in found.note


def test_unranked_clones_of_a_ticker_are_not_worth_a_note():
    assert match("uni", COINS).note is None


def test_unknown_is_none_and_suggestions_are_close():
    assert match("btcc", COINS) is None
    assert match("", COINS) is None
    assert suggest("btcc", COINS)[0] == "BTC"
    assert suggest("etherium", COINS)[0] == "ETH"
    assert suggest("zzzzqqq", COINS) == []
