"""The house table: Rich's Table, with a fast path for the common plain case.

Rich renders every cell through Padding, Text wrapping and line cropping (about 60 µs a
cell): `portfolio history` over 10,000 transactions took 13 s to print. Once a table's
column widths are fixed (render.output.fit_to_width does that when the table fits), a
cell that is one line of plain text only needs padding and justifying, so this table
builds those segments itself. Anything else (styled spans, several lines, wrapping,
row styles, footers) goes through Rich unchanged. tests/test_render_table.py checks that
both paths give the same characters in the same styles.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from mobius_cli.render.output import safe


class HouseTable(Table):
    """A Table whose cells are text, never markup, and which prints plain cells fast."""

    def add_row(self, *renderables: Any, **kwargs: Any) -> None:
        super().add_row(*(safe(r) for r in renderables), **kwargs)

    def _render(self, console: Console, options: ConsoleOptions,
                widths: list[int]) -> Iterable[Segment]:
        headers = [console.render_str(c.header, highlight=False)
                   if isinstance(c.header, str) else c.header for c in self.columns]
        if not self._plain_layout(widths, headers):
            yield from super()._render(console, options, widths)
            return
        get_style = console.get_style
        border_style = get_style(self.style or "") + get_style(self.border_style or "")
        assert self.box is not None
        box = self.box.substitute(options, safe=console.safe_box if self.safe_box is None
                                  else self.safe_box)
        new_line = Segment.line()
        pad_style = get_style("none")
        header_style = get_style(self.header_style or "")
        header = [header_style + get_style(c.header_style) for c in self.columns]
        body = [get_style(c.style or "") for c in self.columns]
        pads = [self._pads(i) for i in range(len(self.columns))]

        def line(cells: list[Any], styles: list[Style], edges: tuple[str, str, str],
                 ) -> Iterator[Segment]:
            left, right, divider = (Segment(e, border_style) for e in edges)
            segments = [left]
            for index, column in enumerate(self.columns):
                if index:
                    segments.append(divider)
                segments += self._cell(cells[index], widths[index], column.justify,
                                       styles[index], pads[index], pad_style, console)
            segments.append(right)
            if any(segment.style for segment in segments):
                yield from segments
            else:  # an unstyled line is one segment: 10,000 rows print in a blink
                yield Segment("".join(segment.text for segment in segments))
            yield new_line

        yield Segment(box.get_top(widths), border_style)
        yield new_line
        yield from line(headers, header,
                        (box.head_left, box.head_right, box.head_vertical))
        yield Segment(box.get_row(widths, "head", edge=True), border_style)
        yield new_line
        cells = [column._cells for column in self.columns]
        last = len(self.rows) - 1
        for index, row in enumerate(self.rows):
            edges = ((box.foot_left, box.foot_right, box.foot_vertical) if index == last
                     else (box.mid_left, box.mid_right, box.mid_vertical))
            yield from line([column[index] for column in cells], body, edges)
            if row.end_section and index != last:
                yield Segment(box.get_row(widths, "row", edge=True), border_style)
                yield new_line
        yield Segment(box.get_bottom(widths), border_style)
        yield new_line

    def _plain_layout(self, widths: list[int], headers: list[Any]) -> bool:
        """True when every row is one line of plain text that fits its column unwrapped."""
        if not (self.box and self.show_header and self.show_edge and self.rows) or (
                self.show_footer or self.show_lines or self.leading or self.row_styles
                or self.collapse_padding or any(row.style for row in self.rows)
                or any(c.width is None for c in self.columns)):
            return False
        for index, column in enumerate(self.columns):
            inner = widths[index] - sum(self._pads(index))
            if column.justify not in ("left", "right", "center") or column.vertical != "top":
                return False
            for cell in (headers[index], *column._cells):
                if not isinstance(cell, Text) or cell._spans or cell.end != "\n" or (
                        cell.justify not in (None, column.justify)):
                    return False
                plain = cell.plain
                if "\n" in plain or "\t" in plain or cell_len(plain) > inner:
                    return False
        return True

    def _pads(self, index: int) -> tuple[int, int]:
        """The left and right padding of a column's cells (pad_edge drops the outer ones)."""
        _, right, _, left = self.padding
        if not self.pad_edge:
            left = 0 if index == 0 else left
            right = 0 if index == len(self.columns) - 1 else right
        return left, right

    @staticmethod
    def _cell(cell: Text, width: int, justify: str, style: Style, pads: tuple[int, int],
              pad_style: Style, console: Console) -> list[Segment]:
        """One padded, justified cell, styled as Rich would style it."""
        left, right = pads
        inner = width - left - right
        plain, own = cell.plain, console.get_style(cell.style) if cell.style else None
        if justify != "left":
            plain = plain.rstrip()
        excess = inner - cell_len(plain)
        if justify == "left":
            plain += " " * excess
        elif justify == "right":
            plain = " " * excess + plain
        else:
            plain = " " * (excess // 2) + plain + " " * (excess - excess // 2)
        text = Segment(plain, (style + own if style else own) if own else (style or None))
        if not (left or right):
            return [text]
        outer = style + pad_style if style else pad_style
        return [Segment(" " * left, outer), text, Segment(" " * right, outer)]
