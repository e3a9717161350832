#!/usr/bin/env python3
"""Split a labelled NLU set into a build half and a check half by a fixed hash of each id.

    python scripts/nlu_split.py [DEV.jsonl] [OUTDIR]

A case goes to the check half when zlib.crc32(id) is odd, to the build half otherwise, so the
split never depends on the order of the file or on its content.
"""
from __future__ import annotations

import json
import sys
import zlib
from pathlib import Path

DEFAULT_DEV = "/work/shared/nlu/dev.jsonl"


def half_of(case_id: str) -> str:
    """Return 'check' or 'build' for one case id."""
    return "check" if zlib.crc32(case_id.encode("utf-8")) % 2 else "build"


def main(argv: list[str]) -> int:
    """Write dev_build.jsonl and dev_check.jsonl next to each other."""
    src = Path(argv[1] if len(argv) > 1 else DEFAULT_DEV)
    out = Path(argv[2] if len(argv) > 2 else Path(__file__).resolve().parent.parent / "tests/nlu")
    out.mkdir(parents=True, exist_ok=True)
    halves: dict[str, list[str]] = {"build": [], "check": []}
    for line in src.read_text(encoding="utf-8").splitlines():
        if line.strip():
            halves[half_of(json.loads(line)["id"])].append(line)
    for name, lines in halves.items():
        (out / f"dev_{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{name}: {len(lines)} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
