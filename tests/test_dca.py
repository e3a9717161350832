"""DCA back-test: a ledger worked by hand, then `mobius dca` end to end on a served series."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from mobius_cli.core.dca import backtest, parse_every
from mobius_cli.errors import UsageError

try:
    from tests.runner import run_cli
except ImportError:  # pragma: no cover - older checkouts: a real process
    run_cli = None

DAY0 = datetime(2026, 11, 16, tzinfo=timezone.utc)
# Six daily closes, the last one live. $100 every 2 closes buys on closes 0, 2 and 4:
#   close 0 @100 → 1 unit, close 2 @50 → 2 units, close 4 @125 → 0.8 units: 3.8 units for $300.
#   Value at 200: 3.8 × 200 = $760, +153.33%; average cost 300 / 3.8 = $78.947368...
#   Lump sum: $300 at 100 = 3 units, $600, +100%.
#   Drawdown (peak raised by new money): close 1: 80 vs peak 100 → -20%; close 2: units 3 at
#   50 = 150 vs peak 100 + 100 = 200 → -25% (the deepest); afterwards new highs.
PRICES = [100.0, 80.0, 50.0, 100.0, 125.0, 200.0]
POINTS = [(DAY0 + timedelta(days=i), p) for i, p in enumerate(PRICES)]


def test_ledger_by_hand():
    r = backtest(POINTS, 100, 2)
    assert r.buys == 3
    assert r.invested == 300
    assert r.units == pytest.approx(3.8, rel=1e-12)
    assert r.value == pytest.approx(760, rel=1e-12)
    assert r.average_cost == pytest.approx(300 / 3.8, rel=1e-12)
    assert r.return_pct == pytest.approx(153.3333333333, rel=1e-9)
    assert r.lump_units == 3 and r.lump_value == 600 and r.lump_return_pct == 100
    assert r.max_drawdown_pct == pytest.approx(25.0, rel=1e-12)
    assert [s.bought for s in r.steps] == [True, False, True, False, True, False]
    assert [s.invested for s in r.steps] == [100, 100, 200, 200, 300, 300]


def test_daily_buys_include_the_live_close():
    r = backtest(POINTS, 10, 1)
    assert r.buys == 6 and r.invested == 60
    assert r.units == pytest.approx(sum(10 / p for p in PRICES), rel=1e-12)


def test_interval_longer_than_the_period_is_one_buy():
    r = backtest(POINTS, 100, 30)
    assert r.buys == 1 and r.units == 1 and r.return_pct == pytest.approx(100)


@pytest.mark.parametrize(("text", "days"), [("day", 1), ("week", 7), ("weekly", 7),
                                            ("month", 30), ("14", 14), ("10d", 10)])
def test_every(text, days):
    assert parse_every(text) == days


@pytest.mark.parametrize("text", ["0", "-7", "year", "1.5", ""])
def test_bad_every(text):
    with pytest.raises(UsageError):
        parse_every(text)


def test_bad_amount_and_series():
    with pytest.raises(UsageError):
        backtest(POINTS, 0, 7)
    with pytest.raises(UsageError):
        backtest([], 100, 7)
    with pytest.raises(UsageError):
        backtest([(DAY0, 0.0)], 100, 7)


# --- end to end against the loopback fake ----------------------------------------------


def cli(fake, *args: str):
    if run_cli is None:
        return fake.run_mobius(*args)
    return run_cli(list(args), env=fake.env())


def chart_body() -> dict:
    """A market_chart reply (coingecko.md shape) holding PRICES: daily at 00:00, then live."""
    stamps = [int((DAY0 + timedelta(days=i)).timestamp() * 1000) for i in range(5)]
    stamps.append(stamps[-1] + 86_400_000 + 12 * 3_600_000 + 599)
    return {"prices": [[t, p] for t, p in zip(stamps, PRICES, strict=True)],
            "market_caps": [[t, p * 19_000_000] for t, p in zip(stamps, PRICES, strict=True)],
            "total_volumes": [[t, 1e9] for t in stamps]}


def test_dca_json_end_to_end(fake_apis):
    fake_apis.respond("/coins/bitcoin/market_chart", chart_body())
    result = cli(fake_apis, "dca", "btc", "--amount", "100", "--every", "2", "--days", "5",
                 "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["symbol", "currency", "amount", "every_days", "days", "buys",
                          "invested", "units", "average_cost", "value", "return_pct",
                          "max_drawdown_pct", "lump_sum"]
    assert data["symbol"] == "BTC" and data["currency"] == "usd"
    assert data["amount"] == 100 and data["every_days"] == 2 and data["days"] == 5
    assert data["buys"] == 3 and data["invested"] == 300
    assert data["units"] == pytest.approx(3.8, rel=1e-12)
    assert data["value"] == pytest.approx(760, rel=1e-12)
    assert data["average_cost"] == pytest.approx(78.94736842105263, rel=1e-12)
    assert data["return_pct"] == pytest.approx(153.33333333333334, rel=1e-12)
    assert data["lump_sum"] == {"units": 3.0, "value": 600.0, "return_pct": 100.0}
    assert data["max_drawdown_pct"] == pytest.approx(25.0, rel=1e-12)  # as the table's -25%
    chart = fake_apis.last("/coins/bitcoin/market_chart")
    assert chart.query == {"vs_currency": "usd", "days": "5", "interval": "daily"}


def test_dca_table_shows_drawdown(fake_apis):
    fake_apis.respond("/coins/bitcoin/market_chart", chart_body())
    result = cli(fake_apis, "dca", "btc", "-a", "100", "-e", "2", "-d", "5")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "DCA $100.00 of BTC every 2 days, 2026-11-16 to 2026-11-21" in out
    assert "-25.00%" in out and "+153.33%" in out and "+100.00%" in out
    assert "$760.00" in out and "$600.00" in out


def test_dca_chart(fake_apis):
    fake_apis.respond("/coins/bitcoin/market_chart", chart_body())
    result = cli(fake_apis, "dca", "btc", "-a", "100", "-e", "2", "-d", "5", "--chart")
    assert result.returncode == 0, result.stderr
    assert "value" in result.stdout and "invested" in result.stdout
    assert "DCA BTC: value $760.00 vs invested $300.00 (+153.33%)" in result.stdout


@pytest.mark.parametrize("args", [
    ["--amount", "-5"], ["--amount", "abc"], ["--every", "year"], ["--days", "0"],
    ["--days", "99999"],
])
def test_bad_arguments_exit_2(fake_apis, args):
    result = cli(fake_apis, "dca", "btc", *args)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
