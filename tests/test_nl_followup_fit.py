"""A follow-up inherits only where the previous intent takes what it names
(nl-commands.md, "Conversation context"): a bare coin after a question that takes no coin
is a new question about that coin, what the coin alone would say."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from mobius_cli.core import registry
from mobius_cli.nl import Conversation, parse_text

# Intents whose contract entities include no coin: a coin after them starts afresh.
NO_SYMBOLS = sorted(name for name, spec in registry.INTENTS.items()
                    if "symbols" not in spec.entities and name not in (
                        "convert", "gas", "tvl", "defi_compare", "defi_protocols",
                        "help", "smalltalk", "unknown"))

OPENERS = {
    "portfolio_show": "show my portfolio",
    "portfolio_risk": "how risky is my portfolio",
    "portfolio_optimize": "rebalance my portfolio",
    "alert_list": "show my alerts",
    "market_overview": "market overview",
    "movers": "top gainers today",
    "trending": "what's trending",
    "fear_greed": "fear and greed index",
}


def turns(*texts: str) -> list[tuple[str, dict[str, Any]]]:
    conv = Conversation()
    out = []
    for text in texts:
        result = conv.parse(text)
        out.append((result.intent, result.entities))
    return out


def test_the_openers_cover_every_intent_without_symbols() -> None:
    assert sorted(OPENERS) == NO_SYMBOLS


@pytest.mark.parametrize("intent", NO_SYMBOLS)
@pytest.mark.parametrize("coin", ["eth", "sol", "btc and sol", "and eth?", "what about doge"])
def test_a_coin_after_an_intent_without_symbols_is_asked_afresh(intent: str, coin: str) -> None:
    first, second = turns(OPENERS[intent], coin)
    assert first[0] == intent
    alone = parse_text(coin)
    assert alone.intent == "price" and alone.entities.get("symbols")
    assert second == (alone.intent, alone.entities)


@pytest.mark.parametrize(("first", "then", "intent", "entities"), [
    ("btc price", "and eth?", "price", {"symbols": ["ETH"]}),
    ("chart sol for a month", "eth", "price_history", {"symbols": ["ETH"], "days": 30}),
    ("compare btc and eth", "and sol?", "compare", {"symbols": ["BTC", "ETH", "SOL"]}),
    ("rsi for sol", "and btc?", "technical_analysis", {"symbols": ["BTC"], "indicator": "rsi"}),
    ("gas on arbitrum", "eth?", "gas", {"chain": "ethereum"}),
    ("gas on arbitrum", "what about optimism?", "gas", {"chain": "optimism"}),
    ("convert 1 btc to usd", "eth", "convert", {"amount": 1, "from": "ETH", "to": "USD"}),
    ("tvl of aave", "and lido?", "tvl", {"protocol": "lido"}),
    ("yields for usdc", "and usdt?", "yields", {"symbols": ["USDT"]}),
])
def test_follow_ups_that_the_previous_intent_takes_still_merge(
        first: str, then: str, intent: str, entities: dict[str, Any]) -> None:
    assert turns(first, then)[1] == (intent, entities)


@pytest.mark.parametrize(("first", "then", "intent", "entities"), [
    ("show my portfolio", "in euros?", "portfolio_show", {"vs_currency": "eur"}),
    ("top gainers today", "and losers?", "movers", {"direction": "losers"}),
    ("market overview", "in yen?", "market_overview", {"vs_currency": "jpy"}),
])
def test_follow_ups_without_a_coin_keep_the_previous_intent(
        first: str, then: str, intent: str, entities: dict[str, Any]) -> None:
    assert turns(first, then)[1] == (intent, entities)


def test_the_new_question_is_the_context_for_the_next_turn() -> None:
    assert turns("show my portfolio", "eth", "in euros?", "and over a month?")[1:] == [
        ("price", {"symbols": ["ETH"]}),
        ("price", {"symbols": ["ETH"], "vs_currency": "eur"}),
        ("price_history", {"symbols": ["ETH"], "vs_currency": "eur", "days": 30}),
    ]


def test_the_parse_stream_asks_eth_afresh_after_the_portfolio() -> None:
    proc = subprocess.run([sys.executable, "-m", "mobius_cli", "parse", "-", "--json"],
                          input="show my portfolio\neth\n", capture_output=True, text=True,
                          check=True)
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(d["intent"], d["entities"]) for d in lines] == [
        ("portfolio_show", {}), ("price", {"symbols": ["ETH"]})]
