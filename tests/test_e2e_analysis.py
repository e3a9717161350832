"""`mobius ta` end to end against the loopback fake, checked against TA-Lib on the very
closes the fake served."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

talib = pytest.importorskip("talib")

try:
    from tests.runner import run_cli
except ImportError:  # pragma: no cover - older checkouts: a real process
    run_cli = None


def cli(fake, *args: str):
    if run_cli is None:
        return fake.run_mobius(*args)
    return run_cli(list(args), env=fake.env())


def served_closes(fake, coin_id: str) -> np.ndarray:
    """The closes in the fake's last market_chart reply for `coin_id` (fetched again)."""
    import httpx

    req = fake.last(f"/coins/{coin_id}/market_chart")
    assert req is not None and req.query["interval"] == "daily"
    reply = httpx.get(fake.url("coingecko", f"/coins/{coin_id}/market_chart"),
                      params=req.query).json()
    return np.array([p for _, p in reply["prices"]], dtype=float)


def test_ta_json_matches_talib_on_the_served_closes(fake_apis):
    result = cli(fake_apis, "ta", "btc", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["symbol", "currency", "as_of", "closes", "close", "rsi_14", "macd",
                          "bollinger", "sma_20", "sma_50", "sma_200", "ema_12", "ema_26",
                          "signals", "overall"]
    x = served_closes(fake_apis, "bitcoin")
    assert fake_apis.last("/coins/bitcoin/market_chart").query["days"] == "365"
    assert data["closes"] == len(x) == 366
    assert data["close"] == x[-1]
    assert data["as_of"].startswith("2026-11-21T12:49:21")
    assert data["rsi_14"] == pytest.approx(talib.RSI(x, 14)[-1], rel=1e-9)
    line, signal, hist = talib.MACD(x, 12, 26, 9)
    assert data["macd"]["macd"] == pytest.approx(line[-1], rel=1e-9)
    assert data["macd"]["signal"] == pytest.approx(signal[-1], rel=1e-9)
    assert data["macd"]["histogram"] == pytest.approx(hist[-1], rel=1e-9, abs=1e-9 * x[-1])
    upper, middle, lower = talib.BBANDS(x, 20, 2, 2, 0)
    assert data["bollinger"] == pytest.approx(
        {"upper": upper[-1], "middle": middle[-1], "lower": lower[-1]}, rel=1e-9)
    for period in (20, 50, 200):
        assert data[f"sma_{period}"] == pytest.approx(talib.SMA(x, period)[-1], rel=1e-9)
    for period in (12, 26):
        assert data[f"ema_{period}"] == pytest.approx(talib.EMA(x, period)[-1], rel=1e-9)
    assert {s["strategy"] for s in data["signals"]} == {"momentum", "trend", "mean_reversion"}
    assert all(set(s) == {"strategy", "signal", "reason"} for s in data["signals"])
    overall = data["overall"]
    assert overall["signal"] in ("bullish", "bearish", "neutral")
    agree = sum(s["signal"] == overall["signal"] for s in data["signals"])
    assert overall["confidence"] == round(agree / len(data["signals"]), 2)


def test_ta_in_another_currency(fake_apis):
    result = cli(fake_apis, "ta", "eth", "--vs", "eur", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["currency"] == "eur"
    x = served_closes(fake_apis, "ethereum")
    assert data["sma_50"] == pytest.approx(talib.SMA(x, 50)[-1], rel=1e-9)


def short_chart(n: int) -> dict:
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    stamps = [int((start + timedelta(days=i)).timestamp() * 1000) for i in range(n)]
    prices = [100 + 5 * np.sin(i / 2) for i in range(n)]
    return {"prices": [[t, p] for t, p in zip(stamps, prices, strict=True)],
            "market_caps": [[t, 1e9] for t in stamps], "total_volumes": [[t, 1e8] for t in stamps]}


def test_too_little_history_is_null_with_a_reason(fake_apis):
    fake_apis.respond("/coins/solana/market_chart", short_chart(25))
    result = cli(fake_apis, "ta", "sol", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["closes"] == 25
    assert data["macd"] == {"macd": None, "signal": None, "histogram": None}
    assert data["sma_50"] is None and data["sma_200"] is None and data["ema_26"] is None
    assert data["rsi_14"] is not None and data["sma_20"] is not None
    assert "only 25 daily closes" in result.stderr
    assert "SMA 200 needs 200" in result.stderr and "MACD(12, 26, 9) needs 34" in result.stderr
    table = cli(fake_apis, "ta", "sol")
    assert "needs 200 closes, have 25" in table.stdout


def test_table_signals_and_overall_never_say_buy(fake_apis):
    result = cli(fake_apis, "ta", "btc")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for label in ("RSI(14)", "MACD(12, 26, 9)", "Bollinger(20, 2)", "SMA 200", "EMA 26",
                  "Signals", "Overall:", "not advice"):
        assert label in out
    assert "buy" not in out.lower()


def test_one_indicator(fake_apis):
    result = cli(fake_apis, "ta", "sol", "--indicator", "rsi")
    assert result.returncode == 0, result.stderr
    assert "RSI(14)" in result.stdout and "SMA 200" not in result.stdout
    assert "Overall" not in result.stdout
    bad = cli(fake_apis, "ta", "sol", "--indicator", "stochastic")
    assert bad.returncode == 2 and "unknown indicator 'stochastic'" in bad.stderr


def test_chart_draws_price_bands_and_averages(fake_apis):
    result = cli(fake_apis, "ta", "btc", "--chart")
    assert result.returncode == 0, result.stderr
    for label in ("BTC/USD", "price", "BB upper", "BB lower", "SMA 20", "SMA 50", "SMA 200"):
        assert label in result.stdout
    assert "\x1b[" not in result.stdout  # NO_COLOR


def test_csv_has_a_row_per_close(fake_apis):
    result = cli(fake_apis, "ta", "btc", "--csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 366
    assert rows[0]["sma_20"] == "" and rows[-1]["sma_200"] != ""
    x = served_closes(fake_apis, "bitcoin")
    assert float(rows[-1]["rsi_14"]) == pytest.approx(talib.RSI(x)[-1], rel=1e-9)


@pytest.mark.parametrize(("args", "code", "text"), [
    (["ta", "notacoin"], 2, "unknown coin"),
    (["ta", "btc", "--days", "0"], 2, "--days"),
    (["ta"], 2, "name at least one coin"),
])
def test_errors_are_one_line(fake_apis, args, code, text):
    result = cli(fake_apis, *args)
    assert result.returncode == code
    assert text in result.stderr and "Traceback" not in result.stderr


def test_source_failure_is_exit_1(fake_apis):
    fake_apis.fail("/coins/bitcoin/market_chart", 500, times=None)
    assert cli(fake_apis, "config", "set", "retries", "0").returncode == 0
    result = cli(fake_apis, "ta", "btc")
    assert result.returncode == 1
    assert "CoinGecko" in result.stderr
