"""Options shared by many commands, and the bridge to the AppContext."""

from __future__ import annotations

from typing import Annotated

import typer

from mobius_cli.context import AppContext


def _one_format(ctx: typer.Context, param: typer.CallbackParam, value: bool) -> bool:
    """--json and --csv exclude each other: whichever of the two is read second says so
    (the root's --json is read before any command's options)."""
    if not value:
        return value
    other = "--csv" if "--json" in param.opts else "--json"
    given = any(other in p.opts and ctx.params.get(p.name or "") for p in ctx.command.params)
    if other == "--json" and not given:
        root = ctx.find_root().obj
        given = bool(getattr(root, "json", False))
    if given:
        from mobius_cli._click import UsageError

        raise UsageError("--json and --csv cannot be used together", ctx=ctx)
    return value


JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (a stable contract).",
                                       callback=_one_format)]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print CSV rows.", callback=_one_format)]
VsOpt = Annotated[
    str | None,
    typer.Option("--vs", metavar="CUR", help="Quote currency (usd, eur, btc...)."),
]


def app_context(ctx: typer.Context, *, json: bool = False, vs: str | None = None) -> AppContext:
    """The AppContext with per-command flags folded into the global ones."""
    root = ctx.find_root()
    obj = root.obj if isinstance(root.obj, AppContext) else None
    if obj is None:
        obj = AppContext()
        root.obj = obj
    if json:
        obj.json = True
    if vs:
        obj.vs = vs
    return obj
