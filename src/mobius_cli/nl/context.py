"""Conversation context: follow-ups ("and ETH?", "in euros?", "chart it") lean on earlier turns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mobius_cli.core import registry
from mobius_cli.nl import intents, langs, slots
from mobius_cli.nl.entities import Scan, find_days

# Words that open a follow-up, from every language file ("and", "what about", "y", "und").
FOLLOW_UP = re.compile(r"^ (?:" + "|".join(re.escape(w) for w in langs.follow_up_openers())
                       + r")\b")
# ...or that end saying so ("sol too", "eth as well", "monthly instead", "eth también").
FOLLOW_UP_END = re.compile(r" (?:" + langs.alternation("follow_up_end") + r") \W*$")
# Words that widen a question to everything: no earlier chain, protocol or coin applies.
_WHOLE = re.compile(langs.expand(r" (?:total|overall|all|whole|entire|global|<<whole_words>>) "))
PRONOUN = re.compile(r" (?:it|its|those|them|that|this|these|same|one) ")

def _forget_last() -> re.Pattern[str]:
    verbs = "|".join(re.escape(v) for v in sorted(langs.remove_verbs(), key=len, reverse=True))
    return re.compile(rf" (?:{verbs}) (?:that|it|this|the last(?: one)?|last one|that one"
                      r"|the latest|the previous one|the most recent(?: one)?)"
                      r"(?: alert| alarm)? ")


# "delete it", "ditch that", "remove the last one": the one shared list of remove verbs.
FORGET_LAST = _forget_last()
_IT_WITH = re.compile(r" (?:it|that|this|them|those) (?:with|to|against|vs|and|next to) ")
# "add dot too", "plus link", "include ada", "ajoute dot" (the language files' extend words);
# words that say the coins are the user's own holdings ("add dot to my portfolio").
_EXTEND = re.compile(r" (?:" + langs.alternation("extend_words") + r") ")
_HOLDINGS = re.compile(r" (?:" + langs.alternation("holding_nouns") + r") ")
# Intents whose symbols are a list that an "add X" with no amount extends.
LIST_INTENTS = frozenset({"compare", "price", "price_history"})
# Intents whose turns may take the previous turn's symbols when they name none.
SYMBOL_INTENTS = frozenset({"price", "coin_info", "price_history", "technical_analysis",
                            "alert_add", "portfolio_add", "portfolio_remove", "dca", "compare"})
_QUOTE_CUES = frozenset({"in", "into", *langs.words("quote_cues")})
# Keys that a bare new name replaces in a follow-up, by what the name is.
_PLACE_INTENTS = frozenset({"gas", "tvl", "defi_protocols", "yields"})


@dataclass
class State:
    """What earlier turns of one conversation said."""

    intent: str | None = None
    entities: dict[str, Any] = field(default_factory=dict)
    last_alert: dict[str, Any] = field(default_factory=dict)

    def remember(self, intent: str, entities: dict[str, Any]) -> None:
        """Record a turn (small talk and unknown turns leave the context alone)."""
        if intent in ("smalltalk", "unknown", "help"):
            return
        self.intent, self.entities = intent, dict(entities)
        if intent == "alert_add" and entities.get("symbols"):
            self.last_alert = {"symbols": entities["symbols"]}
        elif intent == "alert_remove":
            self.last_alert = {}

    def note_alert(self, alert_id: int | None) -> None:
        """An alert named by its id in any alert turn ("is alert 7 still active?")."""
        if alert_id is not None:
            self.last_alert = {"alert_id": alert_id}

    def reset(self) -> None:
        """Forget everything."""
        self.intent, self.entities, self.last_alert = None, {}, {}


def _follows_on(shape: str) -> bool:
    """Whether a turn says it follows on from the one before ("and eth?", "sol too")."""
    return FOLLOW_UP.search(shape) is not None or FOLLOW_UP_END.search(shape) is not None


def _names_only(scan: Scan) -> bool:
    """Whether the turn has no intent cue of its own (only names and filler)."""
    return max(intents.score(scan).values(), default=0) < 2


def _carry(scan: Scan, state: State, entities: dict[str, Any]) -> dict[str, Any]:
    """The previous turn's entities with what this turn names put in its place."""
    prev = state.intent or "unknown"
    merged = dict(state.entities)
    if prev in _PLACE_INTENTS:
        for m in scan.mentions:
            if m.protocol and not m.tickerish and prev in ("tvl", "yields"):
                merged["protocol"] = m.protocol
                merged.pop("chain", None) if prev == "tvl" else None
            elif m.chain:
                merged["chain"] = m.chain
                merged.pop("protocol", None) if prev == "tvl" else None
            elif m.coin and prev == "yields":
                merged["symbols"] = [m.coin]
    elif prev == "defi_compare":
        named = slots.build("defi_compare", scan)
        if len(named.get("protocols", [])) == 1:  # "and lido?": one more side, not a lone one
            named["protocols"] = list(dict.fromkeys([*merged.get("protocols", []),
                                                     *named["protocols"]]))
        merged.update(named)
    elif prev == "convert":
        coins = [m.currency for m in scan.mentions if m.currency]
        if coins:
            merged["from"] = coins[0]
        amount = slots.build("convert", scan).get("amount")
        if amount is not None:  # "and 5 sol?": the new amount, not the last one
            merged["amount"] = amount
    else:
        new = slots.build(prev, scan)
        symbols = slots.symbols_of([m for m in scan.mentions if m.coin])
        if symbols and prev == "compare" and len(symbols) == 1:
            symbols = list(dict.fromkeys([*merged.get("symbols", []), *symbols]))  # "and sol?"
        if symbols:
            new["symbols"] = symbols
        if symbols and symbols != merged.get("symbols"):
            # A price belongs to its coin: "and btc?" after "add 0.1 eth at 2000" does not
            # buy BTC at $2,000, nor does it watch BTC for ETH's target.
            if prev in ("portfolio_add", "portfolio_remove") and "price" not in new:
                merged.pop("price", None)
            if prev == "alert_add" and "target" not in new and merged.get("condition") in (
                    "above", "below", "cross"):
                merged.pop("target", None)
        merged.update(new)
    merged.update({k: v for k, v in entities.items() if k == "direction"})
    return merged


