"""Parse speed: per-sentence time over the dev set, `mobius parse -` over 1,000 lines, and
the REPL's time to its first prompt.

Targets: p99 < 1 ms per sentence (warm process), < 1.5 s wall time for
`mobius parse - --json` over 1,000 lines, start-up included, and the first REPL prompt
within half a second (bench/repl.py has the details).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

DEV_SET = Path("/work/shared/nlu/dev.jsonl")
P99_TARGET_MS = 1.0
STREAM_TARGET_S = 1.5
UNSEEN_SET = Path(__file__).resolve().parent.parent / "tests" / "nlu" / "unseen.jsonl"


def sentences(path: Path) -> list[str]:
    """Every utterance of a labelled set, conversations flattened."""
    out: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        out.extend(t["text"] for t in case.get("turns", [case]))
    return out


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def time_parses(texts: list[str], rounds: int) -> tuple[list[float], list[float], list[float]]:
    """Milliseconds per parse: the first (cold-cache) pass and the later passes (wall
    time), and the later passes in thread CPU time (what the parser costs when other
    processes share the machine)."""
    from mobius_cli.nl import parse_text

    parse_text("warm up the imports")
    passes: list[list[float]] = []
    cpu: list[float] = []
    for _ in range(rounds):
        times = []
        for text in texts:
            started, started_cpu = time.perf_counter(), time.thread_time()
            parse_text(text)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - started_cpu) * 1000)
        passes.append(times)
    return passes[0], [t for p in passes[1:] for t in p], cpu[len(texts):]


def fallback_share(texts: list[str]) -> float:
    """The share of sentences whose cues are too weak, so the fallback scorer is asked."""
    from mobius_cli.nl import fallback, parse_text

    real = fallback.predict
    asked = 0

    def counting(words: list[str]) -> tuple[str, float, float]:
        nonlocal asked
        asked += 1
        return real(words)

    fallback.predict = counting
    try:
        for text in texts:
            parse_text(text)
    finally:
        fallback.predict = real
    return asked / max(1, len(texts))


def time_stream(texts: list[str], lines: int) -> float:
    """Seconds for one `mobius parse - --json` process over `lines` lines."""
    exe = shutil.which("mobius") or str(Path(sys.executable).parent / "mobius")
    feed = "\n".join(texts[i % len(texts)] for i in range(lines)) + "\n"
    started = time.perf_counter()
    proc = subprocess.run([exe, "parse", "-", "--json"], input=feed, capture_output=True,
                          text=True, check=True)
    elapsed = time.perf_counter() - started
    if len(proc.stdout.splitlines()) != lines:
        raise SystemExit("wrong number of output lines")
    return elapsed


def main() -> int:
    """Run both measurements and print them against the targets."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", type=Path, nargs="+",
                    default=[p for p in (DEV_SET, UNSEEN_SET) if p.exists()])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--lines", type=int, default=1000)
    ap.add_argument("--repl-runs", type=int, default=5, help="0 skips the REPL figure")
    args = ap.parse_args()

    texts = [t for path in args.dataset for t in sentences(path)]
    print(f"{len(texts)} sentences from {', '.join(p.name for p in args.dataset)}; "
          f"{fallback_share(texts):.0%} of them ask the statistical fallback")
    cold, warm, cpu = time_parses(texts, max(2, args.rounds))
    for label, times in (("first pass", cold), ("warm", warm), ("warm cpu", cpu)):
        print(f"parse {label:<10} n={len(times):<5} p50 {statistics.median(times):.3f} ms  "
              f"p99 {percentile(times, 99):.3f} ms  max {max(times):.3f} ms")
    p99 = percentile(warm, 99)
    print(f"p99 target < {P99_TARGET_MS} ms: {'ok' if p99 < P99_TARGET_MS else 'MISSED'}")
    wall = time_stream(texts, args.lines)
    print(f"mobius parse - --json, {args.lines} lines: {wall:.2f} s "
          f"(target < {STREAM_TARGET_S} s: {'ok' if wall < STREAM_TARGET_S else 'MISSED'})")
    ok = p99 < P99_TARGET_MS and wall < STREAM_TARGET_S
    if args.repl_runs > 0:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from repl import TARGET_S, first_prompt_times

        times = first_prompt_times(args.repl_runs)
        first = statistics.median(times)
        print(f"REPL time to first prompt: median {first * 1000:.0f} ms, "
              f"min {min(times) * 1000:.0f} ms (target < {TARGET_S * 1000:.0f} ms: "
              f"{'ok' if first < TARGET_S else 'MISSED'})")
        ok = ok and first < TARGET_S
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
