"""Sealed tests: every test gets its own MOBIUS_HOME, plain output, and no network."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MOBIUS_BIN = str(Path(sys.executable).parent / "mobius")

_SCRUB = ("MOBIUS_", "COINGECKO_", "OPENAI_", "FORCE_COLOR")


@pytest.fixture(autouse=True, scope="session")
def built_once_per_process():
    """Typer's command tree and the TLS context, built once as one process would build
    them, not on every in-process run (tests/runner.py)."""
    from tests.runner import install_process_caches

    install_process_caches()


@pytest.fixture(autouse=True)
def sealed(tmp_path, monkeypatch):
    """Own home, no colour, fixed width, no secrets, no keyring, no real network."""
    for name in list(os.environ):
        if name.startswith(_SCRUB):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MOBIUS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    # Point every source at a closed loopback port so a forgotten fake fails fast.
    for var in ("MOBIUS_COINGECKO_URL", "MOBIUS_DEFILLAMA_URL", "MOBIUS_LLAMA_COINS_URL",
                "MOBIUS_YIELDS_URL", "MOBIUS_FNG_URL", "MOBIUS_RPC_URL",
                *(f"MOBIUS_RPC_URL_{chain}" for chain in
                  ("ARBITRUM", "OPTIMISM", "BASE", "POLYGON", "BSC", "AVALANCHE"))):
        monkeypatch.setenv(var, "http://127.0.0.1:9")
    real_connect = socket.socket.connect

    def guarded_connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "localhost", "::1"):
            raise OSError(f"tests must not touch the network ({host})")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    return tmp_path
from tests.fakes import fake_apis  # noqa: F401,E402
