"""Portfolio figures with a warm cache, beside `mobius price BTC`.

Targets: `portfolio show` with 100 holdings and 10,000 transactions < 0.4 s and within
1.5x of `mobius price BTC`; `portfolio import` of a 10,000-row CSV < 2 s. Also printed:
`portfolio history` listing all 10,000 transactions as a table (no target). Every command
runs as a fresh subprocess against the loopback fake (tests/fakes.py) after one warm-up
run that fills the cache; runs are interleaved so machine noise hits all alike. Figures:
median and minimum of N runs each.
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from common import bench_env, compile_package, mobius_command, timed  # noqa: E402
from tests.fakes import FakeApis  # noqa: E402

SHOW_TARGET = 0.4
SHOW_RATIO = 1.5
IMPORT_TARGET = 2.0






def coins(fake: FakeApis, holdings: int) -> list[tuple[str, str]]:
    """(id, symbol) of `holdings` coins the fake prices, adding synthetic ones as needed."""
    found = [(cid, row["symbol"].upper()) for cid, row in fake.markets.items()]
    template = fake.markets["bitcoin"]
    i = 0
    while len(found) < holdings:
        row = copy.deepcopy(template)
        row.update(id=f"benchcoin-{i}", symbol=f"bc{i}", name=f"Bench Coin {i}",
                   current_price=1.0 + i, market_cap_rank=None)
        fake.markets[row["id"]] = row
        fake.coins_list.append({"id": row["id"], "symbol": row["symbol"], "name": row["name"]})
        found.append((row["id"], row["symbol"].upper()))
        i += 1
    return found[:holdings]


def ledger_rows(held: list[tuple[str, str]], total: int):
    """`total` transactions over the coins: buys, with every fifth a partial sale."""
    from mobius_cli.core.ledger import Transaction

    base = datetime(2025, 1, 1, tzinfo=timezone.utc)
    per = total // len(held)
    rows = []
    for n, (cid, sym) in enumerate(held):
        for k in range(per):
            kind = "sell" if k % 5 == 4 else "buy"
            amount = Decimal("0.5") if kind == "sell" else Decimal("1.25")
            rows.append(Transaction(kind, cid, sym, amount, Decimal(100 + k) / 7, "usd",
                                    base + timedelta(minutes=k * len(held) + n),
                                    fee=Decimal("0.15"), fee_currency="usd"))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=11, help="runs of each (default 11)")
    parser.add_argument("--holdings", type=int, default=100)
    parser.add_argument("--transactions", type=int, default=10_000)
    parser.add_argument("--import-rows", type=int, default=10_000)
    args = parser.parse_args(argv)

    compile_package()
    mobius = mobius_command()
    with tempfile.TemporaryDirectory(prefix="mobius-bench-") as tmp, FakeApis() as fake:
        env = bench_env(fake, tmp)
        os.environ.update(env)
        held = coins(fake, args.holdings)

        from mobius_cli.context import AppContext
        from mobius_cli.core import portfolio_formats as formats
        from mobius_cli.services import portfolio as svc

        app = AppContext()
        book = svc.open_portfolio(app.store)
        rows = ledger_rows(held, args.transactions)
        with app.store.transaction():
            svc.repos(app.store)[1].add_many(book.id, rows)
        csv_path = Path(tmp) / "import.csv"
        csv_path.write_text(formats.write_mobius(ledger_rows(held, args.import_rows), "usd"))
        app.close()

        show = [*mobius, "portfolio", "show"]
        price = [*mobius, "price", "BTC"]
        history = [*mobius, "portfolio", "history"]  # every transaction, as a table
        commands = {"price BTC": price, "portfolio show": show, "portfolio history": history}
        cold = {name: timed(cmd, env) for name, cmd in commands.items()}
        times: dict[str, list[float]] = {name: [] for name in commands}
        imports: list[float] = []
        for i in range(args.runs):
            order = list(commands.items())
            if i % 2:
                order.reverse()
            for name, cmd in order:
                times[name].append(timed(cmd, env))
            subprocess.run([*mobius, "portfolio", "create", f"imp{i}"], env=env, check=True,
                           stdout=subprocess.DEVNULL)
            imports.append(timed([*mobius, "portfolio", "import", str(csv_path),
                                  "--portfolio", f"imp{i}"], env))
        show_requests = fake.count("/simple/price")

    print(f"data: {args.holdings} holdings, {args.transactions:,} transactions; "
          f"import of {args.import_rows:,} rows; {args.runs} warm runs each")
    median = {name: statistics.median(t) for name, t in times.items()}
    for name, t in times.items():
        print(f"{name:<22} median {median[name] * 1000:7.1f} ms   min {min(t) * 1000:7.1f} ms"
              f"   cold {cold[name] * 1000:7.1f} ms")
    imp = statistics.median(imports)
    print(f"{'portfolio import':<22} median {imp * 1000:7.1f} ms   "
          f"min {min(imports) * 1000:7.1f} ms")
    ratio = median["portfolio show"] / median["price BTC"]
    ok = median["portfolio show"] < SHOW_TARGET and ratio <= SHOW_RATIO
    print(f"show / price           {ratio:.2f}x  (target < {SHOW_TARGET}s and <= {SHOW_RATIO}x: "
          f"{'ok' if ok else 'over target'})")
    print(f"import target          < {IMPORT_TARGET}s: {'ok' if imp < IMPORT_TARGET else 'over'}")
    print(f"price requests made    {show_requests} (warm runs answer from the cache)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
