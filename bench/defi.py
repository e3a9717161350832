"""DeFi commands on real-size data with a warm cache, beside `mobius price BTC`.

Targets: `defi yields --chain arbitrum --stable` over 20,000 pools < 0.5 s and within 1.5x
of `mobius price BTC`; `defi protocols` over 3,000 protocols < 0.4 s. Every command runs
as a fresh subprocess against the loopback fake (tests/fakes.py, `use_bulk_defi`), after
one warm-up run that downloads and caches; runs are interleaved so machine noise hits all
alike. Figures: median and minimum of N runs each. Also prints the cold (first) run.
"""

from __future__ import annotations

import argparse
import os
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

YIELDS_TARGET = 0.5
YIELDS_RATIO = 1.5
PROTOCOLS_TARGET = 0.4




CPU: dict[str, list[float]] = {}


def timed(cmd: list[str], env: dict[str, str], name: str = "") -> float:
    """Wall-clock seconds of one run; its CPU seconds (user + system, less sensitive to a
    busy machine) go to CPU[name]."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with exit {proc.returncode}")
    CPU.setdefault(name, []).append(usage.ru_utime + usage.ru_stime)
    return wall


def in_process(commands: dict[str, list[str]], env: dict[str, str],
               runs: int) -> dict[str, list[float]]:
    """Each command run inside this process after a first run (interpreter start-up and
    imports paid once): the command's own work, warm cache."""
    from tests.runner import run_cli

    out: dict[str, list[float]] = {}
    for name, cmd in commands.items():
        args = cmd[1:] if cmd[0].endswith("mobius") else cmd[3:]
        run_cli(args, env)
        for _ in range(runs):
            start = time.perf_counter()
            result = run_cli(args, env)
            out.setdefault(name, []).append(time.perf_counter() - start)
            if result.returncode != 0:
                raise SystemExit(f"{name}: exit {result.returncode}: {result.stderr}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=15, help="runs of each (default 15)")
    parser.add_argument("--pools", type=int, default=20000)
    parser.add_argument("--protocols", type=int, default=3000)
    args = parser.parse_args(argv)

    compile_package()
    mobius = mobius_command()
    with tempfile.TemporaryDirectory(prefix="mobius-bench-") as tmp, FakeApis() as fake:
        fake.use_bulk_defi(protocols=args.protocols, pools=args.pools)
        env = bench_env(fake, tmp)
        commands = {
            "price BTC": [*mobius, "price", "BTC"],
            "defi yields --chain arbitrum --stable": [*mobius, "defi", "yields", "--chain",
                                                      "arbitrum", "--stable"],
            "defi protocols": [*mobius, "defi", "protocols"],
        }
        cold = {name: timed(cmd, env) for name, cmd in commands.items()}
        CPU.clear()
        times: dict[str, list[float]] = {name: [] for name in commands}
        for i in range(args.runs):
            order = list(commands.items())
            if i % 2:
                order.reverse()
            for name, cmd in order:
                times[name].append(timed(cmd, env, name))
        sizes = {p.name: p.stat().st_size for p in (Path(tmp) / "cache" / "defillama").glob("*")}
        inproc = in_process(commands, env, args.runs)

    print(f"data: {args.pools:,} pools, {args.protocols:,} protocols; {args.runs} warm runs each")
    for name, size in sorted(sizes.items()):
        print(f"  compact cache {name:<36} {size / 1e6:6.2f} MB")
    median = {name: statistics.median(t) for name, t in times.items()}
    cpu = {name: statistics.median(t) for name, t in CPU.items()}
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
          "(wall-clock figures grow with it; CPU figures much less)")
    for name, t in times.items():
        print(f"{name:<40} median {median[name] * 1000:7.1f} ms   min {min(t) * 1000:7.1f} ms"
              f"   cold {cold[name] * 1000:7.1f} ms   CPU median {cpu[name] * 1000:7.1f} ms")
    for name, t in inproc.items():
        print(f"in-process (imports done) {name:<40} median {statistics.median(t) * 1000:6.1f} ms")
    cpu_ratio = cpu["defi yields --chain arbitrum --stable"] / cpu["price BTC"]
    print(f"CPU: yields / price BTC = {cpu_ratio:.2f}x; protocols "
          f"{cpu['defi protocols'] * 1000:.0f} ms")
    ratio = median["defi yields --chain arbitrum --stable"] / median["price BTC"]
    checks = [
        ("yields median < 0.5 s", median["defi yields --chain arbitrum --stable"]
         < YIELDS_TARGET),
        (f"yields / price BTC = {ratio:.2f}x <= {YIELDS_RATIO}x", ratio <= YIELDS_RATIO),
        ("protocols median < 0.4 s", median["defi protocols"] < PROTOCOLS_TARGET),
    ]
    for label, ok in checks:
        print(f"target  {label}: {'ok' if ok else 'OVER TARGET'}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "0")
    sys.exit(main())
