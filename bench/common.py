"""What every benchmark shares: the installed `mobius`, compiled like an install, timed as a
fresh process."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path


def mobius_command() -> list[str]:
    """The `mobius` script beside this Python, else on PATH, else `python -m mobius_cli`."""
    script = Path(sys.executable).parent / "mobius"
    if script.exists():
        return [str(script)]
    found = shutil.which("mobius")
    return [found] if found else [sys.executable, "-m", "mobius_cli"]


def compile_package() -> None:
    """Bytecode for Mobius, as pip writes it on install: an editable checkout under
    PYTHONDONTWRITEBYTECODE=1 would otherwise recompile it on every run."""
    import compileall

    import mobius_cli

    compileall.compile_dir(str(Path(mobius_cli.__file__).parent), quiet=1)


def timed(cmd: list[str], env: dict[str, str]) -> float:
    """Wall seconds of one run of `cmd` as a fresh process (which must succeed)."""
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)
    return time.perf_counter() - start


def bench_env(fake: object, home: str, columns: int = 120) -> dict[str, str]:
    """The environment of a benchmarked command: the fake's URLs, a private home, plain
    output, and no API keys or forced colour from the caller's shell."""
    env = {**fake.env(), "NO_COLOR": "1", "COLUMNS": str(columns),  # type: ignore[attr-defined]
           "MOBIUS_HOME": home}
    for var in ("COINGECKO_API_KEY", "COINGECKO_PRO_API_KEY", "FORCE_COLOR"):
        env.pop(var, None)
    return env
