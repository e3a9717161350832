"""General failure classes found by an independent probe set, each tested with new sentences
(several phrasings, other languages, and negative cases): names decided after the intent,
English-word coins, rankings, counts in words, alert openers and verbs, trade verbs, crypto
quote currencies, alert references, plural interval adjectives, help questions, greetings."""

from __future__ import annotations

from typing import Any

import pytest

from mobius_cli.nl import Conversation, parse_text


def _check(text: str, intent: str, entities: dict[str, Any], exact: bool = False) -> None:
    result = parse_text(text)
    assert result.intent == intent, (text, result)
    if exact:
        assert result.entities == entities, (text, result.entities)
    for key, value in entities.items():
        assert result.entities.get(key) == value, (text, key, result.entities)


def _last_turn(*turns: str) -> Any:
    """The parse of the last of several turns of one conversation."""
    conv = Conversation()
    result = None
    for turn in turns:
        result = conv.parse(turn)
    return result


# --- 1. a protocol name that is also a coin takes the protocol reading in DeFi ------------

@pytest.mark.parametrize(
    ("text", "intent", "entities"),
    [
        ("how much does lido pay for staking eth", "yields",
         {"symbols": ["ETH"], "protocol": "lido"}),
        ("curve usdt pool apy", "yields", {"symbols": ["USDT"], "protocol": "curve"}),
        ("compound dai borrow rate", "yields", {"symbols": ["DAI"], "protocol": "compound"}),
        ("aave eth supply apy", "yields", {"symbols": ["ETH"], "protocol": "aave"}),
        ("what rate is compound paying on usdt deposits", "yields",
         {"symbols": ["USDT"], "protocol": "compound"}),
        ("best pools on curve for usdc", "yields", {"symbols": ["USDC"], "protocol": "curve"}),
        ("rendimiento de staking de eth que da lido", "yields",
         {"symbols": ["ETH"], "protocol": "lido"}),
        ("taux de prêt usdc chez aave", "yields", {"symbols": ["USDC"], "protocol": "aave"}),
        ("uniswap eth usdc pool yield", "yields",
         {"symbols": ["ETH", "USDC"], "protocol": "uniswap"}),
        ("what does curve pay on usdc", "yields", {"symbols": ["USDC"], "protocol": "curve"}),
        ("how much does compound pay for dai deposits", "yields",
         {"symbols": ["DAI"], "protocol": "compound"}),
    ],
)
def test_defi_names_take_the_protocol_reading(
        text: str, intent: str, entities: dict[str, Any]) -> None:
    _check(text, intent, entities, exact=True)


@pytest.mark.parametrize(
    ("text", "intent", "entities"),
    [
        ("lido price", "price", {"symbols": ["LDO"]}),
        ("how much is curve trading at", "price", {"symbols": ["CRV"]}),
        ("where can i stake aave", "yields", {"symbols": ["AAVE"]}),  # the token staked
        ("staking 50 comp, what apy", "yields", {"symbols": ["COMP"]}),
        ("compare aave and comp prices", "compare", {"symbols": ["AAVE", "COMP"]}),
    ],
)
def test_coin_positions_keep_the_coin_reading(
        text: str, intent: str, entities: dict[str, Any]) -> None:
    _check(text, intent, entities)


# --- 2. coins whose names are English words, after a preposition -------------------------

@pytest.mark.parametrize(
    ("text", "intent", "entities"),
    [
        ("chart for ton over the last 2 weeks", "price_history", {"symbols": ["TON"], "days": 14}),
        ("dca 50 weekly in near for a year", "dca",
         {"symbols": ["NEAR"], "amount": 50, "interval_days": 7, "days": 365}),
        ("invest 20 every week into link for six months", "dca",
         {"symbols": ["LINK"], "interval_days": 7, "days": 180}),
        ("rsi for link on the 4h", "technical_analysis", {"symbols": ["LINK"]}),
        ("set an alert for link above 20", "alert_add",
         {"symbols": ["LINK"], "condition": "above", "target": 20}),
        ("gráfico de near en los últimos 3 meses", "price_history",
         {"symbols": ["NEAR"], "days": 90}),
        ("simule 50 euros par semaine dans link sur un an", "dca",
         {"symbols": ["LINK"], "interval_days": 7, "days": 365}),
    ],
)
def test_word_coins_after_a_preposition(text: str, intent: str, entities: dict[str, Any]) -> None:
    _check(text, intent, entities)


