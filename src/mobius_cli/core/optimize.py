"""Long-only portfolio optimisation (product.md, "Optimisation"). Pure numpy, no scipy.

Expected returns = mean daily return x 365; covariance = sample covariance (ddof=1) x 365.
Weights are long-only, sum to 1, each at most `max_weight`:

- min-variance: an exact active-set QP (min w'Sw on the capped simplex);
- max-sharpe: the efficient frontier min 1/2 w'Sw - t mu'w is traced by the same QP, the
  best t found by a scan and golden section, then solved in closed form on the optimal face;
- risk-parity: Newton's method on min 1/2 y'Sy - sum(log y)/N (every asset an equal share
  of the variance); assets the cap binds sit at the cap and the rest share equally.

scipy's SLSQP would do the same but its import alone costs more than the whole command's
budget (~0.3 s), so it does not earn its place here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

PERIODS = 365
OBJECTIVES = ("max-sharpe", "min-variance", "risk-parity")


class Infeasible(ValueError):
    """The request has no answer (the message says why)."""


@dataclass
class Stats:
    """Expected annual return, annual volatility and Sharpe of one set of weights."""

    expected_return: float
    volatility: float
    sharpe: float | None


def annualise(returns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mu, cov) from T x N daily simple returns: mean x 365, sample covariance x 365."""
    import numpy as np

    mu = returns.mean(axis=0) * PERIODS
    cov = np.atleast_2d(np.cov(returns, rowvar=False, ddof=1)) * PERIODS
    return mu, cov


def stats(w: np.ndarray, mu: np.ndarray, cov: np.ndarray, rf: float = 0.0) -> Stats:
    ret = float(w @ mu)
    vol = math.sqrt(max(float(w @ cov @ w), 0.0))
    return Stats(ret, vol, (ret - rf) / vol if vol > 0 else None)


def check_cap(n: int, max_weight: float | None) -> float:
    """The cap as a number; below 1/N no weights can sum to 1."""
    if max_weight is None:
        return 1.0
    if not 0 < max_weight <= 1:
        raise Infeasible(f"--max-weight must be above 0 and at most 1, not {max_weight:g}")
    if max_weight * n < 1 - 1e-12:
        raise Infeasible(f"--max-weight {max_weight:g} is below 1/{n} = {1 / n:.4g}: "
                         f"{n} assets at most {max_weight:g} each cannot sum to 1")
    return float(max_weight)


# --- the QP: min 1/2 w'Qw + c'w, sum w = 1, 0 <= w <= u ---------------------------------


