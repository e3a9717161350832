"""Sentences a third QA pass found misread: everyday words in capitals, what an action
costs, widening words, numbers as people write them. Labelled by hand, not from dev.jsonl."""

from __future__ import annotations

import pytest

from mobius_cli.nl import Conversation


@pytest.mark.parametrize(("text", "intent", "entities"), [
    ("BTC PRICE NOW!!!", "price", {"symbols": ["BTC"]}),
    ("ETH NOW", "price", {"symbols": ["ETH"]}),
    ("PENGU price", "price", {"symbols": ["PENGU"]}),  # an unknown ticker still is one
    ("what does a transfer cost on polygon", "gas", {"chain": "polygon"}),
    ("cost of a swap on arbitrum", "gas", {"chain": "arbitrum"}),
    ("what are tx fees like on base", "gas", {"chain": "base"}),
    ("total defi tvl", "tvl", {}),
    ("what is 3 eth worth", "convert", {"amount": 3, "from": "ETH"}),
    ("what is the value of 10 sol", "convert", {"amount": 10, "from": "SOL"}),
    ("is eth worth buying", "technical_analysis", {"symbols": ["ETH"]}),
    ("alert 4 is annoying, delete it", "alert_remove", {"alert_id": 4}),
    ("alert 2 can go, remove it", "alert_remove", {"alert_id": 2}),
    # fractions said or written
    ("how much is 1/2 eth", "convert", {"amount": 0.5, "from": "ETH"}),
    ("2 and a half eth in usd", "convert", {"amount": 2.5, "from": "ETH", "to": "USD"}),
    ("a quarter of a btc in usd", "convert", {"amount": 0.25, "from": "BTC", "to": "USD"}),
    ("three quarters of an eth in eur", "convert",
     {"amount": 0.75, "from": "ETH", "to": "EUR"}),
    ("chart btc for half a year", "price_history", {"symbols": ["BTC"], "days": 180}),
    ("bought 1 1/2 eth at 2000", "portfolio_add",
     {"symbols": ["ETH"], "amount": 1.5, "price": 2000}),
    # dots group thousands in languages that write them so; English keeps decimals
    ("compré 1.500 doge a 0,1", "portfolio_add",
     {"symbols": ["DOGE"], "amount": 1500, "price": 0.1}),
    ("alerte si eth dépasse 2.500 €", "alert_add",
     {"symbols": ["ETH"], "condition": "above", "target": 2500}),
    ("bought 1.125 btc at 60k", "portfolio_add",
     {"symbols": ["BTC"], "amount": 1.125, "price": 60000}),
    # a rise or fall to a price is a direction, in any language, before or after the figure
    ("alerta si btc sube de 100 mil", "alert_add",
     {"symbols": ["BTC"], "condition": "above", "target": 100000}),
    ("sag mir wenn btc auf 100k steigt", "alert_add",
     {"symbols": ["BTC"], "condition": "above", "target": 100000}),
    ("alert me if btc hits 100k", "alert_add",
     {"symbols": ["BTC"], "condition": "cross", "target": 100000}),
    # "for N" is what was paid for all of it, unless "each"
    ("bought 2 eth for 6000", "portfolio_add", {"symbols": ["ETH"], "amount": 2, "price": 3000}),
    ("sold 2 sol for 150 a piece", "portfolio_remove",
     {"symbols": ["SOL"], "amount": 2, "price": 150}),
    # a total is not a unit price
    ("i bought 3 eth for 6000 total", "portfolio_add",
     {"symbols": ["ETH"], "amount": 3, "price": 2000}),
    ("bought 2 btc for a total of 120k", "portfolio_add",
     {"symbols": ["BTC"], "amount": 2, "price": 60000}),
])
def test_one_sentence(text, intent, entities):
    result = Conversation().parse(text)
    assert (result.intent, result.entities) == (intent, entities)


def test_a_widening_word_drops_the_last_place():
    conv = Conversation()
    assert conv.parse("tvl on arbitrum").entities == {"chain": "arbitrum"}
    assert (conv.parse("total defi tvl").entities, conv.parse("and optimism?").entities) == \
        ({}, {"chain": "optimism"})