def test_a_word_coin_is_not_taken_from_the_turn_before() -> None:
    result = _last_turn("eth price", "dca 25 monthly in link over the last year")
    assert result.entities.get("symbols") == ["LINK"], result


@pytest.mark.parametrize(
    ("text", "symbols"),
    [("is btc near the top", ["BTC"]), ("send me the link for the btc whitepaper", ["BTC"]),
     ("btc chart for near a year", ["BTC"]), ("is it near 100k", None)],
)
def test_english_words_stay_words(text: str, symbols: list[str] | None) -> None:
    assert parse_text(text).entities.get("symbols") == symbols


# --- 3. a ranking of a kind of protocol, without "top" or "list" --------------------------

@pytest.mark.parametrize(
    ("text", "entities"),
    [
        ("dex leaderboard", {"category": "dexes"}),
        ("bridges ranked by size", {"category": "bridge"}),
        ("restaking rankings", {"category": "restaking"}),
        ("perps leaderboard on solana", {"chain": "solana", "category": "derivatives"}),
        ("liquid staking ranking by tvl", {"category": "liquid-staking"}),
        ("arbitrum defi protocols sorted by tvl", {"chain": "arbitrum"}),
        ("classement des protocoles de staking liquide", {"category": "liquid-staking"}),
        ("Rangliste der Lending-Protokolle", {"category": "lending"}),
    ],
)
def test_rankings_list_protocols(text: str, entities: dict[str, Any]) -> None:
    _check(text, "defi_protocols", entities, exact=True)


@pytest.mark.parametrize(
    ("text", "intent"),
    [("best yields ranked by apy", "yields"), ("btc rank", "coin_info"),
     ("coins ranked by market cap", "market_overview"), ("aave tvl ranking", "tvl")],
)
def test_rankings_of_other_things(text: str, intent: str) -> None:
    assert parse_text(text).intent == intent


# --- 4. counts written as words -------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "intent", "entities"),
    [
        ("twelve biggest coins", "market_overview", {"limit": 12}),
        ("top fifty coins by market cap", "market_overview", {"limit": 50}),
        ("show me the top twenty", "market_overview", {"limit": 20}),
        ("top two hundred coins", "market_overview", {"limit": 200}),
        ("top five gainers", "movers", {"limit": 5, "direction": "gainers"}),
        ("three worst losers today", "movers", {"limit": 3, "direction": "losers"}),
        ("three most popular dexes on arbitrum", "defi_protocols",
         {"limit": 3, "chain": "arbitrum", "category": "dexes"}),
        ("las diez mayores criptomonedas", "market_overview", {"limit": 10}),
        ("les cinq plus grandes cryptos", "market_overview", {"limit": 5}),
        ("die zehn größten Coins", "market_overview", {"limit": 10}),
        ("sold two eth at 3000", "portfolio_remove", {"symbols": ["ETH"], "amount": 2,
                                                       "price": 3000}),
        ("convert five sol to usd", "convert", {"amount": 5, "from": "SOL", "to": "USD"}),
    ],
)
def test_counts_in_words(text: str, intent: str, entities: dict[str, Any]) -> None:
    _check(text, intent, entities, exact=True)


