"""General rules found by fresh, unseen sentences: lower-case tickers that are words,
market-overview wording, money words, trade records and unknown protocols in comparisons."""

from __future__ import annotations

from typing import Any

import pytest

from mobius_cli.nl import parse_text


def _check(text: str, intent: str, entities: dict[str, Any]) -> None:
    result = parse_text(text)
    assert result.intent == intent, (text, result)
    for key, value in entities.items():
        assert result.entities.get(key) == value, (text, key, result.entities)


@pytest.mark.parametrize(
    ("text", "intent", "entities"),
    [
        ("gimme ada and dot prices in pounds", "price",
         {"symbols": ["ADA", "DOT"], "vs_currency": "gbp"}),
        ("uni and link quotes", "price", {"symbols": ["UNI", "LINK"]}),
        ("near price pls", "price", {"symbols": ["NEAR"]}),
        ("i just bought 200 link at 14.5", "portfolio_add",
         {"symbols": ["LINK"], "amount": 200, "price": 14.5}),
        ("how did link do against dot this year", "compare",
         {"symbols": ["LINK", "DOT"], "days": 365}),
        ("which did better this month, arb or op", "compare", {"symbols": ["ARB", "OP"]}),
        ("rsi for link", "technical_analysis", {"symbols": ["LINK"], "indicator": "rsi"}),
        ("should i sell my dot", "technical_analysis", {"symbols": ["DOT"]}),
        ("where can i stake dot", "yields", {"symbols": ["DOT"]}),
        ("stop loss on link at 11", "alert_add", {"symbols": ["LINK"], "target": 11}),
        ("did dot outperform atom this month", "compare", {"symbols": ["DOT", "ATOM"]}),
        ("ping me once op hits 3", "alert_add", {"symbols": ["OP"], "target": 3}),
    ],
)
def test_lower_case_word_tickers_in_coin_positions(
        text: str, intent: str, entities: dict[str, Any]) -> None:
    _check(text, intent, entities)


@pytest.mark.parametrize(
    "text",
    ["i will link my wallet later", "connect the dots for me", "it is near the top",
     "one more question"],
)
def test_word_tickers_stay_words_without_evidence(text: str) -> None:
    assert "symbols" not in parse_text(text).entities


@pytest.mark.parametrize(
    ("text", "limit"),
    [("show the 15 biggest coins", 15), ("largest cryptos right now", None),
     ("top coins by size", None), ("the 10 largest tokens", 10)],
)
def test_market_overview_wording(text: str, limit: int | None) -> None:
    result = parse_text(text)
    assert result.intent == "market_overview"
    assert result.entities.get("limit") == limit


@pytest.mark.parametrize(
    ("text", "intent", "key", "value"),
    [
        ("alert me if doge hits 50 cents", "alert_add", "target", 0.5),
        ("convert half a bitcoin to euros", "convert", "amount", 0.5),
        ("what's a grand in eth", "convert", "amount", 1000),
        ("dca 10 bucks into sol every week", "dca", "amount", 10),
        ("convert 5 grand to btc", "convert", "amount", 5000),
    ],
)
def test_money_words(text: str, intent: str, key: str, value: float) -> None:
    result = parse_text(text)
    assert result.intent == intent
    assert result.entities[key] == pytest.approx(value)


def test_half_a_year_stays_a_period() -> None:
    assert parse_text("btc chart for half a year").entities.get("days") == 180


@pytest.mark.parametrize(
    ("text", "intent", "entities"),
    [
        ("sold all 3 of my eth at 4,100", "portfolio_remove",
         {"symbols": ["ETH"], "amount": 3, "price": 4100}),
        ("bought 2 of the sol at 150", "portfolio_add",
         {"symbols": ["SOL"], "amount": 2, "price": 150}),
    ],
)
def test_trade_records(text: str, intent: str, entities: dict[str, Any]) -> None:
    _check(text, intent, entities)


@pytest.mark.parametrize(
    ("text", "protocols"),
    [
        ("aave or spark, which is bigger", ["aave", "spark"]),
        ("aave or spectra, which is bigger", ["aave", "spectra"]),
        ("uniswap vs ekubo", ["uniswap", "ekubo"]),
        ("compare morpho and fluidity", ["morpho", "fluidity"]),
    ],
)
def test_unknown_protocol_beside_a_known_one(text: str, protocols: list[str]) -> None:
    result = parse_text(text)
    assert result.intent == "defi_compare"
    assert result.entities["protocols"] == protocols


def test_unknown_word_beside_a_protocol_without_comparison_is_not_one() -> None:
    assert parse_text("lido and stuff").entities.get("protocols") is None


@pytest.mark.parametrize(
    ("text", "intent"),
    [("who created cardano", "coin_info"),
     ("what coins is everyone talking about", "trending"),
     ("how scared is the market", "fear_greed")],
)
def test_intent_wording(text: str, intent: str) -> None:
    assert parse_text(text).intent == intent


@pytest.mark.parametrize(("text", "intent", "entities"), [
    ("gas price on arbitrum right now", "gas", {"chain": "arbitrum"}),
    ("ethereum gas price", "gas", {"chain": "ethereum"}),
    ("eth price", "price", {"symbols": ["ETH"]}),
    ("how does mobius work", "help", {}),
    ("how do you work?", "help", {}),
])
def test_gas_price_is_fees_and_questions_about_mobius_are_help(text, intent, entities):
    result = parse_text(text)
    assert (result.intent, result.entities) == (intent, entities)
