"""Tables that give up columns on a narrow terminal never squeeze the ones they keep."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from mobius_cli.render.output import fit_to_width, new_table

CELLS = {"Coin": "BTC", "Amount": "0.5", "Price": "$77,671.00", "Value": "$38,835.50",
         "Cost basis": "$30,000.00", "P&L": "+$8,835.50", "P&L %": "+29.45%", "24h": "-0.95%",
         "Allocation": "████████ 100.0%"}


@pytest.mark.parametrize("width", [60, 70, 80, 90, 100, 120])
def test_kept_columns_show_whole_cells(width):
    table = new_table("Portfolio", *CELLS, drop_first=("Cost basis", "24h", "Price", "P&L %"))
    table.add_row(*CELLS.values())
    console = Console(file=io.StringIO(), width=width, no_color=True)
    fit_to_width(table, console)
    console.print(table)
    out = console.file.getvalue()
    kept = [str(c.header) for c in table.columns]
    assert "…" not in out
    for header in kept:
        assert CELLS[header] in out
    assert max(len(line) for line in out.splitlines()) <= width