@pytest.mark.parametrize(
    ("text", "intent", "entities"),
    [
        ("dca every two weeks into btc", "dca", {"symbols": ["BTC"], "interval_days": 14}),
        ("btc over the last two weeks", "price_history", {"symbols": ["BTC"], "days": 14}),
        ("which one is better, eth or sol", "compare", {"symbols": ["ETH", "SOL"]}),
        ("largest coins", "market_overview", {}),
    ],
)
def test_number_words_elsewhere_stay_words(
        text: str, intent: str, entities: dict[str, Any]) -> None:
    _check(text, intent, entities, exact=True)


# --- 5. a condition on a price is an alert, whatever opens the sentence ------------------

@pytest.mark.parametrize(
    ("text", "entities"),
    [
        ("give me a shout if sol dips under 120",
         {"symbols": ["SOL"], "condition": "below", "target": 120}),
        ("once eth surpasses 5k buzz me", {"symbols": ["ETH"], "condition": "above",
                                            "target": 5000}),
        ("whenever xrp sinks below 2 flag it", {"symbols": ["XRP"], "condition": "below",
                                                 "target": 2}),
        ("hit me up the moment avax clears 60", {"symbols": ["AVAX"], "condition": "above",
                                                  "target": 60}),
        ("heads up if sol blows past 300", {"symbols": ["SOL"], "condition": "above",
                                             "target": 300}),
        ("Gib mir Bescheid, sobald BTC auf 120k steigt",
         {"symbols": ["BTC"], "condition": "above", "target": 120000}),
        ("si el BTC cae por debajo de 80000, dímelo",
         {"symbols": ["BTC"], "condition": "below", "target": 80000}),
        ("dès que ETH dépasse 4000 fais-moi signe",
         {"symbols": ["ETH"], "condition": "above", "target": 4000}),
    ],
)
def test_conditions_are_alerts(text: str, entities: dict[str, Any]) -> None:
    _check(text, "alert_add", entities, exact=True)


@pytest.mark.parametrize(
    "text",
    ["why does btc drop when the fed hikes", "what is eth doing when the us market opens",
     "if btc is so volatile is it risky"],
)
def test_conditions_without_a_figure_are_not_alerts(text: str) -> None:
    assert parse_text(text).intent != "alert_add"


# --- 6. trade verbs beyond buy and sell ---------------------------------------------------

@pytest.mark.parametrize(
    ("text", "intent", "entities"),
    [
        ("stick 2 eth in my portfolio", "portfolio_add", {"symbols": ["ETH"], "amount": 2}),
        ("log 500 ada to my holdings", "portfolio_add", {"symbols": ["ADA"], "amount": 500}),
        ("snagged 3 sol at 140", "portfolio_add", {"symbols": ["SOL"], "amount": 3,
                                                     "price": 140}),
        ("ho comprato 1 btc a 60000", "portfolio_add", {"symbols": ["BTC"], "amount": 1,
                                                         "price": 60000}),
        ("closed 0.5 btc at 90k", "portfolio_remove", {"symbols": ["BTC"], "amount": 0.5,
                                                         "price": 90000}),
        ("closed out my 2 sol position at 180", "portfolio_remove",
         {"symbols": ["SOL"], "amount": 2, "price": 180}),
        ("take 3 sol out of my portfolio", "portfolio_remove", {"symbols": ["SOL"], "amount": 3}),
        ("liquidated 0.3 btc yesterday at 95k", "portfolio_remove",
         {"symbols": ["BTC"], "amount": 0.3, "price": 95000}),
        ("he vendido 2 eth a 3500", "portfolio_remove", {"symbols": ["ETH"], "amount": 2,
                                                          "price": 3500}),
    ],
)
def test_trade_verbs(text: str, intent: str, entities: dict[str, Any]) -> None:
    _check(text, intent, entities, exact=True)


@pytest.mark.parametrize(
    ("text", "intent"),
    [("closed my browser, what's btc at", "price"), ("put 100 usdc into aave", "yields"),
     ("put 50 a week into btc", "dca"), ("how close is btc to its ath", "coin_info")],
)
def test_trade_verbs_need_a_trade(text: str, intent: str) -> None:
    assert parse_text(text).intent == intent


