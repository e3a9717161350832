"""docs/ and completions/ are generated from the app: fail when they no longer match it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


# Runs a script as `python SCRIPT ARGS` would, except that each Typer app's command tree is
# built once instead of once per command whose help is rendered (tests/runner.py
# cache_click_commands; the output is the same).
CACHED_COMMANDS = """\
import importlib.abc, importlib.util, runpy, sys


class CacheCommands(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name != "typer.main":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            from tests.runner import cache_click_commands

            cache_click_commands()

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, CacheCommands())
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


@pytest.mark.parametrize("script", ["gen_docs.py", "gen_completions.py"])
def test_generated_files_are_current(script):
    result = subprocess.run(
        [sys.executable, "-c", CACHED_COMMANDS, str(REPO / "scripts" / script), "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, (
        f"{result.stderr.strip() or result.stdout.strip()}\n"
        "Generated files are stale: run `make docs` and commit the result."
    )
