"""The rule parser: a sentence (and the conversation so far) to an intent and entities."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mobius_cli.nl import context, intents, slots
from mobius_cli.nl.entities import scan_tokens
from mobius_cli.nl.text import MAX_CHARS, tokenize

INTENT_KEYS: dict[str, frozenset[str]] = {
    "price": frozenset({"symbols", "vs_currency"}),
    "convert": frozenset({"amount", "from", "to"}),
    "market_overview": frozenset({"limit"}),
    "coin_info": frozenset({"symbols"}),
    "price_history": frozenset({"symbols", "days"}),
    "compare": frozenset({"symbols", "days"}),
    "trending": frozenset(),
    "movers": frozenset({"direction", "limit"}),
    "fear_greed": frozenset(),
    "technical_analysis": frozenset({"symbols", "indicator"}),
    "gas": frozenset({"chain"}),
    "tvl": frozenset({"protocol", "chain"}),
    "defi_protocols": frozenset({"chain", "category", "limit"}),
    "yields": frozenset({"symbols", "chain", "protocol", "min_apy", "stablecoin"}),
    "defi_compare": frozenset({"protocols"}),
    "dca": frozenset({"symbols", "amount", "interval_days", "days"}),
    "portfolio_show": frozenset(),
    "portfolio_add": frozenset({"symbols", "amount", "price"}),
    "portfolio_remove": frozenset({"symbols", "amount", "price"}),
    "portfolio_risk": frozenset(),
    "portfolio_optimize": frozenset(),
    "alert_add": frozenset({"symbols", "condition", "target"}),
    "alert_list": frozenset(),
    "alert_remove": frozenset({"alert_id", "symbols", "all"}),
    "help": frozenset(),
    "smalltalk": frozenset(),
    "unknown": frozenset(),
}
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass
class ParseResult:
    """What a sentence means: intent, confidence (0..1) and entities in normal form."""

    text: str
    intent: str
    confidence: float
    entities: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract object."""
        return {"text": self.text, "intent": self.intent, "confidence": self.confidence,
                "entities": dict(self.entities)}


def clean_entities(intent: str, entities: dict[str, Any]) -> dict[str, Any]:
    """Only the keys the contract allows for `intent`, never empty or null."""
    allowed = INTENT_KEYS.get(intent, frozenset())
    return {k: v for k, v in entities.items() if k in allowed and v not in (None, [], "")}


def parse(text: str, state: context.State | None = None) -> ParseResult:
    """Parse one sentence; `state` (updated in place) carries the conversation."""
    if not isinstance(text, str):
        text = str(text)
    cleaned = _CONTROL_RE.sub(" ", text[:MAX_CHARS])
    scan = scan_tokens(tokenize(cleaned))
    verdict = intents.decide(scan)
    entities = slots.build(verdict.intent, scan)
    intent, confidence = verdict.intent, verdict.confidence
    if state is not None:
        intent, entities, confidence = context.resolve(scan, verdict, entities, state)
    entities = clean_entities(intent, entities)
    if state is not None:
        state.remember(intent, entities)
    return ParseResult(text, intent, confidence, entities)