@pytest.mark.parametrize(("text", "argv"), [
    ("fear and greed index last week", ["fear-greed", "--days", "7"]),
    ("how risky is my portfolio over 90 days", ["portfolio", "risk", "--days", "90"]),
    ("rebalance my portfolio using the last 180 days",
     ["portfolio", "optimize", "--days", "180"]),
    ("alert me if btc goes above 100k eur", ["alerts", "add", "BTC", "--above", "100000",
                                              "--vs", "eur"]),
    ("show my portfolio in btc", ["portfolio", "show", "--vs", "btc"]),
    ("how much is 0.25 btc", ["convert", "0.25", "BTC", "USD"]),  # the default currency
    ("sold 5 eth on 2026-03-03 at 3500", ["portfolio", "remove", "ETH", "5", "--price",
                                          "3500", "--date", "2026-03-03"]),
    ("bought 1 eth at 3000 eur", ["portfolio", "add", "ETH", "1", "--price", "3000",
                                  "--currency", "eur"]),
])
def test_what_a_sentence_states_reaches_the_command(text, argv):
    """A period, a currency or a day the intent has no entity for still reaches the command
    that takes it, instead of a note that it was not applied."""
    from mobius_cli.dispatch import _plan, unhonoured_notes

    result = Conversation().parse(text)
    action = _plan(result, wants_chart=False, repl=False)
    assert action.argv == argv
    assert unhonoured_notes(action, result.unhonoured) == []


def test_a_trade_said_to_be_yesterday_or_days_ago_is_dated():
    from datetime import date

    from mobius_cli.dispatch import trade_date

    today = date(2026, 12, 2)
    assert trade_date("bought 2 eth yesterday", today) == "2026-12-01"
    assert trade_date("sold 1 btc 3 days ago", today) == "2026-11-29"
    assert trade_date("compré 1 eth ayer", today) == "2026-12-01"
    assert trade_date("bought 2 eth at 3000", today) is None
    assert trade_date("bought 1 eth on 2026-11-20 at 3100", today) == "2026-11-20"
    assert trade_date("sold 5 eth on march 3 at 3500", today) == "2026-03-03"
    assert trade_date("bought it on dec 25", today) == "2025-12-25"  # the last one passed
    assert trade_date("bought 10 sol last week", today) == "2026-11-25"


def test_selling_all_sells_what_is_held_then(fake_apis):
    import json

    from mobius_cli.dispatch import _plan

    action = _plan(Conversation().parse("sell all my eth"), wants_chart=False, repl=False)
    assert action.argv == ["portfolio", "remove", "ETH", "all"]
    assert fake_apis.run_mobius("portfolio", "add", "eth", "2", "--price", "3000",
                                "--date", "2026-01-01").returncode == 0
    assert fake_apis.run_mobius("portfolio", "add", "eth", "0.5", "--price", "3000",
                                "--date", "2026-03-01").returncode == 0
    sold = fake_apis.run_mobius("portfolio", "sell", "eth", "all", "--price", "3500",
                                "--date", "2026-02-01")
    assert sold.returncode == 0, sold.stderr
    history = json.loads(fake_apis.run_mobius("portfolio", "history", "--json").stdout)
    assert [(t["kind"], t["amount"]) for t in history] == [("buy", 2), ("sell", 2),
                                                           ("buy", 0.5)]
    again = fake_apis.run_mobius("portfolio", "sell", "btc", "all")
    assert again.returncode == 2 and "holds no BTC to sell" in again.stderr
    bought = fake_apis.run_mobius("portfolio", "add", "eth", "all")
    assert bought.returncode == 2 and "not a number" in bought.stderr


def test_a_portfolio_named_in_the_sentence_is_the_one_used(fake_apis):
    import json

    assert fake_apis.run_mobius("portfolio", "create", "eurobag").returncode == 0
    added = fake_apis.run_mobius("ask", "--yes", "add 1 eth at 3000 to portfolio eurobag")
    assert added.returncode == 0, added.stderr
    assert "→ mobius portfolio add ETH 1 --price 3000 --portfolio eurobag" in added.stderr
    shown = fake_apis.run_mobius("ask", "show my eurobag portfolio", "--json")
    assert "→ mobius portfolio show --portfolio eurobag --json" in shown.stderr
    assert [h["symbol"] for h in json.loads(shown.stdout)["holdings"]] == ["ETH"]
    main = fake_apis.run_mobius("ask", "show my crypto portfolio", "--json")  # no such one
    assert "→ mobius portfolio show --json" in main.stderr
    assert json.loads(main.stdout)["holdings"] == []


def test_named_portfolio_takes_everyday_words_only_before_portfolio():
    from mobius_cli.dispatch import named_portfolio

    names = ["main", "eurobag", "long-term", "trading"]
    assert named_portfolio("add 1 eth to eurobag", names) == "eurobag"
    assert named_portfolio("how risky is my long-term portfolio", names) == "long-term"
    assert named_portfolio("show my trading portfolio", names) == "trading"
    assert named_portfolio("is trading btc risky", names) is None
    assert named_portfolio("add 2 eth to trading", names) == "trading"
    assert named_portfolio("sell 1 btc from my trading", names) == "trading"
    assert named_portfolio("show my portfolio", names) is None
