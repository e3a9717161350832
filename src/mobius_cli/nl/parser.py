"""The rule parser: a sentence (and the conversation so far) to an intent and entities."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mobius_cli.core import registry
from mobius_cli.nl import context, intents, slots
from mobius_cli.nl.entities import scan_tokens
from mobius_cli.nl.text import MAX_CHARS, tokenize

# The entities each intent may carry, from the registry (nl-commands.md).
INTENT_KEYS: dict[str, frozenset[str]] = {name: frozenset(spec.entities)
                                          for name, spec in registry.INTENTS.items()}
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
    """Only the keys the contract allows for `intent`, never empty, null or ill-typed."""
    return registry.clean(intent, entities)


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
        if intent.startswith("alert_") and intent != "alert_remove":
            state.note_alert(slots.alert_id(scan))
    return ParseResult(text, intent, confidence, entities)
