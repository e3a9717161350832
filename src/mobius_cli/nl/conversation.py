"""The public face of the parser: a Conversation that remembers, and a one-shot parse."""

from __future__ import annotations

from mobius_cli.nl.context import State
from mobius_cli.nl.parser import ParseResult, parse


class Conversation:
    """A run of turns where later sentences may lean on earlier ones."""

    HISTORY_TURNS = 6  # what an LLM is shown of the conversation so far

    def __init__(self) -> None:
        self.state = State()
        self._turns: list[ParseResult] = []
        # The last change made in this conversation: (the sentence, the command's argv).
        self.last_change: tuple[str, list[str]] | None = None
        # The alert this conversation added last, (id, symbol): what "delete it" means.
        self.last_alert: tuple[int, str] | None = None

    def parse(self, text: str) -> ParseResult:
        """Parse one turn, using and updating the context."""
        try:
            result = parse(text, self.state)
        except Exception:  # the parser must never take the REPL down
            self.state.reset()
            result = ParseResult(str(text), "unknown", 0.1, {})
        self._turns = [*self._turns, result][-self.HISTORY_TURNS:]
        return result

    def adopt(self, result: ParseResult) -> None:
        """Take another reading of the last turn (the LLM's) as what it meant."""
        self.state.remember(result.intent, result.entities)
        if self._turns:
            self._turns[-1] = result

    @property
    def history(self) -> list[tuple[str, str]]:
        """Earlier turns as (sentence, what it was understood as): the user's words and
        the contract's JSON only, never data from an API."""
        import json

        return [(t.text, json.dumps({"intent": t.intent, "entities": t.entities}))
                for t in self._turns[:-1]]

    def reset(self) -> None:
        """Forget the context."""
        self.state.reset()
        self._turns = []


def parse_text(text: str) -> ParseResult:
    """Parse one sentence on its own (no context)."""
    return Conversation().parse(text)
