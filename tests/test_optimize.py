"""core.optimize: the constraints, closed forms on small cases, brute force, infeasibility."""

from __future__ import annotations

import itertools
import random
import statistics

import numpy as np
import pytest

from mobius_cli.core import optimize as opt

TOL = 1e-9


def feasible(w, cap=1.0):
    assert abs(sum(w) - 1) < 1e-12
    assert min(w) >= -1e-15
    assert max(w) <= cap + 1e-12


def random_returns(days=365, assets=3, seed=11):
    rng = random.Random(seed)
    rows = []
    for _ in range(days):
        market = rng.gauss(0.001, 0.02)
        rows.append([market * (0.5 + 0.3 * i) + rng.gauss(0.0005 * (i - 1), 0.015 + 0.005 * i)
                     for i in range(assets)])
    return np.array(rows)


def test_annualise_is_mean_times_365_and_sample_covariance_times_365():
    r = random_returns()
    mu, cov = opt.annualise(r)
    cols = [list(r[:, i]) for i in range(r.shape[1])]
    assert mu.tolist() == pytest.approx([statistics.mean(c) * 365 for c in cols], rel=TOL)
    for i, a in enumerate(cols):
        for j, b in enumerate(cols):
            assert cov[i, j] == pytest.approx(statistics.covariance(a, b) * 365, rel=TOL)


@pytest.mark.parametrize("s1,s2,rho", [(0.5, 0.8, 0.3), (0.9, 0.4, -0.2), (0.6, 0.6, 0.0),
                                       (0.3, 1.2, 0.1)])
def test_min_variance_of_two_assets_is_the_closed_form(s1, s2, rho):
    c12 = rho * s1 * s2
    cov = np.array([[s1 * s1, c12], [c12, s2 * s2]])
    w1 = (s2 * s2 - c12) / (s1 * s1 + s2 * s2 - 2 * c12)
    w1 = min(max(w1, 0.0), 1.0)
    w = opt.min_variance(cov)
    feasible(w)
    assert w[0] == pytest.approx(w1, rel=TOL, abs=1e-12)


def test_min_variance_of_two_assets_when_the_closed_form_needs_a_short_sale():
    # corr 0.9, vols 0.2 and 0.8: the unconstrained answer shorts the risky asset.
    cov = np.array([[0.04, 0.144], [0.144, 0.64]])
    assert (0.64 - 0.144) / (0.04 + 0.64 - 2 * 0.144) > 1
    assert opt.min_variance(cov).tolist() == pytest.approx([1.0, 0.0], abs=1e-12)
    # a cap of 0.7 moves the rest into the other asset
    assert opt.min_variance(cov, 0.7).tolist() == pytest.approx([0.7, 0.3], abs=1e-12)


def test_risk_parity_of_equal_volatility_uncorrelated_assets_is_equal_weights():
    for n in (2, 3, 7):
        w = opt.risk_parity(np.eye(n) * 0.49)
        assert w.tolist() == pytest.approx([1 / n] * n, rel=TOL)


def test_risk_parity_of_uncorrelated_assets_is_inverse_volatility():
    vols = np.array([0.2, 0.5, 0.8, 1.1])
    w = opt.risk_parity(np.diag(vols ** 2))
    want = (1 / vols) / np.sum(1 / vols)
    assert w.tolist() == pytest.approx(want.tolist(), rel=TOL)


def test_risk_parity_gives_equal_variance_shares_on_a_real_covariance():
    _, cov = opt.annualise(random_returns(assets=5))
    w = opt.risk_parity(cov)
    feasible(w)
    shares = w * (cov @ w) / (w @ cov @ w)
    assert shares.tolist() == pytest.approx([0.2] * 5, rel=1e-9)


def test_capped_risk_parity_holds_capped_assets_at_the_cap_and_equalises_the_rest():
    vols = np.array([0.05, 0.6, 0.7, 0.8])  # a near-stablecoin would take most of the weight
    cov = np.diag(vols ** 2)
    assert opt.risk_parity(cov)[0] > 0.7
    w = opt.risk_parity(cov, 0.4)
    feasible(w, 0.4)
    assert w[0] == pytest.approx(0.4, abs=1e-12)
    rc = w * (cov @ w)
    assert rc[1:].tolist() == pytest.approx([rc[1]] * 3, rel=1e-9)