def _fits(scan: Scan, state: State, entities: dict[str, Any]) -> bool:
    """Whether the coins a names-only turn gives are something the previous intent takes.

    A follow-up inherits only where the previous intent takes what it names: "eth" after
    "show my portfolio" (which takes no coin) is a new question about ETH, not the portfolio
    again. What the turn alone would give the previous intent decides; a turn that names no
    coin ("in euros?", "on arbitrum") is left to the usual rules.
    """
    if not any(m.coin for m in scan.mentions):
        return True
    prev = state.intent or "unknown"
    alone = _carry(scan, State(prev), entities)
    return bool(registry.clean(prev, alone))


def _extend_list(scan: Scan, intent: str, state: State) -> dict[str, Any] | None:
    """The previous list question with more coins: "compare sol and avax" → "add dot too".

    An "add" with coins and no amount right after an intent that takes a list of symbols
    adds them to the list; with an amount ("add 2 dot") it records a buy, and a turn that
    names the holdings ("add dot to my portfolio") or has its own other intent is left alone.
    """
    prev_symbols = state.entities.get("symbols")
    if state.intent not in LIST_INTENTS or not prev_symbols or not _EXTEND.search(scan.shape):
        return None
    if intent not in ("portfolio_add", "unknown", "price", state.intent):
        return None
    if any(t.kind == "num" for t in scan.tokens) or _HOLDINGS.search(scan.shape):
        return None
    if any(not m.coin for m in scan.mentions):
        return None  # a chain, protocol or currency: not a coin for the list
    named = slots.symbols_of(list(scan.mentions))
    if not named:
        return None
    return dict(state.entities, symbols=list(dict.fromkeys([*prev_symbols, *named])))


