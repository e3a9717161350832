"""REPL start-up: wall time from launching `mobius` on a terminal to its first prompt.

Each run starts `mobius` (no arguments) on a fresh pseudo-terminal, the way a person does,
waits for the prompt to be drawn, then leaves with Ctrl-D. `mobius --help` is timed the same
way for scale. Target: the first prompt within TARGET_S seconds (median).
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 0.5
PROMPT = "mobius›".encode()  # the space after it is drawn as a cursor move
CPR_REQUEST = b"\x1b[6n"  # a real terminal answers where its cursor is


def mobius_exe() -> str:
    script = Path(sys.executable).parent / "mobius"
    return str(script) if script.exists() else shutil.which("mobius") or "mobius"


def time_to(marker: bytes | None, args: list[str], env: dict[str, str],
            timeout: float = 20.0) -> float:
    """Seconds until `marker` appears on the terminal (or the process ends, when None)."""
    master, slave = pty.openpty()
    started = time.perf_counter()
    proc = subprocess.Popen([mobius_exe(), *args], stdin=slave, stdout=slave, stderr=slave,
                            env=env, close_fds=True)
    os.close(slave)
    seen = b""
    elapsed = None
    try:
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    chunk = b""
                if not chunk:
                    break
                seen += chunk
                if CPR_REQUEST in chunk:
                    os.write(master, b"\x1b[1;1R")
                if marker is not None and marker in seen:
                    elapsed = time.perf_counter() - started
                    os.write(master, b"\x04")  # Ctrl-D: leave
                    break
            elif proc.poll() is not None and marker is None:
                break
        if marker is None:
            proc.wait(timeout=timeout)
            elapsed = time.perf_counter() - started
        else:
            # Drain until exit so the child is not blocked writing to a full terminal.
            while proc.poll() is None:
                if select.select([master], [], [], 0.05)[0]:
                    try:
                        os.read(master, 65536)
                    except OSError:
                        break
            proc.wait(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    if elapsed is None:
        raise SystemExit(f"no prompt within {timeout:.0f} s; saw: {seen[-300:]!r}")
    return elapsed


def first_prompt_times(runs: int, *, with_help: list[float] | None = None) -> list[float]:
    """Seconds to the first prompt, `runs` times, in a fresh MOBIUS_HOME (and --help times,
    interleaved, into `with_help` when given)."""
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "MOBIUS_HOME": home, "TERM": os.environ.get("TERM", "xterm")}
        # One untimed run of each compiles bytecode, as an install does.
        time_to(PROMPT, [], env)
        time_to(None, ["--help"], env)
        times = []
        for _ in range(runs):
            times.append(time_to(PROMPT, [], env))
            if with_help is not None:
                with_help.append(time_to(None, ["--help"], env))
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--runs", type=int, default=15)
    args = ap.parse_args()
    help_: list[float] = []
    first_prompt = first_prompt_times(args.runs, with_help=help_)
    med = statistics.median(first_prompt)
    print(f"REPL time to first prompt: median {med * 1000:.0f} ms, "
          f"min {min(first_prompt) * 1000:.0f} ms (n={args.runs})")
    print(f"mobius --help for scale:   median {statistics.median(help_) * 1000:.0f} ms, "
          f"min {min(help_) * 1000:.0f} ms")
    print(f"target < {TARGET_S * 1000:.0f} ms: {'ok' if med < TARGET_S else 'MISSED'}")
    return 0 if med < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
