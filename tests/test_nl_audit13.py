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
