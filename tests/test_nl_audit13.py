"""Gaps an audit of issue 13 found: alert references, compare follow-ups, movers phrasing."""

from __future__ import annotations

from typing import Any

import pytest

from mobius_cli.nl import Conversation

Turn = tuple[str, str, dict[str, Any]]


def _check(turns: list[Turn]) -> None:
    conv = Conversation()
    for text, intent, entities in turns:
        got = conv.parse(text)
        assert (got.intent, got.entities) == (intent, entities), text


# A number that became the new alert's target is not an alert id: "delete it" removes the
# alert just added, by its symbols ("the most recent alert mentioned").
ALERT_REFERENCES: list[list[Turn]] = [
    [("alert 3 for eth", "alert_add", {"symbols": ["ETH"], "condition": "cross", "target": 3}),
     ("delete it", "alert_remove", {"symbols": ["ETH"]})],
    [("alert 3 for eth", "alert_add", {"symbols": ["ETH"], "condition": "cross", "target": 3}),
     ("remove that alert", "alert_remove", {"symbols": ["ETH"]})],
    [("alert 5 for sol", "alert_add", {"symbols": ["SOL"], "condition": "cross", "target": 5}),
     ("get rid of the last one", "alert_remove", {"symbols": ["SOL"]})],
    [("alert me when btc hits 2", "alert_add",
      {"symbols": ["BTC"], "condition": "cross", "target": 2}),
     ("cancel it", "alert_remove", {"symbols": ["BTC"]})],
    [("ping me at 3 on eth", "alert_add", {"symbols": ["ETH"], "condition": "cross", "target": 3}),
     ("ditch it", "alert_remove", {"symbols": ["ETH"]})],
    # Turns that do name an existing alert by its id are remembered by that id.
    [("is alert 7 still active?", "alert_list", {}),
     ("remove that alert", "alert_remove", {"alert_id": 7})],
    [("alert #3 status?", "alert_list", {}),
     ("delete it", "alert_remove", {"alert_id": 3})],
    [("alert 6 status?", "alert_list", {}),
     ("delete it", "alert_remove", {"alert_id": 6})],
    # The most recent alert mentioned wins: an id, then a new alert on a coin.
    [("is alert 7 still active?", "alert_list", {}),
     ("alert 3 for eth", "alert_add", {"symbols": ["ETH"], "condition": "cross", "target": 3}),
     ("delete it", "alert_remove", {"symbols": ["ETH"]})],
]


@pytest.mark.parametrize("turns", ALERT_REFERENCES, ids=lambda t: " / ".join(x[0] for x in t))
def test_alert_reference_is_the_most_recent_alert(turns: list[Turn]) -> None:
    _check(turns)


# After a question over a list of coins, "add X" with no amount adds X to the list; with an
# amount it records a buy; with no list before it, it is what it always was.
COMPARE = ("compare sol and avax", "compare", {"symbols": ["SOL", "AVAX"]})
THREE = {"symbols": ["SOL", "AVAX", "DOT"]}
LIST_EXTENSIONS: list[list[Turn]] = [
    [COMPARE, ("add dot too", "compare", THREE)],
    [COMPARE, ("add dot", "compare", THREE)],
    [COMPARE, ("plus dot", "compare", THREE)],
    [COMPARE, ("and dot as well", "compare", THREE)],
    [COMPARE, ("include dot", "compare", THREE)],
    [COMPARE, ("throw in dot", "compare", THREE)],
    [COMPARE, ("add dot and link", "compare", {"symbols": ["SOL", "AVAX", "DOT", "LINK"]})],
    [COMPARE, ("ajoute dot aussi", "compare", THREE)],
    [COMPARE, ("füge dot hinzu", "compare", THREE)],
    [COMPARE, ("añade dot también", "compare", THREE)],
    [COMPARE, ("aggiungi dot", "compare", THREE)],
    [("price of btc and eth", "price", {"symbols": ["BTC", "ETH"]}),
     ("add sol", "price", {"symbols": ["BTC", "ETH", "SOL"]})],
    [("chart btc for a month", "price_history", {"symbols": ["BTC"], "days": 30}),
     ("add eth too", "price_history", {"symbols": ["BTC", "ETH"], "days": 30})],
    [("link vs dot over 90 days", "compare", {"symbols": ["LINK", "DOT"], "days": 90}),
     ("add ada", "compare", {"symbols": ["LINK", "DOT", "ADA"], "days": 90})],
    # An amount (or a price) records a trade, as does naming the portfolio.
    [COMPARE, ("add 2 dot", "portfolio_add", {"symbols": ["DOT"], "amount": 2})],
    [COMPARE, ("add dot at 5", "portfolio_add", {"symbols": ["DOT"], "price": 5})],
    [COMPARE, ("add dot to my portfolio", "portfolio_add", {"symbols": ["DOT"]})],
    # Another intent of its own is not an extension.
    [COMPARE, ("add an alert for dot at 10", "alert_add",
               {"symbols": ["DOT"], "condition": "cross", "target": 10})],
    # No list before it: unchanged.
    [("add dot", "portfolio_add", {"symbols": ["DOT"]})],
    [("show my portfolio", "portfolio_show", {}),
     ("add eth", "portfolio_add", {"symbols": ["ETH"]})],
]


