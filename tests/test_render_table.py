"""The house table's fast path prints exactly what Rich prints.

Two identical tables are built from the same random content: one goes through
render.output.fit_to_width (columns measured once, widths fixed, plain cells printed by
render.table.HouseTable itself); the other keeps Rich's own measuring and rendering (the
same columns dropped, no widths fixed). Every character and its style must agree, with
colour on and off, at any width.
"""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment
from rich.text import Text

from mobius_cli.render.output import fit_to_width, new_table

WORDS = st.text(alphabet="ab Z9.,$%-+漢█▍…[]/", max_size=14)
STYLES = st.sampled_from(["", "green", "bold red", "dim", "italic"])


@st.composite
def cells(draw, plain=False):
    """A cell as the renderers make them: a str, a Text with a style, or spans and lines
    (which Rich renders itself)."""
    kinds = ["str", "text"] if plain else ["str", "text", "spans", "lines"]
    kind = draw(st.sampled_from(kinds))
    words = draw(WORDS)
    if kind == "str":
        return words
    if kind == "text":
        justify = [None] if plain else [None, "left", "right", "center"]
        return Text(words, style=draw(STYLES), justify=draw(st.sampled_from(justify)))
    if kind == "spans":
        return Text.assemble((words, draw(STYLES)), (draw(WORDS), "bold"))
    return f"{words}\n{draw(WORDS)}"


@st.composite
def specs(draw):
    plain = draw(st.booleans())  # half the tables are the fast path's kind
    ncols = draw(st.integers(1, 6))
    headers = draw(st.lists(st.sampled_from(["Coin", "Price", "Value", "24h", "Note", "Fee",
                                             "Name", "Amount", "P&L %", "Allocation"]),
                            min_size=ncols, max_size=ncols, unique=True))
    rows = draw(st.lists(st.lists(cells(plain), min_size=ncols, max_size=ncols),
                         min_size=1, max_size=6))
    return {
        "headers": headers,
        "rows": rows,
        "title": draw(st.one_of(st.none(), WORDS)),
        "caption": draw(st.one_of(st.none(), WORDS)),
        "justify": draw(st.lists(st.sampled_from(["left", "right", "center"]),
                                 min_size=ncols, max_size=ncols)),
        "max_width": [None] * ncols if plain else draw(st.lists(
            st.one_of(st.none(), st.integers(3, 12)), min_size=ncols, max_size=ncols)),
        "styles": draw(st.lists(STYLES, min_size=ncols, max_size=ncols)),
        "sections": draw(st.sets(st.integers(0, 5))),
        "drop": tuple(draw(st.permutations(headers))[:draw(st.integers(0, ncols - 1))]),
        "width": draw(st.integers(100, 200) if plain else st.integers(12, 140)),
        "color": draw(st.booleans()),
    }


def build(spec):
    table = new_table(spec["title"], *spec["headers"], caption=spec["caption"],
                      drop_first=spec["drop"])
    for column, justify, cap, style in zip(table.columns, spec["justify"], spec["max_width"],
                                           spec["styles"], strict=True):
        column.justify, column.max_width, column.style = justify, cap, style
    for index, row in enumerate(spec["rows"]):
        table.add_row(*(c.copy() if isinstance(c, Text) else c for c in row),
                      end_section=index in spec["sections"])
    return table


def console(spec):
    return Console(file=io.StringIO(), width=spec["width"], force_terminal=spec["color"],
                   no_color=not spec["color"], color_system="truecolor" if spec["color"]
                   else None, markup=False, emoji=False, highlight=False)


def styled_chars(segments):
    """(character, style) pairs, a null style and no style alike."""
    return [(ch, seg.style or None) for seg in segments if not seg.control for ch in seg.text]


@settings(max_examples=120, deadline=None)
@given(specs())
def test_fast_path_prints_what_rich_prints(spec):
    fast, reference = build(spec), build(spec)
    out = console(spec)
    fit_to_width(fast, out)
    kept = [str(c.header) for c in fast.columns]
    for index in reversed(range(len(reference.columns))):  # the same columns, Rich's widths
        if str(reference.columns[index].header) not in kept:
            del reference.columns[index]
    for position, column in enumerate(reference.columns):
        column._index = position
    assert all(c.width is None for c in reference.columns)

    got = list(Segment.simplify(out.render(fast)))
    want = list(Segment.simplify(out.render(reference)))
    assert "".join(s.text for s in got) == "".join(s.text for s in want)
    assert styled_chars(got) == styled_chars(want)


def test_a_plain_table_takes_the_fast_path():
    """The case the fast path exists for: one-line text cells in a table that fits."""
    table = new_table("Portfolio", "Coin", "Value", "24h")
    for n in range(50):
        table.add_row(f"C{n}", f"${n:,}.00", Text(f"+{n}%", style="green"))
    out = Console(file=io.StringIO(), width=80)
    fit_to_width(table, out)
    assert [c.width for c in table.columns] == [4, 6, 4]
    widths = table._calculate_column_widths(out, out.options)
    assert table._plain_layout(widths, [Text(str(c.header)) for c in table.columns])

