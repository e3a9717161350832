"""`mobius ta BTC` with a warm cache beside `mobius price BTC` (target: within 1.5x).

Also `dca BTC` and `gas`. Every command runs as a fresh subprocess against the loopback
fake (tests/fakes.py), after one warm-up run that fetches and caches; runs are
interleaved so machine noise hits all alike. Figures: median and minimum of N runs each,
and the in-process cost of the indicators alone on 366 closes.

A warm `ta` finds its analysis of the same closes remembered (services.analysis.analysed)
and never loads numpy; "ta BTC computing" forgets that before each run, so it shows the
cost of loading numpy and computing, with the closes still cached. (`gas` is never cached: it
asks the node every time, so it includes a JSON-RPC round trip to the fake.)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from common import bench_env, compile_package, mobius_command, timed  # noqa: E402
from tests.fakes import FakeApis  # noqa: E402

TARGET_RATIO = 1.5






def indicators_alone(repeat: int = 50) -> float:
    """Seconds for analyse() on 366 closes, numpy already imported (best of `repeat`)."""
    import math

    from mobius_cli.core.signals import analyse

    closes = [100 * math.exp(0.01 * i + 0.05 * math.sin(i / 3)) for i in range(366)]
    analyse(closes)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        analyse(closes)
        best = min(best, time.perf_counter() - start)
    return best


COMPUTING = "ta BTC computing"


def forget_analyses(env: dict[str, str]) -> None:
    """Drop the remembered analyses from the response cache (the closes stay)."""
    import sqlite3

    from mobius_cli.services.analysis import MEMO_PREFIX

    path = Path(env["MOBIUS_HOME"]) / "cache" / "http-cache.sqlite3"
    with sqlite3.connect(path) as db:
        gone = db.execute("DELETE FROM responses WHERE key LIKE ?", (MEMO_PREFIX + "%",))
        assert gone.rowcount >= 1, "no remembered analysis to forget"
    db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=15, help="runs of each (default 15)")
    args = parser.parse_args(argv)

    compile_package()
    mobius = mobius_command()
    with tempfile.TemporaryDirectory(prefix="mobius-bench-") as tmp, FakeApis() as fake:
        env = bench_env(fake, tmp)
        commands = {
            "price BTC": [*mobius, "price", "BTC"],
            "ta BTC": [*mobius, "ta", "BTC"],
            "dca BTC": [*mobius, "dca", "BTC", "--amount", "50", "--every", "week"],
            "gas": [*mobius, "gas"],
        }
        cold = {name: timed(cmd, env) for name, cmd in commands.items()}
        times: dict[str, list[float]] = {name: [] for name in [*commands, COMPUTING]}
        for i in range(args.runs):
            order = [*commands.items(), (COMPUTING, commands["ta BTC"])]
            if i % 2:
                order.reverse()
            for name, cmd in order:
                if name == COMPUTING:
                    forget_analyses(env)
                times[name].append(timed(cmd, env))
        cold[COMPUTING] = cold["ta BTC"]

    median = {name: statistics.median(t) for name, t in times.items()}
    print(f"{args.runs} warm runs each (fresh processes, cache warmed by one cold run)")
    for name, t in times.items():
        print(f"{name:<18} median {median[name] * 1000:7.1f} ms   min {min(t) * 1000:7.1f} ms"
              f"   cold {cold[name] * 1000:7.1f} ms")
    ratio = median["ta BTC"] / median["price BTC"]
    ratio_min = min(times["ta BTC"]) / min(times["price BTC"])
    verdict = "ok" if ratio <= TARGET_RATIO else "over target"
    print(f"ta/price           median {ratio:.2f}x   min {ratio_min:.2f}x   "
          f"target <= {TARGET_RATIO}x: {verdict}")
    computing = median[COMPUTING] / median["price BTC"]
    print(f"ta computing/price median {computing:.2f}x   min "
          f"{min(times[COMPUTING]) / min(times['price BTC']):.2f}x   (numpy loaded)")
    print(f"indicators and signals alone on 366 closes: {indicators_alone() * 1000:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
