"""Sentences about the second half (TA, gas, DCA, DeFi, portfolio, alerts) reach the same
command and answer as the subcommand, through the registry."""

from __future__ import annotations

import json

import pytest

from tests.test_ask_repl import shown_command

CASES = [
    ("is btc overbought", ["ta", "BTC"]),
    ("rsi for sol", ["ta", "SOL", "--indicator", "rsi"]),
    ("gas on arbitrum", ["gas", "--chain", "arbitrum"]),
    ("what if I bought $50 of btc every week for a year",
     ["dca", "BTC", "--amount", "50", "--every", "7", "--days", "365"]),
    ("aave tvl", ["defi", "tvl", "aave"]),
    ("tvl on arbitrum", ["defi", "tvl", "--chain", "arbitrum"]),
    ("top lending protocols on base",
     ["defi", "protocols", "--chain", "base", "--category", "lending"]),
    ("best stablecoin yields on arbitrum above 8%",
     ["defi", "yields", "--chain", "arbitrum", "--min-apy", "8", "--stable"]),
    ("compare aave and compound", ["defi", "compare", "aave", "compound"]),
    ("show my portfolio", ["portfolio", "show"]),
    ("what alerts do I have", ["alerts", "list"]),
]


@pytest.mark.parametrize(("sentence", "command"), CASES)
def test_ask_answers_exactly_like_the_subcommand(fake_apis, sentence, command):
    asked = fake_apis.run_mobius("ask", "--json", sentence)
    assert asked.returncode == 0, asked.stderr
    assert shown_command(asked.stderr) == [*command, "--json"]
    direct = fake_apis.run_mobius(*command, "--json")
    assert direct.returncode == 0, direct.stderr
    assert json.loads(asked.stdout) == json.loads(direct.stdout)


def test_trades_and_alerts_from_sentences_change_data_only_when_confirmed(fake_apis):
    refused = fake_apis.run_mobius("ask", "I bought 0.5 btc at 60k")
    assert refused.returncode == 2 and "without confirmation" in refused.stderr
    assert json.loads(fake_apis.run_mobius("portfolio", "history", "--json").stdout) == []

    bought = fake_apis.run_mobius("ask", "--yes", "I bought 0.5 btc at 60k")
    assert shown_command(bought.stderr) == ["portfolio", "add", "BTC", "0.5", "--price",
                                            "60000"]
    sold = fake_apis.run_mobius("ask", "--yes", "sold 0.2 btc")
    assert sold.returncode == 0, sold.stderr
    rows = json.loads(fake_apis.run_mobius("portfolio", "history", "--json").stdout)
    assert sorted((r["kind"], r["symbol"], r["amount"]) for r in rows) == [
        ("buy", "BTC", 0.5), ("sell", "BTC", 0.2)]

    added = fake_apis.run_mobius("ask", "--yes", "alert me if eth drops below 2.5k")
    assert shown_command(added.stderr) == ["alerts", "add", "ETH", "--below", "2500"]
    alerts = json.loads(fake_apis.run_mobius("alerts", "list", "--json").stdout)
    assert [(a["symbol"], a["condition"], a["target"]) for a in alerts] == [
        ("ETH", "below", 2500)]
    removed = fake_apis.run_mobius("ask", "--yes", f"delete alert {alerts[0]['id']}")
    assert removed.returncode == 0, removed.stderr
    assert json.loads(fake_apis.run_mobius("alerts", "list", "--json").stdout) == []