def test_max_sharpe_without_binding_bounds_is_the_tangency_closed_form():
    mu = np.array([0.30, 0.20, 0.25])
    cov = np.array([[0.09, 0.01, 0.02], [0.01, 0.04, 0.01], [0.02, 0.01, 0.06]])
    for rf in (0.0, 0.03):
        raw = np.linalg.solve(cov, mu - rf)
        assert (raw > 0).all()
        want = raw / raw.sum()
        w = opt.max_sharpe(mu, cov, rf)
        feasible(w)
        assert w.tolist() == pytest.approx(want.tolist(), rel=1e-9)


def grid(n, step):
    ticks = [i * step for i in range(round(1 / step) + 1)]
    for head in itertools.product(ticks, repeat=n - 1):
        last = 1 - sum(head)
        if last >= -1e-12:
            yield np.array([*head, max(last, 0.0)])


@pytest.mark.parametrize("cap", [1.0, 0.6, 0.45])
@pytest.mark.parametrize("seed", [1, 2, 5])
def test_three_assets_against_brute_force(cap, seed):
    mu, cov = opt.annualise(random_returns(seed=seed))
    mu = mu + 0.05  # at least one asset beats rf = 0
    points = [w for w in grid(3, 0.005) if w.max() <= cap + 1e-12]

    def sharpe(w):
        return (w @ mu) / np.sqrt(w @ cov @ w)

    best_sharpe = max(sharpe(w) for w in points)
    best_var = min(w @ cov @ w for w in points)
    w = opt.max_sharpe(mu, cov, 0.0, cap)
    feasible(w, cap)
    assert sharpe(w) >= best_sharpe - 1e-12
    assert sharpe(w) - best_sharpe < 1e-3  # the grid is near, not better
    v = opt.min_variance(cov, cap)
    feasible(v, cap)
    assert v @ cov @ v <= best_var + 1e-15


def test_twenty_assets_meet_the_constraints_and_kkt():
    r = random_returns(assets=20, seed=9)
    mu, cov = opt.annualise(r)
    for cap in (1.0, 0.2, 0.05):
        for objective in opt.OBJECTIVES:
            w = opt.optimise(objective, mu + 0.5, cov, 0.0, cap)
            feasible(w, cap)
        w = opt.min_variance(cov, cap)
        g = 2 * cov @ w  # KKT: free weights share one gradient, those at 0 above, at cap below
        free = (w > 1e-9) & (w < cap - 1e-9)
        if free.any():
            nu = g[free].mean()
            assert np.allclose(g[free], nu, rtol=1e-8, atol=1e-12)
            assert (g[w <= 1e-9] >= nu - 1e-10).all()
            assert (g[w >= cap - 1e-9] <= nu + 1e-10).all()


def test_a_cap_below_one_over_n_is_infeasible():
    cov = np.eye(4)
    with pytest.raises(opt.Infeasible, match="below 1/4"):
        opt.min_variance(cov, 0.2)
    assert opt.min_variance(cov, 0.25).tolist() == pytest.approx([0.25] * 4)


def test_max_sharpe_when_no_asset_beats_the_risk_free_rate_is_infeasible():
    mu = np.array([0.01, 0.02])
    cov = np.eye(2) * 0.04
    with pytest.raises(opt.Infeasible, match="risk-free"):
        opt.max_sharpe(mu, cov, rf=0.05)
    # one asset beats rf, but the cap forces too much of the other
    with pytest.raises(opt.Infeasible, match="no allowed mix"):
        opt.max_sharpe(np.array([0.10, -0.30]), cov, rf=0.0, max_weight=0.5)


def test_a_riskless_asset_at_the_risk_free_rate_is_left_to_the_tangency_of_the_rest():
    mu = np.array([0.30, 0.20, 0.0])
    cov = np.array([[0.09, 0.01, 0.0], [0.01, 0.04, 0.0], [0.0, 0.0, 0.0]])
    raw = np.linalg.solve(cov[:2, :2], mu[:2])
    w = opt.max_sharpe(mu, cov, 0.0)
    assert w.tolist() == pytest.approx([*(raw / raw.sum()).tolist(), 0.0], rel=1e-9)
    assert opt.min_variance(cov).tolist() == pytest.approx([0, 0, 1], abs=1e-12)
    with pytest.raises(opt.Infeasible, match="no maximum"):
        opt.max_sharpe(np.array([0.3, 0.2, 0.01]), cov, 0.0)
