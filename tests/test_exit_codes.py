"""Exit codes: a reader that leaves early is not an error (0), a bug is 70 with one line."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys

import pytest

from tests import runner
from tests.fakes import run_mobius
from tests.runner import MOBIUS_BIN


class ClosedPipe(io.TextIOBase):
    """stdout whose reader has gone: every write or flush with data fails with EPIPE, as a
    real pipe does, until the file descriptor is pointed elsewhere (e.g. /dev/null)."""

    def __init__(self, fd: int):
        self.fd = fd
        self.pending = False

    def _redirected(self) -> bool:
        null, now = os.stat(os.devnull), os.fstat(self.fd)
        return (now.st_dev, now.st_ino, now.st_rdev) == (null.st_dev, null.st_ino, null.st_rdev)

    def write(self, text: str) -> int:
        if self._redirected():
            return len(text)
        self.pending = True
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    def flush(self) -> None:
        if self.pending and not self._redirected():
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")
        self.pending = False

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:
        return "utf-8"

    def writable(self) -> bool:
        return True


@pytest.fixture
def closed_stdout(monkeypatch):
    """In-process runs whose stdout reader has already left."""
    real = runner._call_main

    def call_main(args):
        out = sys.stdout
        kept = os.dup(out.fileno())
        sys.stdout = ClosedPipe(out.fileno())
        try:
            return real(args)
        finally:  # the run may point the descriptor at /dev/null: put the file back
            sys.stdout = out
            os.dup2(kept, out.fileno())
            os.close(kept)

    monkeypatch.setattr(runner, "_call_main", call_main)


# Every command that prints to stdout, with arguments that make it print.
COMMANDS = [
    ("price", "btc", "eth"), ("price", "btc", "--json"), ("price", "btc", "--csv"),
    ("market",), ("market", "--json"), ("coin", "eth"), ("history", "btc", "--days", "30"),
    ("history", "btc", "--chart"), ("history", "btc", "--csv"), ("compare", "btc", "eth"),
    ("convert", "2", "btc", "eur"), ("trending",), ("movers",), ("movers", "--losers"),
    ("fear-greed",), ("fear-greed", "--days", "7"), ("doctor",), ("doctor", "--json"),
    ("config", "show"), ("config", "get", "timeout"), ("config", "path"), ("keys", "list"),
    ("cache", "info"), ("parse", "price of btc"), ("ask", "btc price"), ("--version",),
    ("--help",), ("price", "--help"), ("config", "--help"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_closed_stdout_exits_0_quietly(fake_apis, closed_stdout, args):
    result = run_mobius(*args)
    assert result.returncode == 0, result.stderr
    # Nothing but what the command says anyway (`ask` shows the command it runs).
    assert result.stderr in ("", "→ mobius price BTC\n")


# Commands that print what the ledger and the alerts hold, and the analysis commands, with
# their --json/--csv/--chart variants.
DATA_COMMANDS = [
    *[("portfolio", *a) for a in (
        ("show",), ("show", "--json"), ("show", "--csv"), ("history",), ("history", "--json"),
        ("history", "--csv"), ("risk",), ("risk", "--json"), ("risk", "--csv"),
        ("risk", "--chart"), ("optimize",), ("optimize", "--json"), ("optimize", "--csv"),
        ("performance",), ("performance", "--json"), ("performance", "--csv"),
        ("performance", "--chart"), ("export",), ("export", "--format", "json"),
        ("export", "--format", "koinly"))],
    *[("alerts", *a) for a in (
        ("list",), ("list", "--json"), ("list", "--csv"), ("history",), ("history", "--json"),
        ("history", "--csv"), ("cron",), ("export",), ("export", "--format", "json"))],
    ("gas",), ("gas", "--json"), ("gas", "--csv"), ("gas", "--all"),
    ("ta", "btc"), ("ta", "btc", "--json"), ("ta", "btc", "--csv"), ("ta", "btc", "--chart"),
    ("dca", "btc", "--amount", "100"), ("dca", "btc", "--amount", "100", "--json"),
    ("dca", "btc", "--amount", "100", "--csv"), ("dca", "btc", "--amount", "100", "--chart"),
    ("defi", "tvl"), ("defi", "tvl", "--json"), ("defi", "tvl", "aave"),
    ("defi", "tvl", "aave", "--json"), ("defi", "tvl", "aave", "--chart"),
    ("defi", "yields"), ("defi", "yields", "--json"), ("defi", "yields", "--csv"),
]


@pytest.fixture
def ledger_and_alerts(fake_apis):
    """Two holdings bought long ago, an alert that fired once and one that is armed."""
    fake_apis.stamp_fresh()
    for args in (("btc", "0.5", "--price", "60000", "--date", "2025-01-05", "--fee", "5"),
                 ("eth", "4", "--price", "3000", "--date", "2025-02-05")):
        assert run_mobius("portfolio", "add", *args).returncode == 0
    assert run_mobius("alerts", "add", "btc", "--above", "1").returncode == 0
    assert run_mobius("alerts", "check").returncode == 3
    assert run_mobius("alerts", "add", "eth", "--above", "1000000000").returncode == 0
    return fake_apis


@pytest.mark.parametrize("args", DATA_COMMANDS, ids=" ".join)
def test_data_commands_into_a_closed_stdout_exit_0_quietly(ledger_and_alerts, closed_stdout,
                                                           args):
    result = run_mobius(*args)
    assert result.returncode == 0, result.stderr
    # Nothing but the notes the command gives anyway (gas's L2 fees, yields' hidden pools).
    assert all(line.startswith("note: ") for line in result.stderr.splitlines()), \
        result.stderr


@pytest.mark.parametrize(("armed", "code"), [("1", 3), ("1000000000", 0)],
                         ids=["fired", "clean"])
@pytest.mark.parametrize("flags", [(), ("--json",), ("--quiet",)], ids=["text", "json", "q"])
def test_alerts_check_into_a_closed_stdout_keeps_its_code(fake_apis, closed_stdout, armed,
                                                          code, flags):
    fake_apis.stamp_fresh()
    assert run_mobius("alerts", "add", "btc", "--above", armed).returncode == 0
    result = run_mobius("alerts", "check", *flags)
    assert result.returncode == code, result.stderr
    assert result.stderr == ""


def _all_commands():
    """Every group and leaf command, as the words that name it."""
    import typer.main

    from mobius_cli.app import app

    def walk(command, path=()):
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield (*path, name)
            yield from walk(sub, (*path, name))

    return list(walk(typer.main.get_command(app)))


@pytest.mark.parametrize("args", _all_commands(), ids=" ".join)
def test_help_of_every_command_into_a_closed_pipe_exits_0(closed_stdout, args):
    result = run_mobius(*args, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.parametrize("args", [("market",), ("movers",), ("doctor",), ("--help",)],
                         ids=" ".join)
def test_a_reader_that_leaves_at_once_in_a_real_pipe(fake_apis, args):
    """`mobius ARGS | head -0`: the pipe is closed before Mobius writes a byte."""
    proc = subprocess.Popen([MOBIUS_BIN, *args], env=fake_apis.env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=30) == 0, stderr
    assert stderr == ""


def test_head_one_line_in_a_shell_pipeline(fake_apis):
    script = f"set -o pipefail; {MOBIUS_BIN} market -n 100 | head -1"
    result = subprocess.run(["bash", "-c", script], env=fake_apis.env(), capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1 and result.stderr == ""


def _boom(*args, **kwargs):
    raise KeyError("boom")


def test_an_internal_error_is_one_line_and_exit_70(fake_apis, monkeypatch):
    from mobius_cli.providers.coingecko import CoinGecko

    monkeypatch.setattr(CoinGecko, "quotes", _boom)
    result = run_mobius("price", "btc")
    assert result.returncode == 70
    assert result.stderr == "mobius: internal error: KeyError: 'boom'; run with -v for details\n"
    assert result.stdout == ""


def test_with_v_an_internal_error_shows_the_traceback_and_still_exits_70(fake_apis,
                                                                          monkeypatch):
    from mobius_cli.providers.coingecko import CoinGecko

    monkeypatch.setattr(CoinGecko, "quotes", _boom)
    result = run_mobius("-v", "price", "btc")
    assert result.returncode == 70
    assert "Traceback (most recent call last)" in result.stderr and "_boom" in result.stderr
    assert result.stderr.rstrip().endswith("internal error: KeyError: 'boom'; "
                                           "run with -v for details")


def test_user_errors_keep_their_codes(fake_apis):
    assert run_mobius("price", "nosuchcoinzz").returncode == 2
    assert run_mobius("price", "--nope").returncode == 2
    assert run_mobius("config", "set", "retries", "0").returncode == 0
    fake_apis.fail("/fng-api", status=500, times=None)
    assert run_mobius("fear-greed").returncode == 1


@pytest.mark.parametrize("args", [["price", "btc"], ["--version"], ["alerts", "check"]],
                         ids=" ".join)
def test_a_stdout_closed_before_the_start_is_no_traceback(fake_apis, args):
    """`mobius price btc >&-`: Python starts without sys.stdout; the output goes nowhere
    and the run's own code stands."""
    proc = subprocess.run([MOBIUS_BIN, *args], env=fake_apis.env(), stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          preexec_fn=lambda: os.close(1), timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["price", "btc"], ["--version"], ["price", "btc", "--json"]],
                         ids=" ".join)
def test_output_to_a_full_device_is_one_line_and_exit_2(fake_apis, args):
    with open("/dev/full", "w") as full:
        proc = subprocess.run([MOBIUS_BIN, *args], env=fake_apis.env(),
                              stdin=subprocess.DEVNULL, stdout=full, stderr=subprocess.PIPE,
                              text=True, timeout=30)
    assert proc.returncode == 2
    assert proc.stderr == "mobius: error: cannot write the output: No space left on device\n"
