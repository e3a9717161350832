"""Options shared by many commands, and the bridge to the AppContext."""

from __future__ import annotations

from typing import Annotated

import typer

from mobius_cli.context import AppContext

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (a stable contract).")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print CSV rows.")]
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
