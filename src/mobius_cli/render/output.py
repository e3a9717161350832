"""The output contract: JSON and CSV on stdout for scripts, Rich tables for people."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.table import Table

    from mobius_cli.context import AppContext


def print_json(data: Any, file: IO[str] | None = None) -> None:
    """Stable JSON: snake_case keys as given, numbers as numbers, UTF-8."""
    (file or sys.stdout).write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def print_csv(rows: Sequence[dict[str, Any]], file: IO[str] | None = None) -> None:
    """Rows as CSV with a header (the keys of the first row)."""
    if not rows:
        return
    writer = csv.DictWriter(file or sys.stdout, fieldnames=list(rows[0]), lineterminator="\n",
                            extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})


def emit(app: AppContext, data: Any, table: Callable[[], Any], *,
         csv_rows: Sequence[dict[str, Any]] | None = None, as_csv: bool = False) -> None:
    """JSON, CSV, or the human rendering built by `table` (called only when needed)."""
    if app.json:
        print_json(data, app.out.file)
    elif as_csv:
        print_csv(csv_rows if csv_rows is not None else data, app.out.file)
    else:
        rendered = table()
        for item in rendered if isinstance(rendered, (list, tuple)) else [rendered]:
            # Lines of text wrap at word boundaries on a terminal; in a pipe they stay whole.
            app.out.print(item, soft_wrap=isinstance(item, str) and not app.out.is_terminal)


def new_table(title: str | None = None, *columns: str, caption: str | None = None) -> Table:
    """A Rich table in the house style; columns named 'Price' etc. are right-aligned."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    # A narrow table must not wrap its own title or caption onto a second line.
    widest = max((Text.from_markup(t).cell_len for t in (title, caption) if t), default=0)
    table = Table(title=title, caption=caption, box=box.SIMPLE_HEAD, title_justify="left",
                  caption_justify="left", pad_edge=False, min_width=widest or None)
    for name in columns:
        left = name in ("Symbol", "Name", "Coin", "Id", "Time", "Date", "Key", "Value",
                        "Source", "Status", "Detail", "Classification", "Link", "Field")
        table.add_column(name, justify="left" if left else "right", no_wrap=not left)
    return table
