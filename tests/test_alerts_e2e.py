"""Alerts end to end against the loopback fake: exit codes 0/3/1, the documented JSON, a
loopback webhook receiver, a failing channel that does not block the others and is retried,
overlapping checks that fire each event once, adding while a check runs, bad input."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mobius_cli.__main__ import main


def fresh(fake, when: float | None = None) -> None:
    """Make every coin's last_updated_at recent (the fixtures were recorded days ago)."""
    fake.stamp_fresh(when)


@pytest.fixture
def fake(fake_apis):
    fresh(fake_apis)
    return fake_apis


def cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run mobius in-process; (exit code, stdout, stderr)."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


class Receiver:
    """A loopback webhook receiver that records JSON bodies; can fail the next N posts."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.fail_next = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with receiver.lock:
                    failing = receiver.fail_next > 0
                    if failing:
                        receiver.fail_next -= 1
                    else:
                        receiver.bodies.append(json.loads(raw))
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook/s3cret-token"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def prices(fake) -> dict[str, float]:
    return {k: float(v["current_price"]) for k, v in fake.markets.items()}


# --- exit codes and JSON ---------------------------------------------------------------


def test_check_exit_codes_and_json(fake, capsys):
    eth = prices(fake)["ethereum"]
    assert cli(capsys, "alerts", "add", "eth", "--below", str(eth * 0.9))[0] == 0
    assert cli(capsys, "alerts", "add", "btc", "--above", "1000000")[0] == 0
    code, out, err = cli(capsys, "alerts", "check", "--quiet")
    assert (code, out, err) == (0, "", "")  # nothing fired: silent
    code, out, _ = cli(capsys, "alerts", "check", "--json")
    assert code == 0
    assert json.loads(out) == {"checked": 2, "fired": [], "errors": []}

    fake.set_price("ethereum", eth * 0.8)
    assert cli(capsys, "cache", "clear")[0] == 0  # prices are cached for a minute
    fake.reset_requests()
    code, out, _ = cli(capsys, "alerts", "check", "--json")
    assert code == 3
    data = json.loads(out)
    assert data["checked"] == 2 and data["errors"] == []
    [fired] = data["fired"]
    assert set(fired) == {"id", "symbol", "condition", "target", "price", "currency",
                          "fired_at"}
    assert fired["id"] == 1 and fired["symbol"] == "ETH" and fired["condition"] == "below"
    assert fired["price"] == pytest.approx(eth * 0.8, rel=1e-5)
    assert fired["currency"] == "usd" and fired["fired_at"].endswith("Z")
    assert fake.count("/simple/price") == 1  # ETH and BTC in one request

    # fired once: the same event never fires again
    assert cli(capsys, "cache", "clear")[0] == 0
    code, out, _ = cli(capsys, "alerts", "check", "--json")
    assert code == 0 and json.loads(out)["fired"] == []


def test_stale_price_is_an_error_and_fires_nothing(fake, capsys):
    assert cli(capsys, "alerts", "add", "eth", "--below", "1000000")[0] == 0
    fresh(fake, time.time() - 3600)  # CoinGecko last priced it an hour ago
    assert cli(capsys, "cache", "clear")[0] == 0
    code, out, err = cli(capsys, "alerts", "check", "--json")
    assert code == 1
    data = json.loads(out)
    assert data["fired"] == [] and data["checked"] == 0
    assert data["errors"][0]["id"] == 1 and "old" in data["errors"][0]["message"]
    code, out, err = cli(capsys, "alerts", "check", "--quiet")
    assert code == 1 and "stale" in err
    assert json.loads(cli(capsys, "alerts", "list", "--json")[1])[0]["status"] == "armed"


def test_source_down_is_exit_1(fake, capsys):
    assert cli(capsys, "alerts", "add", "eth", "--below", "10")[0] == 0
    assert cli(capsys, "cache", "clear")[0] == 0
    fake.fail("/simple/price", status=500, times=None)
    code, out, err = cli(capsys, "alerts", "check", "--quiet")
    assert code == 1 and out == ""
    assert "#1" in err


def test_several_currencies_one_request_each(fake, capsys):
    for args in (("eth", "--below", "1"), ("btc", "--above", "1e9"), ("sol", "--up", "50")):
        assert cli(capsys, "alerts", "add", *args)[0] == 0
    for args in (("eth", "--below", "1", "--vs", "eur"), ("btc", "--above", "1e9", "--vs", "eur")):
        assert cli(capsys, "alerts", "add", *args)[0] == 0
    assert cli(capsys, "cache", "clear")[0] == 0
    fake.reset_requests()
    code, out, _ = cli(capsys, "alerts", "check", "--json")
    assert code == 0 and json.loads(out)["checked"] == 5
    sent = fake.requests_to("/simple/price")
    assert len(sent) == 2
    assert sorted(r.query["vs_currencies"] for r in sent) == ["eur", "usd"]
    assert all(r.query["include_24hr_change"] == "true" for r in sent)


def test_change_conditions_fire_on_the_24h_move(fake, capsys):
    row = fake.markets["solana"]
    row["price_change_percentage_24h"] = 2.0
    row["price_change_percentage_24h_in_currency"] = 2.0
    for args in (("sol", "--up", "5"), ("sol", "--down", "5"), ("sol", "--change", "5")):
        assert cli(capsys, "alerts", "add", *args)[0] == 0
    assert cli(capsys, "alerts", "check", "--quiet")[0] == 0
    row["price_change_percentage_24h"] = -6.5
    row["price_change_percentage_24h_in_currency"] = -6.5
    assert cli(capsys, "cache", "clear")[0] == 0
    code, out, _ = cli(capsys, "alerts", "check", "--json")
    assert code == 3
    assert sorted(f["condition"] for f in json.loads(out)["fired"]) == ["change", "change_down"]


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ("xyzzyqq", "--below", "5"),  # unknown symbol
    ("eth", "--below", "-5"),  # negative target
    ("eth", "--below", "0"),
    ("eth", "--below", "abc"),
    ("eth", "--below", "5", "--above", "7"),  # contradictory
    ("eth",),  # no condition
    ("eth", "--up", "5", "--cooldown", "1h"),  # cooldown without repeat
    ("eth", "--below", "5", "--notify", "nosuchchannel"),
    ("eth", "--below", "5", "--vs", "e1"),
    ("eth", "--below", "5", "--repeat", "--cooldown", "soon"),
    ("--below", "5"),  # no coin
])
def test_bad_input_is_exit_2_and_stores_nothing(fake, capsys, args):
    code, _out, err = cli(capsys, "alerts", "add", *args)
    assert code == 2, err
    assert err.startswith("mobius: error:") and len(err.strip().splitlines()) == 1
    assert json.loads(cli(capsys, "alerts", "list", "--json")[1]) == []


def test_remove_enable_disable_snooze(fake, capsys):
    for args in (("eth", "--below", "1"), ("btc", "--below", "1"), ("eth", "--above", "1e9")):
        assert cli(capsys, "alerts", "add", *args)[0] == 0
    assert cli(capsys, "alerts", "remove")[0] == 2  # nothing named
    assert cli(capsys, "alerts", "remove", "1", "--all")[0] == 2  # contradictory
    assert cli(capsys, "alerts", "remove", "99")[0] == 2
    assert cli(capsys, "alerts", "disable", "2")[0] == 0
    assert cli(capsys, "alerts", "snooze", "3", "--for", "2h")[0] == 0
    listed = {a["id"]: a for a in json.loads(cli(capsys, "alerts", "list", "--json")[1])}
    assert [listed[i]["status"] for i in (1, 2, 3)] == ["armed", "disabled", "snoozed"]
    assert cli(capsys, "alerts", "snooze", "--symbol", "doge")[0] == 2  # none on DOGE
    assert cli(capsys, "alerts", "snooze", "1", "--symbol", "eth")[0] == 2
    assert cli(capsys, "alerts", "snooze", "--symbol", "eth", "--for", "1d")[0] == 0
    listed = json.loads(cli(capsys, "alerts", "list", "--json")[1])
    assert [a["status"] for a in listed] == ["snoozed", "disabled", "snoozed"]
    assert cli(capsys, "alerts", "enable", "2", "3")[0] == 0
    listed = json.loads(cli(capsys, "alerts", "list", "--json")[1])
    assert [a["status"] for a in listed] == ["snoozed", "armed", "armed"]
    assert cli(capsys, "alerts", "snooze", "1", "--for", "0")[0] == 0  # ends the snooze
    listed = json.loads(cli(capsys, "alerts", "list", "--json")[1])
    assert [a["status"] for a in listed] == ["armed", "armed", "armed"]
    code, out, _ = cli(capsys, "alerts", "remove", "--symbol", "eth", "--json")
    assert code == 0 and json.loads(out) == {"removed": [1, 3]}
    assert [a["id"] for a in json.loads(cli(capsys, "alerts", "list", "--json")[1])] == [2]
    assert cli(capsys, "alerts", "remove", "--all", "--yes")[0] == 0
    assert json.loads(cli(capsys, "alerts", "list", "--json")[1]) == []


def test_list_json_shape(fake, capsys):
    assert cli(capsys, "alerts", "add", "eth", "--below", "2.5k", "--note", "buy [bold]x",
               "--repeat", "--cooldown", "2h")[0] == 0
    [row] = json.loads(cli(capsys, "alerts", "list", "--json")[1])
    assert set(row) == {"id", "symbol", "condition", "target", "currency", "status", "repeat",
                        "notify", "note", "created_at", "last_fired_at"}
    assert row["target"] == 2500 and row["repeat"] is True and row["note"] == "buy [bold]x"
    assert row["notify"] == ["terminal"] and row["last_fired_at"] is None
    code, out, _ = cli(capsys, "alerts", "list")
    assert code == 0 and "buy [bold]x" in out  # never read as markup
    eth = prices(fake)["ethereum"]
    assert cli(capsys, "alerts", "add", "eth", "--above", str(eth * 1.25))[0] == 0
    assert cli(capsys, "alerts", "add", "eth", "--below", str(eth * 2))[0] == 0
    code, out, _ = cli(capsys, "alerts", "list")
    lines = out.splitlines()
    assert "+25.00%" in next(line for line in lines if line.lstrip().startswith("2 "))
    assert "met now" in next(line for line in lines if line.lstrip().startswith("3 "))


# --- channels, webhook, retries --------------------------------------------------------


def test_webhook_gets_the_fired_json_and_a_failing_one_does_not_block_the_command(
        fake, capsys, receiver, tmp_path, monkeypatch):
    log = tmp_path / "alerts.log"
    monkeypatch.setenv("MOBIUS_CHANNEL_HOOK", receiver.url)
    assert cli(capsys, "alerts", "channels", "add", "hook", "webhook")[0] == 0
    cmd = f'echo "$MOBIUS_ALERT_ID $MOBIUS_ALERT_SYMBOL $MOBIUS_ALERT_CONDITION ' \
          f'$MOBIUS_ALERT_TARGET $MOBIUS_ALERT_CURRENCY" >> {log}'
    assert cli(capsys, "alerts", "channels", "add", "log", "command", cmd)[0] == 0
    assert cli(capsys, "alerts", "add", "eth", "--below", "1000000", "--notify", "hook,log",
               "--note", "sell")[0] == 0

    receiver.fail_next = 1  # the first POST gets a 500
    code, out, err = cli(capsys, "alerts", "check", "--json")
    assert code == 3
    [fired] = json.loads(out)["fired"]
    assert log.read_text().split() == ["1", "ETH", "below", "1000000", "usd"]
    assert receiver.bodies == []
    errors = json.loads(out)["errors"]
    assert [(e["kind"], e["channel"], e["status"]) for e in errors] == \
        [("delivery", "hook", "failed")]
    assert receiver.url not in out + err  # the secret URL is never printed

    [entry] = json.loads(cli(capsys, "alerts", "history", "--json")[1])
    assert {d["channel"]: d["status"] for d in entry["deliveries"]} == \
        {"hook": "failed", "log": "sent"}

    # the next check retries the webhook only; nothing fires twice
    code, out, _ = cli(capsys, "alerts", "check", "--json")
    assert code == 0 and json.loads(out) == {"checked": 0, "fired": [], "errors": []}
    assert receiver.bodies == [fired]  # exactly the documented fired object
    assert log.read_text().count("ETH") == 1
    [entry] = json.loads(cli(capsys, "alerts", "history", "--json")[1])
    assert {d["channel"]: (d["status"], d["attempts"]) for d in entry["deliveries"]} == \
        {"hook": ("sent", 2), "log": ("sent", 1)}
    code, out, _ = cli(capsys, "alerts", "history")
    assert "hook: sent (2×)" in out and "log: sent" in out


def test_ntfy_headers(fake, capsys, monkeypatch):
    got: list = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append((self.path, dict(self.headers), body.decode()))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    try:
        monkeypatch.setenv("MOBIUS_CHANNEL_PHONE", f"http://127.0.0.1:{server.server_address[1]}"
                                                   "/mytopic")
        assert cli(capsys, "alerts", "channels", "add", "phone", "ntfy")[0] == 0
        code, _out, err = cli(capsys, "alerts", "channels", "test", "phone")
        assert code == 0, err
        path, headers, body = got[0]
        assert path == "/mytopic"
        assert headers["Title"].startswith("Mobius: BTC above 100000 USD")
        assert headers["Priority"] == "high"
        assert "BTC is 100001 USD" in body
    finally:
        server.shutdown()
        server.server_close()


def test_channels_add_list_remove(fake, capsys):
    assert cli(capsys, "alerts", "channels", "add", "hook", "webhook", "ftp://x")[0] == 2
    assert cli(capsys, "alerts", "channels", "add", "bad name", "terminal")[0] == 2
    assert cli(capsys, "alerts", "channels", "add", "x", "pigeon")[0] == 2
    # no keyring in the sealed tests: a secret URL cannot be stored, and is not
    code, _, err = cli(capsys, "alerts", "channels", "add", "hook", "webhook",
                       "https://example.com/hook/token")
    assert code == 2 and "MOBIUS_CHANNEL_HOOK" in err
    assert cli(capsys, "alerts", "channels", "add", "log", "command", "true")[0] == 0
    listed = {c["name"]: c for c in json.loads(cli(capsys, "alerts", "channels", "list",
                                                   "--json")[1])}
    assert set(listed) == {"terminal", "desktop", "log"}
    assert listed["log"]["target"] == "true"
    assert cli(capsys, "alerts", "channels", "test", "log")[0] == 0
    assert cli(capsys, "alerts", "channels", "remove", "log")[0] == 0
    assert cli(capsys, "alerts", "channels", "remove", "log")[0] == 2


def test_secret_url_lives_in_the_keyring_only(fake, tmp_path, receiver):
    from tests.conftest import REPO

    env = {"PYTHON_KEYRING_BACKEND": "tests.file_keyring.FileKeyring",
           "PYTHONPATH": str(REPO), "TEST_KEYRING_FILE": str(tmp_path / "keyring.json")}
    added = fake.run_mobius("alerts", "channels", "add", "hook", "webhook", receiver.url,
                            env=env, subprocess=True)
    assert added.returncode == 0, added.stderr
    assert receiver.url not in added.stdout + added.stderr
    listed = fake.run_mobius("alerts", "channels", "list", "--json", env=env, subprocess=True)
    hook = next(c for c in json.loads(listed.stdout) if c["name"] == "hook")
    assert hook["target"] == "http://127.0.0.1:{}/…".format(receiver.url.split(":")[2]
                                                            .split("/")[0])
    assert hook["target_source"] == "keyring"
    assert receiver.url in (tmp_path / "keyring.json").read_text()
    home = Path(fake.env()["MOBIUS_HOME"])
    for path in home.rglob("*"):
        if path.is_file():
            assert b"s3cret-token" not in path.read_bytes(), path
    tested = fake.run_mobius("alerts", "channels", "test", "hook", env=env, subprocess=True)
    assert tested.returncode == 0, tested.stderr
    assert receiver.bodies[-1]["symbol"] == "BTC"
    removed = fake.run_mobius("alerts", "channels", "remove", "hook", env=env, subprocess=True)
    assert removed.returncode == 0
    assert receiver.url not in (tmp_path / "keyring.json").read_text()


# --- concurrency -----------------------------------------------------------------------


def test_two_overlapping_checks_fire_each_event_once(fake, capsys, receiver, tmp_path):
    env = {"MOBIUS_CHANNEL_HOOK": receiver.url}
    added = fake.run_mobius("alerts", "channels", "add", "hook", "webhook", env=env)
    assert added.returncode == 0, added.stderr
    eth = prices(fake)["ethereum"]
    csv = "symbol,condition,target,notify\n" + "".join(
        f"eth,below,{eth * (1.01 + i / 1000):.2f},hook\n" for i in range(20))
    (tmp_path / "a.csv").write_text(csv)
    imported = fake.run_mobius("alerts", "import", str(tmp_path / "a.csv"), env=env)
    assert imported.returncode == 0, imported.stderr
    assert fake.run_mobius("cache", "clear").returncode == 0
    fake.delay("/simple/price", seconds=0.6, times=2)  # both checks price at once
    full = fake.env()
    full.update(env)
    from tests.fakes import mobius_bin

    procs = [subprocess.Popen([mobius_bin(), "alerts", "check", "--json"], env=full,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [p.communicate(timeout=60) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0, 3], results
    fired = [f for out, _ in results for f in json.loads(out)["fired"]]
    assert sorted(f["id"] for f in fired) == list(range(1, 21))
    assert sorted(b["id"] for b in receiver.bodies) == list(range(1, 21))  # once each
    history = json.loads(fake.run_mobius("alerts", "history", "--json").stdout)
    assert len(history) == 20


def test_adding_alerts_while_a_check_runs(fake, capsys):
    for _ in range(3):
        assert cli(capsys, "alerts", "add", "eth", "--below", "1")[0] == 0
    assert cli(capsys, "cache", "clear")[0] == 0
    fake.delay("/simple/price", seconds=0.6, times=1)
    fake.reset_requests()  # the adds above priced ETH: wait for the check's own request
    from tests.fakes import mobius_bin

    check = subprocess.Popen([mobius_bin(), "alerts", "check", "--json"], env=fake.env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60  # a loaded machine may take seconds to start Python
    while not fake.requests_to("/simple/price"):  # the check has read its alerts
        assert check.poll() is None and time.monotonic() < deadline, check.communicate()
        time.sleep(0.02)
    started = time.monotonic()
    code, out, err = cli(capsys, "alerts", "add", "--id", "bitcoin", "--below", "1")
    assert code == 0, err
    assert time.monotonic() - started < 5
    out, err = check.communicate(timeout=60)
    assert check.returncode == 0, err
    assert json.loads(out)["checked"] == 3
    assert len(json.loads(cli(capsys, "alerts", "list", "--json")[1])) == 4


# --- import / export, history, cron ----------------------------------------------------


def test_export_import_round_trip(fake, capsys, tmp_path):
    assert cli(capsys, "alerts", "channels", "add", "log", "command", "true")[0] == 0
    for args in (("eth", "--below", "2.5k", "--note", "dip, then buy"),
                 ("btc", "--cross", "100k", "--repeat", "--cooldown", "2h", "--notify", "log"),
                 ("sol", "--up", "7.5", "--vs", "eur"),
                 ("doge", "--above", "0.00001234")):
        assert cli(capsys, "alerts", "add", *args)[0] == 0
    code, exported, _ = cli(capsys, "alerts", "export")
    assert code == 0
    assert exported.splitlines()[0] == \
        "symbol,condition,target,currency,repeat,cooldown,notify,note,coin_id,enabled," \
        "snoozed_until,status,last_fired_at"
    (tmp_path / "alerts.csv").write_text(exported)
    assert cli(capsys, "alerts", "remove", "--all", "--yes")[0] == 0
    code, _out, err = cli(capsys, "alerts", "import", str(tmp_path / "alerts.csv"))
    assert code == 0, err
    assert cli(capsys, "alerts", "export")[1] == exported
    code, as_json, _ = cli(capsys, "alerts", "export", "--format", "json")
    (tmp_path / "alerts.json").write_text(as_json)
    assert cli(capsys, "alerts", "remove", "--all", "--yes")[0] == 0
    assert cli(capsys, "alerts", "import", str(tmp_path / "alerts.json"))[0] == 0
    assert cli(capsys, "alerts", "export")[1] == exported


def test_import_is_all_or_nothing_with_line_numbers(fake, capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("symbol,condition,target,currency\n"
                   "eth,below,2500,usd\n"
                   "xyzzyqq,below,1,usd\n"
                   "btc,sideways,1,usd\n"
                   "sol,above,-3,usd\n")
    code, _, err = cli(capsys, "alerts", "import", str(bad))
    assert code == 2
    assert "line 3" in err and "line 4" in err and "line 5" in err and "nothing imported" in err
    assert "line 2" not in err
    assert json.loads(cli(capsys, "alerts", "list", "--json")[1]) == []
    (tmp_path / "cols.csv").write_text("symbol,condition,price\neth,below,1\n")
    code, _, err = cli(capsys, "alerts", "import", str(tmp_path / "cols.csv"))
    assert code == 2 and "line 1" in err
    assert cli(capsys, "alerts", "import", str(tmp_path / "missing.csv"))[0] == 2
    code, empty, _ = cli(capsys, "alerts", "export")  # no alerts: a header alone
    (tmp_path / "empty.csv").write_text(empty)
    code, out, _ = cli(capsys, "alerts", "import", str(tmp_path / "empty.csv"))
    assert code == 0 and "nothing imported" in out


def test_repeat_cross_fires_again_on_the_way_back(fake, capsys):
    eth = prices(fake)["ethereum"]
    assert cli(capsys, "alerts", "add", "eth", "--cross", str(round(eth * 1.05, 2)),
               "--repeat", "--cooldown", "0")[0] == 0
    for factor, expected in ((1.06, 3), (1.07, 0), (1.10, 0), (1.0, 3), (0.99, 0)):
        fake.set_price("ethereum", eth * factor)
        assert cli(capsys, "cache", "clear")[0] == 0
        assert cli(capsys, "alerts", "check", "--quiet")[0] == expected, factor
    history = json.loads(cli(capsys, "alerts", "history", "--json")[1])
    assert len(history) == 2


def test_cron_line(fake, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("MOBIUS_HOME", str(tmp_path / "my home"))
    result = fake.run_mobius("alerts", "cron", "--every", "10",
                             env={"MOBIUS_HOME": str(tmp_path / "my home")}, subprocess=True)
    assert result.returncode == 0
    line = result.stdout.strip()
    assert line.startswith("*/10 * * * * MOBIUS_HOME='")
    assert str(tmp_path / "my home") in line
    assert line.endswith("/mobius alerts check --quiet")
    import shlex

    exe = next(w for w in shlex.split(line)[5:] if "=" not in w)  # after the variables
    assert Path(exe).is_absolute() and Path(exe).exists()


def test_global_quiet_also_quiets_check(fake, capsys):
    assert cli(capsys, "alerts", "add", "btc", "--above", "1e9")[0] == 0
    assert cli(capsys, "-q", "alerts", "check") == (0, "", "")
    code, out, _ = cli(capsys, "alerts", "check")
    assert code == 0 and out.strip() == "Checked 1 alert: nothing fired."


def test_portfolio_value_alert(fake, capsys, tmp_path):
    p = prices(fake)
    assert cli(capsys, "portfolio", "add", "btc", "0.5", "--price", "50000")[0] == 0
    assert cli(capsys, "portfolio", "add", "eth", "2", "--price", "2000")[0] == 0
    value = 0.5 * p["bitcoin"] + 2 * p["ethereum"]  # the reference, by hand
    code, out, err = cli(capsys, "alerts", "add", "--portfolio", "main", "--above",
                         str(round(value * 1.1)), "--json")
    assert code == 0, err
    added = json.loads(out)
    assert added["symbol"] == "portfolio:main" and added["price"] == pytest.approx(value)
    assert cli(capsys, "alerts", "add", "--portfolio", "main", "--up", "5")[0] == 2
    assert cli(capsys, "alerts", "add", "--portfolio", "nope", "--above", "1")[0] == 2
    assert cli(capsys, "alerts", "add", "eth", "--portfolio", "main", "--above", "1")[0] == 2
    assert cli(capsys, "alerts", "add", "sol", "--below", "1")[0] == 0
    assert cli(capsys, "cache", "clear")[0] == 0
    fake.reset_requests()
    assert cli(capsys, "alerts", "check", "--quiet")[0] == 0
    assert fake.count("/simple/price") == 1  # holdings and coins in one batch
    assert set(fake.last("/simple/price").query["ids"].split(",")) == \
        {"bitcoin", "ethereum", "solana"}
    fake.set_price("bitcoin", p["bitcoin"] * 1.3)
    assert cli(capsys, "cache", "clear")[0] == 0
    code, out, _ = cli(capsys, "alerts", "check", "--json")
    assert code == 3
    [fired] = json.loads(out)["fired"]
    assert fired["symbol"] == "portfolio:main"
    assert fired["price"] == pytest.approx(0.5 * p["bitcoin"] * 1.3 + 2 * p["ethereum"],
                                           rel=1e-5)
    code, exported, _ = cli(capsys, "alerts", "export")
    assert "portfolio:main,above" in exported
    (tmp_path / "a.csv").write_text(exported)
    assert cli(capsys, "alerts", "remove", "--all", "--yes")[0] == 0
    assert cli(capsys, "alerts", "import", str(tmp_path / "a.csv"))[0] == 0
    assert cli(capsys, "alerts", "export")[1] == exported
    assert cli(capsys, "alerts", "remove", "--symbol", "portfolio:main")[0] == 0
