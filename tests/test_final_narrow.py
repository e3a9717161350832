"""Final QA pass: `portfolio performance`, `portfolio history` and `gas --all` keep every
figure whole at 60 and 80 columns and name exactly what they hide; XIRR gives no annual rate
for flows that span less than a day."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal as D
from io import StringIO

import pytest

from mobius_cli.core.performance import xirr
from tests.fakes import run_mobius

DAY = 86400


def _at(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M", time.gmtime(seconds))


def add(*args: str) -> None:
    result = run_mobius("portfolio", "add", *args)
    assert result.returncode == 0, result.stderr


def hidden(stderr: str) -> list[str]:
    """The column names the 'hidden at N columns' note lists."""
    found = re.search(r"note: (.*) hidden at \d+ columns", stderr)
    return found.group(1).split(", ") if found else []


def fits(stdout: str, columns: int) -> None:
    assert "…" not in stdout, stdout
    for line in stdout.splitlines():
        assert len(line.rstrip()) <= columns, (line, stdout)


@pytest.fixture
def ledger(fake_apis):
    """ETH bought 100 days ago with a fee, BTC 20 days ago with a note: flows in the window."""
    add("eth", "2", "--price", "3000", "--date", _at(fake_apis.now - 100 * DAY), "--fee", "10")
    add("btc", "0.12345678", "--price", "60000", "--date", _at(fake_apis.now - 20 * DAY),
        "--note", "a note long enough to need room")
    return fake_apis


# --- 1. portfolio performance -------------------------------------------------------------


@pytest.mark.parametrize("columns", [60, 80])
def test_performance_keeps_every_sum_whole(ledger, columns):
    data = json.loads(run_mobius("portfolio", "performance", "--days", "30", "--json").stdout)
    result = run_mobius("portfolio", "performance", "--days", "30",
                        env={"COLUMNS": str(columns)})
    assert result.returncode == 0, result.stderr
    fits(result.stdout, columns)
    out = result.stdout
    # both columns, whole, with their full headers
    header = next(line for line in out.splitlines() if line.lstrip().startswith("Figure"))
    assert header.split() == ["Figure", "Portfolio", "BTC", "instead"]
    assert f" ${data['net_invested']:,.2f} " in out
    assert f" ${data['value']:,.2f} " in out and f" ${data['btc']['value']:,.2f} " in out
    assert f" {data['xirr_pct']:+.2f}% " in out
    assert "XIRR (annual)" in out and hidden(result.stderr) == []


def test_performance_gives_up_btc_before_cutting_a_sum(ledger):
    result = run_mobius("portfolio", "performance", "--days", "30", env={"COLUMNS": "40"})
    assert result.returncode == 0, result.stderr
    fits(result.stdout, 40)
    header = next(line for line in result.stdout.splitlines() if "Figure" in line)
    assert header.split() == ["Figure", "Portfolio"]
    assert hidden(result.stderr) == ["BTC instead"]


# --- 2. portfolio history -----------------------------------------------------------------


@pytest.mark.parametrize("columns", [60, 80])
def test_history_never_cuts_a_figure_and_names_what_it_hid(ledger, columns):
    result = run_mobius("portfolio", "history", env={"COLUMNS": str(columns)})
    assert result.returncode == 0, result.stderr
    fits(result.stdout, columns)
    out = result.stdout
    assert "0.12345678" in out and " BTC " in out
    header = next(line for line in out.splitlines() if "Date" in line).split()
    gone = hidden(result.stderr)
    assert set(gone).isdisjoint(header) and "Note" in gone
    for name in ("Id", "Date", "Kind", "Coin", "Amount", "Price", "Fee", "Note"):
        assert (name in header) != (name in gone), (name, header, gone)
    if "Price" in header:
        assert "60,000.00 USD" in out and "3,000.00 USD" in out


def _history_at(rows, columns: int) -> tuple[str, list[str]]:
    """history_table as `emit` prints it on a terminal `columns` wide."""
    from rich.console import Console

    from mobius_cli.render.output import fit_to_width
    from mobius_cli.render.portfolio import history_table

    console = Console(file=StringIO(), width=columns, color_system=None)
    table = history_table(rows, "main")
    gone = fit_to_width(table, console)
    console.print(table)
    return console.file.getvalue(), gone


def test_history_with_transfers_and_long_amounts_keeps_its_figures():
    from mobius_cli.core.ledger import Transaction

    when = datetime(2026, 1, 2, 12, 30, tzinfo=timezone.utc)
    rows = []
    for i, (kind, price) in enumerate([("buy", "64123.45"), ("transfer_out", "0"),
                                       ("sell", "71234.5")]):
        tx = Transaction(kind, "bitcoin", "BTC", D("0.12345678"), D(price), "usd",
                         when + timedelta(days=i), fee=D("1.5"), fee_currency="usd",
                         note="to cold storage")
        tx.id = 1000 + i
        rows.append(tx)
    for columns in (60, 80, 120):
        out, gone = _history_at(rows, columns)
        fits(out, columns)
        assert out.count("0.12345678") == 3 and "transfer out" in out
        if "Price" not in gone:
            assert "64,123.45 USD" in out and "71,234.50 USD" in out
        assert gone == ["Note", "Fee", "Id", "Price"][:len(gone)]
    assert _history_at(rows, 120)[1] == []


# --- 3. gas --all -------------------------------------------------------------------------


@pytest.mark.parametrize("columns", [60, 80, 160])
def test_gas_all_keeps_the_useful_columns_and_says_exactly_what_it_hid(fake_apis, columns):
    result = fake_apis.run_mobius("gas", "--all", env={"COLUMNS": str(columns)})
    assert result.returncode == 0, result.stderr
    fits(result.stdout, columns)
    lines = result.stdout.splitlines()
    title = lines[0]
    assert title.strip() == "Gas fees in gwei; costs at the standard tier"
    [bottom] = [line for line in lines if line.lstrip().startswith("Chain")]
    top = lines[lines.index(bottom) - 1]
    # two-line headers: "Transfer" over "USD" reads "Transfer USD", as the note names them
    shown = {"Chain", "Base fee", "Slow", "Standard", "Fast"} & set(
        re.split(r"\s{2,}", bottom.strip()))
    words = top.split()  # the costs are the last columns
    shown |= {f"{a} {b}" for a, b in zip(words, bottom.split()[-len(words):], strict=True)}
    every = {"Base fee", "Slow", "Standard", "Fast", "Transfer native", "Swap native",
             "Transfer USD", "Swap USD"}
    gone = set(hidden(result.stderr))
    assert {"Chain", "Standard", "Transfer USD", "Swap USD"} <= shown
    assert gone == every - shown, (gone, shown)
    # the Chain column is as wide as the longest chain name, not padded out by ~20 blanks
    avalanche = next(line for line in lines if "Avalanche C-Chain" in line)
    gap = re.match(r" Avalanche C-Chain( *)\S", avalanche).group(1)
    assert 3 <= len(gap) < 12, avalanche


def test_gas_all_at_60_columns_shows_the_standard_tier(fake_apis):
    result = fake_apis.run_mobius("gas", "--all", "--json")
    data = {d["chain"]: d for d in json.loads(result.stdout)}
    out = fake_apis.run_mobius("gas", "--all", env={"COLUMNS": "60"}).stdout
    line = next(x for x in out.splitlines() if x.lstrip().startswith("Ethereum"))
    standard = data["ethereum"]["tiers"]["standard"]["max_priority_fee_gwei"]
    assert f" {standard:.3g} " in line, (standard, line)


# --- 4. XIRR over less than a day ---------------------------------------------------------


T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_xirr_has_no_annual_rate_for_flows_inside_a_day():
    # -1e-6 lost over half a second would "annualise" to about -12.7%: not a rate
    flows = [(T0, -40000.000001), (T0 + timedelta(seconds=0.5), 40000.0)]
    result = xirr(flows)
    assert result.rate is None and "same day" in result.reason
    assert result.to_json()["rate_pct"] is None
    # 23 h 59 min 59 s is still under a day, even with a large gain
    assert xirr([(T0, -100.0), (T0 + timedelta(days=1, seconds=-1), 110.0)]).rate is None


def test_xirr_of_flows_a_day_apart_is_the_hand_worked_rate():
    # -100 then +101 one day later: (1.01)^365 - 1
    result = xirr([(T0, -100.0), (T0 + timedelta(days=1), 101.0)])
    assert result.rate == pytest.approx(1.01 ** 365 - 1, rel=1e-9)
    # two days: 1.02 over 2 days -> 1.02^(365/2) - 1
    two = xirr([(T0, -100.0), (T0 + timedelta(days=1), -0.0), (T0 + timedelta(days=2), 102.0)])
    assert two.rate == pytest.approx(1.02 ** (365 / 2) - 1, rel=1e-9)


def test_a_portfolio_bought_at_market_seconds_ago_has_no_xirr(fake_apis):
    add("btc", "0.5", "--fee", "0.000001")
    result = run_mobius("portfolio", "performance", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["xirr_pct"] is None and "same day" in data["xirr_note"]
    assert data["btc"]["xirr_pct"] is None
    table = run_mobius("portfolio", "performance", env={"COLUMNS": "80"})
    assert table.returncode == 0, table.stderr
    row = next(x for x in table.stdout.splitlines() if "XIRR (annual)" in x)
    assert row.split()[-4:] == ["no", "answer", "no", "answer"]
    assert "XIRR: no solution: every flow is on the same day" in " ".join(table.stdout.split())
