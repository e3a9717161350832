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


def pytest_configure(config: pytest.Config) -> None:
    """Compile the package once, before any worker starts: every worker and every CLI
    started as a subprocess then loads bytecode instead of compiling the sources again
    (PYTHONDONTWRITEBYTECODE, set on some machines, stops Python caching it itself).
    Test modules keep their assertion-rewritten bytecode too, which spares each worker
    of the next run about 3.5 s of rewriting."""
    sys.dont_write_bytecode = False
    if hasattr(config, "workerinput"):  # an xdist worker: the controller has done it
        return
    import compileall

    compileall.compile_dir(str(REPO / "src" / "mobius_cli"), quiet=1, workers=1)


@pytest.fixture(autouse=True, scope="session")
def built_once_per_process():
    """Typer's command tree and the TLS context, built once as one process would build
    them, not on every in-process run (tests/runner.py)."""
    from tests.runner import install_process_caches

    install_process_caches()


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    """Clients built from settings back off between retries for milliseconds, not seconds.

    Attempts, budgets, Retry-After waits and messages are unchanged; only the pause before
    retrying a 5xx, a timeout, a dropped connection or a bad body shrinks 100x (about 30 s
    of the suite's sleeping). The back-off itself is unit-tested with explicit policies. A
    test module that needs the real pause defines its own `quick_backoff` fixture.
    """
    import dataclasses

    from mobius_cli.providers import http

    build = http.HttpClient.from_settings

    def from_settings(*args, **kwargs):
        client = build(*args, **kwargs)
        policy = client.policy
        client.policy = dataclasses.replace(policy, base_delay=policy.base_delay / 100,
                                            max_delay=policy.max_delay / 100)
        return client

    monkeypatch.setattr(http.HttpClient, "from_settings", staticmethod(from_settings))


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
from tests.fakes import fake_apis, fresh_fake  # noqa: F401,E402
