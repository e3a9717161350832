"""Follow-ups of the contract this round: currency and period for every intent that takes
them, alert references from every alert turn, one shared list of remove verbs, and
"compare it with X" merging the previous coin."""

from __future__ import annotations

from typing import Any

import pytest

from mobius_cli.nl import Conversation

Turn = tuple[str, str, dict[str, Any]]

CONVERSATIONS: list[list[Turn]] = [
    [("largest 7 coins", "market_overview", {"limit": 7}),
     ("and in yen?", "market_overview", {"limit": 7, "vs_currency": "jpy"})],
    [("biggest gainers", "movers", {"direction": "gainers"}),
     ("in gbp?", "movers", {"direction": "gainers", "vs_currency": "gbp"})],
    [("macd for sol", "technical_analysis", {"symbols": ["SOL"], "indicator": "macd"}),
     ("in chf?", "technical_analysis",
      {"symbols": ["SOL"], "indicator": "macd", "vs_currency": "chf"})],
    [("show my holdings", "portfolio_show", {}),
     ("in gbp?", "portfolio_show", {"vs_currency": "gbp"})],
    [("what is cardano", "coin_info", {"symbols": ["ADA"]}),
     ("in yen?", "coin_info", {"symbols": ["ADA"], "vs_currency": "jpy"})],
    [("link vs dot over 90 days", "compare", {"symbols": ["LINK", "DOT"], "days": 90}),
     ("and for two weeks?", "compare", {"symbols": ["LINK", "DOT"], "days": 14})],
    [("dca 25 into btc weekly for a year", "dca",
      {"symbols": ["BTC"], "amount": 25, "interval_days": 7, "days": 365}),
     ("and over 3 years?", "dca",
      {"symbols": ["BTC"], "amount": 25, "interval_days": 7, "days": 1095})],
    [("chart ada in eur for a month", "price_history",
      {"symbols": ["ADA"], "vs_currency": "eur", "days": 30}),
     ("and over a year?", "price_history",
      {"symbols": ["ADA"], "vs_currency": "eur", "days": 365})],
    [("does alert 12 still exist?", "alert_list", {}),
     ("scrap it", "alert_remove", {"alert_id": 12})],
    [("notify me if xrp goes above 4", "alert_add",
      {"symbols": ["XRP"], "condition": "above", "target": 4}),
     ("trash that", "alert_remove", {"symbols": ["XRP"]})],
    [("list my alerts", "alert_list", {}),
     ("get rid of number 4", "alert_remove", {"alert_id": 4})],
    [("remove alert 2", "alert_remove", {"alert_id": 2}),
     ("and alert 9", "alert_remove", {"alert_id": 9})],
    [("chart sol for a year", "price_history", {"symbols": ["SOL"], "days": 365}),
     ("compare it with eth and avax", "compare", {"symbols": ["SOL", "ETH", "AVAX"]})],
    [("doge price", "price", {"symbols": ["DOGE"]}),
     ("compare that to shib", "compare", {"symbols": ["DOGE", "SHIB"]})],
    [("eth gas", "gas", {"chain": "ethereum"}),
     ("in gwei?", "gas", {"chain": "ethereum"})],
    [("convert 3 sol to usd", "convert", {"amount": 3, "from": "SOL", "to": "USD"}),
     ("in yen?", "convert", {"amount": 3, "from": "SOL", "to": "JPY"})],
]


@pytest.mark.parametrize("turns", CONVERSATIONS, ids=lambda t: t[0][0])
def test_conversation(turns: list[Turn]) -> None:
    conv = Conversation()
    for text, intent, entities in turns:
        result = conv.parse(text)
        assert (result.intent, result.entities) == (intent, entities), text


def test_a_turn_with_its_own_intent_and_symbols_inherits_nothing() -> None:
    conv = Conversation()
    conv.parse("chart btc in eur for a month")
    result = conv.parse("eth price")
    assert (result.intent, result.entities) == ("price", {"symbols": ["ETH"]})
