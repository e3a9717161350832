"""`mobius parse`: show what a sentence means (the contract in nl-commands.md)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from mobius_cli.commands._common import JsonOpt, app_context


def _dumps(obj: dict[str, Any]) -> str:
    import json

    return json.dumps(obj, ensure_ascii=False)


def _stream(as_json: bool, out: Any) -> None:
    """Read stdin line by line: one conversation per run of non-empty lines."""
    import io
    import sys

    from mobius_cli.nl import Conversation

    conv = Conversation()
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace",
                             newline="\n")
    for line in stdin:
        text = line.rstrip("\r\n")
        if not text.strip():
            conv.reset()
            continue
        result = conv.parse(text).to_dict()
        if as_json:
            sys.stdout.write(_dumps(result) + "\n")
            sys.stdout.flush()
        else:
            _table(result, out)


def _table(result: dict[str, Any], out: Any) -> None:
    """A readable table of one parse."""
    from rich.table import Table

    table = Table(title=result["text"][:200], show_header=True, title_justify="left")
    table.add_column("field", style="bold")
    table.add_column("value")
    table.add_row("intent", result["intent"])
    table.add_row("confidence", f"{result['confidence']:.2f}")
    for key, value in result["entities"].items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        table.add_row(key, shown)
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add the parse command to the app."""

    @app.command("parse")
    def parse_cmd(
        ctx: typer.Context,
        text: Annotated[str, typer.Argument(help="A sentence, or - to read lines from stdin.")],
        json_flag: JsonOpt = False,
    ) -> None:
        """Show what a sentence means: intent, confidence and entities."""
        obj = app_context(ctx, json=json_flag)
        if text == "-":
            _stream(obj.json, None if obj.json else obj.out)
            return
        from mobius_cli.nl import parse_text

        result = parse_text(text).to_dict()
        if obj.json:
            typer.echo(_dumps(result))
        else:
            _table(result, obj.out)
