"""`mobius --help` and `--version` stay fast: none of the heavy libraries is imported."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.runner import run_python_forked

HEAVY = ("openai", "numpy", "plotext", "prompt_toolkit", "httpx", "rapidfuzz")

PROBE = """\
import contextlib, io, sys
from mobius_cli.__main__ import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
print(code)
print("\\n".join(sorted(sys.modules)))
"""


@pytest.mark.parametrize("args", [["--help"], ["--version"]], ids=" ".join)
def test_fast_paths_import_nothing_heavy(args):
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    code, *modules = result.stdout.splitlines()
    assert code == "0", f"mobius {' '.join(args)} exited {code}: {result.stderr}"
    loaded = sorted({m.split(".")[0] for m in modules} & set(HEAVY))
    assert not loaded, f"mobius {' '.join(args)} imports {loaded}: import them lazily"
    commands = [m for m in modules if m.startswith("mobius_cli.commands")]
    assert not commands, f"mobius {' '.join(args)} imports {commands}: the listing is enough"


def _loaded(args: list[str]) -> set[str]:
    """What `mobius ARGS` has imported when it ends: a fresh process forked from one that
    has imported the app, which every command imports first (the same modules as
    `python -c PROBE ARGS`, at a fraction of the start-up cost)."""
    result = run_python_forked(PROBE, *args)
    code, *modules = result.stdout.splitlines()
    assert code == "0", result.stderr
    return {m.split(".")[0] for m in modules}


@pytest.mark.parametrize("args", [
    ["config", "path"], ["config", "show", "--json"], ["parse", "btc price", "--json"],
    ["price", "--help"], ["keys", "list", "--json"],
], ids=" ".join)
def test_commands_that_do_not_fetch_never_import_httpx(args):
    loaded = _loaded(args)
    assert "httpx" not in loaded and "openai" not in loaded and "prompt_toolkit" not in loaded


def test_a_fetching_command_imports_httpx_only_when_it_runs(fake_apis):
    assert "httpx" in _loaded(["fear-greed", "--json"])


@pytest.mark.parametrize("args", [
    ["price", "btc", "eth", "--json"], ["market", "--json"], ["history", "btc", "--json"],
    ["compare", "btc", "eth", "--json"], ["convert", "1", "btc", "usd", "--json"],
    ["gas", "--json"], ["ta", "--help"], ["dca", "--help"],
], ids=" ".join)
def test_market_commands_and_gas_never_import_numpy(fake_apis, args):
    loaded = _loaded(args)
    assert "numpy" not in loaded and "talib" not in loaded


def test_ta_imports_numpy_but_never_talib(fake_apis):
    loaded = _loaded(["ta", "btc", "--json"])
    assert "numpy" in loaded and "talib" not in loaded


@pytest.mark.parametrize("args", [
    ["portfolio", "--help"], ["portfolio", "risk", "--help"], ["portfolio", "optimize", "--help"],
    ["portfolio", "performance", "--help"], ["portfolio", "show", "--json"],
], ids=" ".join)
def test_portfolio_help_and_show_never_import_numpy(fake_apis, args):
    loaded = _loaded(args)
    assert "numpy" not in loaded and "scipy" not in loaded and "plotext" not in loaded


def test_portfolio_optimize_imports_numpy_but_never_scipy(fake_apis):
    from tests.fakes import run_mobius

    assert run_mobius("portfolio", "add", "btc", "1", "--price", "100").returncode == 0
    assert run_mobius("portfolio", "add", "eth", "1", "--price", "100").returncode == 0
    loaded = _loaded(["portfolio", "optimize", "--json"])
    assert "numpy" in loaded and "scipy" not in loaded


@pytest.mark.parametrize(("given", "expected"), [(None, "1"), ("4", "4")])
def test_numpy_loads_with_one_blas_thread_unless_the_user_says(monkeypatch, given, expected):
    """OpenBLAS starting a thread per core costs `mobius ta` 50 ms for nothing."""
    import contextlib
    import io
    import os

    from mobius_cli.__main__ import main

    if given is None:
        monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OPENBLAS_NUM_THREADS", given)
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["--version"]) == 0
    assert os.environ["OPENBLAS_NUM_THREADS"] == expected
