"""The interactive REPL: the only module that imports prompt_toolkit."""

from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import DynamicCompleter, WordCompleter
from prompt_toolkit.history import FileHistory, InMemoryHistory

from mobius_cli.errors import Cancelled, MobiusError

if TYPE_CHECKING:
    from mobius_cli.context import AppContext
    from mobius_cli.nl import Conversation

SLASH_COMMANDS = ["/help", "/json", "/vs", "/llm", "/clear", "/exit", "/quit"]
LEAVE_WORDS = frozenset({"exit", "quit", "/exit", "/quit", ":q"})
PROMPT = "mobius› "
# Replies to a [y/N] prompt: only these run the change; these others are a plain no.
YES_WORDS = frozenset({"y", "yes"})
NO_WORDS = frozenset({"n", "no", "nope", "nah", "cancel", "non", "nein", "não", "nao"})
# A yes in other words is no yes (a change runs only on y/yes), nor a question to answer.
YES_LIKE = frozenset({"yeah", "yep", "yup", "sure", "ok", "okay", "si", "sí", "oui", "ja",
                      "sim", "yes please", "y please", "do it", "go", "go ahead"})
BANNER = "Mobius — ask about crypto in plain words. /help for examples, Ctrl-D to leave."


@functools.lru_cache(maxsize=1)
def _completer() -> WordCompleter:
    """Command words, coin names and tickers, chains and protocols (built once)."""
    from mobius_cli.core import registry
    from mobius_cli.nl.vocab import completion_words

    words = list(dict.fromkeys(SLASH_COMMANDS + registry.completion_words()
                               + completion_words()))
    # WORD: whitespace-separated, so "/j" completes to "/json".
    return WordCompleter(words, ignore_case=True, WORD=True)


def _warm_up() -> None:
    """Load the understanding layer and the completion words while the user types."""
    import mobius_cli.nl  # noqa: F401

    _completer()