# --- 7. a coin as the quote currency, for every intent that takes vs_currency -------------

@pytest.mark.parametrize(
    ("text", "intent", "entities"),
    [
        ("sol macd in btc terms", "technical_analysis",
         {"symbols": ["SOL"], "indicator": "macd", "vs_currency": "btc"}),
        ("ada rsi in eth", "technical_analysis",
         {"symbols": ["ADA"], "indicator": "rsi", "vs_currency": "eth"}),
        ("rsi de sol en btc", "technical_analysis",
         {"symbols": ["SOL"], "indicator": "rsi", "vs_currency": "btc"}),
        ("chart sol in btc over 90 days", "price_history",
         {"symbols": ["SOL"], "days": 90, "vs_currency": "btc"}),
        ("compare sol and avax in btc", "compare",
         {"symbols": ["SOL", "AVAX"], "vs_currency": "btc"}),
        ("tell me about ada in btc", "coin_info", {"symbols": ["ADA"], "vs_currency": "btc"}),
        ("top 10 coins in btc", "market_overview", {"limit": 10, "vs_currency": "btc"}),
        ("biggest gainers in eth", "movers", {"direction": "gainers", "vs_currency": "eth"}),
        ("my portfolio in eth", "portfolio_show", {"vs_currency": "eth"}),
    ],
)
def test_crypto_quote_currency(text: str, intent: str, entities: dict[str, Any]) -> None:
    _check(text, intent, entities, exact=True)


@pytest.mark.parametrize(
    ("text", "intent", "entities"),
    [("chart btc", "price_history", {"symbols": ["BTC"]}),
     ("rsi for eth", "technical_analysis", {"symbols": ["ETH"], "indicator": "rsi"}),
     ("dca 100 weekly in btc", "dca", {"symbols": ["BTC"], "amount": 100, "interval_days": 7}),
     ("compare sol to btc", "compare", {"symbols": ["SOL", "BTC"]})],
)
def test_a_lone_coin_is_the_subject(text: str, intent: str, entities: dict[str, Any]) -> None:
    _check(text, intent, entities, exact=True)


# --- 8. an alert named by its number, then a removal word ----------------------------------

@pytest.mark.parametrize(
    ("text", "alert_id"),
    [("alert 7 - remove please", 7), ("alert 3 cancel", 3),
     ("alert #12 no longer needed, scrap it", 12), ("alert 2 - get rid of it", 2),
     ("alarma 4: bórrala", 4), ("alerte 8, supprime-la", 8), ("avviso 6, cancellalo", 6)],
)
def test_numbered_alert_then_removal(text: str, alert_id: int) -> None:
    _check(text, "alert_remove", {"alert_id": alert_id}, exact=True)


def test_the_named_alert_wins_over_the_last_one() -> None:
    result = _last_turn("let me know if sol hits 200", "alert 11, delete it")
    assert (result.intent, result.entities) == ("alert_remove", {"alert_id": 11})
    result = _last_turn("let me know if sol hits 200", "ok now remove that alert")
    assert (result.intent, result.entities) == ("alert_remove", {"symbols": ["SOL"]})


@pytest.mark.parametrize(
    ("text", "intent"),
    [("alert 5 status", "alert_list"), ("alert me when sol drops below 100", "alert_add"),
     ("alert 60000 btc", "alert_add")],
)
def test_numbered_alerts_without_removal(text: str, intent: str) -> None:
    assert parse_text(text).intent == intent


# --- 9. interval adjectives in every form of every language -------------------------------

