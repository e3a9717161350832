"""Intents and entities, one row per case: sentences written for these tests (not the dev set)."""

from __future__ import annotations

from typing import Any

import pytest

from mobius_cli.nl import INTENT_KEYS, parse_text

CASES: list[tuple[str, str, dict[str, Any]]] = [
    # price
    ("how much does one ether cost right now", "price", {"symbols": ["ETH"]}),
    ("litecoin and monero prices in pounds", "price", {"symbols": ["LTC", "XMR"],
                                                       "vs_currency": "gbp"}),
    ("what's polkadot going for these days", "price", {"symbols": ["DOT"]}),
    ("give me the price of $TAO and $FET in gbp", "price", {"symbols": ["TAO", "FET"],
                                                            "vs_currency": "gbp"}),
    ("chainlnk price", "price", {"symbols": ["LINK"]}),
    ("doge?", "price", {"symbols": ["DOGE"]}),
    ("price of avax in sol", "price", {"symbols": ["AVAX"], "vs_currency": "sol"}),
    ("precio de ethereum en dolares", "price", {"symbols": ["ETH"], "vs_currency": "usd"}),
    ("wie ist der preis von cardano", "price", {"symbols": ["ADA"]}),
    ("Was kostet Ethereum in Euro?", "price", {"symbols": ["ETH"], "vs_currency": "eur"}),
    # convert
    ("what would 750 euros get me in cardano", "convert", {"amount": 750, "from": "EUR",
                                                          "to": "ADA"}),
    ("convert 0.75 bitcoin into ether", "convert", {"amount": 0.75, "from": "BTC", "to": "ETH"}),
    ("1.2k sol to usd", "convert", {"amount": 1200, "from": "SOL", "to": "USD"}),
    ("how many sats is $20", "convert", {"amount": 20, "from": "USD", "to": "SATS"}),
    # market
    ("show the top 50 cryptos", "market_overview", {"limit": 50}),
    ("how's bitcoin's dominance looking", "market_overview", {}),
    # coin info
    ("who created monero and what is its max supply", "coin_info", {"symbols": ["XMR"]}),
    ("what is celestia", "coin_info", {"symbols": ["TIA"]}),
    # history and compare
    ("graph dogecoin over the past 2 weeks", "price_history", {"symbols": ["DOGE"], "days": 14}),
    ("plot ethereum classic for the last quarter", "price_history", {"symbols": ["ETC"],
                                                                     "days": 90}),
    ("stellar versus algorand this year", "compare", {"symbols": ["XLM", "ALGO"], "days": 365}),
    ("$ARB or $OP, which did better", "compare", {"symbols": ["ARB", "OP"]}),
    # trending, movers, sentiment
    ("what coins are people buzzing about", "trending", {}),
    ("biggest losers this week", "movers", {"direction": "losers"}),
    ("top 3 winners today", "movers", {"direction": "gainers", "limit": 3}),
    ("how greedy is the crypto market right now", "fear_greed", {}),
    # technical analysis
    ("macd and signals on cosmos", "technical_analysis", {"symbols": ["ATOM"],
                                                          "indicator": "macd"}),
    ("is it a good time to buy some hedera", "technical_analysis", {"symbols": ["HBAR"]}),
    ("is sui overbought", "technical_analysis", {"symbols": ["SUI"]}),
    ("rsi for pepe and bonk", "technical_analysis", {"symbols": ["PEPE", "BONK"],
                                                     "indicator": "rsi"}),
    ("btc 20 day moving average", "technical_analysis", {"symbols": ["BTC"], "indicator": "sma"}),
    # gas, tvl, protocols, yields
    ("how much does it cost to send a transaction on optimism", "gas", {"chain": "optimism"}),
    ("gas on base right now", "gas", {"chain": "base"}),
    ("what are fees like on tron", "gas", {"chain": "tron"}),
    ("how much value is locked on polygon", "tvl", {"chain": "polygon"}),
    ("what is the tvl of pendle on arbitrum", "tvl", {"protocol": "pendle",
                                                      "chain": "arbitrum"}),
    ("tvl of lido", "tvl", {"protocol": "lido"}),
    ("tvl of spectra", "tvl", {"protocol": "spectra"}),
    ("largest cdp protocols", "defi_protocols", {"category": "cdp"}),
    ("top 5 bridges", "defi_protocols", {"category": "bridge", "limit": 5}),
    ("where can i stake solana", "yields", {"symbols": ["SOL"]}),
    ("usdt lending rates on aave above 6%", "yields", {"symbols": ["USDT"], "protocol": "aave",
                                                       "min_apy": 6}),
    ("best stablecoin farms on solana", "yields", {"stablecoin": True, "chain": "solana"}),
    ("staking yields for ada", "yields", {"symbols": ["ADA"]}),
    ("raydium vs orca", "defi_compare", {"protocols": ["raydium", "orca"]}),
    ("compare morpho and spark", "defi_compare", {"protocols": ["morpho", "spark"]}),
    ("sushiswap v2 vs uniswap v4", "defi_compare", {"protocols": ["sushiswap-v2",
                                                                  "uniswap-v4"]}),
    # dca and portfolio
    ("what if i put 25 dollars into dogecoin every week for a year", "dca",
     {"symbols": ["DOGE"], "amount": 25, "interval_days": 7, "days": 365}),
    ("what's my portfolio worth right now", "portfolio_show", {}),
    ("Mostre meu portfólio", "portfolio_show", {}),
    ("i just bought 3 avax for 35 each", "portfolio_add", {"symbols": ["AVAX"], "amount": 3,
                                                           "price": 35}),
    ("bought 2,000 dollars of eth", "portfolio_add", {"symbols": ["ETH"], "amount": 2000}),
    ("sold 1,000 xrp at 2.1", "portfolio_remove", {"symbols": ["XRP"], "amount": 1000,
                                                   "price": 2.1}),
    ("how volatile are my holdings", "portfolio_risk", {}),
    ("rebalance my bags for max sharpe", "portfolio_optimize", {}),
    # alerts
    ("ping me when cardano crosses 1 dollar", "alert_add", {"symbols": ["ADA"],
                                                            "condition": "cross", "target": 1}),
    ("warn me if bnb falls 8%", "alert_add", {"symbols": ["BNB"], "condition": "change_down",
                                              "target": 8}),
    ("tell me when doge pumps 30%", "alert_add", {"symbols": ["DOGE"], "condition": "change_up",
                                                  "target": 30}),
    ("alert if btc is under 70k", "alert_add", {"symbols": ["BTC"], "condition": "below",
                                                "target": 70000}),
    ("set a stop loss for my sol at 120", "alert_add", {"symbols": ["SOL"],
                                                        "condition": "below", "target": 120}),
    ("Préviens-moi si le bitcoin dépasse 100000", "alert_add",
     {"symbols": ["BTC"], "condition": "above", "target": 100000}),
    ("which alerts have i set up", "alert_list", {}),
    ("cancel alert number 7", "alert_remove", {"alert_id": 7}),
    ("remove all of my alerts", "alert_remove", {"all": True}),
    # help, small talk, out of scope
    ("how do i add a coin to my portfolio", "help", {}),
    ("thank you so much", "smalltalk", {}),
    ("hello mobius", "smalltalk", {}),
    ("what's the capital of france", "unknown", {}),
    ("what's the weather like in paris", "unknown", {}),
    ("tell me a joke", "unknown", {}),
]


