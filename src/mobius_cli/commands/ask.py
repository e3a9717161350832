"""`mobius ask` and `mobius repl`: plain sentences in, the same answers as the subcommands."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from mobius_cli.commands._common import JsonOpt, app_context


def register(app: typer.Typer) -> None:
    """Add ask and repl to the app."""

    @app.command("ask")
    def ask(ctx: typer.Context,
            text: Annotated[list[str], typer.Argument(metavar="TEXT...",
                                                      help="A sentence, e.g. btc and eth in eur.")],
            json: JsonOpt = False,
            quiet: Annotated[bool, typer.Option("--quiet", "-q",
                                                help="Do not show the equivalent command.")]
            = False,
            yes: Annotated[bool, typer.Option("--yes", "-y",
                                              help="Confirm changes to your data.")] = False,
            ) -> None:
        """Understand one sentence, run it, and answer.

        Examples: `mobius ask "btc and eth in eur"`, `mobius ask top 5 gainers today --json`.
        """
        from mobius_cli.dispatch import answer
        from mobius_cli.nl import parse_text

        obj = app_context(ctx, json=json)
        interactive = sys.stdin.isatty() and sys.stderr.isatty()
        code = answer(obj, parse_text(" ".join(text)), quiet=quiet, assume_yes=yes,
                      interactive=interactive,
                      ask=lambda q: typer.confirm(q, default=False, err=True))
        if code:
            raise typer.Exit(code)

    @app.command("repl")
    def repl(ctx: typer.Context) -> None:
        """The interactive assistant (also `mobius` alone on a terminal)."""
        from mobius_cli.repl import run_repl

        run_repl(app_context(ctx))
