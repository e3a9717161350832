"""Entity forms: amounts, conditions, and names that are coins, chains or protocols."""

from __future__ import annotations

from typing import Any

import pytest

from mobius_cli.nl import parse_text
from mobius_cli.nl.vocab import completion_words


@pytest.mark.parametrize(
    ("text", "amount"),
    [("convert .5 btc to usd", 0.5), ("convert 1,500 ada to eur", 1500),
     ("convert 2.5k usdt to eth", 2500), ("what is $3m in btc", 3_000_000),
     ("convert 0.00002 btc to usd", 0.00002)],
)
def test_amount_forms(text: str, amount: float) -> None:
    assert parse_text(text).entities["amount"] == pytest.approx(amount)


@pytest.mark.parametrize(
    ("text", "condition", "target"),
    [
        ("alert me if sol goes above 300", "above", 300),
        ("alert me if sol exceeds 300", "above", 300),
        ("alert me if sol breaks 300", "above", 300),
        ("alert me if sol pumps to 300", "above", 300),
        ("take profit on sol at 300", "above", 300),
        ("alert me if sol drops below 90", "below", 90),
        ("alert me if sol falls under 90", "below", 90),
        ("alert me if sol dips to 90", "below", 90),
        ("alert me if sol crashes to 90", "below", 90),
        ("stop loss on sol at 90", "below", 90),
        ("alert me when sol hits 200", "cross", 200),
        ("alert me when sol reaches 200", "cross", 200),
        ("alert me when sol touches 200", "cross", 200),
        ("alert me when sol gets to 200", "cross", 200),
        ("set an alert on sol at 200", "cross", 200),
        ("alert me if sol moves 5%", "change", 5),
        ("alert me if sol is up 5%", "change_up", 5),
        ("alert me if sol pumps 5%", "change_up", 5),
        ("alert me if sol rises 5%", "change_up", 5),
        ("alert me if sol is down 5%", "change_down", 5),
        ("alert me if sol dumps 5%", "change_down", 5),
        ("alert me if sol drops 5%", "change_down", 5),
    ],
)
def test_condition_words(text: str, condition: str, target: float) -> None:
    result = parse_text(text)
    assert result.intent == "alert_add"
    assert result.entities == {"symbols": ["SOL"], "condition": condition, "target": target}


@pytest.mark.parametrize(
    ("text", "intent", "entities"),
    [
        # the same name as a coin, a protocol or a chain depending on the question
        ("uniswap price", "price", {"symbols": ["UNI"]}),
        ("uniswap tvl", "tvl", {"protocol": "uniswap"}),
        ("arbitrum price", "price", {"symbols": ["ARB"]}),
        ("tvl on arbitrum", "tvl", {"chain": "arbitrum"}),
        ("gas on arb", "gas", {"chain": "arbitrum"}),
        ("eth gas", "gas", {"chain": "ethereum"}),
        ("sol fees", "gas", {"chain": "solana"}),
        ("gas on bnb chain", "gas", {"chain": "bsc"}),
        ("stake eth on lido", "yields", {"symbols": ["ETH"], "protocol": "lido"}),
        ("farm usdc on base", "yields", {"symbols": ["USDC"], "chain": "base"}),
        ("UNI vs AAVE", "compare", {"symbols": ["UNI", "AAVE"]}),
        ("aave vs compound", "defi_compare", {"protocols": ["aave", "compound"]}),
        ("Maker DAO vs Rocket Pool", "defi_compare", {"protocols": ["makerdao", "rocket-pool"]}),
        ("tvl of curve finance", "tvl", {"protocol": "curve"}),
        ("top lending protocols on avax", "defi_protocols", {"chain": "avalanche",
                                                             "category": "lending"}),
    ],
)
def test_coins_chains_protocols(text: str, intent: str, entities: dict[str, Any]) -> None:
    result = parse_text(text)
    assert (result.intent, result.entities) == (intent, entities)


@pytest.mark.parametrize(
    ("text", "symbols"),
    [("$pepe price", ["PEPE"]), ("PEPE price", ["PEPE"]), ("pepe price", ["PEPE"]),
     ("btc eth btc prices", ["BTC", "ETH"]), ("price of AAPL", ["AAPL"]),
     ("shiba inu and bitcoin cash price", ["SHIB", "BCH"])],
)
def test_symbol_forms(text: str, symbols: list[str]) -> None:
    assert parse_text(text).entities["symbols"] == symbols


def test_ambiguous_words_are_not_tickers() -> None:
    assert parse_text("give me the links for solana").entities == {"symbols": ["SOL"]}
    assert "chain" not in parse_text("what is the base gas fee").entities


def test_unstated_entities_are_omitted() -> None:
    assert parse_text("price please").entities == {}
    assert parse_text("show me the top dexes").entities == {"category": "dexes"}


def test_completion_words() -> None:
    words = completion_words()
    for word in ("price", "bitcoin", "BTC", "arbitrum", "aave", "alert"):
        assert word in words
    assert len(words) == len(set(words))


@pytest.mark.parametrize(
    ("text", "amount"),
    [("convert 1.2 million doge to usd", 1_200_000), ("4 thousand ada in eur", 4000),
     ("2 billion shib to usd", 2_000_000_000), ("convert 3 millones de shib a euros", 3_000_000)],
)
def test_scale_words_multiply_the_number(text: str, amount: float) -> None:
    assert parse_text(text).entities["amount"] == pytest.approx(amount)


@pytest.mark.parametrize(
    ("text", "interval", "days"),
    [("dca 40/wk into eth for 2y", 7, 730), ("dca 40/mo into sol over 3 years", 30, 1095),
     ("dca de 30 euros por semana en btc durante 6 meses", 7, 180),
     ("dca de 30 euros par mois sur btc pendant 2 ans", 30, 730),
     ("dca 30 euro pro woche in btc für 1 jahr", 7, 365),
     ("what if i'd put 20 bucks into btc each month for the last 2 years", 30, 730)],
)
def test_dca_intervals_and_periods_in_several_languages(text: str, interval: int,
                                                        days: int) -> None:
    result = parse_text(text)
    assert result.intent == "dca"
    assert result.entities.get("interval_days") == interval
    assert result.entities.get("days") == days


@pytest.mark.parametrize(
    ("text", "chain"),
    [("op gas rn", "optimism"), ("near tvl?", "near"), ("curve tvl arb", "arbitrum"),
     ("stables apy 6%+ op", "optimism"), ("sui fees", "sui")],
)
def test_short_chain_names_beside_defi_words(text: str, chain: str) -> None:
    assert parse_text(text).entities.get("chain") == chain


@pytest.mark.parametrize(
    "text", ["is it near the top", "base fee explained", "i will link my wallet"],
)
def test_short_chain_names_need_a_defi_word(text: str) -> None:
    assert "chain" not in parse_text(text).entities


@pytest.mark.parametrize(
    ("text", "intent", "symbols"),
    [("alret me if sol hits 200", "alert_add", ["SOL"]),
     ("tpo gainers today", "movers", None),
     ("pirce of btc", "price", ["BTC"])],
)
def test_swapped_letters_are_typos(text: str, intent: str, symbols: list[str] | None) -> None:
    result = parse_text(text)
    assert result.intent == intent
    assert result.entities.get("symbols") == symbols


@pytest.mark.parametrize(
    "text", ["comprare bitcoin adesso?", "optimise my portfolio", "rendimientos en base"],
)
def test_foreign_and_british_words_are_not_typo_corrected(text: str) -> None:
    from mobius_cli.nl.text import tokenize

    assert not any(t.fuzzy for t in tokenize(text))
