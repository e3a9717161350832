"""Audit fixes (issues 7-10) for portfolio and alerts: `alerts check` keeps its code when
stdout's reader has gone, `portfolio risk --json` carries each holding's risk share and
the max-drawdown dates, history rows carry the fee's currency, deliveries of a removed
alert stop, Koinly numbers in one plain form; and tests for behaviour that worked
untested (the REPL adding an alert during a check, risk's progress indication)."""

from __future__ import annotations

import csv
import io
import json
import re
import statistics
import subprocess
import time
import urllib.request
from datetime import datetime, timezone

import pytest

from tests.fakes import ok, terminal_app
from tests.runner import MOBIUS_BIN
from tests.test_exit_codes import closed_stdout  # noqa: F401  (a fixture)


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
    ok(fake.run_mobius("config", "set", "retries", "0"))  # fail fast
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


# --- 2. portfolio risk --json: each holding's share of the risk, the drawdown's dates ---

RISK_HOLD = {"bitcoin": ("btc", 0.5), "ethereum": ("eth", 3.0), "solana": ("sol", 20.0)}


def served_points(fake, coin, days=365):
    """(unix seconds, close) as the fake serves the documented daily request."""
    url = fake.url("coingecko", f"/coins/{coin}/market_chart?vs_currency=usd&days={days}"
                                "&interval=daily")
    with urllib.request.urlopen(url) as reply:
        return [(ms / 1000, p) for ms, p in json.load(reply)["prices"]]


def when(iso: str | None) -> float | None:
    return None if iso is None else datetime.fromisoformat(iso.replace("Z", "+00:00")
                                                          ).timestamp()


def test_risk_json_has_each_holdings_risk_share_and_the_drawdown_dates(fake):
    for symbol, amount in RISK_HOLD.values():
        ok(fake.run_mobius("portfolio", "add", symbol, str(amount), "--price", "100",
                           "--date", "2025-01-01"))
    data = json.loads(ok(fake.run_mobius("portfolio", "risk", "--json")))
    points = {c: served_points(fake, c) for c in RISK_HOLD}
    times = [t for t, _ in points["bitcoin"]]
    closes = {c: [p for _, p in pts] for c, pts in points.items()}
    n = len(times)
    # Risk shares: w_i (Σw)_i / w'Σw, Σ the sample covariance of daily returns.
    rets = [[closes[c][t] / closes[c][t - 1] - 1 for t in range(1, n)] for c in RISK_HOLD]
    last = [RISK_HOLD[c][1] * closes[c][-1] for c in RISK_HOLD]
    w = [x / sum(last) for x in last]
    cov = [[statistics.covariance(a, b) for b in rets] for a in rets]
    sigma_w = [sum(cov[i][j] * w[j] for j in range(3)) for i in range(3)]
    total = sum(w[i] * sigma_w[i] for i in range(3))
    shares = [w[i] * sigma_w[i] / total for i in range(3)]
    assert [h["symbol"] for h in data["holdings"]] == ["BTC", "ETH", "SOL"]
    assert [h["id"] for h in data["holdings"]] == list(RISK_HOLD)
    for h, wi, si in zip(data["holdings"], w, shares, strict=True):
        assert h["value_share_pct"] == pytest.approx(wi * 100, rel=1e-9)
        assert h["risk_share_pct"] == pytest.approx(si * 100, rel=1e-9)
    assert sum(h["risk_share_pct"] for h in data["holdings"]) == pytest.approx(100)
    # Max drawdown: the running peak before the deepest fall, the trough, the recovery.
    values = [sum(RISK_HOLD[c][1] * closes[c][t] for c in RISK_HOLD) for t in range(n)]
    peak_at, trough_at, worst = 0, 0, 0.0
    running = 0
    for t, v in enumerate(values):
        if v > values[running]:
            running = t
        if v / values[running] - 1 < worst:
            worst, peak_at, trough_at = v / values[running] - 1, running, t
    assert worst < 0
    back = [t for t in range(trough_at, n) if values[t] >= values[peak_at]]
    assert data["max_drawdown_pct"] == pytest.approx(-worst * 100, rel=1e-9)
    assert when(data["max_drawdown_start"]) == pytest.approx(times[peak_at])
    assert when(data["max_drawdown_end"]) == pytest.approx(times[trough_at])
    assert when(data["max_drawdown_recovery"]) == (
        pytest.approx(times[back[0]]) if back else None)
    # The table names the same dates.
    table = ok(fake.run_mobius("portfolio", "risk"))
    day = datetime.fromtimestamp(times[trough_at], tz=timezone.utc).strftime("%Y-%m-%d")
    assert f"trough {day}" in table.replace("\n", " ")


