"""The REPL, scripted: options in the shown command, Ctrl-C during a request, failing turns,
confirmation, leaving, and questions piped in without a terminal."""

from __future__ import annotations

import io
import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from rich.console import Console

from mobius_cli import dispatch
from mobius_cli.context import AppContext
from mobius_cli.dispatch import Action
from mobius_cli.repl import Repl
from tests.test_ask_repl import repl_session, run


def arrows(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("→")]


def test_repl_options_show_in_the_command(fake_apis):
    out, err = repl_session("/vs gbp\ntop 3 coins\n/json on\nbtc price\n\x04")
    assert arrows(err) == ["→ mobius market --limit 3 --vs gbp",
                           "→ mobius price BTC --vs gbp --json"]
    # Each shown command gives the answer the REPL gave.
    market = run(fake_apis, "market", "--limit", "3", "--vs", "gbp").stdout
    price = run(fake_apis, "price", "BTC", "--vs", "gbp", "--json").stdout
    assert market in out and price in out


def test_repl_bad_currency_keeps_the_old_one(fake_apis):
    out, err = repl_session("/vs eur\n/vs 12\nbtc price\n\x04")
    assert "error: '12' is not a currency code" in err
    assert arrows(err) == ["→ mobius price BTC --vs eur"] and "€" in out


def test_repl_ctrl_c_cancels_a_running_request(fake_apis):
    """Ctrl-C while an answer is being fetched stops that answer, not the session."""
    config = Path(os.environ["MOBIUS_HOME"]) / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("timeout = 60.0\n")  # only Ctrl-C can end the first request early
    fake_apis.delay("/fng", seconds=60, times=1)
    main = threading.main_thread().ident
    assert main == threading.get_ident()
    done = threading.Event()
    signalled: list[float] = []

    def press_ctrl_c() -> None:
        # Wait for the request however long a loaded machine takes to get there (a
        # Ctrl-C at any other moment tests something else), then give it time to block.
        while fake_apis.count("/fng") == 0 and not done.is_set():
            time.sleep(0.02)
        time.sleep(0.2)
        if not done.is_set():
            signalled.append(time.monotonic())
            signal.pthread_kill(main, signal.SIGINT)  # what the terminal sends on Ctrl-C

    presser = threading.Thread(target=press_ctrl_c, daemon=True)
    # What a terminal's Ctrl-C raises, even when pytest runs with SIGINT ignored (started
    # in the background).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    presser.start()
    try:
        out, err = repl_session("fear and greed\nfear and greed\n\x04")
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C during a request left the REPL")
    finally:
        done.set()
        presser.join()
        signal.signal(signal.SIGINT, previous)
    assert signalled, "the REPL never sent its request"
    assert time.monotonic() - signalled[0] < 30, "Ctrl-C did not stop the request"
    assert arrows(err) == ["→ mobius fear-greed", "→ mobius fear-greed"]
    assert "cancelled" in err
    # The session went on: the second question got its answer.
    assert out.count("Fear & Greed: 24") == 1


