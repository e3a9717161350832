"""Conversation context: follow-ups lean on earlier turns; a reset forgets."""

from __future__ import annotations

from typing import Any

import pytest

from mobius_cli.nl import Conversation

Turn = tuple[str, str, dict[str, Any]]

CONVERSATIONS: list[list[Turn]] = [
    [('ada rsi', 'technical_analysis', {'symbols': ['ADA'], 'indicator': 'rsi'}),
     ('and dot?', 'technical_analysis', {'symbols': ['DOT'], 'indicator': 'rsi'}),
     ('what about the macd', 'technical_analysis', {'symbols': ['DOT'], 'indicator': 'macd'})],
    [('fees on base', 'gas', {'chain': 'base'}),
     ('and arb?', 'gas', {'chain': 'arbitrum'}),
     ('how about polygon', 'gas', {'chain': 'polygon'})],
    [('worst 5 coins today', 'movers', {'direction': 'losers', 'limit': 5}),
     ('and the best?', 'movers', {'direction': 'gainers', 'limit': 5})],
    [('eth price in chf', 'price', {'symbols': ['ETH'], 'vs_currency': 'chf'}),
     ('and in yen?', 'price', {'symbols': ['ETH'], 'vs_currency': 'jpy'}),
     ('what about btc', 'price', {'symbols': ['BTC'], 'vs_currency': 'jpy'})],
    [('how much is 3 sol in usd', 'convert', {'amount': 3, 'from': 'SOL', 'to': 'USD'}),
     ('and in pounds?', 'convert', {'amount': 3, 'from': 'SOL', 'to': 'GBP'})],
    [("what's doge at", 'price', {'symbols': ['DOGE']}),
     ('alert me when it hits 1', 'alert_add',
      {'symbols': ['DOGE'], 'condition': 'cross', 'target': 1}),
     ('actually remove that', 'alert_remove', {'symbols': ['DOGE']})],
    [('avax price', 'price', {'symbols': ['AVAX']}),
     ('buy 10 of them at 30', 'portfolio_add', {'symbols': ['AVAX'], 'amount': 10, 'price': 30})],
    [('lido tvl', 'tvl', {'protocol': 'lido'}),
     ('and eigenlayer?', 'tvl', {'protocol': 'eigenlayer'}),
     ('how about on arbitrum', 'tvl', {'chain': 'arbitrum'})],
    [('dai yields on arbitrum above 5%', 'yields',
      {'symbols': ['DAI'], 'chain': 'arbitrum', 'min_apy': 5}),
     ('and on base?', 'yields', {'symbols': ['DAI'], 'chain': 'base', 'min_apy': 5})],
    [('link chart 30d', 'price_history', {'symbols': ['LINK'], 'days': 30}),
     ('same for uni', 'price_history', {'symbols': ['UNI'], 'days': 30})],
    [('should i buy sol', 'technical_analysis', {'symbols': ['SOL']}),
     ('chart it for a week', 'price_history', {'symbols': ['SOL'], 'days': 7}),
     ('alert me if it drops below 120', 'alert_add',
      {'symbols': ['SOL'], 'condition': 'below', 'target': 120})],
    [('dca 25 daily into eth for 6 months', 'dca',
      {'symbols': ['ETH'], 'amount': 25, 'interval_days': 1, 'days': 180}),
     ('and btc?', 'dca', {'symbols': ['BTC'], 'amount': 25, 'interval_days': 1, 'days': 180})],
    [('top lending protocols on ethereum', 'defi_protocols',
      {'chain': 'ethereum', 'category': 'lending'}),
     ('and on solana?', 'defi_protocols', {'chain': 'solana', 'category': 'lending'})],
    [('hello!', 'smalltalk', {}),
     ('how much is cardano', 'price', {'symbols': ['ADA']}),
     ('cheers', 'smalltalk', {})],
    [('Wie viel kostet Bitcoin?', 'price', {'symbols': ['BTC']}),
     ('Und Ethereum?', 'price', {'symbols': ['ETH']})],
    [('Combien vaut le solana ?', 'price', {'symbols': ['SOL']}),
     ('Et le cardano ?', 'price', {'symbols': ['ADA']})],
    [('Quanto custa o bitcoin?', 'price', {'symbols': ['BTC']}),
     ('E o ethereum?', 'price', {'symbols': ['ETH']})],
    [('alert me if sol dumps 15%', 'alert_add',
      {'symbols': ['SOL'], 'condition': 'change_down', 'target': 15}),
     ('same for avax', 'alert_add',
      {'symbols': ['AVAX'], 'condition': 'change_down', 'target': 15})],
    [('ethereum tvl', 'tvl', {'chain': 'ethereum'}),
     ('and tron?', 'tvl', {'chain': 'tron'})],
    [('show my alerts', 'alert_list', {}),
     ('delete #4', 'alert_remove', {'alert_id': 4})],
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
    # a price belongs to its coin: a new coin does not take the last one's price or target
    [("add 0.1 eth at 2000 to my portfolio", "portfolio_add",
      {"symbols": ["ETH"], "amount": 0.1, "price": 2000}),
     ("and btc?", "portfolio_add", {"symbols": ["BTC"], "amount": 0.1})],
    [("alert me if eth drops below 1.5k", "alert_add",
      {"symbols": ["ETH"], "condition": "below", "target": 1500}),
     ("and btc?", "alert_add", {"symbols": ["BTC"], "condition": "below"})],
    [("alert me if sol moves 5% in a day", "alert_add",
      {"symbols": ["SOL"], "condition": "change", "target": 5}),
     ("and eth?", "alert_add", {"symbols": ["ETH"], "condition": "change", "target": 5})],
    [("bought 2 eth at 3000", "portfolio_add", {"symbols": ["ETH"], "amount": 2, "price": 3000}),
     ("and 10 sol at 150", "portfolio_add", {"symbols": ["SOL"], "amount": 10, "price": 150})],
    # "in euros?" after a trade: the portfolio in euros, never the trade again
    [("bought 2 eth at 3000", "portfolio_add", {"symbols": ["ETH"], "amount": 2, "price": 3000}),
     ("in euros?", "portfolio_show", {"vs_currency": "eur"})],
    # after a trade or an alert, only a turn that says it follows on takes it over
    [("sell 2 eth", "portfolio_remove", {"symbols": ["ETH"], "amount": 2}),
     ("dump all my doge", "price", {"symbols": ["DOGE"]})],
    [("sell 2 eth", "portfolio_remove", {"symbols": ["ETH"], "amount": 2}),
     ("sol too", "portfolio_remove", {"symbols": ["SOL"], "amount": 2})],
    [("alert me if doge goes above 30 cents", "alert_add",
      {"symbols": ["DOGE"], "condition": "above", "target": 0.3}),
     ("what is btc doing", "coin_info", {"symbols": ["BTC"]}),
     ("delete that alert", "alert_remove", {"symbols": ["DOGE"]})],
    # a follow-up's own amount replaces the last one
    [("convert 2 eth to usd", "convert", {"amount": 2, "from": "ETH", "to": "USD"}),
     ("and 5 sol?", "convert", {"amount": 5, "from": "SOL", "to": "USD"})],
    # "instead" at the end follows on too
    [("dca $100 into btc weekly for a year", "dca",
      {"symbols": ["BTC"], "amount": 100, "interval_days": 7, "days": 365}),
     ("and eth?", "dca", {"symbols": ["ETH"], "amount": 100, "interval_days": 7, "days": 365}),
     ("monthly instead", "dca",
      {"symbols": ["ETH"], "amount": 100, "interval_days": 30, "days": 365})],
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