@pytest.mark.parametrize("turns", LIST_EXTENSIONS, ids=lambda t: " / ".join(x[0] for x in t))
def test_add_without_amount_extends_the_list(turns: list[Turn]) -> None:
    _check(turns)


# "which coins <rose/fell> the most": the ranking of movers, the verb giving the direction
# (the contract's movers carries direction, limit and vs_currency only).
MOVERS: list[tuple[str, dict[str, Any]]] = [
    ("which coins pumped hardest in the last 24h", {"direction": "gainers"}),
    ("what coins rallied the most today", {"direction": "gainers"}),
    ("which coins mooned the most", {"direction": "gainers"}),
    ("which coins climbed the most", {"direction": "gainers"}),
    ("which coins are climbing the most today", {"direction": "gainers"}),
    ("which tokens gained the most", {"direction": "gainers"}),
    ("top 5 coins that pumped the most", {"direction": "gainers", "limit": 5}),
    ("which tokens dumped the most this week", {"direction": "losers"}),
    ("which coins crashed hardest", {"direction": "losers"}),
    ("which coins fell the most", {"direction": "losers"}),
    ("what lost the most today", {"direction": "losers"}),
    ("what is falling the hardest right now", {"direction": "losers"}),
    ("welche coins sind am meisten gestiegen", {"direction": "gainers"}),
    ("welche coins sind am meisten gefallen", {"direction": "losers"}),
    ("quelles cryptos ont le plus chuté", {"direction": "losers"}),
    ("que monedas subieron mas", {"direction": "gainers"}),
    ("que monedas cayeron mas", {"direction": "losers"}),
    ("quais moedas mais cairam", {"direction": "losers"}),
    ("quali monete sono salite di più", {"direction": "gainers"}),
    ("quali monete sono scese di più", {"direction": "losers"}),
]


@pytest.mark.parametrize(("text", "entities"), MOVERS, ids=[t for t, _ in MOVERS])
def test_which_coins_moved_most_is_movers(text: str, entities: dict[str, Any]) -> None:
    _check([(text, "movers", entities)])


# A named coin asks how that coin did: its history (or the comparison of the coins named),
# never the ranking, which cannot carry the coin.
NAMED: list[Turn] = [
    ("did btc pump the most this week?", "price_history", {"symbols": ["BTC"], "days": 7}),
    ("did sol or avax rally the most this month", "compare",
     {"symbols": ["SOL", "AVAX"], "days": 30}),
    ("sol or avax, which rallied more this month", "compare",
     {"symbols": ["SOL", "AVAX"], "days": 30}),
    ("top gainers", "movers", {"direction": "gainers"}),
]


@pytest.mark.parametrize("turn", NAMED, ids=[t[0] for t in NAMED])
def test_a_named_coin_is_not_the_ranking(turn: Turn) -> None:
    _check([turn])