@pytest.mark.parametrize(("sentence", "command"), [
    ("how risky is my portfolio", ["portfolio", "risk"]),
    ("how should I rebalance", ["portfolio", "optimize"]),
    # what the money did, not what is held: the period stated, else the command's default
    ("how has my portfolio done this year", ["portfolio", "performance", "--days", "365"]),
    ("how did my portfolio do over the last 3 months",
     ["portfolio", "performance", "--days", "90"]),
    ("what are my returns", ["portfolio", "performance"]),
    ("how am I doing", ["portfolio", "show"]),
])
def test_portfolio_analytics_from_sentences(fake_apis, sentence, command):
    for symbol, amount in (("btc", "0.5"), ("eth", "4"), ("sol", "30")):
        added = fake_apis.run_mobius("portfolio", "add", symbol, amount, "--price", "100")
        assert added.returncode == 0, added.stderr
    asked = fake_apis.run_mobius("ask", "--json", sentence)
    direct = fake_apis.run_mobius(*command, "--json")
    assert shown_command(asked.stderr) == [*command, "--json"]
    assert asked.returncode == direct.returncode
    assert asked.stdout == direct.stdout


@pytest.mark.parametrize(("sentence", "command", "note"), [
    ("bitcoin price yesterday", ["price", "BTC"],
     "note: the 1 day asked for is not applied: `mobius price` answers for now"),
    ("worst performers this week", ["movers", "--losers"],
     "note: the 7 days asked for is not applied: `mobius movers` answers for now"),
    ("how did btc do in 2021", None, "cannot look at a calendar year: 2021 is not applied"),
])
def test_what_a_command_cannot_honour_is_said_in_one_line(fake_apis, sentence, command, note):
    asked = fake_apis.run_mobius("ask", sentence)
    assert asked.returncode == 0, asked.stderr
    if command:
        assert shown_command(asked.stderr) == command
    assert sum(note in line for line in asked.stderr.splitlines()) == 1


def test_a_currency_reaches_a_command_whose_intent_does_not_carry_it(fake_apis):
    asked = fake_apis.run_mobius("ask", "--json", "gas in euros")
    assert shown_command(asked.stderr) == ["gas", "--vs", "eur", "--json"]
    assert json.loads(asked.stdout)["currency"] == "eur" and "not applied" not in asked.stderr


def test_muting_an_alert_switches_it_off_and_keeps_it(fake_apis):
    added = fake_apis.run_mobius("ask", "--yes", "alert me if eth drops below 2.5k")
    assert added.returncode == 0, added.stderr
    muted = fake_apis.run_mobius("ask", "--yes", "mute the eth alert")
    assert shown_command(muted.stderr) == ["alerts", "disable", "--symbol", "ETH"]
    [alert] = json.loads(fake_apis.run_mobius("alerts", "list", "--json").stdout)
    assert alert["status"] == "disabled"
    everything = fake_apis.run_mobius("ask", "--yes", "turn off all alerts")
    assert everything.returncode == 2  # never a deletion in disguise
    assert len(json.loads(fake_apis.run_mobius("alerts", "list", "--json").stdout)) == 1


@pytest.mark.parametrize(("sentence", "command"), [
    ("snooze the btc alert for a day", ["alerts", "snooze", "--symbol", "BTC", "--for", "1d"]),
    ("snooze alert {id} for 2 hours", ["alerts", "snooze", "{id}", "--for", "2h"]),
    ("snooze my btc alert", ["alerts", "snooze", "--symbol", "BTC", "--for", "1d"]),
])
def test_snoozing_an_alert_from_a_sentence(fake_apis, sentence, command):
    added = fake_apis.run_mobius("alerts", "add", "btc", "--above", "100k", "--json")
    alert_id = str(json.loads(added.stdout)["id"])
    refused = fake_apis.run_mobius("ask", sentence.format(id=alert_id))
    assert refused.returncode == 2 and "without confirmation" in refused.stderr
    asked = fake_apis.run_mobius("ask", "--yes", sentence.format(id=alert_id))
    assert asked.returncode == 0, asked.stderr
    assert shown_command(asked.stderr) == [w.format(id=alert_id) for w in command]
    [alert] = json.loads(fake_apis.run_mobius("alerts", "list", "--json").stdout)
    assert alert["status"] == "snoozed"
