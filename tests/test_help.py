"""Every command's --help shows how to use it with at least one example."""

from __future__ import annotations

import pytest
import typer

from mobius_cli.app import app

# Owned by the language layer; their help is written and tested there.
ELSEWHERE = {"ask", "parse", "repl"}


def _leaves(command, path=()):
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        yield path, command
        return
    for name, sub in subcommands.items():
        yield from _leaves(sub, (*path, name))


LEAVES = [(" ".join(path), cmd) for path, cmd in _leaves(typer.main.get_command(app))
          if path[0] not in ELSEWHERE]


@pytest.mark.parametrize(("name", "command"), LEAVES, ids=[name for name, _ in LEAVES])
def test_help_has_an_example(name, command):
    assert f"`mobius {name}" in (command.help or ""), f"`mobius {name} --help` has no example"


def test_root_help_shows_examples():
    assert "`mobius price btc eth`" in (typer.main.get_command(app).help or "")
