"""Generate completions/ for bash, zsh and fish (`--check`: fail when stale).

The scripts are what `mobius --show-completion SHELL` prints: small shims that call back into
`mobius` with `_MOBIUS_COMPLETE` set, so they complete commands added later without being
regenerated. They change only when Typer's templates do.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "completions"
PROG = "mobius"
COMPLETE_VAR = "_MOBIUS_COMPLETE"
FILES = {"bash": "mobius.bash", "zsh": "_mobius", "fish": "mobius.fish"}


def completion_script(shell: str) -> str:
    """Typer's completion script for `shell`, as `--show-completion` renders it."""
    try:  # Typer >= 0.4 keeps the templates here
        from typer._completion_shared import get_completion_script
    except ImportError:  # pragma: no cover - very old Typer
        from typer.completion import get_completion_script  # type: ignore[attr-defined]

    return get_completion_script(prog_name=PROG, complete_var=COMPLETE_VAR, shell=shell) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if a file on disk differs from what would be generated",
    )
    args = parser.parse_args(argv)
    stale = []
    for shell, filename in FILES.items():
        path = OUT / filename
        text = completion_script(shell)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        rel = path.relative_to(REPO)
        if args.check:
            stale.append(str(rel))
        else:
            OUT.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            print(f"wrote {rel}")
    if stale:
        print(f"stale: {', '.join(stale)}: run `make docs`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
