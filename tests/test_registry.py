"""The intent registry against the contract (nl-commands.md), and what is derived from it."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import jsonschema
import pytest

from mobius_cli.core import registry
from mobius_cli.dispatch import _plan
from mobius_cli.nl import ParseResult

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "nl-commands.md"
DEV = SPEC.parents[1] / "nlu" / "dev.jsonl"
# JSON types of the contract's entity table, read independently of the registry.
CONTRACT_TYPES = {"list of strings": "array", "string": "string", "number": "number",
                  "integer": "integer", "boolean": "boolean"}


def _rows(section: str) -> list[list[str]]:
    """The cells of the first table after a heading of the contract."""
    text = SPEC.read_text().split(section, 1)[1]
    table = re.search(r"((?:^\|.*\|\n)+)", text, re.M).group(1)
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in table.splitlines()]
    return rows[2:]  # past the header and its rule


def contract_tables() -> tuple[dict[str, set[str]], dict[str, str]]:
    """Intent -> entity keys, and entity -> type, read from the contract's two tables."""
    intents = {row[0].strip("`"): {k.strip() for k in row[2].split(",") if k.strip() != "—"}
               for row in _rows("## Intents")}
    types: dict[str, str] = {}
    for row in _rows("## Entities and their normal form"):
        for name in re.findall(r"`(\w+)`", row[0]):
            types[name] = row[1]
    return intents, types


def test_the_registry_declares_exactly_the_contracts_intents_and_entities():
    intents, _types = contract_tables()
    assert len(intents) == 27
    assert {name: set(spec.entities) for name, spec in registry.INTENTS.items()} == intents


def test_entity_types_follow_the_contract():
    _intents, types = contract_tables()
    for name, entity in registry.ENTITIES.items():
        kind = types[name]
        schema = entity.schema
        if kind.startswith("integer or"):  # days: an integer or "max"
            assert {s["type"] for s in schema["anyOf"]} == {"integer", "string"}
            continue
        assert schema["type"] == CONTRACT_TYPES[kind], name
        if schema["type"] == "array":
            assert schema["items"]["type"] == "string"


def test_tool_schemas_are_valid_json_schemas_one_per_askable_intent():
    tools = registry.tool_schemas()
    names = [t["function"]["name"] for t in tools]
    assert sorted(names) == sorted(set(registry.INTENTS) - {"help", "smalltalk", "unknown"})
    for tool in tools:
        assert tool["type"] == "function"
        parameters = tool["function"]["parameters"]
        jsonschema.Draft202012Validator.check_schema(parameters)
        assert parameters["additionalProperties"] is False
        assert set(parameters["required"]) <= set(parameters["properties"])
        assert "x-case" not in json.dumps(parameters)
        json.dumps(tool, allow_nan=False)  # strict JSON


def _dev_cases():
    for line in DEV.read_text().splitlines():
        case = json.loads(line)
        for turn in case.get("turns", [case]):
            yield turn["text"], turn["intent"], turn["entities"]


def test_every_labelled_sentence_is_a_valid_call_of_its_tool():
    """The dev set's labels, written by hand to the contract, validate against the tools."""
    tools = {t["function"]["name"]: t["function"]["parameters"]
             for t in registry.tool_schemas()}
    checked = 0
    for text, intent, entities in _dev_cases():
        if intent not in tools:
            continue
        schema = dict(tools[intent], required=[])  # a label may leave a needed entity out
        jsonschema.validate(entities, schema)
        assert registry.validate(intent, entities) == entities, text
        checked += 1
    assert checked > 200


