"""`mobius parse`: show what a sentence means (the contract in nl-commands.md)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from mobius_cli.commands._common import JsonOpt, app_context

TITLE_CHARS = 200  # a table shows this much of a long sentence


# Line breaks that JSON leaves raw but str.splitlines() splits on: escaped, so one object
# stays one line for every reader of the JSON Lines stream.
_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\u0085": "\\u0085"}


def _dumps(obj: dict[str, Any]) -> str:
    import json

    text = json.dumps(obj, ensure_ascii=False, allow_nan=False)
    for raw, escaped in _LINE_BREAKS.items():
        text = text.replace(raw, escaped)
    return text


def _reader(app: Any, use_llm: bool) -> Any:
    """A function from (conversation, sentence) to a ParseResult: the rules, or the LLM."""
    if not use_llm:
        return lambda conv, text: conv.parse(text)
    from mobius_cli.dispatch import understand
    from mobius_cli.errors import UsageError

    if app.llm is None:
        raise UsageError("--llm: no LLM is configured", hint="see `mobius llm use --help`")
    return lambda conv, text: understand(app, conv, text, use_llm=True)[0]


def _stream(as_json: bool, out: Any, read: Any) -> None:
    """Read stdin line by line: one conversation per run of non-empty lines."""
    import io
    import sys

    from mobius_cli.nl import Conversation

    if sys.stdin is None:  # started with stdin closed: nothing to read
        return
    if sys.stdin.isatty():
        print("Reading one sentence per line; an empty line starts a new conversation; "
              "Ctrl-D ends.", file=sys.stderr)
    conv = Conversation()
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace",
                             newline="\n")
    for line in stdin:
        text = line.rstrip("\r\n")
        if not text.strip():
            conv.reset()
            continue
        result = read(conv, text).to_dict()
        if as_json:
            sys.stdout.write(_dumps(result) + "\n")
            sys.stdout.flush()  # each answer as soon as it is known
        else:
            _table(result, out)


def _table(result: dict[str, Any], out: Any) -> None:
    """A readable table of one parse, in the house style; the text is shown as written,
    never as markup."""
    from rich.text import Text

    from mobius_cli.render.output import new_table

    text = result["text"]
    shown = text if len(text) <= TITLE_CHARS else text[:TITLE_CHARS] + "…"
    table = new_table(None, "Field", "Value")
    table.add_row("text", Text(shown))
    table.add_row("intent", Text(result["intent"]))
    table.add_row("confidence", f"{result['confidence']:.2f}")
    for key, value in result["entities"].items():
        if isinstance(value, list):
            value = ", ".join(map(str, value))
        elif isinstance(value, bool):
            value = "true" if value else "false"  # as in the JSON
        table.add_row(key, Text(str(value)))
    if not result["entities"]:
        table.add_row("entities", Text("(none stated)", style="dim"))
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add the parse command to the app."""

    @app.command("parse")
    def parse_cmd(
        ctx: typer.Context,
        words: Annotated[list[str], typer.Argument(
            metavar="TEXT...", help="A sentence (quoted or not), or - for one sentence per "
            "line of stdin.")],
        json_flag: JsonOpt = False,
        llm: Annotated[bool, typer.Option(
            "--llm", help="The configured LLM's understanding instead of the rules'.")] = False,
    ) -> None:
        """Show what a sentence means: intent, confidence and entities.

        Nothing is fetched or run. With `-`, stdin is one conversation (a line
        may lean on the ones before it) until an empty line starts a new one;
        with --json each line gives one JSON object (JSON Lines). With --llm the
        configured model reads it, through the same contract.

        Examples: `mobius parse "alert me if eth drops below 2.5k" --json`,
        `printf 'btc price\\nand eth?\\n' | mobius parse - --json`.
        """
        obj = app_context(ctx, json=json_flag)
        read = _reader(obj, llm)
        text = " ".join(words)  # `mobius parse btc price` reads as `mobius parse "btc price"`
        if text == "-":
            _stream(obj.json, None if obj.json else obj.out, read)
            return
        from mobius_cli.nl import Conversation

        result = read(Conversation(), text).to_dict()
        if obj.json:
            typer.echo(_dumps(result))
        else:
            _table(result, obj.out)
