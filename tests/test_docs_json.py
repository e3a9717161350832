"""docs/json.md against the real output: every `Run:` line is run against the loopback fake
with --json, and the keys at each `Keys PATH:` line must be exactly the keys printed."""

from __future__ import annotations

import json
import re
import shlex
import time
from pathlib import Path

from tests.fakes import iso_ms

DOC = Path(__file__).resolve().parent.parent / "docs" / "json.md"

# The ledger and alerts the documented examples were made with (docs/json.md says so).
LEDGER = (
    "portfolio add btc 0.5 --price 60000 --date 2026-01-05",
    "portfolio add eth 4 --price 3000 --date 2026-02-05 --fee 5",
    "portfolio remove btc 0.1 --price 80000 --date 2026-06-05",
)
ALERTS = (
    "alerts add btc --below 1000000 --note dip",  # holds now: fires on the next check
    "alerts add eth --change 1 --repeat",  # holds now too
    "alerts add sol --above 1000000",  # its price goes stale: an entry in `errors`
)

# The data commands docs/json.md must cover (a Run line starting with each).
REQUIRED = (
    "price", "market", "coin", "history", "compare", "convert", "trending", "movers",
    "fear-greed", "ta", "gas", "dca", "defi tvl", "defi tvl --chain", "defi protocols",
    "defi chains", "defi yields", "defi compare", "portfolio show", "portfolio history",
    "portfolio list", "portfolio risk", "portfolio optimize", "portfolio performance",
    "alerts list", "alerts check", "alerts history", "doctor", "parse", "ask",
)

RUN = re.compile(r"^Run: mobius (.+) --json$")
KEYS = re.compile(r"^Keys(?: (\S+))?: (.+)$")


def documented() -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """[(arguments, [(path, keys)])] from the ```text blocks of docs/json.md, in order."""
    runs: list[tuple[str, list[tuple[str, list[str]]]]] = []
    inside = False
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            inside = line == "```text"
            continue
        if not inside:
            continue
        if m := RUN.match(line):
            runs.append((m.group(1), []))
        elif m := KEYS.match(line):
            assert runs, f"a Keys line before any Run line: {line!r}"
            runs[-1][1].append((m.group(1) or "", [k.strip() for k in m.group(2).split(",")]))
        elif line.strip():
            raise AssertionError(f"docs/json.md: not a Run or Keys line: {line!r}")
    return runs


def objects_at(data, path: str) -> list:
    """The objects at `path`: '' the top, '[]' each row, 'a.b[]' each row of a.b."""
    objs = [data]
    for seg in path.split(".") if path else ():
        name, many = (seg[:-2], True) if seg.endswith("[]") else (seg, False)
        nxt = []
        for obj in objs:
            value = obj if name == "" else obj[name]
            if many:
                assert isinstance(value, list), f"{path}: {name or 'top'} is not a list"
                nxt.extend(value)
            else:
                nxt.append(value)
        objs = nxt
    return objs


def test_doc_format_and_coverage():
    runs = documented()
    assert len(runs) >= len(REQUIRED)
    for args, checks in runs:
        assert checks, f"`mobius {args} --json` has no Keys line"
        for _path, keys in checks:
            assert len(keys) == len(set(keys)), f"{args}: a key listed twice: {keys}"
    for command in REQUIRED:
        assert any(args == command or args.startswith(command + " ") for args, _ in runs), \
            f"docs/json.md documents no `mobius {command} ... --json`"



def test_documented_keys_are_the_printed_keys(fake):
    def run(args: str):
        return fake.run_mobius(*shlex.split(args))

    problems: list[str] = []
    ready: set[str] = set()
    for args, checks in documented():
        group = shlex.split(args)[0]
        if group == "portfolio" and "ledger" not in ready:
            for setup in LEDGER:
                assert run(setup).returncode == 0, setup
            ready.add("ledger")
        if group == "alerts" and "alerts" not in ready:
            for setup in ALERTS:
                assert run(setup).returncode == 0, setup
            fake.markets["solana"]["last_updated"] = iso_ms(time.time() - 3600)
            ready.add("alerts")
        if args.startswith("alerts history") and "checked" not in ready:
            run("alerts check")
        if args.startswith("alerts check"):
            ready.add("checked")
        result = run(args + " --json")
        allowed = (0, 3) if args.startswith("alerts check") else (0,)
        if result.returncode not in allowed:
            problems.append(f"`mobius {args} --json` exited {result.returncode}: "
                            f"{result.stderr.strip()[:300]}")
            continue
        try:
            data = json.loads(result.stdout)
        except ValueError:
            problems.append(f"`mobius {args} --json` printed no JSON: {result.stdout[:200]!r}")
            continue
        for path, keys in checks:
            try:
                objs = objects_at(data, path)
            except (KeyError, TypeError, AssertionError) as exc:
                problems.append(f"`mobius {args} --json` has no {path!r}: {exc!r}")
                continue
            if not objs:
                problems.append(f"`mobius {args} --json`: {path!r} is empty, nothing to check")
            for obj in objs:
                if not isinstance(obj, dict):
                    problems.append(f"`mobius {args} --json`: {path!r} holds {obj!r}, not objects")
                    break
                if set(obj) != set(keys):
                    extra = sorted(set(obj) - set(keys))
                    missing = sorted(set(keys) - set(obj))
                    problems.append(f"`mobius {args} --json` at {path or 'top'!r}: printed but "
                                    f"not documented {extra}, documented but not printed "
                                    f"{missing}")
                    break
    assert not problems, "docs/json.md has drifted:\n" + "\n".join(problems)
