"""What a sentence states that its intent cannot carry is kept aside (ParseResult.unhonoured),
so the answer can say so in one line instead of dropping it; the contract JSON is unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from mobius_cli.nl import parse_text


@pytest.mark.parametrize(("text", "intent", "unhonoured"), [
    ("bitcoin price yesterday", "price", {"days": 1}),
    ("how did btc do in 2021", "price_history", {"year": 2021}),
    ("worst performers this week", "movers", {"days": 7}),
    ("gas on arbitrum in euros", "gas", {"vs_currency": "eur"}),
    ("btc price today", "price", {}),
    ("top gainers today", "movers", {}),
    ("btc chart 30d", "price_history", {}),
    ("alert me if btc drops below 2021", "alert_add", {}),
    ("hello", "smalltalk", {}),
])
def test_unhonoured(text: str, intent: str, unhonoured: dict[str, Any]) -> None:
    result = parse_text(text)
    assert result.intent == intent
    assert result.unhonoured == unhonoured
    assert "unhonoured" not in result.to_dict()
