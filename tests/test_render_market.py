"""Charts and tables a person enjoys: the terminal's own background, short axis labels, an
end date, and coin names kept whole at 80 columns."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from tests.fakes import run_mobius

ANSI = re.compile(r"\x1b\[([0-9;]*)m")


def _history(days: int, start_price: float = 138911.6, step: float = -850.0):
    from mobius_cli.core.models import CoinRef, PricePoint
    from mobius_cli.services.market import History

    end = datetime(2026, 11, 21, 12, 49, tzinfo=timezone.utc)
    count = 48 if days == 1 else days + 1
    span = timedelta(days=days) / (count - 1)
    points = [PricePoint(end - span * (count - 1 - i), start_price + step * i)
              for i in range(count)]
    return History(CoinRef("bitcoin", "BTC", "Bitcoin", 1), "usd", days, points)


def _y_labels(chart: str) -> list[str]:
    return [m.group(1) for line in chart.splitlines()
            if (m := re.match(r"^\s*(\S+)┤", line))]


def _x_labels(chart: str) -> str:
    return chart.rstrip("\n").splitlines()[-1]


@pytest.fixture
def history():
    return _history


@pytest.mark.parametrize("days", [1, 30, 365])
def test_chart_uses_the_terminals_background(history, days):
    from mobius_cli.render.market import history_chart

    chart = history_chart(history(days), 100, color=True)
    codes = [code for match in ANSI.finditer(chart) for code in match.group(1).split(";")]
    assert codes, "a coloured chart has some colour"
    # No background colour (40-47, 100-107, 48;...) anywhere: a dark terminal stays dark.
    sequences = [m.group(1) for m in ANSI.finditer(chart)]
    for seq in sequences:
        parts = seq.split(";")
        assert "48" not in parts and not any(p.isdigit() and (40 <= int(p) <= 47 or
                                                              100 <= int(p) <= 107)
                                             for p in parts), seq


def test_chart_y_labels_are_short_and_x_ends_on_the_last_date(history):
    from mobius_cli.render.format import axis_number
    from mobius_cli.render.market import history_chart

    h = history(30)
    chart = history_chart(h, 100, color=False)
    labels = _y_labels(chart)
    assert len(labels) >= 3
    assert all(re.fullmatch(r"\d+(\.\d+)?k", label) for label in labels), labels
    prices = [p.price for p in h.points]
    assert labels[0] == axis_number(max(prices)) and labels[-1] == axis_number(min(prices))
    assert "138911.6" not in chart
    assert _x_labels(chart).rstrip().endswith("2026-11-21")
    assert "\x1b" not in chart


def test_one_day_chart_labels_hours_and_ends_with_day_and_time(history):
    from mobius_cli.render.market import history_chart

    bottom = _x_labels(history_chart(history(1), 100, color=False))
    assert bottom.rstrip().endswith("Nov 21 12:49")
    assert re.search(r"\b\d\d:\d\d\b", bottom.split("Nov 21")[0])


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_chart_fits_the_width(history, width):
    from mobius_cli.render.market import history_chart

    chart = history_chart(history(90), width, color=False)
    assert max(len(line) for line in chart.splitlines()) <= max(width, 40)
    assert _x_labels(chart).rstrip().endswith("2026-11-21")


def test_history_chart_command(fake_apis):
    result = run_mobius("history", "btc", "--days", "30", "--chart", env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    assert all(re.fullmatch(r"\d+(\.\d+)?k", label) for label in _y_labels(result.stdout))
    assert _x_labels(result.stdout).rstrip().endswith("2026-11-21")


NAMES = ["Bitcoin", "Ethereum", "Tether", "Solana", "Dogecoin", "Cardano"]


@pytest.mark.parametrize(("args", "names", "dropped"), [
    (("market",), NAMES, "Volume 24h"),
    (("price", "btc", "eth", "sol", "doge", "ada"), ["Bitcoin", "Ethereum", "Solana", "Dogecoin",
                                                     "Cardano"], None),
    (("movers", "-n", "5"), ["Pudgy Penguins", "Hyperliquid", "Avalanche"], None),
    (("compare", "btc", "eth", "doge"), ["Bitcoin", "Ethereum", "Dogecoin"], None),
    (("trending",), ["Pudgy Penguins", "Tokamak Network", "Hyperliquid"], None),
], ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_tables_at_80_columns_keep_names_whole(fake_apis, args, names, dropped):
    result = run_mobius(*args, env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    assert "…" not in result.stdout
    for name in names:
        assert any(re.search(rf"\b{re.escape(name)}\b", line) for line in lines), name
    if dropped:
        assert dropped not in result.stdout
        assert f"note: {dropped} hidden at 80 columns" in result.stderr
    else:
        assert "hidden at" not in result.stderr


def test_wide_terminals_keep_every_column(fake_apis):
    wide = run_mobius("market", env={"COLUMNS": "140"})
    assert "Volume 24h" in wide.stdout and "Market cap" in wide.stdout
    assert "hidden" not in wide.stderr


def test_hidden_columns_are_named_once_and_quiet_hides_the_note(fake_apis):
    narrow = run_mobius("market", "-n", "5", env={"COLUMNS": "60"})
    assert narrow.stderr.count("note: Volume 24h, Market cap hidden at 60 columns") == 1
    assert "--json shows them" in narrow.stderr
    assert run_mobius("-q", "market", "-n", "5", env={"COLUMNS": "60"}).stderr == ""
    json_out = run_mobius("--json", "market", "-n", "5", env={"COLUMNS": "60"})
    assert "hidden" not in json_out.stderr


def test_the_repl_names_hidden_columns_once_per_session(fake_apis):
    session = run_mobius("repl", input="top 5 coins\ntop 3 coins\nand in eur?\n",
                         env={"COLUMNS": "80"})
    assert session.returncode == 0, session.stderr
    assert session.stderr.count("Volume 24h hidden at 80 columns") == 1


def test_columns_go_in_order_as_the_terminal_narrows(fake_apis):
    at = {cols: run_mobius("market", "-n", "5", env={"COLUMNS": str(cols)}).stdout
          for cols in (100, 80, 60, 50)}
    assert "Volume 24h" in at[100] and "Market cap" in at[100]
    assert "Volume 24h" not in at[80] and "Market cap" in at[80]
    assert "Market cap" not in at[60] and "7d" in at[60]
    assert "7d" not in at[50] and "Bitcoin" in at[50] and "Ethereum" in at[50]
