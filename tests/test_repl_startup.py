"""`mobius` alone on a real terminal starts the REPL, and starting it stays light."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

from tests.conftest import MOBIUS_BIN


def _read_until(master: int, marker: bytes, seen: bytearray, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while marker not in seen:
        assert time.monotonic() < deadline, f"no {marker!r} in {bytes(seen[-400:])!r}"
        if select.select([master], [], [], 0.05)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                chunk = b""
            assert chunk, f"terminal closed before {marker!r}: {bytes(seen[-400:])!r}"
            if b"\x1b[6n" in chunk:  # answer the cursor-position question, as a terminal does
                os.write(master, b"\x1b[1;1R")
            seen += chunk


def test_mobius_alone_on_a_terminal_is_the_repl(fake_apis):
    master, slave = pty.openpty()
    proc = subprocess.Popen([MOBIUS_BIN], stdin=slave, stdout=slave, stderr=slave,
                            env=fake_apis.env(), close_fds=True)
    os.close(slave)
    seen = bytearray()
    try:
        _read_until(master, "mobius›".encode(), seen)
        os.write(master, b"fear and greed\r")
        _read_until(master, b"Fear & Greed: 24", seen)
        assert b"mobius fear-greed" in seen  # the equivalent command
        del seen[:]
        _read_until(master, "mobius›".encode(), seen)  # the next prompt
        os.write(master, b"\x04")
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    history = os.path.join(os.environ["MOBIUS_HOME"], "data", "repl-history")
    with open(history, encoding="utf-8") as fh:
        assert "fear and greed" in fh.read()


def test_the_first_prompt_does_not_wait_for_the_parser():
    """Building the session loads prompt_toolkit, not the understanding layer."""
    code = ("import sys\n"
            "from prompt_toolkit.input import create_pipe_input\n"
            "from prompt_toolkit.output import DummyOutput\n"
            "from mobius_cli.context import AppContext\n"
            "from mobius_cli.repl import Repl, make_session\n"
            "with create_pipe_input() as pipe:\n"
            "    app = AppContext()\n"
            "    Repl(app, make_session(app, input=pipe, output=DummyOutput()))\n"
            "print(sorted(m for m in sys.modules if m.startswith(('mobius_cli.nl', 'rapidfuzz'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
