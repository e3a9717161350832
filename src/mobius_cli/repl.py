"""The interactive REPL: the only module that imports prompt_toolkit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import WordCompleter
from prompt_toolkit.history import FileHistory, InMemoryHistory

from mobius_cli.errors import MobiusError

if TYPE_CHECKING:
    from mobius_cli.context import AppContext

SLASH_COMMANDS = ["/help", "/json", "/vs", "/clear", "/exit", "/quit"]
COMMAND_WORDS = ["price", "chart", "history", "compare", "convert", "market", "top",
                 "trending", "gainers", "losers", "fear", "greed", "what", "is", "in", "and",
                 "vs", "days", "week", "month", "year"]
PROMPT = "mobius› "


def _completer() -> WordCompleter:
    from mobius_cli.nl.vocab import completion_words

    words = list(dict.fromkeys(SLASH_COMMANDS + COMMAND_WORDS + completion_words()))
    # WORD: whitespace-separated, so "/j" completes to "/json".
    return WordCompleter(words, ignore_case=True, WORD=True)


class Repl:
    """One session: a conversation, the app context, and slash commands."""

    def __init__(self, app: AppContext, session: PromptSession[str]):
        from mobius_cli.nl import Conversation

        self.app = app
        self.session = session
        self.conversation = Conversation()

    def slash(self, line: str) -> bool:
        """Handle a /command; False means leave."""
        from mobius_cli.dispatch import HELP_TEXT

        name, _, arg = line.partition(" ")
        arg = arg.strip().lower()
        out = self.app.out
        if name in ("/exit", "/quit"):
            return False
        if name == "/help":
            out.print(HELP_TEXT, markup=False, highlight=False)
        elif name == "/json":
            if arg not in ("on", "off", ""):
                out.print("usage: /json on|off", markup=False)
            else:
                self.app.json = (arg == "on") if arg else not self.app.json
                out.print(f"JSON output {'on' if self.app.json else 'off'}", markup=False)
        elif name == "/vs":
            from mobius_cli.settings import parse_value

            try:
                self.app.vs = parse_value("vs_currency", arg) if arg else None
                out.print(f"prices in {self.app.vs_currency.upper()}", markup=False)
            except MobiusError as exc:
                out.print(f"error: {exc.message}", markup=False)
        elif name == "/clear":
            self.conversation.reset()
            out.print("context cleared", markup=False)
        else:
            out.print(f"unknown command {name}; try /help", markup=False)
        return True

    def handle(self, line: str) -> bool:
        """Answer one line; False means leave."""
        from mobius_cli.dispatch import answer

        line = line.strip()
        if not line:
            return True
        if line.startswith("/"):
            return self.slash(line)
        result = self.conversation.parse(line)
        try:
            answer(self.app, result, interactive=True, ask=self.confirm)
        except MobiusError as exc:
            hint = f" ({exc.hint})" if exc.hint else ""
            self.app.err.print(f"error: {exc.message}{hint}", markup=False, highlight=False)
        except KeyboardInterrupt:
            self.app.err.print("cancelled", markup=False)
        return True

    def confirm(self, question: str) -> bool:
        reply = self.session.prompt(f"{question} [y/N] ")
        return reply.strip().lower() in ("y", "yes")

    def run(self) -> None:
        self.app.err.print("Mobius — ask about crypto in plain words. /help for examples, "
                           "Ctrl-D to leave.", markup=False, highlight=False)
        while True:
            try:
                line = self.session.prompt(PROMPT)
            except KeyboardInterrupt:
                continue  # Ctrl-C drops the current line, not the session
            except EOFError:
                break
            if not self.handle(line):
                break


def make_session(app: AppContext, **kwargs: Any) -> PromptSession[str]:
    """A prompt session with persistent history in the data directory."""
    from mobius_cli.settings import ensure_private_dir

    try:
        ensure_private_dir(app.settings.paths.data_dir)
        history: Any = FileHistory(str(app.settings.paths.history_file))
    except OSError:
        history = InMemoryHistory()
    return PromptSession(history=history, completer=_completer(), complete_while_typing=False,
                         **kwargs)


def run_repl(app: AppContext, **session_kwargs: Any) -> None:
    """Start the REPL (tests pass `input=` and `output=` for scripted sessions)."""
    Repl(app, make_session(app, **session_kwargs)).run()
