"""`mobius ask` and `mobius repl`: plain sentences in, the same answers as the subcommands."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from mobius_cli.commands._common import JsonOpt, VsOpt, app_context

if TYPE_CHECKING:
    from mobius_cli.context import AppContext
    from mobius_cli.nl import ParseResult


def _not_answerable(sentence: str) -> None:
    """Say on one stderr line that the sentence is outside what Mobius answers, with where
    to look, and leave with the usage exit code (2)."""
    from mobius_cli.errors import ExitCode
    from mobius_cli.render.format import printable

    shown = " ".join(sentence.split())
    shown = shown if len(shown) <= 60 else shown[:59] + "…"
    typer.echo(f"mobius: not something I can answer: {printable(shown)!r} (try "
               '`mobius ask help` for what I can, e.g. `mobius ask "btc and eth in eur"`)',
               err=True)
    raise typer.Exit(ExitCode.USAGE)


def _yes_covers(obj: AppContext, result: ParseResult, sentence: str,
                interactive: bool) -> bool:
    """Whether --yes confirms the model's reading: a change runs under --yes only when the
    rules read the user's own sentence as the same change. Otherwise a terminal asks, and
    without one it is refused (exit 2, nothing changed)."""
    from mobius_cli import dispatch
    from mobius_cli.errors import UsageError
    from mobius_cli.nl import Conversation
    from mobius_cli.nl.llm import rules_confirm

    if rules_confirm(result, Conversation().parse(sentence)):
        return True
    action = dispatch.plan(result, obj)
    if action.run is None:  # nothing would run: nothing to confirm
        return True
    what = action.command_line or action.intent.replace("_", " ")
    if not interactive:
        raise UsageError(f"not running `{what}`: the model asked for it, your sentence does "
                         "not (--yes confirms only what you asked)")
    obj.note("the model read this as a change your sentence does not state; "
             "--yes does not cover it")
    return False


def register(app: typer.Typer) -> None:
    """Add ask and repl to the app."""

    @app.command("ask")
    def ask(ctx: typer.Context,
            text: Annotated[list[str], typer.Argument(metavar="TEXT...",
                                                      help="A sentence, e.g. btc and eth in eur.")],
            vs: VsOpt = None,
            json: JsonOpt = False,
            quiet: Annotated[bool, typer.Option("--quiet", "-q",
                                                help="Do not show the equivalent command.")]
            = False,
            yes: Annotated[bool, typer.Option("--yes", "-y",
                                              help="Confirm changes to your data.")] = False,
            llm: Annotated[bool, typer.Option(
                "--llm", help="Let the configured LLM understand it and summarise the answer "
                "(otherwise it is asked only when the rules are unsure).")] = False,
            ) -> None:
        """Understand one sentence, run it, and answer.

        The equivalent `mobius` command is shown on stderr first (--quiet hides it).
        With an LLM configured (`mobius llm use`), it reads what the rules cannot.

        Examples: `mobius ask "btc and eth in eur"`,
        `mobius ask top 5 gainers today --json`, `mobius ask --llm "how is sol doing"`.
        """
        from mobius_cli import dispatch
        from mobius_cli.errors import ExitCode, UsageError
        from mobius_cli.nl import Conversation

        sentence = " ".join(text).strip()
        if not sentence:
            raise UsageError("nothing to ask", hint='e.g. `mobius ask "btc and eth in eur"`')
        obj = app_context(ctx, json=json, vs=vs)
        # dispatch.respond, with a fresh conversation (so no repeated change to refuse), but
        # a non-answer that fails (not understood, something needed is missing) is an error
        # on stderr, not data on stdout; --json keeps its message object on stdout.
        result, by_llm = dispatch.understand(obj, Conversation(), sentence, use_llm=llm)
        if not obj.json:
            action = dispatch.plan(result, obj, wants_chart=dispatch.wants_chart(result.text))
            if action.run is None and action.exit_code == ExitCode.USAGE:
                if action.intent == "unknown":  # not "error: Sorry, ...": one plain line
                    _not_answerable(sentence)
                raise UsageError(" ".join((action.message or "not understood").split()))
        after = (lambda action: dispatch.summarise(obj, action, sentence)) if by_llm else None
        interactive = sys.stdin.isatty() and sys.stderr.isatty()
        if by_llm and yes:
            yes = _yes_covers(obj, result, sentence, interactive)
        code = dispatch.answer(obj, result, quiet=quiet, assume_yes=yes,
                               interactive=interactive, after=after,
                               ask=lambda q: typer.confirm(q, default=False, err=True))
        if code:
            raise typer.Exit(code)

    @app.command("repl")
    def repl(ctx: typer.Context) -> None:
        """The interactive assistant (also `mobius` alone on a terminal).

        Ask in plain words; each answer shows its `mobius` command. A question
        may lean on the ones before it ("btc price", then "and eth?").
        /help, /json on|off, /vs CUR, /llm on|off (every question to the
        configured LLM), /clear (forget the context), /exit;
        Ctrl-C cancels, Ctrl-D leaves. Without a terminal it answers one
        question per line of stdin.

        Examples: `mobius repl`, `printf 'btc price\\nand eth?\\n' | mobius repl`.
        """
        from mobius_cli.repl import run_repl

        run_repl(app_context(ctx))
