"""Technical indicators by TA-Lib's definitions, on plain sequences of closes.

Every function returns a float64 array as long as its input, NaN where TA-Lib gives no
value (the lookback), so index i always means the i-th close. The seeding follows TA-Lib
(default compatibility, no unstable period):

- SMA(n): the mean of the last n closes; first value at index n-1.
- EMA(n): k = 2/(n+1), seeded by the SMA of the first n closes (index n-1), then
  ema = (close - ema)·k + ema.
- RSI(n): Wilder's smoothing seeded by the simple averages of the first n changes
  (first value at index n); 0 when the price did not move at all, as TA-Lib says.
- MACD(fast, slow, signal): both EMAs seeded on windows that end on the same bar (slow-1),
  the signal an EMA of the MACD line seeded by the SMA of its first `signal` values; every
  output starts at index slow+signal-2 (33 for 12/26/9).
- Bollinger(n, k): middle = SMA(n), bands = middle ± k·population standard deviation.

numpy is imported inside the functions (and only by the modules that compute), so
importing this module costs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

RSI_PERIOD = 14
MACD_FAST, MACD_SLOW, MACD_SIGNAL = 12, 26, 9
BB_PERIOD, BB_DEVIATIONS = 20, 2.0


def lookback(name: str) -> int:
    """Closes an indicator needs before its first value (TA-Lib's lookback + 1)."""
    needs = {
        "rsi_14": RSI_PERIOD + 1,
        "macd": MACD_SLOW + MACD_SIGNAL - 1,
        "bollinger": BB_PERIOD,
        "sma_20": 20, "sma_50": 50, "sma_200": 200,
        "ema_12": 12, "ema_26": 26,
    }
    return needs[name]


def _array(closes: Sequence[float] | np.ndarray) -> np.ndarray:
    import numpy as np

    values = np.asarray(closes, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError("closes must be one-dimensional")
    return values


def _check_period(period: int) -> None:
    if period < 1:
        raise ValueError("the period must be at least 1")


def sma(closes: Sequence[float] | np.ndarray, period: int) -> np.ndarray:
    """Simple moving average; NaN for the first period-1 closes."""
    import numpy as np

    _check_period(period)
    x = _array(closes)
    out = np.full(x.shape, np.nan)
    if len(x) >= period:
        out[period - 1:] = np.lib.stride_tricks.sliding_window_view(x, period).mean(axis=1)
    return out


def _ema_from(x: np.ndarray, period: int, seed_end: int, out: np.ndarray) -> None:
    """EMA of x into out, seeded by the mean of x[seed_end-period+1 .. seed_end]."""
    k = 2.0 / (period + 1)
    prev = float(x[seed_end - period + 1: seed_end + 1].mean())
    out[seed_end] = prev
    for i in range(seed_end + 1, len(x)):
        prev = (float(x[i]) - prev) * k + prev
        out[i] = prev


def ema(closes: Sequence[float] | np.ndarray, period: int) -> np.ndarray:
    """Exponential moving average seeded by the SMA of the first `period` closes."""
    import numpy as np

    _check_period(period)
    x = _array(closes)
    out = np.full(x.shape, np.nan)
    if len(x) >= period:
        _ema_from(x, period, period - 1, out)
    return out


def rsi(closes: Sequence[float] | np.ndarray, period: int = RSI_PERIOD) -> np.ndarray:
    """Wilder's RSI; first value at index `period`."""
    import numpy as np

    _check_period(period)
    x = _array(closes)
    out = np.full(x.shape, np.nan)
    if len(x) <= period:
        return out
    changes = np.diff(x)
    gain = float(np.where(changes[:period] > 0, changes[:period], 0.0).sum()) / period
    loss = float(np.where(changes[:period] < 0, -changes[:period], 0.0).sum()) / period

    def value(g: float, lo: float) -> float:
        total = g + lo
        return 100.0 * (g / total) if total != 0 else 0.0

    out[period] = value(gain, loss)
    for i in range(period, len(changes)):
        change = float(changes[i])
        gain = (gain * (period - 1) + (change if change > 0 else 0.0)) / period
        loss = (loss * (period - 1) + (-change if change < 0 else 0.0)) / period
        out[i + 1] = value(gain, loss)
    return out


def macd(closes: Sequence[float] | np.ndarray, fast: int = MACD_FAST, slow: int = MACD_SLOW,
         signal: int = MACD_SIGNAL) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(MACD line, signal line, histogram), all starting at index slow+signal-2."""
    import numpy as np

    for period in (fast, slow, signal):
        _check_period(period)
    if slow < fast:
        fast, slow = slow, fast
    x = _array(closes)
    line = np.full(x.shape, np.nan)
    sig = np.full(x.shape, np.nan)
    start = slow + signal - 2
    if len(x) <= start:
        return line, sig, np.full(x.shape, np.nan)
    fast_ema = np.full(x.shape, np.nan)
    slow_ema = np.full(x.shape, np.nan)
    _ema_from(x, fast, slow - 1, fast_ema)  # seeded on the window ending at the slow seed
    _ema_from(x, slow, slow - 1, slow_ema)
    raw = fast_ema - slow_ema
    _ema_from(raw, signal, start, sig)
    line[start:] = raw[start:]
    return line, sig, line - sig


def bollinger(closes: Sequence[float] | np.ndarray, period: int = BB_PERIOD,
              deviations: float = BB_DEVIATIONS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(upper, middle, lower): SMA ± deviations × population standard deviation."""
    import numpy as np

    _check_period(period)
    x = _array(closes)
    upper = np.full(x.shape, np.nan)
    middle = np.full(x.shape, np.nan)
    lower = np.full(x.shape, np.nan)
    if len(x) >= period:
        windows = np.lib.stride_tricks.sliding_window_view(x, period)
        mean = windows.mean(axis=1)
        spread = windows.std(axis=1) * deviations
        middle[period - 1:] = mean
        upper[period - 1:] = mean + spread
        lower[period - 1:] = mean - spread
    return upper, middle, lower