@pytest.mark.parametrize(
    ("text", "entities"),
    [
        ("compras semanales de 50 euros en btc durante un año",
         {"symbols": ["BTC"], "amount": 50, "interval_days": 7, "days": 365}),
        ("compras diarias de 10 dolares en btc", {"symbols": ["BTC"], "amount": 10,
                                                  "interval_days": 1}),
        ("simula aportes mensais de 200 reais em eth",
         {"symbols": ["ETH"], "amount": 200, "interval_days": 30}),
        ("achats hebdomadaires de 20 euros en btc sur 2 ans",
         {"symbols": ["BTC"], "amount": 20, "interval_days": 7, "days": 730}),
        ("dca mensuels de 100 euros dans eth", {"symbols": ["ETH"], "amount": 100,
                                                "interval_days": 30}),
        ("monatliche Käufe von 100 Euro in BTC seit 3 Jahren",
         {"symbols": ["BTC"], "amount": 100, "interval_days": 30, "days": 1095}),
        ("acquisti settimanali di 50 euro in btc per un anno",
         {"symbols": ["BTC"], "amount": 50, "interval_days": 7, "days": 365}),
    ],
)
def test_interval_adjectives(text: str, entities: dict[str, Any]) -> None:
    _check(text, "dca", entities, exact=True)


@pytest.mark.parametrize(
    ("text", "intent"),
    [("btc weekly chart", "price_history"), ("weekly rsi on eth", "technical_analysis")],
)
def test_interval_words_beside_other_requests(text: str, intent: str) -> None:
    assert parse_text(text).intent == intent


# --- 10. a question about how a feature works is help --------------------------------------

@pytest.mark.parametrize(
    "text",
    ["tell me how the price alerts work in this app", "explain how portfolio tracking works",
     "explícame cómo funciona la simulación dca aquí", "comment fonctionnent les alertes ici ?",
     "wie funktionieren die Alarme hier?", "come funziona il portafoglio qui"],
)
def test_how_a_feature_works_is_help(text: str) -> None:
    assert parse_text(text).intent == "help"


@pytest.mark.parametrize(
    ("text", "intent"),
    [("explain how bitcoin works", "coin_info"), ("how is my portfolio doing", "portfolio_show"),
     ("how do i add 2 eth to my portfolio", "portfolio_add")],
)
def test_how_questions_about_things(text: str, intent: str) -> None:
    assert parse_text(text).intent == intent


# --- 11. greetings of every language are small talk -----------------------------------------

@pytest.mark.parametrize(
    "text", ["heya!", "hey there buddy", "hiya pal", "buenas", "servus", "moin moin",
             "oi tudo bem", "salve"],
)
def test_greetings(text: str) -> None:
    assert parse_text(text).intent == "smalltalk"


@pytest.mark.parametrize(
    ("text", "intent"),
    [("heya, what's btc at", "price"), ("morning, show me my portfolio", "portfolio_show"),
     ("hi there, top 10 coins please", "market_overview")],
)
def test_a_greeting_before_a_request(text: str, intent: str) -> None:
    assert parse_text(text).intent == intent


# --- the same classes, further forms -------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "intent", "entities"),
    [
        ("how much is dot in eth", "price", {"symbols": ["DOT"], "vs_currency": "eth"}),
        ("cada mes 50 euros en eth durante 2 años", "dca",
         {"symbols": ["ETH"], "amount": 50, "interval_days": 30, "days": 730}),
        ("tous les mois 100 euros en btc", "dca",
         {"symbols": ["BTC"], "amount": 100, "interval_days": 30}),
        ("todos los meses 50 dolares en sol", "dca",
         {"symbols": ["SOL"], "amount": 50, "interval_days": 30}),
        ("alle zwei Wochen 20 Euro in ETH", "dca",
         {"symbols": ["ETH"], "amount": 20, "interval_days": 14}),
        ("top 20 in eur", "market_overview", {"limit": 20, "vs_currency": "eur"}),
        ("top 10 in btc", "market_overview", {"limit": 10, "vs_currency": "btc"}),
    ],
)
def test_further_forms(text: str, intent: str, entities: dict[str, Any]) -> None:
    _check(text, intent, entities, exact=True)
