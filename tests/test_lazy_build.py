"""Start-up builds only what a run needs; what the user sees is exactly the same."""

from __future__ import annotations

import contextlib

import pytest

import mobius_cli.__main__ as entry
from tests.fakes import run_mobius


@pytest.mark.parametrize("args", [("--help",), ("-h",), ("--json", "--help"),
                                  ("--vs", "eur", "-h"), ("--help", "price")], ids=" ".join)
@pytest.mark.parametrize("columns", ["80", "100", "160"])
@pytest.mark.parametrize("color", ["NO_COLOR", "FORCE_COLOR"])
def test_root_help_is_identical_to_a_full_build(monkeypatch, args, columns, color):
    """The root help from mobius_cli._listing is the whole app's, byte for byte."""
    import mobius_cli.app  # noqa: F401  (the root with every command registered)

    env = {"COLUMNS": columns, color: "1"}
    fast = run_mobius(*args, env=env)
    monkeypatch.setattr(entry, "_listing_only", lambda app: contextlib.nullcontext())
    full = run_mobius(*args, env=env)
    assert fast.returncode == full.returncode == 0
    assert fast.stdout == full.stdout and "price" in fast.stdout
    assert ("\x1b[" in fast.stdout) == (color == "FORCE_COLOR")


def test_the_listing_is_generated_from_the_app():
    """src/mobius_cli/_listing.py is current (`make docs` regenerates it)."""
    import importlib.util
    from pathlib import Path

    from mobius_cli._listing import COMMANDS

    script = Path(__file__).resolve().parent.parent / "scripts" / "gen_listing.py"
    spec = importlib.util.spec_from_file_location("gen_listing", script)
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert list(COMMANDS) == gen.listing(), "src/mobius_cli/_listing.py is stale: make docs"
    assert len(COMMANDS) >= 20 and all(text for _name, text in COMMANDS)


@pytest.mark.parametrize("args", [
    ("price", "--help"), ("config", "--help"), ("config", "set", "--help"),
    ("keys", "list", "--help"), ("pirce",), ("config", "nope"), ("price", "--bogus"),
    ("portfolio", "show", "--help"), ("portfolio", "--help"), ("portfolio", "shwo"),
    ("portfolio", "show", "--bogus"), ("alerts", "channels", "list", "--help"),
    ("alerts", "channels", "--help"), ("alerts", "channels", "nope"), ("defi", "yields", "-h"),
    ("defi",), ("alerts", "--json", "list"), ("config", "path"), ("portfolio", "list"),
    ("alerts", "list"),
], ids=" ".join)
def test_a_subcommand_alone_behaves_as_in_the_full_app(monkeypatch, args):
    alone = run_mobius(*args)
    monkeypatch.setattr(entry, "_only_the_path", lambda app, argv: contextlib.nullcontext())
    monkeypatch.setattr(entry, "_listing_only", lambda app: contextlib.nullcontext())
    full = run_mobius(*args)
    assert (alone.returncode, alone.stdout, alone.stderr) == \
        (full.returncode, full.stdout, full.stderr)


def test_only_the_named_path_is_built(monkeypatch):
    """`portfolio show` builds the portfolio group with `show` alone, and the app is whole
    again afterwards."""
    import typer.main

    from mobius_cli.app import app
    from tests import runner

    monkeypatch.setattr(runner, "_commands", {})  # no tree cached by an earlier test
    built: list[list[str]] = []
    real = typer.main.get_group_from_info

    def spy(info, **kwargs):
        group = real(info, **kwargs)
        built.append(sorted(group.commands))
        return group

    monkeypatch.setattr(typer.main, "get_group_from_info", spy)
    before = [len(g.typer_instance.registered_commands) for g in app.registered_groups]
    assert run_mobius("portfolio", "list").returncode == 0
    assert ["list"] in built and not any(len(names) > 1 for names in built)
    assert [len(g.typer_instance.registered_commands) for g in app.registered_groups] == before


@pytest.mark.parametrize(("argv", "name"), [
    (["price", "btc"], "price"), (["--vs", "eur", "price"], "price"),
    (["--vs=eur", "market"], "market"), (["-v", "-q", "--json", "config", "show"], "config"),
    (["--help"], None), ([], None), (["--", "price"], None), (["--help", "price"], None),
    (["price", "--help"], "price"),
])
def test_subcommand_is_found_after_root_options(argv, name):
    assert entry._subcommand(argv) == name


def test_the_app_is_whole_again_after_a_run():
    from mobius_cli.app import app

    before = (list(app.registered_commands), list(app.registered_groups))
    run_mobius("config", "path")
    run_mobius("--help")
    assert (app.registered_commands, app.registered_groups) == before
    assert all(c.callback.__name__ != "stub" or c.callback.__doc__ for c in
               app.registered_commands)
