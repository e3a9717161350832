"""Forms found by a second unseen set: digit-led tickers, negative amounts, a bare "max"
period, coin-less price questions, lending verbs, condition-first alerts, feature help,
multilingual alert verbs and counts, and quote-currency follow-ups."""

from __future__ import annotations

from typing import Any

import pytest

from mobius_cli.nl import Conversation, parse_text


def _check(text: str, intent: str, entities: dict[str, Any]) -> None:
    result = parse_text(text)
    assert result.intent == intent, (text, result)
    for key, value in entities.items():
        assert result.entities.get(key) == value, (text, key, result.entities)


@pytest.mark.parametrize(("text", "intent", "entities"), [
    ("what is 1inch trading at", "price", {"symbols": ["1INCH"]}),
    ("$1inch price in euros", "price", {"symbols": ["1INCH"], "vs_currency": "eur"}),
    ("1INCH vs UNI this month", "compare", {"symbols": ["1INCH", "UNI"], "days": 30}),
    ("1inch tvl", "tvl", {"protocol": "1inch"}),
])
def test_tickers_that_start_with_a_digit(text: str, intent: str, entities: dict) -> None:
    _check(text, intent, entities)


@pytest.mark.parametrize(("text", "key", "value"), [
    ("convert -2 btc to eur", "amount", -2),
    ("how much is -0.5 eth in usd", "amount", -0.5),
    ("convert -$300 to sol", "amount", -300),
])
def test_negative_amounts_stay_negative(text: str, key: str, value: float) -> None:
    result = parse_text(text)
    assert result.intent == "convert"
    assert result.entities[key] == value


def test_a_hyphen_inside_a_word_or_date_is_no_minus() -> None:
    assert parse_text("convert 5 eth-usd").entities.get("amount") == 5


@pytest.mark.parametrize(("text", "condition", "target"), [
    ("alert me if ada moves -8%", "change_down", 8),
    ("sag mir wenn sol um 12% fällt", "change_down", 12),
    ("dime si xrp sube un 7%", "change_up", 7),
    ("avísame cuando link baje un 3%", "change_down", 3),
])
def test_percent_alert_directions(text: str, condition: str, target: float) -> None:
    _check(text, "alert_add", {"condition": condition, "target": target})


@pytest.mark.parametrize(("text", "intent", "days"), [
    ("doge graph max", "price_history", "max"),
    ("ada history for the max period", "price_history", "max"),
    ("chart ltc, maximum", "price_history", "max"),
    ("avax chart since genesis", "price_history", "max"),
    ("comparer sol et ada sur deux ans", "compare", 730),
    ("gráfico de btc en un año", "price_history", 365),
    ("eth verlauf über drei monate", "price_history", 90),
])
def test_periods(text: str, intent: str, days: int | str) -> None:
    _check(text, intent, {"days": days})


def test_max_supply_is_not_a_period() -> None:
    assert parse_text("what is the max supply of ada").intent == "coin_info"


@pytest.mark.parametrize("text", [
    "price of coffee in brazil",
    "what does a burrito cost in mexico",
    "how much is silver going for",
    "price of oil today",
    "what's the price of a house in lisbon",
])
def test_a_price_question_about_no_coin_is_unknown(text: str) -> None:
    assert parse_text(text).intent == "unknown"


@pytest.mark.parametrize("text", ["price?", "what's the price now", "current price please"])
def test_a_bare_price_question_stays_a_price(text: str) -> None:
    assert parse_text(text).intent == "price"


@pytest.mark.parametrize(("first", "second"), [
    ("what is cardano", "price?"),
    ("tell me about avax", "how much is it"),
    ("chart dot for a week", "and the price?"),
])
def test_a_bare_price_follow_up_takes_the_previous_coin(first: str, second: str) -> None:
    conv = Conversation()
    symbols = conv.parse(first).entities["symbols"]
    result = conv.parse(second)
    assert (result.intent, result.entities.get("symbols")) == ("price", symbols)


