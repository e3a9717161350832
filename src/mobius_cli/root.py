"""The root Typer app: its global options and the AppContext, without any command (the
root `--help` lists commands from mobius_cli._listing without importing them)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from mobius_cli import __version__


def _plain_usage_metavars() -> None:
    """Usage lines name a required argument as FILE, NAME KIND (as Click and the docs do),
    not Typer's {FILE}, {name} {kind}; optional ones keep their [brackets]."""
    from typer.core import TyperArgument

    if getattr(TyperArgument.make_metavar, "_mobius", False):
        return
    typer_metavar = TyperArgument.make_metavar

    def make_metavar(self: TyperArgument, ctx: typer.Context, *, usage: bool = False) -> str:
        var = typer_metavar(self, ctx, usage=usage)
        if usage and var.startswith("{") and "}" in var:
            inner, rest = var[1:].split("}", 1)
            var = (inner if self.metavar is not None else inner.upper()) + rest
        return var

    make_metavar._mobius = True  # type: ignore[attr-defined]
    TyperArgument.make_metavar = make_metavar  # type: ignore[method-assign]


_plain_usage_metavars()

app = typer.Typer(
    name="mobius",
    help="Mobius: crypto and DeFi in your terminal. Run `mobius` alone for the REPL.\n\n"
    "Examples: `mobius price btc eth`, `mobius --vs eur market`, "
    "`mobius history sol --days 30 --chart`, `mobius ask \"top 5 gainers today\"`.",
    no_args_is_help=False,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"mobius {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="Plain text, no colour.")] = False,
    vs: Annotated[
        str | None, typer.Option("--vs", metavar="CUR", help="Quote currency (usd, eur...).")
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Answer from the cache only; never go online.")
    ] = False,
    # A counter: shown as a flag that repeats (-v, -vv), not as taking a number.
    verbose: Annotated[int, typer.Option("-v", "--verbose", count=True, metavar="",
                                         show_default=False,
                                         help="More detail in errors; repeat for more "
                                         "(-vv).")] = 0,
    quiet: Annotated[bool, typer.Option("-q", "--quiet",
                                        help="No notes or spinner on stderr; errors only.")]
    = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True,
                           help="Show the version and exit.")
    ] = False,
) -> None:
    """Mobius: crypto and DeFi in your terminal."""
    from mobius_cli.context import AppContext

    ctx.obj = AppContext(json=json, no_color=no_color, vs=vs, offline=offline, verbose=verbose,
                         quiet=quiet)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        if sys.stdin.isatty() and sys.stdout.isatty():
            from mobius_cli.repl import run_repl

            run_repl(ctx.obj)
        else:
            typer.echo(ctx.get_help())
