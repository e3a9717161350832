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


def print_csv(rows: Sequence[dict[str, Any]], file: IO[str] | None = None,
              fields: Sequence[str] | None = None) -> None:
    """Rows as CSV with a header (`fields`, else the keys of the first row); None is empty,
    booleans are true/false as in the JSON. With `fields`, no rows is the header alone."""
    if not rows and not fields:
        return
    names = list(fields) if fields else list(rows[0])
    writer = csv.DictWriter(file or sys.stdout, fieldnames=names, lineterminator="\n",
                            extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else str(v).lower() if isinstance(v, bool) else v
                         for k, v in row.items()})


def emit(app: AppContext, data: Any, table: Callable[[], Any], *,
         csv_rows: Sequence[dict[str, Any]] | None = None, as_csv: bool = False) -> None:
    """JSON, CSV, or the human rendering built by `table` (called only when needed)."""
    if app.json:
        print_json(data, app.out.file)
    elif as_csv:
        print_csv(csv_rows if csv_rows is not None else data, app.out.file)
    else:
        from rich.text import Text

        rendered = table()
        hidden: list[str] = []
        for item in rendered if isinstance(rendered, (list, tuple)) else [rendered]:
            # Lines of text wrap at word boundaries on a terminal; in a pipe they stay whole.
            is_text = isinstance(item, (str, Text))
            hidden += [h for h in fit_to_width(item, app.out) if h not in hidden]
            app.out.print(safe(item) if is_text else item,
                          soft_wrap=is_text and not app.out.is_terminal)
        if hidden:
            names = (" ".join(h.split()) for h in hidden)  # a two-line header on one line
            app.note(f"{', '.join(names)} hidden at {app.out.width} columns "
                     "(a wider window or --json shows them)", once=True)


def safe(value: Any) -> Any:
    """A cell or line as Rich Text that is never parsed as markup or emoji codes and whose
    control characters are shown, not executed; other renderables pass unchanged."""
    from rich.text import Text

    from mobius_cli.render.format import printable

    if isinstance(value, Text):
        plain = printable(value.plain)
        if plain == value.plain:
            return value
        return Text(plain, style=value.style, justify=value.justify, overflow=value.overflow,
                    no_wrap=value.no_wrap, end=value.end)
    if isinstance(value, str):
        return Text(printable(value))
    return value


def fit_to_width(table: Any, console: Any) -> list[str]:
    """Drop a table's less important columns (its `drop_first`, in order) while it is wider
    than the console, so the columns that matter (a coin's name) are not squeezed; return
    the headers of the columns dropped.

    Each column is measured once; a table that then fits gets those widths fixed, so Rich
    does not measure every cell again to print it (a 100-row table is measured once, not
    four times)."""
    from rich.table import Table

    if not isinstance(table, Table) or table.width is not None or table.expand:
        return []
    widths = {id(column): _widest_cell(console, column) for column in table.columns}

    def width() -> int:
        cells = sum(widths[id(c)] + table._get_padding_width(c._index) for c in table.columns)
        return max(cells + table._extra_width, table.min_width or 0)

    dropped: list[str] = []
    for header in getattr(table, "drop_first", ()):
        if width() <= console.width:
            break
        for index, column in enumerate(table.columns):
            if str(column.header) == header:
                del table.columns[index]
                dropped.append(header)
                for position, rest in enumerate(table.columns):  # Rich pads by this index
                    rest._index = position
                break
    if width() <= console.width:
        for column in table.columns:
            column.width = widths[id(column)]
    return dropped


def _widest_cell(console: Any, column: Any) -> int:
    """The widest line of a column's header and cells, as Rich measures it unwrapped."""
    from rich.cells import cell_len
    from rich.measure import Measurement
    from rich.text import Text

    if column.width is not None:
        return int(column.width)
    wide = console.options.update(width=10_000)
    widest = 0
    for cell in (column.header, column.footer, *column._cells):
        if isinstance(cell, Text):
            cell = cell.plain
        if isinstance(cell, str):
            size = max(map(cell_len, cell.splitlines()), default=0)
        else:
            size = Measurement.get(console, wide, cell).maximum
        widest = max(widest, size)
    return min(max(widest, column.min_width or 0), column.max_width or widest)
def new_table(title: str | None = None, *columns: str, caption: str | None = None,
              drop_first: tuple[str, ...] = ()) -> Table:
    """A Rich table in the house style; columns named 'Price' etc. are right-aligned.

    `drop_first` names the columns to give up, in order, when the table is wider than the
    terminal. Titles, captions and cells are text, never markup (a coin called `[/x]` or `[bold]`
    prints as written); control characters in them are neutralised.
    """
    from rich import box

    from mobius_cli.render.format import printable
    from mobius_cli.render.table import HouseTable

    title_text, caption_text = safe(title), safe(caption)
    # A narrow table must not wrap its own title or caption onto a second line.
    widest = max((t.cell_len for t in (title_text, caption_text) if t is not None), default=0)
    table = HouseTable(title=title_text, caption=caption_text, box=box.SIMPLE_HEAD,
                       title_justify="left", caption_justify="left", pad_edge=False,
                       min_width=widest or None)
    for name in columns:
        left = name in ("Symbol", "Name", "Coin", "Id", "Time", "Date", "Key", "Value",
                        "Source", "Status", "Detail", "Classification", "Link", "Field")
        # A header can be API text (a protocol's name in `defi compare`): no raw ESC.
        table.add_column(printable(name), justify="left" if left else "right",
                         no_wrap=not left)
    table.drop_first = drop_first  # type: ignore[attr-defined]
    return table