def _solve(k: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    import numpy as np

    try:
        return np.linalg.solve(k, rhs)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(k, rhs, rcond=None)[0]


def qp(q: np.ndarray, c: np.ndarray, u: float = 1.0, status: np.ndarray | None = None,
       w0: np.ndarray | None = None, max_iter: int = 1000
       ) -> tuple[np.ndarray, np.ndarray]:
    """(w, status) of the capped-simplex QP by a primal active-set method.

    status per asset: 0 free, -1 at 0, +1 at the cap; pass back a previous (w, status)
    to warm-start a nearby problem.
    """
    import numpy as np

    n = len(c)
    scale = max(float(np.max(np.abs(np.diag(q)))), 1e-300)
    if w0 is None or status is None:
        w = np.full(n, 1.0 / n)
        status = np.where(w >= u - 1e-15, 1, 0)
    else:
        w, status = w0.copy(), status.copy()
    tol = 1e-12 * max(scale, float(np.max(np.abs(c))) if n else 0.0)
    for _ in range(max_iter):
        g = q @ w + c
        free = np.nonzero(status == 0)[0]
        nf = len(free)
        p = np.zeros(n)
        if nf:
            k = np.zeros((nf + 1, nf + 1))
            k[:nf, :nf] = q[np.ix_(free, free)]
            k[:nf, nf] = 1.0
            k[nf, :nf] = 1.0
            sol = _solve(k, np.concatenate([-g[free], [0.0]]))
            p[free] = sol[:nf]
            nu = -sol[nf]
        if nf == 0 or np.max(np.abs(p)) <= 1e-14:
            lower, upper = status == -1, status == 1
            if nf == 0:
                lo = float(np.max(g[upper])) if upper.any() else -math.inf
                hi = float(np.min(g[lower])) if lower.any() else math.inf
                if lo <= hi + tol:
                    return _exact_sum(w, status, u), status
                nu = (lo + hi) / 2 if math.isfinite(lo + hi) else (lo if math.isfinite(lo)
                                                                   else hi)
            viol = np.where(lower, g - nu, np.where(upper, nu - g, 0.0))
            worst = int(np.argmin(viol))
            if viol[worst] >= -tol:
                return _exact_sum(w, status, u), status
            status[worst] = 0
            continue
        pf, wf = p[free], w[free]
        with np.errstate(divide="ignore", invalid="ignore"):
            room = np.where(pf < 0, wf / -pf, np.where(pf > 0, (u - wf) / pf, np.inf))
        j = int(np.argmin(room))
        step, block = (float(room[j]), int(free[j])) if room[j] < 1.0 else (1.0, -1)
        w = w + step * p
        if block >= 0:
            status[block] = -1 if p[block] < 0 else 1
            w[block] = 0.0 if p[block] < 0 else u
        w = np.clip(w, 0.0, u)
    return _exact_sum(w, status, u), status


def _exact_sum(w: np.ndarray, status: np.ndarray, u: float) -> np.ndarray:
    """Spread the rounding left in sum(w) - 1 over the free weights."""
    import numpy as np

    free = status == 0
    gap = 1.0 - float(w.sum())
    if free.any() and gap:
        w = w.copy()
        w[free] += gap / int(free.sum())
        w = np.clip(w, 0.0, u)
    return w


def min_variance(cov: np.ndarray, max_weight: float | None = None) -> np.ndarray:
    """The long-only minimum-variance weights under the cap."""
    import numpy as np

    u = check_cap(len(cov), max_weight)
    return qp(cov, np.zeros(len(cov)), u)[0]


def max_return_weights(mu: np.ndarray, u: float) -> np.ndarray:
    """The highest expected return the cap allows: fill the best assets up to the cap."""
    import numpy as np

    w = np.zeros(len(mu))
    left = 1.0
    for i in np.argsort(-mu, kind="stable"):
        w[i] = min(u, left)
        left -= w[i]
        if left <= 1e-15:
            break
    return w


def max_sharpe(mu: np.ndarray, cov: np.ndarray, rf: float = 0.0,
               max_weight: float | None = None) -> np.ndarray:
    """The long-only weights with the highest (mu'w - rf) / sqrt(w'Sw) under the cap."""
    import numpy as np

    n = len(mu)
    u = check_cap(n, max_weight)
    if float(np.max(mu)) <= rf:
        raise Infeasible(f"no asset's expected return beats the risk-free rate ({rf:.2%}): "
                         "the best Sharpe ratio would be negative, which is meaningless")
    best_possible = float(max_return_weights(mu, u) @ mu)
    if best_possible <= rf:
        raise Infeasible(f"with --max-weight {u:g} no allowed mix beats the risk-free rate "
                         f"({rf:.2%}); the best is {best_possible:.2%}")
    var = np.diag(cov)
    flat = var <= 1e-18 * max(float(np.max(var)), 1e-300)
    if (flat & (mu > rf)).any():
        raise Infeasible("an asset that never moved returned more than the risk-free rate: "
                         "the Sharpe ratio has no maximum")
    keep = np.nonzero(~flat)[0]
    if flat.any() and len(keep) and len(keep) * u >= 1 - 1e-12:
        # A riskless asset at or below rf never raises the ratio: the tangency of the rest.
        w = np.zeros(n)
        w[keep] = max_sharpe(mu[keep], cov[np.ix_(keep, keep)], rf, u if u < 1 else None)
        return w

    def sharpe(w: np.ndarray) -> float:
        var = float(w @ cov @ w)
        return (float(w @ mu) - rf) / math.sqrt(var) if var > 0 else -math.inf

    t0 = float(np.mean(np.diag(cov))) / max(float(np.max(np.abs(mu))), 1e-300)
    cache: dict[float, tuple[float, np.ndarray, np.ndarray]] = {}
    state: list[tuple[np.ndarray, np.ndarray]] = []

    def at(s: float) -> float:
        if s not in cache:
            w_prev, st_prev = state[-1] if state else (None, None)
            w, st = qp(cov, -math.exp(s) * t0 * mu, u, st_prev, w_prev)
            state.append((w, st))
            cache[s] = (sharpe(w), w, st)
        return cache[s][0]

    grid = [-12.0 + i for i in range(31)]  # t from t0 e^-12 to t0 e^18
    values = [at(s) for s in grid]
    k = max(range(len(grid)), key=lambda i: (values[i], -i))
    a, b = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
    ratio = (math.sqrt(5) - 1) / 2
    x1, x2 = b - ratio * (b - a), a + ratio * (b - a)
    for _ in range(45):
        if at(x1) >= at(x2):
            b, x2 = x2, x1
            x1 = b - ratio * (b - a)
        else:
            a, x1 = x1, x2
            x2 = a + ratio * (b - a)
    best_s = max(cache, key=lambda s: cache[s][0])
    _, w, status = cache[best_s]
    polished = _polish(mu, cov, rf, u, status)
    if polished is not None and sharpe(polished) >= sharpe(w) - 1e-15:
        return polished
    return w


def _polish(mu: np.ndarray, cov: np.ndarray, rf: float, u: float,
            status: np.ndarray) -> np.ndarray | None:
    """The exact tangency on the face `status` describes (None if it leaves the face)."""
    import numpy as np

    free = np.nonzero(status == 0)[0]
    nf = len(free)
    if nf < 2:
        return None
    fixed = np.where(status == 1, u, 0.0)
    left = 1.0 - float(fixed.sum())
    k = np.zeros((nf + 1, nf + 1))
    k[:nf, :nf] = cov[np.ix_(free, free)]
    k[:nf, nf] = 1.0
    k[nf, :nf] = 1.0
    h = cov[free] @ fixed
    base = _solve(k, np.concatenate([-h, [left]]))[:nf]
    slope = _solve(k, np.concatenate([mu[free], [0.0]]))[:nf]
    a, b = fixed.copy(), np.zeros(len(mu))
    a[free], b[free] = base, slope
    p, q = float(mu @ a) - rf, float(mu @ b)
    r, s, v = float(a @ cov @ a), float(a @ cov @ b), float(b @ cov @ b)
    den = q * s - p * v
    if den == 0:
        return None
    t = (p * s - q * r) / den
    w = a + t * b
    if np.min(w) < -1e-9 or np.max(w) > u + 1e-9:
        return None
    return _exact_sum(np.clip(w, 0.0, u), status, u)


# --- risk parity --------------------------------------------------------------------------


def _barrier(cov_ff: np.ndarray, h: np.ndarray, lam: float, x: np.ndarray) -> np.ndarray:
    """argmin 1/2 x'Sx + h'x - lam sum(log x), x > 0, by damped Newton."""
    import numpy as np

    def f(z: np.ndarray) -> float:
        return 0.5 * float(z @ cov_ff @ z) + float(h @ z) - lam * float(np.sum(np.log(z)))

    for _ in range(200):
        g = cov_ff @ x + h - lam / x
        hess = cov_ff + np.diag(lam / x ** 2)
        d = -_solve(hess, g)
        dec = -float(g @ d)
        if dec <= 1e-28 * max(1.0, abs(f(x))):
            break
        step = 1.0
        neg = d < 0
        if neg.any():
            step = min(1.0, 0.99 * float(np.min(-x[neg] / d[neg])))
        fx = f(x)
        while step > 1e-20 and f(x + step * d) > fx - 0.25 * step * dec:
            step /= 2
        x = x + step * d
        if step * float(np.max(np.abs(d) / x)) < 1e-15:
            break
    return x


def risk_parity(cov: np.ndarray, max_weight: float | None = None) -> np.ndarray:
    """Weights giving every asset an equal share of the portfolio's variance (w_i (Sw)_i
    equal); assets the cap binds are held at the cap and the others share equally."""
    import numpy as np

    n = len(cov)
    u = check_cap(n, max_weight)
    diag = np.sqrt(np.maximum(np.diag(cov), 1e-300))
    fixed = np.zeros(n, dtype=bool)
    w = np.full(n, 1.0 / n)
    for _ in range(n):
        free = np.nonzero(~fixed)[0]
        wc = np.where(fixed, u, 0.0)
        left = 1.0 - float(wc.sum())
        cov_ff = cov[np.ix_(free, free)]
        h = cov[free] @ wc
        x0 = (1 / diag[free]) / np.sum(1 / diag[free]) * left
        if not fixed.any():
            x = _barrier(cov_ff, h, 1.0 / len(free), x0)
            xf = x / x.sum() * left
        else:
            xf = _budgeted(cov_ff, h, left, x0)
        w = wc.copy()
        w[free] = xf
        over = (~fixed) & (w > u + 1e-12)
        if not over.any():
            return np.clip(w, 0.0, u)
        fixed[int(np.argmax(np.where(over, w, -np.inf)))] = True
    return np.clip(w, 0.0, u)


def _budgeted(cov_ff: np.ndarray, h: np.ndarray, total: float, x0: np.ndarray) -> np.ndarray:
    """Equal risk contributions among the free assets with their weights summing to
    `total` (the fixed ones' covariance with them is h): bisection on the barrier weight."""
    import numpy as np

    lo, hi = -60.0, 20.0
    x = x0
    for _ in range(200):
        mid = (lo + hi) / 2
        x = _barrier(cov_ff, h, math.exp(mid), x0)
        if float(np.sum(x)) > total:
            hi = mid
        else:
            lo = mid
        if hi - lo < 1e-13:
            break
    return x / float(np.sum(x)) * total


def optimise(objective: str, mu: np.ndarray, cov: np.ndarray, rf: float = 0.0,
             max_weight: float | None = None) -> np.ndarray:
    """Weights for `objective` (max-sharpe, min-variance or risk-parity)."""
    if objective == "min-variance":
        return min_variance(cov, max_weight)
    if objective == "max-sharpe":
        return max_sharpe(mu, cov, rf, max_weight)
    if objective == "risk-parity":
        return risk_parity(cov, max_weight)
    raise Infeasible(f"unknown objective {objective!r}: one of {', '.join(OBJECTIVES)}")
