"""The rule parser: a sentence (and the conversation so far) to an intent and entities."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mobius_cli.core import registry
from mobius_cli.nl import context, intents, slots
from mobius_cli.nl.entities import Scan, find_days, scan_tokens
from mobius_cli.nl.numbers import UNIT_DAYS
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
    # What the sentence states that the intent cannot carry ("bitcoin price yesterday":
    # {"days": 1}; "how did btc do in 2021": {"year": 2021}; "gas in euros":
    # {"vs_currency": "eur"}), so that the answer can say in one line that it is not honoured.
    # Not part of the contract's JSON.
    unhonoured: dict[str, Any] = field(default_factory=dict)

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
    unhonoured = stated_elsewhere(intent, scan, entities)
    entities = clean_entities(intent, entities)
    if state is not None:
        state.remember(intent, entities)
        if intent.startswith("alert_") and intent != "alert_remove":
            state.note_alert(_existing_alert(intent, scan, entities))
    return ParseResult(text, intent, confidence, entities, unhonoured)


def _existing_alert(intent: str, scan: Scan, entities: dict[str, Any]) -> int | None:
    """The id of an existing alert the turn refers to ("is alert 7 still active?"), or None.

    A number that became the new alert's target ("alert 3 for eth" watches ETH at 3) names
    no existing alert: "delete it" next removes the alert just added, by its symbols.
    """
    found = slots.alert_id(scan)
    if found is None or (intent == "alert_add" and entities.get("target") == found):
        return None
    return found


_YEAR_CUES = frozenset({"in", "since", "during", "from", "for", "of", "en", "em", "im", "desde",
                        "depuis", "seit", "durante", "pendant", "year", "ano", "annee", "jahr"})


# Words that can state a period; a sentence without any (or a number) states none.
_PERIOD_WORDS = frozenset(UNIT_DAYS) | frozenset({
    "today", "yesterday", "ytd", "fortnight", "time", "max", "maximum", "hoy", "heute",
    "hoje", "oggi", "aujourd", "hui", "ayer", "hier", "gestern", "ontem", "ieri", "mes",
    "mois", "monat", "ano", "annee", "jahr", "anno", "semana", "semaine", "woche", "since",
    "launch", "inception", "history"})
_YESTERDAY = frozenset({"yesterday", "ayer", "hier", "gestern", "ontem", "ieri"})


def stated_elsewhere(intent: str, scan: Scan, entities: dict[str, Any]) -> dict[str, Any]:
    """A period, a calendar year or a quote currency the sentence states but `intent` lacks."""
    if intent in registry.CONVERSATIONAL:
        return {}
    keys = INTENT_KEYS.get(intent, frozenset())
    out: dict[str, Any] = {}
    for i, tok in enumerate(scan.tokens):
        value = tok.value or 0.0
        if (tok.kind == "num" and not tok.pct and not tok.cur and value.is_integer()
                and 2009 <= value <= 2100 and scan.prev_word(i) in _YEAR_CUES):
            out["year"] = int(value)  # no command takes a calendar year
            break
    if "days" not in keys and "days" not in entities and any(
            t.kind in ("num", "period") or t.text in _PERIOD_WORDS for t in scan.tokens):
        used = set(scan.used)
        days = find_days(scan)
        scan.used = used
        past = any(t.text in _YESTERDAY for t in scan.tokens)
        # "today" / "24h" is what a quote, a mover list or a gas reading already answers.
        if days is not None and "year" not in out and (days != 1 or past):
            out["days"] = days
    if "vs_currency" not in keys and intent != "convert" and "vs_currency" not in entities:
        vs = slots.quote_fiat(scan) or slots.fiat_after_number(scan)
        if vs:
            out["vs_currency"] = vs
    return out
