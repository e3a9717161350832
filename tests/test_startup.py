"""`mobius --help` and `--version` stay fast: none of the heavy libraries is imported."""

from __future__ import annotations

import subprocess
import sys

import pytest

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
