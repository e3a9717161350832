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
])
def test_one_sentence(text, intent, entities):
    result = Conversation().parse(text)
    assert (result.intent, result.entities) == (intent, entities)


def test_a_widening_word_drops_the_last_place():
    conv = Conversation()
    assert conv.parse("tvl on arbitrum").entities == {"chain": "arbitrum"}
    assert (conv.parse("total defi tvl").entities, conv.parse("and optimism?").entities) == \
        ({}, {"chain": "optimism"})
