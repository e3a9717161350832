"""The Typer app: global options, the AppContext, and command registration."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from mobius_cli import __version__
from mobius_cli.commands import alerts as alerts_cmd
from mobius_cli.commands import analysis as analysis_cmd
from mobius_cli.commands import ask, market, parse, system
from mobius_cli.commands import config as config_cmd
from mobius_cli.commands import defi as defi_cmd
from mobius_cli.commands import llm as llm_cmd
from mobius_cli.commands import portfolio as portfolio_cmd
from mobius_cli.context import AppContext

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
    verbose: Annotated[int, typer.Option("-v", "--verbose", count=True,
                                         help="More detail in errors (-vv: more still).")] = 0,
    quiet: Annotated[bool, typer.Option("-q", "--quiet",
                                        help="No notes or spinner on stderr; errors only.")]
    = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True,
                           help="Show the version and exit.")
    ] = False,
) -> None:
    """Mobius: crypto and DeFi in your terminal."""
    ctx.obj = AppContext(json=json, no_color=no_color, vs=vs, offline=offline, verbose=verbose,
                         quiet=quiet)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        if sys.stdin.isatty() and sys.stdout.isatty():
            from mobius_cli.repl import run_repl

            run_repl(ctx.obj)
        else:
            typer.echo(ctx.get_help())


market.register(app)
analysis_cmd.register(app)
parse.register(app)
ask.register(app)
system.register(app)
app.add_typer(config_cmd.config_app, name="config")
app.add_typer(config_cmd.keys_app, name="keys")
app.add_typer(llm_cmd.llm_app, name="llm")
app.add_typer(system.cache_app, name="cache")
app.add_typer(portfolio_cmd.portfolio_app, name="portfolio")
app.add_typer(alerts_cmd.alerts_app, name="alerts")
app.add_typer(defi_cmd.defi_app, name="defi")


def _unwrap(text: str | None) -> str | None:
    """Help with each paragraph on one line: Rich help keeps single line breaks, which would
    break a docstring's lines mid-sentence at the terminal's width."""
    if not text:
        return text
    import inspect

    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(p if p.startswith("\b") else " ".join(p.split("\n"))
                       for p in paragraphs)


def _unwrap_help(typer_app: typer.Typer) -> None:
    """Unwrap the help of every command and group of `typer_app`, once, at import."""
    for info in typer_app.registered_commands:
        if info.help:
            info.help = _unwrap(info.help)
        elif info.callback is not None and info.callback.__doc__:
            info.callback.__doc__ = _unwrap(info.callback.__doc__)
    for group in typer_app.registered_groups:
        sub = group.typer_instance
        if sub is not None:
            sub.info.help = _unwrap(sub.info.help) if isinstance(sub.info.help, str) \
                else sub.info.help
            _unwrap_help(sub)


_unwrap_help(app)
