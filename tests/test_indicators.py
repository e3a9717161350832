"""Indicators against TA-Lib itself (the oracle), and the signals read from them."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from mobius_cli.core import indicators as ind
from mobius_cli.core import signals

talib = pytest.importorskip("talib")

RTOL = 1e-9


def random_walk(n: int, seed: int, start: float = 100.0, vol: float = 0.03) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return start * np.cumprod(1 + vol * rng.standard_normal(n))


def with_gap(n: int = 300, seed: int = 11) -> np.ndarray:
    """Daily closes where a day is missing and the price gaps up 40% across it."""
    closes = random_walk(n, seed)
    closes = np.delete(closes, n // 2)  # the source skipped a day
    closes[n // 2:] *= 1.4
    return closes


SERIES = {
    **{f"walk-{seed}-{scale:g}": random_walk(400, seed, scale)
       for seed, scale in ((1, 100.0), (2, 90_000.0), (3, 0.00001234), (4, 1.0))},
    "walk-366": random_walk(366, 7, 2500.0),
    "trending-up": np.linspace(10, 50, 250) * (1 + 0.01 * np.sin(np.arange(250))),
    "flat": np.full(300, 0.1234567),
    "flat-big": np.full(300, 91_234.5),
    "gap": with_gap(),
    **{f"short-{n}": random_walk(n, 100 + n) for n in
       (0, 1, 2, 13, 14, 15, 19, 20, 21, 25, 26, 33, 34, 35, 49, 50, 199, 200)},
}


def same(ours: np.ndarray, theirs: np.ndarray, closes: np.ndarray) -> None:
    """Equal where TA-Lib has a value, NaN where it has none.

    Relative 1e-9; values that are mathematically zero (MACD of a flat series) are
    floating-point noise in both, so an absolute floor of 1e-12 × the price level applies.
    """
    assert ours.shape == theirs.shape
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    scale = float(np.max(np.abs(closes))) if len(closes) else 1.0
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=1e-12 * scale, equal_nan=True)


@pytest.fixture(params=sorted(SERIES), ids=str)
def closes(request: pytest.FixtureRequest) -> np.ndarray:
    return SERIES[request.param]


def test_sma(closes):
    for period in (20, 50, 200):
        same(ind.sma(closes, period), talib.SMA(closes, timeperiod=period), closes)


def test_ema(closes):
    for period in (12, 26):
        same(ind.ema(closes, period), talib.EMA(closes, timeperiod=period), closes)


def test_rsi(closes):
    same(ind.rsi(closes, 14), talib.RSI(closes, timeperiod=14), closes)


def test_macd(closes):
    ours = ind.macd(closes, 12, 26, 9)
    theirs = talib.MACD(closes, fastperiod=12, slowperiod=26, signalperiod=9)
    for a, b in zip(ours, theirs, strict=True):
        same(a, b, closes)


def test_bollinger(closes):
    ours = ind.bollinger(closes, 20, 2.0)
    theirs = talib.BBANDS(closes, timeperiod=20, nbdevup=2, nbdevdn=2, matype=0)
    for a, b in zip(ours, theirs, strict=True):
        same(a, b, closes)


@pytest.mark.parametrize("period", [1, 2, 5, 9, 30])
def test_other_periods_match_too(period):
    x = random_walk(120, 42)
    same(ind.sma(x, period), talib.SMA(x, timeperiod=period), x)
    same(ind.ema(x, period), talib.EMA(x, timeperiod=period), x)
    if period > 1:
        same(ind.rsi(x, period), talib.RSI(x, timeperiod=period), x)


def test_flat_series_has_rsi_zero_like_talib():
    # TA-Lib's convention for no movement at all; the signal then says RSI tells nothing.
    x = SERIES["flat"]
    assert ind.rsi(x)[-1] == talib.RSI(x)[-1] == 0.0
    momentum = [s for s in signals.analyse(x).signals if s.indicator == "rsi_14"]
    assert momentum[0].signal == "neutral" and "not moved" in momentum[0].reason


def test_lookbacks_are_talib_lookbacks():
    x = random_walk(300, 5)
    first = {name: int(np.argmax(~np.isnan(series))) for name, series in {
        "rsi_14": talib.RSI(x), "macd": talib.MACD(x)[0], "bollinger": talib.BBANDS(x)[0],
        "sma_20": talib.SMA(x, 20), "sma_50": talib.SMA(x, 50), "sma_200": talib.SMA(x, 200),
        "ema_12": talib.EMA(x, 12), "ema_26": talib.EMA(x, 26)}.items()}
    assert {name: ind.lookback(name) - 1 for name in first} == first


# --- signals -----------------------------------------------------------------------------


def test_too_little_history_gives_null_and_says_why():
    x = random_walk(30, 9)
    tech = signals.analyse(x)
    data = tech.indicators_json()
    assert data["rsi_14"] is not None and data["sma_20"] is not None
    assert data["macd"] == {"macd": None, "signal": None, "histogram": None}
    assert data["sma_50"] is None and data["sma_200"] is None
    assert set(tech.missing) == {"macd", "sma_50", "sma_200"}
    assert tech.missing["sma_200"] == "SMA 200 needs 200 daily closes; only 30 available"
    assert {s.indicator for s in tech.signals} == {"rsi_14", "bollinger"}


def test_no_closes_at_all():
    tech = signals.analyse([])
    assert tech.signals == [] and tech.overall == "neutral" and tech.confidence == 0.0
    assert tech.close is None


def test_values_are_the_last_talib_values():
    x = SERIES["walk-366"]
    v = signals.analyse(x).values
    assert v["rsi_14"] == pytest.approx(talib.RSI(x)[-1], rel=RTOL)
    assert v["macd_histogram"] == pytest.approx(talib.MACD(x)[2][-1], rel=1e-7)
    assert v["bb_lower"] == pytest.approx(talib.BBANDS(x)[2][-1], rel=RTOL)
    assert v["sma_200"] == pytest.approx(talib.SMA(x, 200)[-1], rel=RTOL)


def test_a_steady_rise_is_bullish_and_overbought():
    x = [100 * 1.01**i for i in range(260)]
    tech = signals.analyse(x)
    by = {s.indicator: s for s in tech.signals}
    assert by["rsi_14"].signal == "bearish" and "overbought" in by["rsi_14"].reason
    assert by["sma_200"].signal == "bullish" and "above its 200-day average" in \
        by["sma_200"].reason
    assert by["sma_50"].signal == "bullish"
    assert tech.overall == "bullish"
    bulls = sum(s.signal == "bullish" for s in tech.signals)
    assert tech.confidence == round(bulls / len(tech.signals), 2)


def test_golden_cross_is_named_with_its_age():
    # 240 days of decline, then a sharp recovery: the 50-day crosses the 200-day upward.
    down = [200 - 0.4 * i for i in range(240)]
    up = [down[-1] + 3 * i for i in range(1, 61)]
    x = down + up
    tech = signals.analyse(x)
    s50 = np.array(tech.series["sma_50"][-40:], dtype=float)
    s200 = np.array(tech.series["sma_200"][-40:], dtype=float)
    above = s50 > s200
    first = int(np.argmax(above))
    assert not above[0] and above[-1]
    ago = 39 - first
    trend = next(s for s in tech.signals if s.indicator == "sma_50")
    assert trend.signal == "bullish"
    assert trend.reason.startswith("golden cross ")
    assert (f"{ago} days ago" if ago > 1 else "1 day ago" if ago else "latest") in trend.reason


def test_price_below_the_lower_band_reads_as_stretched_low():
    x = [100.0 + (i % 2) for i in range(60)] + [80.0]
    by = {s.indicator: s for s in signals.analyse(x).signals}
    assert by["bollinger"].strategy == "mean_reversion"
    assert by["bollinger"].signal == "bullish"
    assert "below the lower Bollinger band" in by["bollinger"].reason


def test_macd_fresh_cross_reported():
    x = [100 - 0.01 * i * i for i in range(80)] + [37.6 + 3 * i for i in range(1, 4)]
    tech = signals.analyse(x)
    hist = (np.array(tech.series["macd"], dtype=float)
            - np.array(tech.series["macd_signal"], dtype=float))
    assert hist[-3] < 0 < hist[-2]  # the line crossed above its signal one close ago
    macd = next(s for s in tech.signals if s.indicator == "macd")
    assert macd.signal == "bullish"
    assert macd.reason == "MACD crossed above its signal line 1 day ago: momentum turning up"


@pytest.mark.parametrize("name", sorted(SERIES))
def test_signals_describe_and_never_say_buy(name):
    tech = signals.analyse(SERIES[name])
    for s in tech.signals:
        assert s.strategy in ("momentum", "trend", "mean_reversion")
        assert s.signal in ("bullish", "bearish", "neutral")
        text = s.reason.lower()
        assert "buy" not in text and "sell " not in text and s.reason
    assert tech.overall in ("bullish", "bearish", "neutral")
    assert 0.0 <= tech.confidence <= 1.0


def test_disagreeing_signals_are_neutral_with_low_confidence():
    mixed = [signals.Signal("trend", "bullish", "a"), signals.Signal("momentum", "bearish", "b"),
             signals.Signal("mean_reversion", "neutral", "c")]
    assert signals._overall(mixed) == ("neutral", 0.33)
    assert signals._overall(mixed[:1] * 3 + mixed[1:2]) == ("bullish", 0.75)


def test_importing_the_indicator_modules_does_not_import_numpy():
    code = ("import sys; import mobius_cli.core.indicators, mobius_cli.core.signals, "
            "mobius_cli.core.dca, mobius_cli.core.gas; print('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_a_stablecoin_shows_no_trend():
    x = [1.0 + 0.0004 * np.sin(i / 5) for i in range(300)]
    by = {s.indicator: s for s in signals.analyse(x).signals}
    assert by["sma_200"].signal == "neutral" and "within 1% of its 200-day" in by["sma_200"].reason
    assert by["sma_50"].signal == "neutral" and "no clear trend" in by["sma_50"].reason


def test_tiny_prices_are_written_out():
    x = [0.00001 * (1 + 0.01 * i) for i in range(250)]
    reason = next(s.reason for s in signals.analyse(x).signals if s.indicator == "sma_200")
    assert "e-" not in reason and "0.0000" in reason