def test_risk_json_of_a_portfolio_that_never_fell_has_no_drawdown_dates(fake):
    from mobius_cli.services.analytics import RiskReport

    report = RiskReport.__new__(RiskReport)
    report.figures = type("F", (), {"max_drawdown": 0.0})()
    report.times = [datetime(2026, 1, 1, tzinfo=timezone.utc)]
    assert report._drawdown_time(0) is None and report._drawdown_time(None) is None


# --- 3. history rows carry the fee's currency ------------------------------------------


def test_history_json_and_csv_carry_the_fee_currency(fake):
    ok(fake.run_mobius("portfolio", "add", "btc", "0.5", "--price", "60000", "--date",
                       "2026-01-05", "--fee", "0.01", "--fee-currency", "eth"))
    ok(fake.run_mobius("portfolio", "add", "sol", "10", "--price", "150", "--date",
                       "2026-03-01", "--fee", "5"))
    ok(fake.run_mobius("portfolio", "add", "eth", "1", "--price", "3000", "--date",
                       "2026-03-02"))
    rows = json.loads(ok(fake.run_mobius("portfolio", "history", "--json")))
    by = {r["symbol"]: r for r in rows}
    assert (by["BTC"]["fee"], by["BTC"]["fee_currency"], by["BTC"]["currency"]) == (
        0.01, "eth", "usd")
    assert (by["SOL"]["fee"], by["SOL"]["fee_currency"]) == (5, "usd")
    assert (by["ETH"]["fee"], by["ETH"]["fee_currency"]) == (0, "usd")
    table = list(csv.DictReader(io.StringIO(ok(fake.run_mobius("portfolio", "history",
                                                                "--csv")))))
    got = {r["symbol"]: (r["fee"], r["fee_currency"], r["currency"]) for r in table}
    assert got["BTC"][1:] == ("eth", "usd") and float(got["BTC"][0]) == 0.01
    assert got["SOL"][1] == "usd"


# --- 5a. deliveries of a removed alert stop --------------------------------------------


@pytest.mark.parametrize("how", [("1",), ("--all", "--yes"), ("--symbol", "eth")],
                         ids=["id", "all", "symbol"])
def test_a_removed_alerts_failed_deliveries_are_not_retried(fake, monkeypatch, how):
    from tests.test_alerts_e2e import Receiver

    receiver = Receiver()
    try:
        monkeypatch.setenv("MOBIUS_CHANNEL_HOOK", receiver.url)
        ok(fake.run_mobius("alerts", "channels", "add", "hook", "webhook"))
        ok(fake.run_mobius("alerts", "add", "eth", "--below", "1000000", "--notify", "hook"))
        receiver.fail_next = 100  # the webhook keeps answering 500
        fired = fake.run_mobius("alerts", "check", "--json")
        assert fired.returncode == 3
        assert [e["status"] for e in json.loads(fired.stdout)["errors"]] == ["failed"]
        assert receiver.fail_next == 99
        ok(fake.run_mobius("alerts", "remove", *how))
        again = fake.run_mobius("alerts", "check", "--json")
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout) == {"checked": 0, "fired": [], "errors": []}
        assert receiver.fail_next == 99  # not posted again
        # The record stays, saying why it stopped.
        [entry] = json.loads(ok(fake.run_mobius("alerts", "history", "--json")))
        [delivery] = entry["deliveries"]
        assert (delivery["channel"], delivery["status"], delivery["attempts"],
                delivery["error"]) == ("hook", "skipped", 1, "the alert was removed")
    finally:
        receiver.close()


