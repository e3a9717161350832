"""Audit fixes (issues 7-10) for portfolio and alerts: `alerts check` keeps its code when
stdout's reader has gone, `portfolio risk --json` carries each holding's risk share and
the max-drawdown dates, history rows carry the fee's currency, deliveries of a removed
alert stop, Koinly numbers in one plain form; and tests for behaviour that worked
untested (the REPL adding an alert during a check, risk's progress indication)."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from tests.fakes import iso_ms
from tests.runner import MOBIUS_BIN
from tests.test_exit_codes import closed_stdout  # noqa: F401  (a fixture)


@pytest.fixture
def fake(fake_apis):
    stamp = iso_ms(time.time())  # the fixtures were recorded days ago: fresh prices
    for row in fake_apis.markets.values():
        row["last_updated"] = stamp
    return fake_apis


def ok(done) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def eth_price(fake) -> float:
    return json.loads(ok(fake.run_mobius("price", "eth", "--json")))[0]["price"]


def closed_pipe_run(fake, *args: str) -> tuple[int, str]:
    """`mobius ARGS | head -0` as a real process: the reader closes before a byte."""
    proc = subprocess.Popen([MOBIUS_BIN, *args], env=fake.env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    return proc.wait(timeout=60), stderr


# --- 1. alerts check into a closed stdout keeps its code ------------------------------


@pytest.mark.parametrize("extra", [(), ("--json",), ("--quiet",)], ids=["text", "json", "q"])
def test_a_fired_alert_exits_3_even_when_the_reader_has_gone(fake, extra):
    ok(fake.run_mobius("alerts", "add", "eth", "--below", str(eth_price(fake) * 2)))
    code, stderr = closed_pipe_run(fake, "alerts", "check", *extra)
    assert code == 3, stderr
    assert stderr == ""
    # The firing was recorded (the check ran to the end).
    history = json.loads(ok(fake.run_mobius("alerts", "history", "--json")))
    assert len(history) == 1


def test_a_clean_check_into_a_closed_pipe_exits_0(fake):
    ok(fake.run_mobius("alerts", "add", "eth", "--below", str(eth_price(fake) / 2)))
    assert closed_pipe_run(fake, "alerts", "check") == (0, "")
    assert closed_pipe_run(fake, "alerts", "check", "--json") == (0, "")


def test_a_check_that_could_not_check_exits_1_into_a_closed_pipe(fake):
    ok(fake.run_mobius("alerts", "add", "eth", "--below", "1"))
    ok(fake.run_mobius("cache", "clear"))
    fake.fail("/simple/price", status=500, times=None)
    code, stderr = closed_pipe_run(fake, "alerts", "check", "--json")
    assert code == 1, stderr
    assert "#1" in stderr  # what could not be checked is still said on stderr


def test_the_lost_output_code_does_not_leak_into_the_next_in_process_run(
        fake, closed_stdout):  # noqa: F811
    from mobius_cli.errors import set_exit_if_output_lost

    ok(fake.run_mobius("alerts", "add", "eth", "--below", "1"))
    set_exit_if_output_lost(3)  # as an earlier `alerts check` in this process left it
    result = fake.run_mobius("alerts", "list")
    assert result.returncode == 0 and result.stderr == ""