@pytest.mark.parametrize(("intent", "arguments", "reason"), [
    ("price", {"symbols": "BTC"}, "symbols: expected a non-empty list"),
    ("price", {"symbols": []}, "symbols: expected a non-empty list"),
    ("price", {"symbols": ["BTC"], "chain": "base"}, "chain: not an entity of price"),
    ("alert_add", {"symbols": ["ETH"], "condition": "sideways", "target": 1},
     "condition: 'sideways' is not one of above, below"),
    ("alert_add", {"symbols": ["ETH"], "condition": "below", "target": -5},
     "target: must be more than 0"),
    ("price_history", {"symbols": ["ETH"], "days": 2.5}, "days: 2.5 is not a whole number or"),
    ("movers", {"limit": True}, "limit: expected a number"),
    ("yields", {"min_apy": float("inf")}, "min_apy: expected a finite number"),
    ("launch_rocket", {}, "no such intent"),
])
def test_validate_refuses_bad_calls_and_says_why(intent, arguments, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        registry.validate(intent, arguments)


def test_validate_normalises_like_the_parser():
    assert registry.validate("price", {"symbols": ["btc", "eth", "btc"], "vs_currency": "EUR"}) \
        == {"symbols": ["BTC", "ETH"], "vs_currency": "eur"}
    assert registry.validate("tvl", {"protocol": "Rocket Pool"}) == {"protocol": "rocket-pool"}
    assert registry.validate("price_history", {"symbols": ["SOL"], "days": "MAX"}) == \
        {"symbols": ["SOL"], "days": "max"}


# One sentence's entities per intent, for dispatch.
SAMPLES = {
    "price": {"symbols": ["BTC"], "vs_currency": "eur"},
    "convert": {"amount": 2.5, "from": "ETH", "to": "USD"},
    "market_overview": {"limit": 5},
    "coin_info": {"symbols": ["LINK"]},
    "price_history": {"symbols": ["SOL"], "days": 7},
    "compare": {"symbols": ["BTC", "ETH"], "days": 90},
    "movers": {"direction": "losers", "limit": 3},
    "technical_analysis": {"symbols": ["BTC"]},
    "gas": {"chain": "arbitrum"},
    "tvl": {"protocol": "aave"},
    "defi_protocols": {"category": "lending"},
    "yields": {"chain": "arbitrum", "stablecoin": True},
    "defi_compare": {"protocols": ["aave", "compound"]},
    "dca": {"symbols": ["BTC"], "amount": 50, "interval_days": 7, "days": 365},
    "portfolio_add": {"symbols": ["BTC"], "amount": 0.5, "price": 60000},
    "portfolio_remove": {"symbols": ["ETH"], "amount": 2},
    "alert_add": {"symbols": ["ETH"], "condition": "below", "target": 2500},
    "alert_remove": {"alert_id": 3},
}


@pytest.mark.parametrize("intent", sorted(set(registry.INTENTS) - registry.CONVERSATIONAL))
def test_dispatch_of_every_intent_comes_from_its_registry_entry(intent):
    spec = registry.INTENTS[intent]
    action = _plan(ParseResult("x", intent, 0.9, SAMPLES.get(intent, {})), wants_chart=False,
                   repl=False)
    if spec.build is None:
        assert action.run is None and action.exit_code == 2
        assert f"`mobius {spec.command}` is not built" in (action.message or "")
        return
    assert action.argv[:len(spec.command.split())] == spec.command.split()
    call = spec.build(registry.clean(intent, SAMPLES.get(intent, {})), registry.Options())
    module, _, name = call.target.partition(":")
    assert callable(getattr(importlib.import_module(module), name))
    assert action.changes_data == spec.changes_data


@pytest.mark.parametrize("intent", [i.name for i in registry.INTENTS.values()
                                    if i.required and i.build is not None])
def test_an_intent_missing_what_it_needs_says_what_and_runs_nothing(intent):
    action = _plan(ParseResult("x", intent, 0.9, {}), wants_chart=False, repl=False)
    spec = registry.INTENTS[intent]
    assert action.run is None and action.exit_code == 2
    assert f"I need {spec.need}" in (action.message or "")


def test_help_and_completion_are_derived_from_built_intents():
    from mobius_cli.dispatch import help_text

    text = help_text()
    for spec in registry.built():
        if spec.examples:
            assert spec.examples[0] in text
    assert max(map(len, text.splitlines())) <= 80
    words = registry.completion_words()
    assert "price" in words and "compare" in words