def test_deliveries_left_by_an_alert_removed_before_the_fix_are_stopped_by_a_check(
        fake, monkeypatch):
    from tests.test_alerts_e2e import Receiver

    receiver = Receiver()
    try:
        monkeypatch.setenv("MOBIUS_CHANNEL_HOOK", receiver.url)
        ok(fake.run_mobius("alerts", "channels", "add", "hook", "webhook"))
        ok(fake.run_mobius("alerts", "add", "eth", "--below", "1000000", "--notify", "hook"))
        receiver.fail_next = 100
        assert fake.run_mobius("alerts", "check").returncode == 3
        from mobius_cli.context import AppContext

        app = AppContext()  # an older Mobius deleted the alert and left the deliveries
        with app.store.transaction() as conn:
            conn.execute("DELETE FROM alerts")
        app.close()
        again = fake.run_mobius("alerts", "check", "--json")
        assert json.loads(again.stdout)["errors"] == [] and again.returncode == 0
        assert receiver.fail_next == 99
        [entry] = json.loads(ok(fake.run_mobius("alerts", "history", "--json")))
        assert entry["deliveries"][0]["status"] == "skipped"
    finally:
        receiver.close()


# --- 5b. the Koinly export writes numbers in one plain form -----------------------------


def test_koinly_export_numbers_have_no_trailing_zero_nor_exponent_and_read_back(fake,
                                                                               tmp_path):
    ok(fake.run_mobius("portfolio", "add", "btc", "0.5", "--price", "60000", "--date",
                       "2026-01-05"))
    ok(fake.run_mobius("portfolio", "add", "eth", "4", "--price", "3000", "--date",
                       "2026-02-05", "--fee", "5.0"))
    ok(fake.run_mobius("portfolio", "remove", "btc", "0.10", "--price", "80000", "--date",
                       "2026-06-05"))
    text = ok(fake.run_mobius("portfolio", "export", "--format", "koinly"))
    rows = list(csv.DictReader(io.StringIO(text)))
    numbers = [v for r in rows for k, v in r.items() if "Amount" in k and v]
    assert numbers and all(re.fullmatch(r"\d+(\.\d*[1-9])?", v) for v in numbers), numbers
    by_got = {r["Received Currency"]: r for r in rows}
    assert (by_got["BTC"]["Sent Amount"], by_got["ETH"]["Sent Amount"]) == ("30000", "12000")
    assert by_got["ETH"]["Fee Amount"] == "5"
    assert (by_got["USD"]["Sent Amount"], by_got["USD"]["Received Amount"]) == ("0.1", "8000")
    # Read back into another portfolio: the same holdings.
    path = tmp_path / "koinly.csv"
    path.write_text(text)
    ok(fake.run_mobius("portfolio", "create", "copy"))
    ok(fake.run_mobius("portfolio", "import", str(path), "--portfolio", "copy"))
    mine = json.loads(ok(fake.run_mobius("portfolio", "show", "--json")))
    copy = json.loads(ok(fake.run_mobius("portfolio", "show", "--portfolio", "copy",
                                         "--json")))
    assert [(h["symbol"], h["amount"], h["cost_basis"]) for h in copy["holdings"]] == \
        [(h["symbol"], h["amount"], h["cost_basis"]) for h in mine["holdings"]]


@pytest.mark.parametrize(("value", "text"), [
    ("30000.0", "30000"), ("3.0E+4", "30000"), ("1E-8", "0.00000001"), ("0.50", "0.5"),
    ("12000", "12000"), ("0", "0"), ("0.000", "0"), ("123.456", "123.456")])
def test_plain_number(value, text):
    from decimal import Decimal

    from mobius_cli.core.portfolio_formats import plain_number

    assert plain_number(Decimal(value)) == text


# --- 4b. portfolio risk shows its progress on a terminal only ----------------------------


def _three_holdings(fake):
    for symbol, amount in RISK_HOLD.values():
        ok(fake.run_mobius("portfolio", "add", symbol, str(amount), "--price", "100",
                           "--date", "2025-01-01"))