class Repl:
    """One session: a conversation, the app context, and slash commands."""

    def __init__(self, app: AppContext, session: PromptSession[str] | None):
        self.app = app
        self.session = session  # None: questions come as plain lines (no terminal)
        self._conversation: Conversation | None = None
        self.use_llm = False  # /llm on: every turn goes to the model
        self._typed_instead: str | None = None  # a question typed at a yes/no prompt

    @property
    def conversation(self) -> Conversation:
        # Built on first use, so the first prompt does not wait for the parser to load.
        if self._conversation is None:
            from mobius_cli.nl import Conversation

            self._conversation = Conversation()
        return self._conversation

    def say(self, message: str) -> None:
        from mobius_cli.render.output import safe

        self.app.out.print(safe(message), highlight=False,
                           soft_wrap=not self.app.out.is_terminal)

    def error(self, message: str) -> None:
        from mobius_cli.render.output import safe

        self.app.err.print(safe(f"error: {message}"), highlight=False,
                           soft_wrap=not self.app.err.is_terminal)

    def slash(self, line: str) -> bool:
        """Handle a /command; False means leave."""
        name, _, arg = line.partition(" ")
        name, arg = name.lower(), arg.strip().lower()
        if name in LEAVE_WORDS:
            return False
        if name == "/help":
            self.show_help()
        elif name == "/json":
            if arg not in ("on", "off", ""):
                self.error("usage: /json on|off")
            else:
                self.app.json = (arg == "on") if arg else not self.app.json
                self.say(f"JSON output {'on' if self.app.json else 'off'}")
        elif name == "/vs" and not arg:  # shows the currency; never resets it
            self.say(f"prices in {self.app.vs_currency.upper()} (change it with /vs CUR)")
        elif name == "/vs":
            before = self.app.vs
            self.app.vs = arg or None
            try:
                self.say(f"prices in {self.app.vs_currency.upper()}")
            except MobiusError as exc:
                self.app.vs = before
                close = exc.hint if (exc.hint or "").startswith("did you mean") else None
                self.error(f"{arg!r} is not a currency code ({close or 'e.g. /vs eur, /vs btc'})")
        elif name == "/llm":
            if arg not in ("on", "off", ""):
                self.error("usage: /llm on|off")
            elif self.app.llm is None and arg != "off":
                self.error("no LLM is configured (see `mobius llm use --help`)")
            elif self.app.llm is None:
                self.use_llm = False
                self.say("LLM off (none is configured; the rules answer everything)")
            else:
                self.use_llm = (arg == "on") if arg else not self.use_llm
                self.say(f"LLM {'on' if self.use_llm else 'off'}: "
                         + ("every question goes to the model" if self.use_llm
                            else "the model helps only when the rules are unsure"))
        elif name == "/clear":
            self.conversation.reset()
            self.say("context cleared")
        else:
            self.error(f"unknown command {name}; try /help")
        return True

    def show_help(self) -> None:
        """The examples and slash commands, laid out for the terminal's width."""
        from mobius_cli.repl_help import help_text

        # Already fitted to the width: printed as is, so no item is split.
        self.app.out.print(help_text(self.app.out.width), markup=False, highlight=False,
                           soft_wrap=True)

    def handle(self, line: str) -> bool:
        """Answer one line; False means leave. A failed turn prints one line, never ends it."""
        from mobius_cli.dispatch import respond

        line = line.strip()
        if not line:
            return True
        if line.lower() in LEAVE_WORDS:
            return False
        if line.startswith("/"):
            return self.slash(line)
        if line.lower().rstrip("?!. ") in ("help", "") and not self.app.json:
            self.show_help()  # "help", "?": as /help (the JSON answer stays the intent's)
            return True
        if "http" in self.app.__dict__:
            self.app.http.new_command()  # each turn gets the rate-limit wait budget afresh
        self._typed_instead = None
        try:
            respond(self.app, self.conversation, line, use_llm=self.use_llm,
                    interactive=self.session is not None, ask=self.confirm, repl=True)
        except Cancelled as exc:  # the user said no: not an error
            instead, self._typed_instead = self._typed_instead, None
            if instead is None:
                self.app.err.print(exc.message, markup=False, highlight=False)
            elif instead.lower() in LEAVE_WORDS:  # "exit" at the prompt: cancel, then leave
                self.app.err.print(exc.message, markup=False, highlight=False)
                return False
            elif instead.lower().rstrip(".!") in YES_LIKE:
                self.app.err.print(f"{exc.message} (only y or yes confirms a change)",
                                   markup=False, highlight=False)
            else:  # a question typed at the yes/no prompt: not a yes, and answered next
                from mobius_cli.render.format import printable

                self.app.err.print(printable(f"{exc.message}; answering “{instead}” as a "
                                             "new question"), markup=False, highlight=False,
                                   soft_wrap=True)
                self._remember(instead)
                return self.handle(instead)
        except MobiusError as exc:
            hint = f" ({exc.hint})" if exc.hint else ""
            self.error(f"{exc.message}{hint}")
        except KeyboardInterrupt:
            self.app.err.print("cancelled", markup=False, highlight=False)
        except Exception as exc:  # a bug must not end the session
            if self.app.verbose:
                self.app.err.print_exception()
            self.error(f"internal error: {type(exc).__name__}: {exc} "
                       "(start with -v for the traceback)")
        return True

    def confirm(self, question: str) -> bool:
        """Ask yes or no on the same terminal; the reply is kept out of the history.

        Only y/yes is a yes. Empty, n/no (and Ctrl-C/Ctrl-D) are a plain no; anything else
        is a no too, and is kept for `handle`: answered as the next question, unless it is
        a yes in other words ("ok", "oui"), which is only told what confirms."""
        if self.session is None:
            return False
        asker: PromptSession[str] = PromptSession(input=self.session.input,
                                                  output=self.session.output,
                                                  history=InMemoryHistory())
        try:
            reply = asker.prompt(f"{question} [y/N] ")
        except EOFError:  # Ctrl-D at a yes/no question is a no
            return False
        answer = reply.strip()
        word = answer.lower().rstrip(".!")
        if word in YES_WORDS:
            return True
        if answer and word not in NO_WORDS:
            self._typed_instead = answer
        return False

    def _remember(self, line: str) -> None:
        """Put a question typed at a yes/no prompt in the history, as if typed at the prompt."""
        if self.session is None:
            return
        import contextlib

        with contextlib.suppress(OSError):  # an unwritable history loses the line, not more
            self.session.history.append_string(line)

    def run(self) -> None:
        """Prompt until Ctrl-D or /exit."""
        assert self.session is not None
        self.app.err.print(BANNER, markup=False, highlight=False)
        threading.Thread(target=_warm_up, name="repl-warm-up", daemon=True).start()
        while True:
            try:
                line = self.session.prompt(PROMPT)
            except KeyboardInterrupt:
                continue  # Ctrl-C drops the current line, not the session
            except EOFError:
                break
            if not self.handle(line):
                break

    def run_lines(self, lines: Iterable[str]) -> None:
        """No terminal: one question per line, answered in turn, without a prompt."""
        for line in lines:
            if not self.handle(line):
                break


def make_session(app: AppContext, **kwargs: Any) -> PromptSession[str]:
    """A prompt session with persistent history in the data directory."""
    from mobius_cli.settings import ensure_private_dir

    try:
        ensure_private_dir(app.settings.paths.data_dir)
        path = app.settings.paths.history_file
        # What a person typed is their data: private (0600) like the rest of it.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
        os.chmod(path, 0o600)
        history: Any = FileHistory(str(path))
    except OSError:
        history = InMemoryHistory()
    return PromptSession(history=history, completer=DynamicCompleter(_completer),
                         complete_while_typing=False, **kwargs)


def run_repl(app: AppContext, **session_kwargs: Any) -> None:
    """Start the REPL (tests pass `input=` and `output=` for scripted sessions).

    Without a terminal on stdin (a pipe, a file) the lines are answered one by one with
    the same context, and no prompt or screen control is written.
    """
    if "input" not in session_kwargs and not sys.stdin.isatty():
        Repl(app, None).run_lines(sys.stdin)
        return
    Repl(app, make_session(app, **session_kwargs)).run()
