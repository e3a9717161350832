"""What the indicators show, in words: signals by strategy and an overall view.

Pure: takes daily closes, returns the latest indicator values, their series (for charts),
the signals with their reasons, and an overall view whose confidence is the share of
signals that agree with it. It describes; it never recommends a trade.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from mobius_cli.core import indicators as ind

BULLISH, BEARISH, NEUTRAL = "bullish", "bearish", "neutral"
RSI_HIGH, RSI_LOW = 70.0, 30.0
FRESH_MACD_CROSS = 5  # closes: a MACD cross this recent is news
FRESH_MA_CROSS = 30  # closes: a golden or death cross this recent is named
TREND_BAND_PCT = 1.0  # price this close to its 200-day average shows no trend
CROSS_BAND_PCT = 0.5  # 50-day and 200-day averages this close show no trend

# Indicator -> what it is, for the "too little history" explanations.
LABELS = {
    "rsi_14": "RSI(14)", "macd": "MACD(12, 26, 9)", "bollinger": "Bollinger(20, 2)",
    "sma_20": "SMA 20", "sma_50": "SMA 50", "sma_200": "SMA 200",
    "ema_12": "EMA 12", "ema_26": "EMA 26",
}


@dataclass(frozen=True)
class Signal:
    """One reading: which strategy, which way it leans, and why."""

    strategy: str  # momentum | trend | mean_reversion
    signal: str  # bullish | bearish | neutral
    reason: str
    indicator: str = ""  # the indicator it reads (rsi_14, macd, sma_200, ...)

    def to_json(self) -> dict[str, Any]:
        return {"strategy": self.strategy, "signal": self.signal, "reason": self.reason}


@dataclass
class Technicals:
    """Latest values (None when the history is too short), series and signals."""

    closes: list[float]
    values: dict[str, float | None]
    series: dict[str, list[float | None]]
    signals: list[Signal]
    overall: str
    confidence: float
    missing: dict[str, str] = field(default_factory=dict)  # indicator -> why it is null

    @property
    def close(self) -> float | None:
        return self.closes[-1] if self.closes else None

    def to_memo(self) -> dict[str, Any]:
        """Everything but the closes, as JSON (Technicals.from_memo reads it back)."""
        return {"values": self.values, "series": self.series,
                "signals": [[s.strategy, s.signal, s.reason, s.indicator]
                            for s in self.signals],
                "overall": self.overall, "confidence": self.confidence,
                "missing": self.missing}

    @classmethod
    def from_memo(cls, closes: list[float], memo: dict[str, Any]) -> Technicals:
        """The Technicals of `closes` that to_memo() wrote."""
        return cls(closes, dict(memo["values"]), dict(memo["series"]),
                   [Signal(*row) for row in memo["signals"]], memo["overall"],
                   float(memo["confidence"]), dict(memo["missing"]))

    def indicators_json(self) -> dict[str, Any]:
        v = self.values
        return {
            "rsi_14": v["rsi_14"],
            "macd": {"macd": v["macd"], "signal": v["macd_signal"],
                     "histogram": v["macd_histogram"]},
            "bollinger": {"upper": v["bb_upper"], "middle": v["bb_middle"],
                          "lower": v["bb_lower"]},
            "sma_20": v["sma_20"], "sma_50": v["sma_50"], "sma_200": v["sma_200"],
            "ema_12": v["ema_12"], "ema_26": v["ema_26"],
        }


def _clean(values: Any) -> list[float | None]:
    return [None if math.isnan(x) else float(x) for x in values.tolist()]


def _last(series: list[float | None]) -> float | None:
    return series[-1] if series else None


def _price(value: float) -> str:
    """63,421.00 / 0.5123 / 0.00000912: four significant digits below 1, never 1e-05."""
    if abs(value) >= 1 or value == 0:
        return f"{value:,.2f}"
    decimals = min(18, 3 - math.floor(math.log10(abs(value))))
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".")


def _ago(n: int) -> str:
    return "on the latest close" if n == 0 else "1 day ago" if n == 1 else f"{n} days ago"


def _last_cross(a: list[float | None], b: list[float | None]) -> tuple[int, str] | None:
    """(closes ago, 'up'|'down') of the latest bar where a crossed b, or None."""
    side = None
    for back in range(len(a) - 1, -1, -1):
        x, y = a[back], b[back]
        if x is None or y is None or x == y:
            continue
        now = x > y
        if side is None:
            side, latest = now, back
            continue
        if now != side:
            return len(a) - 1 - latest, "up" if side else "down"
        latest = back
    return None


def analyse(closes: Sequence[float]) -> Technicals:
    """Every indicator, signal and the overall view on `closes` (oldest first)."""
    x = [float(c) for c in closes]
    rsi = _clean(ind.rsi(x))
    macd_line, macd_signal, macd_hist = (_clean(s) for s in ind.macd(x))
    upper, middle, lower = (_clean(s) for s in ind.bollinger(x))
    series = {
        "rsi_14": rsi, "macd": macd_line, "macd_signal": macd_signal,
        "macd_histogram": macd_hist, "bb_upper": upper, "bb_middle": middle,
        "bb_lower": lower,
        "sma_20": _clean(ind.sma(x, 20)), "sma_50": _clean(ind.sma(x, 50)),
        "sma_200": _clean(ind.sma(x, 200)),
        "ema_12": _clean(ind.ema(x, 12)), "ema_26": _clean(ind.ema(x, 26)),
    }
    values = {name: _last(s) for name, s in series.items()}
    missing = {}
    for name in LABELS:
        need = ind.lookback(name)
        if len(x) < need:
            missing[name] = (f"{LABELS[name]} needs {need} daily closes; "
                             f"only {len(x)} available")
    signals = _signals(x, series, values)
    overall, confidence = _overall(signals)
    return Technicals(x, values, series, signals, overall, confidence, missing)


def _signals(x: list[float], series: dict[str, list[float | None]],
             v: dict[str, float | None]) -> list[Signal]:
    out: list[Signal] = []
    close = x[-1] if x else None
    rsi = v["rsi_14"]
    if rsi is not None:
        window = x[-(ind.RSI_PERIOD + 1):]
        if max(window) == min(window):
            out.append(Signal("momentum", NEUTRAL, "the price has not moved over the last 14 "
                              "closes, so RSI(14) says nothing", "rsi_14"))
        elif rsi > RSI_HIGH:
            out.append(Signal("momentum", BEARISH, f"RSI(14) is {rsi:.1f}, above {RSI_HIGH:.0f}:"
                              " overbought, momentum is stretched and often cools", "rsi_14"))
        elif rsi < RSI_LOW:
            out.append(Signal("momentum", BULLISH, f"RSI(14) is {rsi:.1f}, below {RSI_LOW:.0f}:"
                              " oversold, selling looks stretched and often eases", "rsi_14"))
        else:
            out.append(Signal("momentum", NEUTRAL, f"RSI(14) is {rsi:.1f}, between "
                              f"{RSI_LOW:.0f} and {RSI_HIGH:.0f}: no extreme", "rsi_14"))
    hist = v["macd_histogram"]
    if hist is not None:
        cross = _last_cross(series["macd"], series["macd_signal"])
        if cross is not None and cross[0] < FRESH_MACD_CROSS:
            ago, way = cross
            lean = BULLISH if way == "up" else BEARISH
            where = "above" if way == "up" else "below"
            out.append(Signal("momentum", lean, f"MACD crossed {where} its signal line "
                              f"{_ago(ago)}: momentum turning {'up' if way == 'up' else 'down'}",
                              "macd"))
        elif hist == 0:
            out.append(Signal("momentum", NEUTRAL, "MACD sits on its signal line", "macd"))
        else:
            where = "above" if hist > 0 else "below"
            since = f"since it crossed {_ago(cross[0])}" if cross else "over the whole period"
            out.append(Signal("momentum", BULLISH if hist > 0 else BEARISH,
                              f"MACD is {where} its signal line {since} (no fresh cross)",
                              "macd"))
    sma200 = v["sma_200"]
    if sma200 is not None and close is not None:
        gap = (close / sma200 - 1) * 100 if sma200 else 0.0
        if abs(gap) < TREND_BAND_PCT:
            out.append(Signal("trend", NEUTRAL, f"price {_price(close)} is within "
                              f"{TREND_BAND_PCT:g}% of its 200-day average ({_price(sma200)}): "
                              "no clear long-term trend", "sma_200"))
        elif close > sma200:
            out.append(Signal("trend", BULLISH, f"price {_price(close)} is {gap:.1f}% above its "
                              f"200-day average ({_price(sma200)}): long-term uptrend",
                              "sma_200"))
        elif close < sma200:
            out.append(Signal("trend", BEARISH, f"price {_price(close)} is {-gap:.1f}% below "
                              f"its 200-day average ({_price(sma200)}): long-term downtrend",
                              "sma_200"))
        else:
            out.append(Signal("trend", NEUTRAL, "price is right at its 200-day average",
                              "sma_200"))
    sma50 = v["sma_50"]
    if sma50 is not None and sma200 is not None:
        cross = _last_cross(series["sma_50"], series["sma_200"])
        spread = abs(sma50 / sma200 - 1) * 100 if sma200 else 0.0
        if sma50 == sma200 or spread < CROSS_BAND_PCT:
            recent = (f"; last {'golden' if cross[1] == 'up' else 'death'} cross "
                      f"{_ago(cross[0])}" if cross else "")
            out.append(Signal("trend", NEUTRAL, f"the 50-day and 200-day averages are within "
                              f"{CROSS_BAND_PCT:g}% of each other{recent}: no clear trend",
                              "sma_50"))
        elif cross is not None and cross[0] < FRESH_MA_CROSS:
            ago, way = cross
            if way == "up":
                out.append(Signal("trend", BULLISH, f"golden cross {_ago(ago)}: the 50-day "
                                  "average rose above the 200-day", "sma_50"))
            else:
                out.append(Signal("trend", BEARISH, f"death cross {_ago(ago)}: the 50-day "
                                  "average fell below the 200-day", "sma_50"))
        else:
            above = sma50 > sma200
            since = (f"since its {'golden' if above else 'death'} cross {_ago(cross[0])}"
                     if cross else "throughout the period")
            out.append(Signal("trend", BULLISH if above else BEARISH,
                              f"the 50-day average is {'above' if above else 'below'} the "
                              f"200-day {since}", "sma_50"))
    up, mid, low = v["bb_upper"], v["bb_middle"], v["bb_lower"]
    if up is not None and low is not None and mid is not None and close is not None:
        if close > up:
            out.append(Signal("mean_reversion", BEARISH, f"price is above the upper Bollinger "
                              f"band ({_price(up)}): stretched high, prices tend to drift back "
                              f"toward the middle ({_price(mid)})", "bollinger"))
        elif close < low:
            out.append(Signal("mean_reversion", BULLISH, f"price is below the lower Bollinger "
                              f"band ({_price(low)}): stretched low, prices tend to drift back "
                              f"toward the middle ({_price(mid)})", "bollinger"))
        else:
            where = (close - low) / (up - low) * 100 if up > low else 50.0
            out.append(Signal("mean_reversion", NEUTRAL, f"price is inside the Bollinger bands "
                              f"({_price(low)} – {_price(up)}), {where:.0f}% of the way up",
                              "bollinger"))
    return out


def _overall(signals: Sequence[Signal]) -> tuple[str, float]:
    """The side with more signals (neutral on a tie); confidence = share that agree."""
    if not signals:
        return NEUTRAL, 0.0
    bulls = sum(s.signal == BULLISH for s in signals)
    bears = sum(s.signal == BEARISH for s in signals)
    if bulls > bears:
        view, agree = BULLISH, bulls
    elif bears > bulls:
        view, agree = BEARISH, bears
    else:
        view, agree = NEUTRAL, sum(s.signal == NEUTRAL for s in signals)
    return view, round(agree / len(signals), 2)
