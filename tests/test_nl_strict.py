"""Parse output is strict JSON for any input, and the parser itself never raises.

The Conversation wraps the parser in a catch-all (`except Exception` in
Conversation.parse) so the REPL survives a bug; these tests call nl.parser.parse directly,
so any exception that the catch-all would have hidden fails here.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobius_cli.nl import INTENT_KEYS, Conversation
from mobius_cli.nl.context import State
from mobius_cli.nl.parser import parse

ROOT = Path(__file__).resolve().parent
DEV = Path("/work/shared/nlu/dev.jsonl")
SETS = [p for p in (DEV, ROOT / "nlu" / "unseen.jsonl", ROOT / "nlu" / "dev_build.jsonl",
                    ROOT / "nlu" / "dev_check.jsonl") if p.exists()]
HUGE = "9" * 400


def _refuse(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def strict(obj: dict) -> dict:
    """Round-trip through JSON refusing Infinity and NaN, as the scorer does."""
    text = json.dumps(obj, allow_nan=False, ensure_ascii=False)
    return json.loads(text, parse_constant=_refuse)


def _turns(path: Path) -> list[list[str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            case = json.loads(line)
            out.append([t["text"] for t in case.get("turns", [case])])
    return out


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_labelled_sets_never_reach_the_catch_all(path: Path) -> None:
    for turns in _turns(path):
        state = State()
        for text in turns:
            result = parse(text, state)  # raises if the parser has a bug
            out = strict(result.to_dict())
            assert out["intent"] in INTENT_KEYS
            assert set(out["entities"]) <= INTENT_KEYS[out["intent"]]


TEMPLATES = [
    "buy {n} btc", "bought {n} eth at {n}", "alert me if btc drops below {n}",
    "convert {n} eth to usd", "{n} sats in usd", "top {n} coins", "dca {n} into btc weekly",
    "delete alert {n}", "alert #{n}", "pools above {n}%", "btc chart last {n} days",
    "sell {n} sol", "notify me if eth moves {n}%", "{n}k usdt -> sol", "{n} mil dolares en btc",
    "{n} tausend euro in bitcoin", "${n}", "{n}e308 btc", "-{n} eth", "{n}.{n} btc to eur",
]


@pytest.mark.parametrize("template", TEMPLATES)
def test_400_digit_numbers_are_not_stated(template: str) -> None:
    text = template.format(n=HUGE)
    state = State()
    result = strict(parse(text, state).to_dict())
    for value in result["entities"].values():
        if isinstance(value, float):
            assert math.isfinite(value)
    again = strict(Conversation().parse(text).to_dict())  # same through the public face
    assert again["intent"] == result["intent"]


NUMBERS = st.one_of(
    st.integers(min_value=0, max_value=10**400).map(str),
    st.floats(allow_nan=False, allow_infinity=False, min_value=0).map(repr),
    st.sampled_from([HUGE, HUGE + "k", "1e999", "." + HUGE, HUGE + "%", "$" + HUGE]),
)
WORDS = st.sampled_from(["btc", "eth", "sats", "price", "alert", "if", "below", "at", "k", "m",
                         "mil", "mille", "tausend", "million", "and", "?", "tvl", "on", "in",
                         "eur", "last", "days", "weekly", "delete", "#", "%", "vs", "top",
                         "ATH", "RN", "pengu", "drift", "lido", "stake", "it", "that"])
SENTENCES = st.lists(st.one_of(NUMBERS, WORDS), min_size=1, max_size=12).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(SENTENCES, st.text(max_size=80)), min_size=1, max_size=4))
def test_any_conversation_is_strict_json_without_the_catch_all(texts: list[str]) -> None:
    state = State()
    for text in texts:
        out = strict(parse(text, state).to_dict())
        assert out["text"] == text
        assert 0 <= out["confidence"] <= 1
        assert set(out["entities"]) <= INTENT_KEYS[out["intent"]]


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=" \t\u00a0\u2003\r",
               max_size=20))
def test_whitespace_only_is_empty(text: str) -> None:
    assert parse(text).intent == "unknown"
    assert parse(text).entities == {}
