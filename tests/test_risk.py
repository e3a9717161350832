"""core.risk against references written out here with plain Python (statistics, math),
never by the code under test; 1e-9 relative."""

from __future__ import annotations

import math
import random
import statistics

import numpy as np
import pytest

from mobius_cli.core.risk import drawdown, risk_figures

REL = 1e-9
Z = {0.95: -1.6448536269514722, 0.99: -2.3263478740408408}  # normal quantiles, tabulated


def make_closes(days=366, assets=3, seed=3):
    rng = random.Random(seed)
    prices = [[100.0 * (i + 1)] for i in range(assets)]
    btc = [60000.0]
    for _ in range(days - 1):
        market = rng.gauss(0.0005, 0.03)
        btc.append(btc[-1] * (1 + market))
        for i in range(assets):
            move = 0.8 * market + rng.gauss(0.0003, 0.02 + 0.01 * i)
            prices[i].append(prices[i][-1] * (1 + move))
    rows = [[prices[i][t] for i in range(assets)] for t in range(days)]
    return rows, btc


def percentile_linear(values, p):
    """numpy's default ('linear') percentile, by hand: h = (n - 1) p."""
    xs = sorted(values)
    h = (len(xs) - 1) * p / 100
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def reference(rows, amounts, btc, rf, confidence):
    values = [sum(a * p for a, p in zip(amounts, row, strict=True)) for row in rows]
    r = [values[t] / values[t - 1] - 1 for t in range(1, len(values))]
    n = len(r)
    excess = [x - rf / 365 for x in r]
    sd = statistics.stdev(r)
    out = {"vol": sd * math.sqrt(365),
           "sharpe": statistics.mean(excess) / sd * math.sqrt(365),
           "sortino": statistics.mean(excess)
           / math.sqrt(sum(min(x, 0.0) ** 2 for x in excess) / n) * math.sqrt(365)}
    peak, worst = values[0], 0.0
    for v in values:
        peak = max(peak, v)
        worst = min(worst, v / peak - 1)
    out["mdd"] = -worst
    q = percentile_linear(r, (1 - confidence) * 100)
    out["var_h"] = -q
    out["var_p"] = -(statistics.mean(r) + Z[confidence] * sd)
    out["cvar"] = -statistics.mean([x for x in r if x <= q])
    rb = [btc[t] / btc[t - 1] - 1 for t in range(1, len(btc))]
    out["beta"] = statistics.covariance(r, rb) / statistics.variance(rb)
    last = [a * p for a, p in zip(amounts, rows[-1], strict=True)]
    w = [x / sum(last) for x in last]
    out["hhi"] = sum(x * x for x in w)
    out["eff"] = 1 / out["hhi"]
    cols = [[rows[t][i] / rows[t - 1][i] - 1 for t in range(1, len(rows))]
            for i in range(len(amounts))]
    out["corr"] = [[statistics.correlation(a, b) if a is not b else 1.0 for b in cols]
                   for a in cols]
    cov = [[statistics.covariance(a, b) for b in cols] for a in cols]
    sw = [sum(cov[i][j] * w[j] for j in range(len(w))) for i in range(len(w))]
    var = sum(w[i] * sw[i] for i in range(len(w)))
    out["shares"] = [w[i] * sw[i] / var for i in range(len(w))]
    return out


@pytest.mark.parametrize("rf,confidence", [(0.0, 0.95), (0.04, 0.95), (0.02, 0.99)])
def test_every_figure_matches_the_written_out_definition(rf, confidence):
    rows, btc = make_closes()
    amounts = [1.5, 0.25, 10.0]
    ref = reference(rows, amounts, btc, rf, confidence)
    f = risk_figures(np.array(rows), np.array(amounts), np.array(btc), rf, confidence)
    assert f.volatility_annual == pytest.approx(ref["vol"], rel=REL)
    assert f.sharpe == pytest.approx(ref["sharpe"], rel=REL)
    assert f.sortino == pytest.approx(ref["sortino"], rel=REL)
    assert f.max_drawdown == pytest.approx(ref["mdd"], rel=REL)
    assert f.var_historical == pytest.approx(ref["var_h"], rel=REL)
    assert f.var_parametric == pytest.approx(ref["var_p"], rel=REL)
    assert f.cvar == pytest.approx(ref["cvar"], rel=REL)
    assert f.beta_btc == pytest.approx(ref["beta"], rel=REL)
    assert f.hhi == pytest.approx(ref["hhi"], rel=REL)
    assert f.effective_assets == pytest.approx(ref["eff"], rel=REL)
    for got, want in zip(f.correlation.tolist(), ref["corr"], strict=True):
        assert got == pytest.approx(want, rel=REL)
    assert f.risk_shares.tolist() == pytest.approx(ref["shares"], rel=REL)
    assert sum(f.risk_shares) == pytest.approx(1.0, rel=1e-12)


def test_historical_var_interpolates_like_numpy_between_order_statistics():
    # 21 returns: the 5th percentile sits at h = 20 * 0.05 = 1.0, exactly the 2nd smallest;
    # 30 returns: h = 1.45, between the 2nd and 3rd smallest.
    for n in (21, 30):
        values = [100.0]
        rng = random.Random(n)
        for _ in range(n):
            values.append(values[-1] * (1 + rng.uniform(-0.05, 0.05)))
        rows = [[v] for v in values]
        r = [values[t] / values[t - 1] - 1 for t in range(1, len(values))]
        f = risk_figures(np.array(rows), np.array([1.0]), np.array(values))
        assert f.var_historical == pytest.approx(-percentile_linear(r, 5), rel=REL)
        assert f.beta_btc == pytest.approx(1.0, rel=REL)  # against itself


def test_drawdown_dates_peak_trough_and_recovery():
    values = np.array([100, 120, 90, 60, 80, 125, 110])
    mdd, peak, trough, recovery = drawdown(values)
    assert mdd == pytest.approx(0.5)
    assert (peak, trough, recovery) == (1, 3, 5)
    mdd, peak, trough, recovery = drawdown(np.array([100, 90, 80]))
    assert mdd == pytest.approx(0.2) and (peak, trough, recovery) == (0, 2, None)
    assert drawdown(np.array([1.0, 2.0, 3.0]))[0] == 0.0


def test_a_portfolio_that_never_falls_has_no_sortino_rather_than_infinity():
    rows = [[100.0 * 1.01 ** t] for t in range(40)]
    f = risk_figures(np.array(rows), np.array([2.0]))
    assert f.sortino is None
    assert f.volatility_annual == pytest.approx(0.0, abs=1e-12)


def test_one_asset_is_fully_concentrated():
    rows, btc = make_closes(assets=1)
    f = risk_figures(np.array(rows), np.array([3.0]), np.array(btc))
    assert f.hhi == 1.0 and f.effective_assets == 1.0
    assert f.risk_shares.tolist() == pytest.approx([1.0])