def test_repl_a_bug_in_one_turn_is_one_line_and_the_session_goes_on(fake_apis, monkeypatch):
    from mobius_cli.commands import market

    def broken(app, *args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(market, "show_trending", broken)
    out, err = repl_session("what's trending\nbtc price\n\x04")
    assert "error: internal error: ValueError: boom" in err
    assert "Traceback" not in err
    assert "$77,671.00" in out


@pytest.mark.parametrize("word", ["exit", "quit", "EXIT", "/quit"])
def test_repl_leaves_on_exit_words(fake_apis, word):
    out, err = repl_session(f"{word}\nbtc price\n")
    assert arrows(err) == [] and "outside what I can do" not in out


REAL_PLAN = dispatch._plan


def _mutating(ran: list[str]):
    """A plan where alerts are built: adding one records that it ran."""
    def fake_plan(result, *, wants_chart, repl, **options):
        if result.intent != "alert_add":
            return REAL_PLAN(result, wants_chart=wants_chart, repl=repl, **options)
        return Action("alert_add", ["alerts", "add", "ETH", "--below", "2500"],
                      run=lambda app: ran.append("ran"))
    return fake_plan


@pytest.mark.parametrize(("reply", "ran"), [("y\n", ["ran"]), ("n\n", []), ("\n", [])])
def test_repl_confirms_changes_and_keeps_replies_out_of_history(fake_apis, monkeypatch,
                                                                reply, ran):
    done: list[str] = []
    monkeypatch.setattr(dispatch, "_plan", _mutating(done))
    _out, err = repl_session("alert me if eth drops below 2.5k\n" + reply + "\x04")
    assert done == ran
    if not ran:  # a no is not an error
        assert "cancelled: nothing changed" in err and "error:" not in err
    history = (Path(os.environ["MOBIUS_HOME"]) / "data" / "repl-history").read_text()
    assert "alert me if eth drops below 2.5k" in history
    assert "\n+y\n" not in history and "\n+n\n" not in history


def test_a_follow_up_never_repeats_the_last_change(fake_apis, monkeypatch):
    """'and eth?' right after adding an ETH trade would record it twice: refused; 'in
    euros?' after a trade shows the portfolio in euros; the full sentence again is a new
    request (confirmed as usual)."""

    session = ("add 0.1 eth at 2000 to my portfolio\ny\n"
               "and eth?\n"
               "in euros?\n"
               "add 0.1 eth at 2000 to my portfolio\ny\n\x04")
    _out, err = repl_session(session)
    assert arrows(err) == ["→ mobius portfolio add ETH 0.1 --price 2000",
                           "→ mobius portfolio show --vs eur",
                           "→ mobius portfolio add ETH 0.1 --price 2000"]
    assert "error: that would run `mobius portfolio add ETH 0.1 --price 2000` again (say it " \
           "in full to do it twice)" in err
    listed = fake_apis.run_mobius("portfolio", "history", "--json")
    assert [t["amount"] for t in json.loads(listed.stdout)] == [0.1, 0.1]


@pytest.mark.parametrize("key", ["\x03", "\x04"])
def test_repl_ctrl_c_or_d_at_the_confirmation_is_a_no(fake_apis, monkeypatch, key):
    done: list[str] = []
    monkeypatch.setattr(dispatch, "_plan", _mutating(done))
    out, err = repl_session(f"alert me if eth drops below 2.5k\n{key}btc price\n\x04")
    assert done == [] and "cancelled" in err and "$77,671.00" in out
    assert "internal error" not in err


def test_repl_without_a_terminal_answers_line_by_line(fake_apis):
    stdin = "btc price\nand eth?\n/vs eur\nin euros?\nexit\nsol price\n"
    result = fake_apis.run_mobius("repl", input=stdin)
    assert result.returncode == 0, result.stderr
    assert arrows(result.stderr) == ["→ mobius price BTC", "→ mobius price ETH",
                                     "→ mobius price ETH --vs eur"]
    assert "\x1b" not in result.stdout + result.stderr  # no screen control in a pipe
    assert "Input is not a terminal" not in result.stderr
    assert "$77,671.00" in result.stdout and "€1,787.89" in result.stdout
    assert "SOL" not in result.stdout  # "exit" ended it


def test_repl_refuses_changes_without_a_terminal(fake_apis, monkeypatch):
    done: list[str] = []
    monkeypatch.setattr(dispatch, "_plan", _mutating(done))
    app = AppContext()
    err = io.StringIO()
    app.__dict__["out"] = Console(file=io.StringIO(), width=100)
    app.__dict__["err"] = Console(file=err, width=100)
    Repl(app, None).run_lines(["alert me if eth drops below 2.5k\n"])
    assert done == [] and "without confirmation" in err.getvalue()


def test_repl_history_is_private(fake_apis):
    history = Path(os.environ["MOBIUS_HOME"]) / "data" / "repl-history"
    history.parent.mkdir(parents=True)
    history.write_text("")
    history.chmod(0o644)  # an older, too-open file is tightened too
    repl_session("hello\n\x04")
    assert history.stat().st_mode & 0o777 == 0o600
    assert "hello" in history.read_text()
