"""Start-up: `mobius --help` beside a bare Typer app's `--help` (target <= 1.1x), and a warm
`mobius price BTC` (answered from the disk cache, against the loopback fake) beside the
same bare app (target <= 1.5x), measured in the same run.

All run as fresh subprocesses, interleaved in one loop so that machine noise hits them
alike; the figures are the median and the minimum of N runs each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import compile_package, mobius_command, timed
from tests.fakes import FakeApis

TARGET_RATIO = 1.1  # mobius --help / bare --help
PRICE_TARGET = 1.5  # warm mobius price BTC / bare --help

# A Typer app of the same shape as Mobius's root: global options on a callback, two commands.
BARE_APP = '''\
from typing import Annotated, Optional

import typer

app = typer.Typer(help="A bare app.", context_settings={"help_option_names": ["-h", "--help"]})


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    vs: Annotated[Optional[str], typer.Option("--vs", help="Quote currency.")] = None,
    verbose: Annotated[int, typer.Option("-v", "--verbose", count=True)] = 0,
) -> None:
    """A bare Typer app."""


@app.command()
def price(symbols: list[str]) -> None:
    """Quotes."""


@app.command()
def market() -> None:
    """The market."""


if __name__ == "__main__":
    app(prog_name="bare")
'''






def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=15, help="runs of each (default 15)")
    args = parser.parse_args(argv)

    compile_package()

    with tempfile.TemporaryDirectory(prefix="mobius-bench-") as tmp, FakeApis() as fake:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_APP, encoding="utf-8")
        env = {**fake.env(os.environ), "NO_COLOR": "1", "COLUMNS": "100", "MOBIUS_HOME": tmp}
        for var in ("COINGECKO_API_KEY", "COINGECKO_PRO_API_KEY", "FORCE_COLOR"):
            env.pop(var, None)
        commands = {
            "mobius --help": [*mobius_command(), "--help"],
            "bare Typer --help": [sys.executable, str(bare), "--help"],
            "mobius price BTC": [*mobius_command(), "price", "BTC"],  # warm: the cache answers
            "bare Typer price X": [sys.executable, str(bare), "price", "X"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for cmd in commands.values():  # warm up: bytecode caches, disk cache
            timed(cmd, env)
        for i in range(args.runs):
            order = list(commands.items())
            if i % 2:
                order.reverse()
            for name, cmd in order:
                times[name].append(timed(cmd, env))

    median = {name: statistics.median(t) for name, t in times.items()}
    for name, t in times.items():
        print(f"{name:<20} median {median[name] * 1000:7.1f} ms   min {min(t) * 1000:7.1f} ms")
    for name, base, target in (("mobius --help", "bare Typer --help", TARGET_RATIO),
                               ("mobius price BTC", "bare Typer --help", PRICE_TARGET),
                               ("mobius price BTC", "bare Typer price X", PRICE_TARGET)):
        ratio = median[name] / median[base]
        ratio_min = min(times[name]) / min(times[base])
        verdict = "ok" if ratio <= target else "over target"
        print(f"{name} / {base}: median {ratio:.3f}x, min {ratio_min:.3f}x "
              f"(target <= {target}x: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
