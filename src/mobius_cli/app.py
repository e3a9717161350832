"""The whole Typer app: the root (mobius_cli.root) with every command registered."""

from __future__ import annotations

import typer

from mobius_cli.commands import alerts as alerts_cmd
from mobius_cli.commands import analysis as analysis_cmd
from mobius_cli.commands import ask, market, parse, system
from mobius_cli.commands import config as config_cmd
from mobius_cli.commands import defi as defi_cmd
from mobius_cli.commands import llm as llm_cmd
from mobius_cli.commands import portfolio as portfolio_cmd
from mobius_cli.root import app

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
