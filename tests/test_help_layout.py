"""Help paragraphs are single lines, so Rich wraps them at the terminal's width instead of
breaking them where the docstring's source lines ended ("--cross\\n100k" at 80 columns)."""

from __future__ import annotations

import typer

from mobius_cli.app import app


def _commands(command, path=()):
    yield path, command
    for name, sub in (getattr(command, "commands", None) or {}).items():
        yield from _commands(sub, (*path, name))


def test_every_help_paragraph_is_one_line():
    checked = 0
    for path, command in _commands(typer.main.get_command(app)):
        for paragraph in (command.help or "").split("\n\n"):
            assert "\n" not in paragraph, (" ".join(path), paragraph)
        checked += 1
    assert checked > 60
