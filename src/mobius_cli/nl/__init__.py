"""Natural-language understanding: sentences to intents and entities (pure, no I/O)."""

from __future__ import annotations

from mobius_cli.nl.conversation import Conversation, parse_text
from mobius_cli.nl.parser import INTENT_KEYS, ParseResult

__all__ = ["INTENT_KEYS", "Conversation", "ParseResult", "parse_text"]
