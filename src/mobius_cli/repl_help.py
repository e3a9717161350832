"""The REPL's /help, laid out for the width of the terminal (no prompt_toolkit here)."""

from __future__ import annotations

import textwrap

COLUMN = 36  # an example's slot when several share a line
SIDE_BY_SIDE = 78  # narrower than this: one example to a line
INDENT = "  "
BULLET = "• "
NBSP = "\u00a0"  # keeps an item's words together when a line is wrapped
REPL_COMMANDS = ("/help", "/json on|off", "/vs CUR", "/llm on|off", "/clear", "/exit")


def examples() -> list[str]:
    """One example sentence for each intent this version answers."""
    from mobius_cli.core import registry

    return [i.examples[0] for i in registry.built() if i.examples]


def _wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    """`text` wrapped at words (NBSP-joined words stay together), NBSPs made spaces."""
    lines = textwrap.wrap(text, width=max(width, 20), initial_indent=first,
                          subsequent_indent=rest, break_long_words=False,
                          break_on_hyphens=False)
    return [line.replace(NBSP, " ") for line in lines]


def _example_lines(items: list[str], width: int) -> list[str]:
    """Examples side by side in COLUMN-wide slots where whole ones fit (at SIDE_BY_SIDE
    columns or more), else one to a line; one longer than the line wraps at words under
    its first word."""
    bullets = [BULLET + item for item in items]
    side_by_side = width >= SIDE_BY_SIDE
    rows: list[list[str]] = []
    for item in bullets:
        row = rows[-1] if rows and side_by_side else None
        if row is not None and len(row[-1]) <= COLUMN - 2 and \
                len(INDENT) + COLUMN * len(row) + len(item) <= width:
            row.append(item)
        else:
            rows.append([item])
    lines: list[str] = []
    for row in rows:
        if len(row) > 1:
            lines.append(INDENT + "".join(x.ljust(COLUMN) for x in row[:-1]) + row[-1])
        else:
            lines += _wrap(row[0], width, INDENT, INDENT + " " * len(BULLET))
    return lines


def help_text(width: int = 80) -> str:
    """What Mobius answers, with an example for each intent, fitted to `width` columns:
    no example or REPL command is ever split across lines."""
    commands = ", ".join(c.replace(" ", NBSP) for c in REPL_COMMANDS)
    lines = _wrap("I answer plain questions about crypto, for example:", width)
    lines += _example_lines(examples(), width)
    lines += _wrap("A follow-up leans on the question before it: "
                   f"“and{NBSP}sol?”, “in{NBSP}euros?”.", width)
    lines += _wrap("Every answer shows the equivalent `mobius` command.", width)
    lines += _wrap(f"In the REPL: {commands}.", width, "", INDENT)
    return "\n".join(lines)