@pytest.mark.parametrize(("turns", "expected"), [
    (["doge price", "what about in eth"], ("price", {"symbols": ["DOGE"], "vs_currency": "eth"})),
    (["ada price?", "and in btc?"], ("price", {"symbols": ["ADA"], "vs_currency": "btc"})),
    (["convert 2 eth to usd", "how about in sol"],
     ("convert", {"amount": 2, "from": "ETH", "to": "SOL"})),
])
def test_a_coin_after_in_is_the_quote_currency(turns: list[str], expected: tuple) -> None:
    conv = Conversation()
    for text in turns:
        result = conv.parse(text)
    assert (result.intent, result.entities) == expected


@pytest.mark.parametrize(("text", "intent", "entities"), [
    # how much COIN is $N: a conversion from the money to the coin
    ("how much bitcoin is 25k dollars", "convert", {"amount": 25000, "from": "USD", "to": "BTC"}),
    ("how many doge would €40 be", "convert", {"amount": 40, "from": "EUR", "to": "DOGE"}),
    # the market as a whole
    ("how is crypto looking today", "market_overview", {}),
    ("how are the markets doing", "market_overview", {}),
    ("crypto as a whole, how is it", "market_overview", {}),
    # ranked performers with a count
    ("top 7 performers this week", "movers", {"limit": 7, "direction": "gainers"}),
    ("worst 4 performing tokens today", "movers", {"limit": 4, "direction": "losers"}),
    # lending verbs with a destination are yields
    ("deposit usdc into compound, what's the apy", "yields",
     {"symbols": ["USDC"], "protocol": "compound"}),
    ("lend dai to aave v3 rates", "yields", {"symbols": ["DAI"], "protocol": "aave-v3"}),
    ("supplying eth on morpho, what rates", "yields", {"symbols": ["ETH"], "protocol": "morpho"}),
    # which of two protocols has more
    ("curve or balancer, which one has more tvl", "defi_compare",
     {"protocols": ["curve", "balancer"]}),
    ("aave or morpho which protocol pays more", "defi_compare", {"protocols": ["aave", "morpho"]}),
    # an interval beside an amount is DCA
    ("weekly 75 into eth over the past year, how would it have gone", "dca",
     {"symbols": ["ETH"], "amount": 75, "interval_days": 7, "days": 365}),
    ("$15 a day into btc for 3 months", "dca",
     {"symbols": ["BTC"], "amount": 15, "interval_days": 1, "days": 90}),
    ("fortnightly 400 in ada for 2 years", "dca",
     {"symbols": ["ADA"], "amount": 400, "interval_days": 14, "days": 730}),
    # advice on the user's own holdings
    ("could you recommend how to rebalance my holdings", "portfolio_optimize", {}),
    ("how should i redistribute my coins", "portfolio_optimize", {}),
    ("what allocation should i go for with my bags", "portfolio_optimize", {}),
    # the condition before the trade: an alert
    ("once sol gets to 250 sell it all", "alert_add",
     {"symbols": ["SOL"], "condition": "cross", "target": 250}),
    ("when btc reaches 150k take profits", "alert_add", {"symbols": ["BTC"], "target": 150000}),
    ("if ada drops to 0.3 buy more", "alert_add",
     {"symbols": ["ADA"], "condition": "below", "target": 0.3}),
    # how a feature works, what the assistant can do
    ("how do price alerts work", "help", {}),
    ("how does the portfolio thing work", "help", {}),
    ("how do stop losses work here", "help", {}),
    ("que peux-tu faire ?", "help", {}),
    ("o que você consegue fazer", "help", {}),
    ("cosa sai fare?", "help", {}),
    # a coin's workings are facts about it
    ("how does ethereum work", "coin_info", {"symbols": ["ETH"]}),
    # chit-chat
    ("how's your day going", "smalltalk", {}),
    ("how have you been", "smalltalk", {}),
    # out of scope
    ("convert 12 miles to km", "unknown", {}),
    ("what's 70 fahrenheit in celsius", "unknown", {}),
    ("best mortgage rates right now", "unknown", {}),
    ("good interest rate for a savings account", "unknown", {}),
])
def test_paraphrases(text: str, intent: str, entities: dict[str, Any]) -> None:
    _check(text, intent, entities)
