"""docs/ and completions/ are generated from the app: fail when they no longer match it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("script", ["gen_docs.py", "gen_completions.py"])
def test_generated_files_are_current(script):
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / script), "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, (
        f"{result.stderr.strip() or result.stdout.strip()}\n"
        "Generated files are stale: run `make docs` and commit the result."
    )