def test_risk_shows_the_fetching_progress_on_a_terminal(fake, monkeypatch):
    from mobius_cli.commands.portfolio_analytics import show_risk

    _three_holdings(fake)
    fake.delay("/coins/", seconds=0.3, times=None)  # slow history: the bar is drawn
    app, err, out = terminal_app(fake, monkeypatch)
    try:
        show_risk(app)
    finally:
        app.close()
    drawn = err.getvalue()
    assert "Daily closes" in drawn and "3/3" in drawn, drawn
    assert "Daily closes" not in out.getvalue() and "Max drawdown" in out.getvalue()
    assert fake.count("/coins/") >= 3  # a cold cache: every coin was fetched


@pytest.mark.parametrize("flags", [{"quiet": True}, {"json": True}], ids=["quiet", "json"])
def test_risk_shows_no_progress_with_quiet_or_json(fake, monkeypatch, flags):
    from mobius_cli.commands.portfolio_analytics import show_risk

    _three_holdings(fake)
    app, err, out = terminal_app(fake, monkeypatch, **flags)
    try:
        show_risk(app)
    finally:
        app.close()
    assert "Daily closes" not in err.getvalue() + out.getvalue()
    assert fake.count("/coins/") >= 3
    if flags.get("json"):
        assert json.loads(out.getvalue())["holdings"]  # stdout is the JSON alone


def test_risk_in_a_pipe_shows_no_progress(fake):
    _three_holdings(fake)
    for args in ((), ("--json",)):
        result = fake.run_mobius("portfolio", "risk", *args)
        assert result.returncode == 0, result.stderr
        assert "Daily closes" not in result.stderr + result.stdout
        assert "\x1b" not in result.stderr


# --- 4a. the REPL adds an alert while a check runs --------------------------------------


def test_the_repl_adds_an_alert_while_a_check_waits_for_prices(fake, monkeypatch):
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput
    from rich.console import Console

    from mobius_cli.context import AppContext
    from mobius_cli.repl import run_repl

    ok(fake.run_mobius("alerts", "add", "eth", "--below", "1000000"))  # fires
    ok(fake.run_mobius("cache", "clear"))
    fake.reset_requests()
    fake.delay("/simple/price", seconds=2.5, times=1)  # the check's price request only
    check = subprocess.Popen([MOBIUS_BIN, "alerts", "check", "--json"], env=fake.env(),
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while fake.count("/simple/price") == 0:  # the check is waiting for its prices
            assert time.monotonic() < deadline and check.poll() is None
            time.sleep(0.02)
        [waiting] = fake.requests_to("/simple/price")
        assert waiting.query["ids"] == "ethereum" and waiting.fault == "delay"
        for var, value in fake.urls.items():
            monkeypatch.setenv(var, value)
        app = AppContext()
        out, err = io.StringIO(), io.StringIO()
        app.__dict__["out"] = Console(file=out, width=100, no_color=True, highlight=False)
        app.__dict__["err"] = Console(file=err, width=100, no_color=True, highlight=False)
        started = time.monotonic()
        with create_pipe_input() as pipe:
            pipe.send_text("alert me if btc drops below 1000000000\ny\n\x04")
            run_repl(app, input=pipe, output=DummyOutput())
        app.close()
        took = time.monotonic() - started
        assert check.poll() is None, f"the check ended before the REPL added its alert ({took})"
        assert took < 2.0, took  # not held up by the check (nothing locked)
        assert "→ mobius alerts add BTC --below 1000000000" in err.getvalue()
        assert "lock" not in (out.getvalue() + err.getvalue()).lower()
        stdout, stderr = check.communicate(timeout=30)
    finally:
        if check.poll() is None:
            check.kill()
            check.communicate()
    assert check.returncode == 3, stderr
    result = json.loads(stdout)
    assert result["checked"] == 1  # the alert added during the check is not counted
    assert [f["symbol"] for f in result["fired"]] == ["ETH"]
    alerts = json.loads(ok(fake.run_mobius("alerts", "list", "--json")))
    assert [(a["symbol"], a["status"]) for a in alerts] == [("ETH", "fired"), ("BTC", "armed")]
    # The next check sees it (and it fires: BTC is below a billion).
    again = json.loads(fake.run_mobius("alerts", "check", "--json").stdout)
    assert again["checked"] == 1 and [f["symbol"] for f in again["fired"]] == ["BTC"]
