"""`mobius alerts check` at scale: 10,000 alerts over 70 coins against the loopback fake.

Prints the HTTP requests one check makes (target: at most 2, one per currency) and its
wall time as a fresh process beside `mobius price BTC` with the same warm resolution
cache and a cold price cache (targets: under 1 s, and within 2x of `price`). Both run
interleaved, N times each; figures are the median and the minimum. Each check starts
from the same database (about 1% of the alerts fire, on the terminal channel).
"""

from __future__ import annotations

import argparse
import copy
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from common import compile_package, mobius_command  # noqa: E402

ALERTS = 10_000
COINS = 70
TARGET_SECONDS = 1.0
TARGET_RATIO = 2.0




def make_coins(fake, count: int) -> list[tuple[str, str]]:
    """`count` coins the fake prices: its recorded ones, then synthetic copies."""
    from tests.fakes import iso_ms

    rows = list(fake.markets.values())
    i = 0
    while len(fake.markets) < count:
        base = copy.deepcopy(rows[i % len(rows)])
        i += 1
        base["id"] = f"bench-coin-{i}"
        base["symbol"] = f"bc{i}"
        base["name"] = f"Bench Coin {i}"
        fake.markets[base["id"]] = base
    stamp = iso_ms(time.time() + 3600)  # fresh for the whole run
    for row in fake.markets.values():
        row["last_updated"] = stamp
    return [(r["id"], r["symbol"].upper()) for r in list(fake.markets.values())[:count]]


def seed_alerts(db: Path, fake, coins: list[tuple[str, str]], count: int) -> None:
    """`count` alerts over `coins` in usd and eur; about 1% hold on the fake's prices."""
    from mobius_cli.core.alerts import Alert
    from mobius_cli.store.alerts import AlertRepo
    from mobius_cli.store.db import Store

    rng = random.Random(7)
    eur = fake.rates["eur"]["value"] / fake.rates["usd"]["value"]
    alerts = []
    for n in range(count):
        coin_id, symbol = coins[n % len(coins)]
        usd = float(fake.markets[coin_id]["current_price"])
        currency = "eur" if n % 4 == 0 else "usd"
        price = usd * (eur if currency == "eur" else 1.0)
        fires = rng.random() < 0.01
        condition = rng.choice(("above", "below", "change", "cross"))
        if condition == "change":
            target = 0.001 if fires else 500.0
        elif condition == "above":
            target = price * (0.9 if fires else rng.uniform(1.05, 3))
        else:
            target = price * (1.1 if fires else rng.uniform(0.2, 0.95))
        side = "above" if condition == "cross" else None
        if condition == "cross" and fires:
            side = "below"  # waiting to cross upwards, and the price is above already
            target = price * 0.9
        alerts.append(Alert(symbol, coin_id, condition, target, currency, side=side,
                            repeat=n % 3 == 0, cooldown=3600.0 if n % 3 == 0 else 0.0))
    store = Store(db)
    AlertRepo(store).add_many(alerts)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


