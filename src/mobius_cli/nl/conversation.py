"""The public face of the parser: a Conversation that remembers, and a one-shot parse."""

from __future__ import annotations

from mobius_cli.nl.context import State
from mobius_cli.nl.parser import ParseResult, parse


class Conversation:
    """A run of turns where later sentences may lean on earlier ones."""

    def __init__(self) -> None:
        self.state = State()

    def parse(self, text: str) -> ParseResult:
        """Parse one turn, using and updating the context."""
        try:
            return parse(text, self.state)
        except Exception:  # the parser must never take the REPL down
            self.state.reset()
            return ParseResult(str(text), "unknown", 0.1, {})

    def reset(self) -> None:
        """Forget the context."""
        self.state.reset()


def parse_text(text: str) -> ParseResult:
    """Parse one sentence on its own (no context)."""
    return Conversation().parse(text)
