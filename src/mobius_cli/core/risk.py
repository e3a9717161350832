"""Portfolio risk figures from daily closes (product.md, "Portfolio returns"). Pure numpy.

The current holdings are valued on each day's closes; daily simple returns of that value
series; 365 periods a year. numpy is imported inside the functions (start-up stays light).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy as np

PERIODS = 365  # crypto trades every day


@dataclass
class RiskFigures:
    """Every risk figure of one portfolio; percentages as fractions (0.05 = 5%)."""

    returns: Any  # np.ndarray of the portfolio's daily simple returns
    values: Any  # np.ndarray of the portfolio's value on each close
    volatility_annual: float | None
    sharpe: float | None
    sortino: float | None
    max_drawdown: float  # a fraction >= 0
    drawdown_peak: int  # index into values
    drawdown_trough: int
    drawdown_recovery: int | None  # first index back at the peak, None if not yet
    var_historical: float  # 1-day, a loss as a positive fraction
    var_parametric: float
    cvar: float
    beta_btc: float | None
    weights: Any  # np.ndarray, current value shares
    hhi: float
    effective_assets: float
    correlation: Any  # np.ndarray N x N (nan where an asset never moved)
    risk_shares: Any  # np.ndarray, each holding's share of the portfolio's variance
    confidence: float
    z: float

    @property
    def drawdown(self) -> Any:
        """The drawdown curve (fractions <= 0) of the compounded series."""
        import numpy as np

        wealth = self.values / self.values[0]
        return wealth / np.maximum.accumulate(wealth) - 1


def normal_quantile(p: float) -> float:
    """The standard normal quantile (statistics.NormalDist; no scipy)."""
    from statistics import NormalDist

    return NormalDist().inv_cdf(p)


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def portfolio_values(closes: np.ndarray, amounts: np.ndarray) -> np.ndarray:
    """The value of fixed `amounts` (N) on each row of `closes` (T x N)."""
    return closes @ amounts


def simple_returns(values: np.ndarray) -> np.ndarray:
    """r_t = v_t / v_{t-1} - 1 along the first axis."""
    return values[1:] / values[:-1] - 1


def percentile(values: np.ndarray, p: float) -> float:
    """numpy's default percentile (method 'linear': h = (n - 1) p / 100 between order
    statistics), written out: np.percentile itself imports numpy.ma, 40 ms of start-up."""
    import numpy as np

    xs = np.sort(np.asarray(values, dtype=float))
    h = (len(xs) - 1) * p / 100
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    t = h - lo
    a, b = float(xs[lo]), float(xs[hi])
    return b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t  # numpy's _lerp


def drawdown(values: np.ndarray) -> tuple[float, int, int, int | None]:
    """(max drawdown as a positive fraction, peak index, trough index, recovery index)."""
    import numpy as np

    wealth = values / values[0]
    peaks = np.maximum.accumulate(wealth)
    dd = wealth / peaks - 1
    trough = int(np.argmin(dd))
    peak = int(np.argmax(wealth[:trough + 1]))
    later = np.nonzero(wealth[trough:] >= wealth[peak])[0]
    recovery = int(trough + later[0]) if dd[trough] < 0 and len(later) else None
    return float(-dd[trough]), peak, trough, recovery


def risk_figures(closes: np.ndarray, amounts: np.ndarray, btc: np.ndarray | None = None,
                 rf: float = 0.0, confidence: float = 0.95) -> RiskFigures:
    """Volatility, Sharpe, Sortino, drawdown, VaR/CVaR, beta, concentration, correlation.

    `closes` is T x N (the same T dates for every asset, oldest first, the last the live
    price), `amounts` N units held now, `btc` T closes of bitcoin for beta.
    """
    import numpy as np

    closes = np.asarray(closes, dtype=float)
    amounts = np.asarray(amounts, dtype=float)
    values = portfolio_values(closes, amounts)
    r = simple_returns(values)
    n = len(r)
    excess = r - rf / PERIODS
    std = float(np.std(r, ddof=1)) if n > 1 else math.nan
    mean = float(np.mean(r))
    vol = std * math.sqrt(PERIODS)
    sharpe = float(np.mean(excess)) / std * math.sqrt(PERIODS) if std > 0 else math.nan
    downside = math.sqrt(float(np.sum(np.minimum(excess, 0.0) ** 2)) / n)
    sortino = float(np.mean(excess)) / downside * math.sqrt(PERIODS) if downside > 0 \
        else math.nan
    mdd, peak, trough, recovery = drawdown(values)
    q = percentile(r, (1 - confidence) * 100)
    tail = r[r <= q]
    z = normal_quantile(1 - confidence)
    beta = math.nan
    if btc is not None:
        rb = simple_returns(np.asarray(btc, dtype=float))
        var_b = float(np.var(rb, ddof=1))
        if var_b > 0:
            beta = float(np.cov(r, rb, ddof=1)[0, 1]) / var_b
    last = closes[-1] * amounts
    weights = last / last.sum()
    hhi = float(np.sum(weights ** 2))
    asset_r = simple_returns(closes)
    if closes.shape[1] > 1:
        cov = np.atleast_2d(np.cov(asset_r, rowvar=False, ddof=1))
        sd = np.sqrt(np.diag(cov))
        with np.errstate(divide="ignore", invalid="ignore"):
            corr = cov / np.outer(sd, sd)
        np.fill_diagonal(corr, np.where(sd > 0, 1.0, np.nan))
    else:
        cov = np.array([[float(np.var(asset_r[:, 0], ddof=1))]])
        corr = np.array([[1.0 if cov[0, 0] > 0 else math.nan]])
    contrib = weights * (cov @ weights)
    total = float(weights @ cov @ weights)
    shares = contrib / total if total > 0 else np.full(len(weights), math.nan)
    return RiskFigures(
        returns=r, values=values, volatility_annual=_finite(vol), sharpe=_finite(sharpe),
        sortino=_finite(sortino), max_drawdown=mdd, drawdown_peak=peak,
        drawdown_trough=trough, drawdown_recovery=recovery, var_historical=-q,
        var_parametric=-(mean + z * std), cvar=-float(np.mean(tail)), beta_btc=_finite(beta),
        weights=weights, hhi=hhi, effective_assets=1 / hhi, correlation=corr,
        risk_shares=shares, confidence=confidence, z=z)


def align(series: Sequence[dict[int, float]]) -> list[int]:
    """The days (keys) every series has, in order."""
    if not series:
        return []
    common = set(series[0])
    for s in series[1:]:
        common &= set(s)
    return sorted(common)