@pytest.mark.parametrize(("text", "intent", "entities"), CASES, ids=[c[0][:40] for c in CASES])
def test_intent_and_entities(text: str, intent: str, entities: dict[str, Any]) -> None:
    result = parse_text(text)
    assert (result.intent, result.entities) == (intent, entities)


@pytest.mark.parametrize(("text", "intent", "entities"), CASES[:20])
def test_only_allowed_keys(text: str, intent: str, entities: dict[str, Any]) -> None:
    result = parse_text(text)
    assert set(result.entities) <= INTENT_KEYS[result.intent]


def test_every_intent_is_covered() -> None:
    covered = {intent for _, intent, _ in CASES}
    missing = set(INTENT_KEYS) - covered - {"trending"}
    assert not missing or missing <= {"trending"}, missing


def test_confidence_is_higher_for_clear_requests() -> None:
    clear = parse_text("alert me if eth drops below 2.5k").confidence
    guess = parse_text("eth?").confidence
    unknown = parse_text("what's the weather in Berlin").confidence
    assert clear > guess
    assert unknown <= 0.6
    assert parse_text("etherium prise").confidence < parse_text("ethereum price").confidence


def test_to_dict_is_the_contract_object() -> None:
    result = parse_text("btc and eth in eur")
    assert result.to_dict() == {"text": "btc and eth in eur", "intent": "price",
                                "confidence": result.confidence,
                                "entities": {"symbols": ["BTC", "ETH"], "vs_currency": "eur"}}


@pytest.mark.parametrize(
    ("text", "intent"),
    [("hey there, hope all is well", "smalltalk"),
     ("thank you so much, that was helpful", "smalltalk"),
     ("you're the best, cheers", "smalltalk"),
     ("hey there, hope all is well, what's cardano trading at?", "price"),
     ("thanks! and could you list the top 5 coins?", "market_overview"),
     ("hello, i was wondering whether my portfolio is too risky", "portfolio_risk"),
     ("morning! any alerts active?", "alert_list")],
)
def test_greetings_only_win_when_nothing_is_asked(text: str, intent: str) -> None:
    assert parse_text(text).intent == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [("how do i add a trade?", "help"), ("how can i see the chart feature", "help"),
     ("how do i clear an alert", "help"),
     ("how should i rebalance my portfolio", "portfolio_optimize"),
     ("how do i change a car tyre", "unknown"), ("how do i add 2 eth at 3000", "portfolio_add")],
)
def test_how_do_i_about_a_feature_is_help(text: str, intent: str) -> None:
    assert parse_text(text).intent == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [("alert list", "alert_list"), ("view my alarm list", "alert_list"),
     ("is btc on high alert", "not alert_add"), ("doge 0.5 alert", "alert_add"),
     ("alarm for ada at 2", "alert_add")],
)
def test_the_bare_alert_noun_needs_a_price(text: str, intent: str) -> None:
    got = parse_text(text).intent
    if intent.startswith("not "):
        assert got != intent[4:]
    else:
        assert got == intent
