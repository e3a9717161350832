"""`portfolio risk` for 50 assets x 365 days and `portfolio optimize` for 20, warm caches.

Targets: risk computation < 0.2 s and the whole command < 0.6 s; optimize < 0.5 s.
Every command runs as a fresh subprocess against the loopback fake (tests/fakes.py),
after one warm-up run that fetches and keeps the daily closes; runs are interleaved so
machine noise hits all alike. Figures: median and minimum of N runs, with the CPU time
of the child (the machine is shared), and the in-process cost of the computation alone.
"""

from __future__ import annotations

import argparse
import copy
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from common import bench_env, compile_package, mobius_command  # noqa: E402
from tests.fakes import FakeApis  # noqa: E402

TARGETS = {"risk (50 assets)": 0.6, "optimize (20 assets)": 0.5}
COMPUTE_TARGET = 0.2




def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, child CPU) seconds of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def add_coins(fake: FakeApis, count: int) -> list[str]:
    """`count` coin ids the fake serves: its own, then copies with their own wiggles."""
    ids = [i for i in fake.markets if fake.markets[i]["symbol"] not in ("usdt", "usdc")]
    base = fake.markets["ethereum"]
    n = 0
    while len(ids) < count:
        n += 1
        row = copy.deepcopy(base)
        row.update(id=f"bench-coin-{n}", symbol=f"bc{n}", name=f"Bench Coin {n}")
        for period in ("7d", "30d", "200d", "1y"):
            key = f"price_change_percentage_{period}_in_currency"
            if row.get(key) is not None:
                row[key] = row[key] * (0.5 + (n * 37 % 100) / 100) - 10 + n % 20
        fake.markets[row["id"]] = row
        ids.append(row["id"])
    return ids[:count]


def record_holdings(home: str, portfolios: dict[str, list[str]], fake: FakeApis) -> None:
    """Holdings written straight into the ledger (no lookups)."""
    os.environ["MOBIUS_HOME"] = home
    from datetime import datetime, timezone
    from decimal import Decimal

    from mobius_cli.context import AppContext
    from mobius_cli.core.ledger import Transaction
    from mobius_cli.services import portfolio as svc

    app = AppContext()
    when = datetime(2025, 1, 1, tzinfo=timezone.utc)
    for name, ids in portfolios.items():
        if name != "main":
            svc.create_portfolio(app.store, name, "usd")
        book = svc.open_portfolio(app.store, name)
        for coin in ids:
            row = fake.markets[coin]
            amount = Decimal(str(round(1000 / float(row["current_price"]), 8) or 1))
            tx = Transaction("buy", coin, row["symbol"].upper(), amount, Decimal("1"), "usd",
                             when)
            svc.record(app.store, book, tx)
    app.close()


def computation_alone(repeat: int = 20) -> tuple[float, float]:
    """(risk figures for 366 x 50, optimise x 3 objectives for 20) seconds, best of N."""
    import numpy as np

    from mobius_cli.core import optimize as opt
    from mobius_cli.core.risk import risk_figures, simple_returns

    rng = np.random.default_rng(7)
    closes = 100 * np.exp(np.cumsum(rng.normal(0.001, 0.03, (366, 50)), axis=0))
    amounts = rng.uniform(1, 10, 50)
    best_risk = best_opt = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        risk_figures(closes, amounts, closes[:, 0])
        best_risk = min(best_risk, time.perf_counter() - start)
        mu, cov = opt.annualise(simple_returns(closes[:, :20]))
        start = time.perf_counter()
        opt.optimise("max-sharpe", mu + 0.5, cov, 0.0, 0.2)
        best_opt = min(best_opt, time.perf_counter() - start)
    return best_risk, best_opt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=10, help="runs of each (default 10)")
    args = parser.parse_args(argv)

    compile_package()
    mobius = mobius_command()
    with tempfile.TemporaryDirectory(prefix="mobius-bench-") as tmp, FakeApis() as fake:
        ids = add_coins(fake, 50)
        env = bench_env(fake, tmp)
        os.environ.update(fake.urls)
        record_holdings(tmp, {"main": ids, "twenty": ids[:20]}, fake)
        commands = {
            "risk (50 assets)": [*mobius, "portfolio", "risk", "--json"],
            "optimize (20 assets)": [*mobius, "portfolio", "optimize", "-p", "twenty",
                                     "--max-weight", "0.2", "--json"],
            "portfolio show": [*mobius, "portfolio", "show", "--json"],
        }
        fake.reset_requests()
        cold = {name: timed(cmd, env)[0] for name, cmd in commands.items()}
        charts = fake.count("/coins/")
        fake.reset_requests()
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for i in range(args.runs):
            order = list(commands.items())
            if i % 2:
                order.reverse()
            for name, cmd in order:
                times[name].append(timed(cmd, env))
        warm_requests = fake.count("/coins/")

    print(f"{args.runs} warm runs each (fresh processes; closes kept by one cold run that "
          f"made {charts} chart requests; the warm runs made {warm_requests})")
    for name, runs in times.items():
        walls = [w for w, _ in runs]
        cpus = [c for _, c in runs]
        target = TARGETS.get(name)
        verdict = "" if target is None else (
            f"   target < {target:.1f} s: "
            + ("ok" if statistics.median(walls) < target else "over target"))
        print(f"{name:<22} median {statistics.median(walls) * 1000:7.1f} ms   "
              f"min {min(walls) * 1000:7.1f} ms   cpu {statistics.median(cpus) * 1000:7.1f} ms"
              f"   cold {cold[name] * 1000:7.1f} ms{verdict}")
    risk_s, opt_s = computation_alone()
    print(f"computation alone: risk figures 366 x 50 {risk_s * 1000:.2f} ms (target < "
          f"{COMPUTE_TARGET * 1000:.0f} ms: {'ok' if risk_s < COMPUTE_TARGET else 'over'}), "
          f"max-sharpe 20 assets capped {opt_s * 1000:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
