"""Generate src/mobius_cli/_listing.py, the root `--help` listing (`--check`: fail when
stale).

The root help shows each command's name and help line only; reading them from this file
spares `mobius --help` importing every command module and turning every signature into
Click parameters. A test renders the help both ways and compares.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET = REPO / "src" / "mobius_cli" / "_listing.py"

HEADER = '''"""The root `--help` listing: each command's name and first help paragraph, in order.
Generated from the app by scripts/gen_listing.py (`make docs`); a test fails when stale."""
# ruff: noqa: E501

from __future__ import annotations

COMMANDS: tuple[tuple[str, str], ...] = (
'''


def listing() -> list[tuple[str, str]]:
    """(name, first help paragraph) of every command and group of the root: all that the
    root help shows of them."""
    import typer.main

    from mobius_cli.app import app

    root = typer.main.get_command(app)
    commands = root.commands  # type: ignore[attr-defined]
    return [(name, (commands[name].help or "").split("\n\n")[0]) for name in commands]


def render() -> str:
    """The whole of _listing.py."""
    rows = "".join(f"    ({name!r}, {text!r}),\n" for name, text in listing())
    return HEADER + rows + ")\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the file on disk differs from what would be generated")
    args = parser.parse_args(argv)
    text = render()
    rel = TARGET.relative_to(REPO)
    current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else None
    if args.check:
        if current != text:
            print(f"{rel} is stale: run `make docs`", file=sys.stderr)
            return 1
        return 0
    if current != text:
        TARGET.write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
