"""The test runner itself (tests/runner.py): an in-process run gives what a process gives
and leaves nothing behind; forked probes load what a fresh interpreter loads."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

import mobius_cli.__main__ as entry
from mobius_cli import env as mobius_env
from tests import runner


def test_a_run_matches_the_installed_script(fake_apis):
    for args in (["price", "btc", "eth", "--json"], ["config", "--help"],
                 ["coin", "nosuchcoinzz"]):
        inside = fake_apis.run_mobius(*args)
        real = fake_apis.run_mobius(*args, subprocess=True)
        assert (inside.returncode, inside.stdout, inside.stderr) == \
            (real.returncode, real.stdout, real.stderr), args


def test_help_is_the_same_however_often_the_tree_is_reused(fake_apis):
    """The click tree is reused between runs; what click caches on it is not."""
    import typer.main

    from mobius_cli.app import app

    first = fake_apis.run_mobius("config", "--help").stdout
    # A context made without a parent (as a docs generator does) on a fresh tree, and a
    # run in between: neither changes the help of the next run.
    config = typer.main.get_command(app).commands["config"]  # type: ignore[attr-defined]
    config.make_context("config", [], resilient_parsing=True)
    assert fake_apis.run_mobius("config", "--help").stdout == first
    assert "-h" in first


def _probe(argv):
    """Stands in for main(): reads stdin, writes both streams, changes process and
    package state, and exits 3."""
    print("out", os.environ.get("PROBE_VAR"), sys.argv[0].endswith("mobius"), sys.stdin.read())
    print("err", sys.stdout.isatty(), sys.stderr.isatty(), file=sys.stderr)
    os.environ["LEAKED"] = "1"
    mobius_env.HOME = "REBOUND"
    mobius_env.SECRET_KEYS["leaked"] = "LEAKED_KEY"
    sys.argv.append("leaked")
    return 3


def test_a_run_has_its_own_environment_streams_and_state(monkeypatch):
    monkeypatch.setattr(entry, "main", _probe)
    home, keys, argv = mobius_env.HOME, dict(mobius_env.SECRET_KEYS), list(sys.argv)
    result = runner.run_in_process(["x"], env={**os.environ, "PROBE_VAR": "v"}, input="typed")
    assert result.returncode == 3
    assert result.stdout == "out v True typed\n"
    assert result.stderr == "err False False\n"
    assert "LEAKED" not in os.environ and "PROBE_VAR" not in os.environ
    assert home == mobius_env.HOME and dict(mobius_env.SECRET_KEYS) == keys
    assert sys.argv == argv


def test_a_crash_is_a_traceback_and_exit_1_and_a_hang_times_out(monkeypatch):
    def crash(argv):
        raise RuntimeError("boom")

    monkeypatch.setattr(entry, "main", crash)
    result = runner.run_in_process(["x"])
    assert result.returncode == 1 and "RuntimeError: boom" in result.stderr

    def hang(argv):
        os.environ["LEAKED"] = "1"
        time.sleep(30)
        return 0

    monkeypatch.setattr(entry, "main", hang)
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        runner.run_in_process(["x"], timeout=0.3)
    assert time.monotonic() - started < 10 and "LEAKED" not in os.environ


def test_every_call_can_be_made_a_real_process(fake_apis, monkeypatch):
    monkeypatch.setenv(runner.FORCE_SUBPROCESS, "1")
    monkeypatch.setattr(runner, "run_in_process", None)  # would fail if it were called
    assert fake_apis.run_mobius("price", "btc").returncode == 0


def test_a_forked_probe_loads_what_a_fresh_interpreter_loads(fake_apis, tmp_path):
    code = ("import sys\nfrom mobius_cli.__main__ import main\ncode = main(sys.argv[1:])\n"
            "print(code)\nprint(' '.join(sorted(sys.modules)))")
    for args in (["fear-greed", "--json"], ["config", "path"]):
        name = "-".join(args)  # each with a cold cache of its own
        forked = runner.run_python_forked(
            code, *args, env={**os.environ, "MOBIUS_HOME": str(tmp_path / f"f{name}")})
        fresh = subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                               text=True, timeout=60,
                               env={**os.environ, "MOBIUS_HOME": str(tmp_path / f"s{name}")})
        assert "httpx" in fresh.stdout or args[0] != "fear-greed"
        assert forked.returncode == fresh.returncode == 0, forked.stderr
        assert forked.stdout.splitlines()[-1].split() == fresh.stdout.splitlines()[-1].split()
        assert forked.stdout.replace(f"/f{name}", f"/s{name}").splitlines()[:-1] == \
            fresh.stdout.splitlines()[:-1]
