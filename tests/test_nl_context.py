"""Conversation context: follow-ups lean on earlier turns; a reset forgets."""

from __future__ import annotations

from typing import Any

import pytest

from mobius_cli.nl import Conversation

Turn = tuple[str, str, dict[str, Any]]

CONVERSATIONS: list[list[Turn]] = [
    [("dca 20 weekly into eth for a year", "dca",
      {"symbols": ["ETH"], "amount": 20, "interval_days": 7, "days": 365}),
     ("what about monthly?", "dca",
      {"symbols": ["ETH"], "amount": 20, "interval_days": 30, "days": 365}),
     ("and for 2 years?", "dca",
      {"symbols": ["ETH"], "amount": 20, "interval_days": 30, "days": 730})],
    [("sol chart for a week", "price_history", {"symbols": ["SOL"], "days": 7}),
     ("and for 6 months?", "price_history", {"symbols": ["SOL"], "days": 180})],
    [("ada price", "price", {"symbols": ["ADA"]}),
     ("and for a year?", "price_history", {"symbols": ["ADA"], "days": 365})],
    [("eth price", "price", {"symbols": ["ETH"]}),
     ("and SOL?", "price", {"symbols": ["SOL"]}),
     ("in euros?", "price", {"symbols": ["SOL"], "vs_currency": "eur"})],
    [("gas on arbitrum", "gas", {"chain": "arbitrum"}),
     ("what about optimism?", "gas", {"chain": "optimism"})],
    [("top gainers", "movers", {"direction": "gainers"}),
     ("and losers?", "movers", {"direction": "losers"})],
    [("aave tvl", "tvl", {"protocol": "aave"}),
     ("and compound?", "tvl", {"protocol": "compound"})],
    [("rsi of btc", "technical_analysis", {"symbols": ["BTC"], "indicator": "rsi"}),
     ("how about eth", "technical_analysis", {"symbols": ["ETH"], "indicator": "rsi"})],
    [("convert 5 eth to usd", "convert", {"amount": 5, "from": "ETH", "to": "USD"}),
     ("and in yen?", "convert", {"amount": 5, "from": "ETH", "to": "JPY"})],
    [("chart doge for 3 months", "price_history", {"symbols": ["DOGE"], "days": 90}),
     ("same for shib", "price_history", {"symbols": ["SHIB"], "days": 90})],
    [("price of sol", "price", {"symbols": ["SOL"]}),
     ("set an alert for it at 200", "alert_add", {"symbols": ["SOL"], "condition": "cross",
                                                  "target": 200}),
     ("delete that alert", "alert_remove", {"symbols": ["SOL"]})],
    [("alert me when btc goes above 100k", "alert_add",
      {"symbols": ["BTC"], "condition": "above", "target": 100000}),
     ("remove the last one", "alert_remove", {"symbols": ["BTC"]})],
    [("bought 2 eth at 3000", "portfolio_add", {"symbols": ["ETH"], "amount": 2, "price": 3000}),
     ("sold 1 of it at 3500", "portfolio_remove", {"symbols": ["ETH"], "amount": 1,
                                                   "price": 3500})],
    # a turn that states its own intent and symbols inherits nothing
    [("btc price in euros", "price", {"symbols": ["BTC"], "vs_currency": "eur"}),
     ("what's the ETH price", "price", {"symbols": ["ETH"]})],
]


@pytest.mark.parametrize("turns", CONVERSATIONS, ids=[c[1][0] for c in CONVERSATIONS])
def test_conversation(turns: list[Turn]) -> None:
    conv = Conversation()
    for text, intent, entities in turns:
        result = conv.parse(text)
        assert (text, result.intent, result.entities) == (text, intent, entities)


def test_reset_forgets() -> None:
    conv = Conversation()
    conv.parse("chart sol for a month")
    conv.reset()
    result = conv.parse("and ETH?")
    assert (result.intent, result.entities) == ("price", {"symbols": ["ETH"]})


def test_small_talk_keeps_the_context() -> None:
    conv = Conversation()
    conv.parse("rsi of btc")
    conv.parse("thanks!")
    assert conv.parse("and eth?").intent == "technical_analysis"