def drop_prices(cache_db: Path) -> None:
    """Forget cached prices (keep the coin index: the resolution cache stays warm)."""
    if not cache_db.exists():
        return
    conn = sqlite3.connect(cache_db)
    try:
        conn.execute("DELETE FROM responses WHERE key LIKE '%/simple/price%'")
        conn.commit()
    except sqlite3.OperationalError:
        pass
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=7, help="runs of each (default 7)")
    parser.add_argument("--alerts", type=int, default=ALERTS)
    parser.add_argument("--coins", type=int, default=COINS)
    args = parser.parse_args(argv)

    from tests.fakes import FakeApis

    compile_package()
    with tempfile.TemporaryDirectory(prefix="mobius-bench-alerts-") as tmp, \
            FakeApis() as fake:
        home = Path(tmp) / "home"
        env = {**fake.env(), "NO_COLOR": "1", "COLUMNS": "100", "MOBIUS_HOME": str(home),
               "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
        os.environ.update({k: v for k, v in env.items() if k.startswith("MOBIUS_")})
        coins = make_coins(fake, args.coins)
        pristine = Path(tmp) / "pristine.sqlite3"
        started = time.perf_counter()
        seed_alerts(pristine, fake, coins, args.alerts)
        seeded = time.perf_counter() - started
        db = home / "data" / "mobius.sqlite3"
        cache_db = home / "cache" / "http-cache.sqlite3"
        mobius = mobius_command()

        def fresh_db() -> None:
            db.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm"):
                Path(str(db) + suffix).unlink(missing_ok=True)
            shutil.copyfile(pristine, db)
            os.chmod(db, 0o600)

        cpu: dict[str, list[float]] = {"alerts check": [], "price BTC": []}

        def timed(cmd: list[str]) -> tuple[float, int, int, str, float]:
            import resource

            drop_prices(cache_db)
            fake.reset_requests()
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
            took = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            return took, done.returncode, fake.count(), done.stdout, used

        # Warm up: bytecode, the coin index (resolution cache), the first database open.
        fresh_db()
        subprocess.run([*mobius, "price", "BTC"], env=env, capture_output=True, check=True)
        subprocess.run([*mobius, "alerts", "check", "--quiet"], env=env, capture_output=True)

        check_cmd = [*mobius, "alerts", "check", "--quiet"]
        price_cmd = [*mobius, "price", "BTC"]
        times: dict[str, list[float]] = {"alerts check": [], "price BTC": []}
        requests: list[int] = []
        price_requests: list[int] = []
        fired = codes = None
        for i in range(args.runs):
            order = ["alerts check", "price BTC"] if i % 2 == 0 else ["price BTC", "alerts check"]
            for name in order:
                if name == "alerts check":
                    fresh_db()
                    took, code, count, out, used = timed(check_cmd)
                    requests.append(count)
                    fired = sum(1 for line in out.splitlines() if line.startswith("#"))
                    codes = code
                else:
                    took, code, count, _, used = timed(price_cmd)
                    price_requests.append(count)
                times[name].append(took)
                cpu[name].append(used)

        # The check alone, in-process (no interpreter start-up, no imports).
        inproc: list[float] = []
        inproc_cpu: list[float] = []  # includes the fake server's thread in this process
        for _ in range(3):
            fresh_db()
            drop_prices(cache_db)
            from mobius_cli.commands.alerts import alert_options
            from mobius_cli.context import AppContext
            from mobius_cli.services import alerts as svc

            app = AppContext()
            t0, c0 = time.perf_counter(), time.process_time()
            svc.check(app.store, app.coingecko, alert_options(app))
            inproc.append(time.perf_counter() - t0)
            inproc_cpu.append(time.process_time() - c0)
            app.close()

    median = {k: statistics.median(v) for k, v in times.items()}
    print(f"alerts: {args.alerts:,} over {args.coins} coins in usd and eur "
          f"(seeded in {seeded:.2f} s); each check fired {fired} (exit {codes})")
    print(f"HTTP requests per check: {max(requests)} (target <= 2: "
          f"{'ok' if max(requests) <= 2 else 'over target'}); "
          f"per `price BTC`: {max(price_requests)}")
    for name, t in times.items():
        print(f"{name:<14} median {median[name] * 1000:7.1f} ms   min {min(t) * 1000:7.1f} ms"
              f"   CPU median {statistics.median(cpu[name]) * 1000:7.1f} ms")
    print(f"{'check in-process':<14} median {statistics.median(inproc) * 1000:7.1f} ms   "
          f"min {min(inproc) * 1000:7.1f} ms   CPU median "
          f"{statistics.median(inproc_cpu) * 1000:7.1f} ms (pricing, evaluating, recording; "
          "no start-up)")
    ratio = median["alerts check"] / median["price BTC"]
    print(f"check wall time target < {TARGET_SECONDS:g} s: "
          f"{'ok' if median['alerts check'] < TARGET_SECONDS else 'over target'}")
    print(f"ratio check / price median {ratio:.2f}x (target <= {TARGET_RATIO:g}x: "
          f"{'ok' if ratio <= TARGET_RATIO else 'over target'})")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    if load is not None:
        print(f"load average {load:.2f} on {os.cpu_count()} CPUs (times scale with it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