def resolve(scan: Scan, verdict: intents.Verdict, entities: dict[str, Any],
            state: State) -> tuple[str, dict[str, Any], float]:
    """Apply the conversation to one turn: its final intent, entities and confidence."""
    intent, confidence = verdict.intent, verdict.confidence
    if state.intent is None:
        return intent, entities, confidence
    shape = scan.shape
    own = not _names_only(scan)
    # Only a currency to quote in: "in euros?", "how about in btc", "en yenes".
    fiat_only = bool(scan.mentions) and all(
        (m.fiat and not m.coin) or scan.prev_word(m.start) in _QUOTE_CUES for m in scan.mentions)

    named_alert = slots.alert_id(scan)
    if state.intent == "alert_remove" and named_alert is not None and _follows_on(shape) \
            and not any(m.coin for m in scan.mentions) and intent in ("alert_add", "alert_list",
                                                                      "alert_remove"):
        return "alert_remove", {"alert_id": named_alert}, 0.75  # "and alert 5"
    extended = _extend_list(scan, intent, state)
    if extended is not None:
        return str(state.intent), extended, 0.8
    if FORGET_LAST.search(shape) and not any(m.coin for m in scan.mentions) and (
            state.last_alert or named_alert is not None):
        # "alert 9, delete it": the alert this turn names, else the last one mentioned
        named = {"alert_id": named_alert} if named_alert is not None else state.last_alert
        return "alert_remove", dict(named), 0.75
    if fiat_only and not own and state.intent in ("portfolio_add", "portfolio_remove"):
        # "in euros?" after recording a trade asks to see the portfolio in euros, never to
        # record the trade again.
        code = next((m.fiat or m.coin or "").lower() for m in scan.mentions)
        kept = {k: v for k, v in state.entities.items() if k == "portfolio"}
        return "portfolio_show", dict(kept, vs_currency=code), 0.75
    if fiat_only and not own and (state.intent == "convert" or "vs_currency" in
                                  registry.allowed(state.intent)):
        code = next((m.fiat or m.coin or "").lower() for m in scan.mentions)
        merged = dict(state.entities)
        if state.intent == "convert":
            merged["to"] = (code or "").upper()
        else:
            merged["vs_currency"] = code
        return state.intent, merged, 0.8
    # A short turn of names leans on the one before ("eth?"); after a trade or an alert it
    # must say it follows on ("and doge?"): "dump all my doge" is not "sell 2 doge".
    changed = state.intent in registry.INTENTS and registry.INTENTS[state.intent].changes_data
    if not own and scan.mentions and (_follows_on(shape) or (
            len(scan.tokens) <= 4 and not changed)) and _fits(scan, state, entities):
        return state.intent, _carry(scan, state, entities), 0.8
    if not own and not scan.mentions and _follows_on(shape) and state.intent == "movers":
        direction = slots.build("movers", scan).get("direction")  # "and the best?"
        if direction:
            return "movers", dict(state.entities, direction=direction), 0.75
    takes_days = state.intent == "price" or "days" in registry.allowed(state.intent)
    if not own and not scan.mentions and takes_days and (
            _follows_on(shape) or len(scan.tokens) <= 5):
        days = find_days(scan)  # "and over a year?": the same question over a new period
        if days is not None:
            prev = "price_history" if state.intent == "price" else state.intent
            keys = registry.allowed(prev)
            merged = {k: v for k, v in state.entities.items() if k in keys}
            return prev, dict(merged, days=days), 0.75
    if own and _follows_on(shape) and intent == state.intent and intent in (
            "movers", "gas", "tvl", "defi_protocols", "yields", "dca", "price_history",
            "technical_analysis"):
        merged = dict(state.entities)
        merged.update(entities)
        return intent, merged, confidence
    if own and intent == state.intent and not scan.mentions and len(scan.tokens) <= 4 \
            and not entities and not _WHOLE.search(shape):
        # "in gwei?" after "eth gas": the same question, same places ("total defi tvl"
        # after "tvl on arbitrum" asks for all of it)
        return intent, dict(state.entities), confidence
    if intent == "alert_remove" and not entities and state.last_alert:
        return intent, dict(state.last_alert), confidence
    if intent == "compare" and PRONOUN.search(shape) and state.entities.get("symbols"):
        named = list(entities.get("symbols", []))
        # "compare it with X (and Y)", "put it side by side with NEAR"
        if len(named) < 2 or _IT_WITH.search(shape):
            merged_syms = list(dict.fromkeys([*state.entities["symbols"], *named]))
            return intent, dict(entities, symbols=merged_syms), confidence
    lacks_symbols = intent in SYMBOL_INTENTS and "symbols" not in entities
    if lacks_symbols and state.entities.get("symbols") and (
            PRONOUN.search(shape) or intent != "price" or len(scan.tokens) <= 4):
        entities = dict(entities, symbols=list(state.entities["symbols"]))
    return intent, entities, confidence
