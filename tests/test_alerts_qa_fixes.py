"""QA regressions for `mobius alerts` (issue 10): export/import keeps enabled and snoozed,
watch exits 130 on Ctrl-C, export --json and -o, cron carries the source URLs (never a
credential) at even intervals, the cooldown shows in the table, a huge target is "too
large", and 80-column tables keep every figure and the alert text on one line. In-process
against the loopback fake."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.fakes import ok

DOCUMENTED = ["symbol", "condition", "target", "currency", "repeat", "cooldown", "notify",
              "note"]




def listed(fake, **env) -> list[dict]:
    return json.loads(ok(fake.run_mobius("alerts", "list", "--json", env=env or None)))


def add_three(fake) -> None:
    """#1 armed, #2 disabled, #3 snoozed for a day."""
    for args in (("eth", "--below", "2500"), ("btc", "--above", "1e6"),
                 ("sol", "--cross", "500", "--repeat")):
        ok(fake.run_mobius("alerts", "add", *args))
    ok(fake.run_mobius("alerts", "disable", "2"))
    ok(fake.run_mobius("alerts", "snooze", "3", "--for", "1d"))


# --- 1. export -> import keeps disabled and snoozed alerts as they were -------------------


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_import_round_trip_keeps_enabled_and_snooze(fake, tmp_path, fmt):
    add_three(fake)
    snoozed = json.loads(ok(fake.run_mobius("alerts", "snooze", "3", "--for", "1d",
                                            "--json")))[0]["snoozed_until"]
    exported = ok(fake.run_mobius("alerts", "export", "--format", fmt))
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(exported)))
        header = exported.splitlines()[0].split(",")
        assert header[:8] == DOCUMENTED  # the columns first, in order
        assert header[8:] == ["coin_id", "enabled", "snoozed_until", "status",
                              "last_fired_at"]
        assert [r["enabled"] for r in rows] == ["true", "false", "true"]
        assert [r["snoozed_until"] for r in rows] == ["", "", snoozed]
    else:
        rows = json.loads(exported)
        assert [r["enabled"] for r in rows] == [True, False, True]
        assert [r["snoozed_until"] for r in rows] == [None, None, snoozed]
    path = tmp_path / f"alerts.{fmt}"
    path.write_text(exported)

    other = {"MOBIUS_HOME": str(tmp_path / "fresh home")}  # another machine
    ok(fake.run_mobius("alerts", "import", str(path), env=other))
    assert [a["status"] for a in listed(fake, **other)] == ["armed", "disabled", "snoozed"]
    assert ok(fake.run_mobius("alerts", "export", "--format", fmt, env=other)) == exported


def test_a_one_shot_alert_that_fired_stays_done_after_a_round_trip(fake, tmp_path):
    ok(fake.run_mobius("alerts", "add", "eth", "--above", "1000"))  # holds at $2,071.43
    ok(fake.run_mobius("alerts", "add", "btc", "--above", "1e6"))
    assert fake.run_mobius("alerts", "check").returncode == 3
    before = listed(fake)
    assert [a["status"] for a in before] == ["fired", "armed"]
    exported = ok(fake.run_mobius("alerts", "export"))
    row = next(csv.DictReader(io.StringIO(exported)))
    assert (row["status"], row["last_fired_at"]) == ("fired", before[0]["last_fired_at"])
    path = tmp_path / "alerts.csv"
    path.write_text(exported)
    other = {"MOBIUS_HOME": str(tmp_path / "fresh home")}
    ok(fake.run_mobius("alerts", "import", str(path), env=other))
    after = listed(fake, **other)
    assert [(a["status"], a["last_fired_at"]) for a in after] == [
        (a["status"], a["last_fired_at"]) for a in before]
    assert fake.run_mobius("alerts", "check", env=other).returncode == 0  # nothing fires again
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(DOCUMENTED) + ",status\neth,below,2500,usd,false,,,,done\n")
    refused = fake.run_mobius("alerts", "import", str(bad))
    assert refused.returncode == 2 and "line 2: status must be armed or fired" in refused.stderr


def test_old_files_without_the_new_columns_import_enabled(fake, tmp_path):
    path = tmp_path / "old.csv"
    path.write_text(",".join(DOCUMENTED) + "\neth,below,2500,usd,false,,,\n"
                    "btc,above,1000000,usd,true,2h,,keep\n")
    ok(fake.run_mobius("alerts", "import", str(path)))
    assert [a["status"] for a in listed(fake)] == ["armed", "armed"]
    (tmp_path / "old.json").write_text(json.dumps([{"symbol": "sol", "condition": "above",
                                                    "target": 900}]))
    ok(fake.run_mobius("alerts", "import", str(tmp_path / "old.json")))
    assert [a["status"] for a in listed(fake)] == ["armed"] * 3


def test_a_snooze_already_past_is_ignored_and_bad_values_name_their_line(fake, tmp_path):
    past = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    future = (datetime.now(timezone.utc) + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%S")
    head = ",".join(DOCUMENTED) + ",enabled,snoozed_until\n"
    path = tmp_path / "a.csv"
    path.write_text(head + f"eth,below,2500,usd,false,,,,,{past}\n"
                    f"btc,above,1000000,usd,false,,,,no,{future}\n")
    ok(fake.run_mobius("alerts", "import", str(path)))
    rows = listed(fake)
    assert [a["status"] for a in rows] == ["armed", "disabled"]
    row = list(csv.DictReader(io.StringIO(ok(fake.run_mobius("alerts", "export")))))[1]
    assert row["snoozed_until"].startswith(future)  # no offset given: read as UTC
    assert row["enabled"] == "false"

    bad = tmp_path / "bad.csv"
    bad.write_text(head + "eth,below,2400,usd,false,,,,maybe,\n"
                   "eth,below,2300,usd,false,,,,true,next tuesday\n")
    done = fake.run_mobius("alerts", "import", str(bad))
    assert done.returncode == 2
    assert "line 2: enabled must be true or false" in done.stderr
    assert "line 3: snoozed_until 'next tuesday' is not an ISO 8601 time" in done.stderr
    assert len(listed(fake)) == 2  # all or nothing


# --- 2. watch: Ctrl-C is exit 130, quietly ------------------------------------------------


def interrupt_sleep(monkeypatch) -> None:
    """time.sleep in the main thread is Ctrl-C (the fake's threads sleep as usual)."""
    real = time.sleep

    def sleep(seconds: float) -> None:
        if threading.current_thread() is threading.main_thread():
            raise KeyboardInterrupt
        real(seconds)

    monkeypatch.setattr(time, "sleep", sleep)


def test_watch_ctrl_c_exits_130_without_a_traceback(fake, monkeypatch):
    ok(fake.run_mobius("alerts", "add", "eth", "--below", "100"))
    interrupt_sleep(monkeypatch)
    done = fake.run_mobius("alerts", "watch", "--every", "5")
    assert done.returncode == 130
    assert "Alerts at " in done.stdout and "ETH" in done.stdout  # the first frame
    assert "Traceback" not in done.stderr and "KeyboardInterrupt" not in done.stderr
    assert done.stderr.startswith("\n")  # the ^C is left on a line of its own
    assert done.stderr.endswith("\n") and len(done.stderr.strip().splitlines()) <= 1


def test_watch_on_a_terminal_ends_the_live_view_and_returns_130(fake, monkeypatch):
    from rich.console import Console

    from mobius_cli.commands.alerts import watch_alerts
    from mobius_cli.context import AppContext

    ok(fake.run_mobius("alerts", "add", "eth", "--below", "100"))
    screen = io.StringIO()
    app = AppContext()
    app.__dict__["out"] = Console(file=screen, force_terminal=True, width=100,
                                  color_system=None)
    interrupt_sleep(monkeypatch)
    try:
        assert watch_alerts(app, every=5) == 130
    finally:
        app.close()
    shown = screen.getvalue().replace("\x1b[?25h", "")  # the cursor shown again
    assert "ETH" in shown and shown.endswith("\n")  # the prompt starts on a line of its own


# --- 3. export --json and -o FILE ---------------------------------------------------------


def test_export_json_flag_is_the_json_format(fake):
    add_three(fake)
    as_json = ok(fake.run_mobius("alerts", "export", "--format", "json"))
    assert ok(fake.run_mobius("alerts", "export", "--json")) == as_json
    assert ok(fake.run_mobius("--json", "alerts", "export")) == as_json
    assert len(json.loads(as_json)) == 3
    done = fake.run_mobius("alerts", "export", "--json", "--format", "csv")
    assert done.returncode == 2 and "disagree" in done.stderr


def test_export_output_file_is_written_atomically_and_private(fake, tmp_path):
    add_three(fake)
    target = tmp_path / "out" / "alerts.csv"
    target.parent.mkdir()
    target.write_text("old contents\n")
    os.chmod(target, 0o644)
    done = fake.run_mobius("alerts", "export", "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert target.read_text() == ok(fake.run_mobius("alerts", "export"))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["alerts.csv"]  # no temp file
    done = fake.run_mobius("alerts", "export", "--json", "--output", str(target))
    assert done.returncode == 0 and len(json.loads(target.read_text())) == 3
    done = fake.run_mobius("alerts", "export", "-o", str(tmp_path))  # a folder
    assert done.returncode == 2 and "folder" in done.stderr


# --- 4. cron: the source URLs ride along (never a credential); even intervals only --------


def test_cron_line_carries_source_urls_but_never_a_credential(fake, tmp_path):
    env = {
        "MOBIUS_HOME": str(tmp_path / "home"),
        "MOBIUS_COINGECKO_URL": "https://cg.example/api/v3",
        "MOBIUS_RPC_URL_LINEA": "https://linea.example/rpc?chain=linea&x=it's",
        "MOBIUS_RPC_URL": "https://alice:hunter2@node.example/",
        "MOBIUS_RPC_URL_BASE": "https://base.example/v2/Ab12Cd34Ef56Gh78Ij90Kl12",
        "MOBIUS_DEFILLAMA_URL": "https://llama.example/?apikey=s3cr3t",
        "MOBIUS_CHANNEL_HOOK_URL": "https://hooks.example/T0/B0/tok3n",  # a channel's target
        "MOBIUS_FNG_URL": "", "MOBIUS_YIELDS_URL": "", "MOBIUS_LLAMA_COINS_URL": "",
        "MOBIUS_RPC_URL_ARBITRUM": "", "MOBIUS_RPC_URL_OPTIMISM": "",
        "MOBIUS_RPC_URL_POLYGON": "", "MOBIUS_RPC_URL_BSC": "", "MOBIUS_RPC_URL_AVALANCHE": "",
    }
    done = fake.run_mobius("alerts", "cron", env=env)
    assert done.returncode == 0, done.stderr
    line = done.stdout.strip()
    assert line.startswith("*/5 * * * * MOBIUS_HOME=")
    assert " MOBIUS_COINGECKO_URL=https://cg.example/api/v3 " in line
    assert " MOBIUS_RPC_URL_LINEA='https://linea.example/rpc?chain=linea&x=it'\"'\"'s' " in line
    for secret in ("hunter2", "alice", "Ab12Cd34", "s3cr3t", "tok3n", "hooks.example"):
        assert secret not in done.stdout + done.stderr
    for name in ("MOBIUS_RPC_URL=", "MOBIUS_RPC_URL_BASE", "MOBIUS_DEFILLAMA_URL",
                 "MOBIUS_CHANNEL_HOOK_URL", "MOBIUS_FNG_URL"):
        assert name not in line
    note = next(x for x in done.stderr.splitlines() if "left out" in x)
    assert "MOBIUS_RPC_URL," in note and "MOBIUS_RPC_URL_BASE" in note
    assert "MOBIUS_DEFILLAMA_URL" in note and "CHANNEL" not in note
    import shlex

    words = shlex.split(line.split(" ", 5)[5])  # the shell reads back the same values
    assert "MOBIUS_RPC_URL_LINEA=https://linea.example/rpc?chain=linea&x=it's" in words


@pytest.mark.parametrize(("every", "schedule"), [
    (1, "* * * * *"), (2, "*/2 * * * *"), (6, "*/6 * * * *"), (15, "*/15 * * * *"),
    (30, "*/30 * * * *"), (60, "0 * * * *"), (120, "0 */2 * * *"), (180, "0 */3 * * *"),
    (480, "0 */8 * * *"), (720, "0 */12 * * *"), (1440, "0 0 * * *"),
])
def test_cron_every_gives_even_intervals(fake, every, schedule):
    done = fake.run_mobius("alerts", "cron", "--every", str(every), "--json")
    assert done.returncode == 0, done.stderr
    line = json.loads(done.stdout)["line"]
    assert line.startswith(schedule + " ") and line[len(schedule) + 1] != "*"


@pytest.mark.parametrize(("every", "nearest"), [
    (7, "6 or 10"), (45, "30 or 60"), (59, "30 or 60"), (90, "60 or 120"),
    (300, "240 or 360"), (1000, "720 or 1440"), (0, "1"), (2000, "1440"),
])
def test_cron_every_refuses_uneven_intervals(fake, every, nearest):
    done = fake.run_mobius("alerts", "cron", "--every", str(every))
    assert done.returncode == 2 and done.stdout == ""
    assert f"the nearest that do: {nearest} (" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


# --- 5. a repeating alert in its cooldown ---------------------------------------------------


def test_a_repeating_alert_in_its_cooldown_shows_when_it_re_arms(fake):
    ok(fake.run_mobius("alerts", "add", "eth", "--below", "1e6", "--repeat", "--cooldown",
                       "2h"))
    ok(fake.run_mobius("alerts", "add", "btc", "--below", "1e7"))  # one-shot: stays fired
    assert fake.run_mobius("alerts", "check").returncode == 3
    fired = {f["id"]: f["fired_at"] for f in json.loads(ok(fake.run_mobius(
        "alerts", "history", "--json")))}
    rearm = datetime.fromisoformat(fired[1].replace("Z", "+00:00")) + timedelta(hours=2)
    table = ok(fake.run_mobius("alerts", "list"))
    lines = table.splitlines()
    eth = next(i for i, x in enumerate(lines) if x.lstrip().startswith("1 "))
    assert "cooldown until" in lines[eth] and "fired" not in lines[eth]
    assert rearm.strftime("%m-%d %H:%M") in lines[eth + 1]  # the year when it is not this one
    btc = next(x for x in lines if x.lstrip().startswith("2 "))
    assert "fired" in btc and "cooldown" not in btc
    # JSON keeps the documented statuses (docs/json.md): a cooling alert is `fired`
    assert [a["status"] for a in listed(fake)] == ["fired", "fired"]


# --- 6. a target too large to be a float ------------------------------------------------


@pytest.mark.parametrize(("flag", "what"), [
    ("--below", "price"), ("--above", "price"), ("--cross", "price"),
    ("--change", "percentage"), ("--up", "percentage"), ("--down", "percentage"),
])
def test_an_infinite_target_is_too_large(fake, flag, what):
    done = fake.run_mobius("alerts", "add", "eth", flag, "1e400")
    assert done.returncode == 2
    assert f"the target {what} 1e400 is too large" in done.stderr and "inf" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert listed(fake) == []


# --- 7. 80 columns: the alert shown, figures whole, the alert text on one line -------------


def add_wide(fake) -> None:
    eth = fake.markets["ethereum"]["current_price"]
    for args in (("eth", "--below", "2500"), ("btc", "--cross", "100k", "--repeat"),
                 ("sol", "--cross", "500", "--repeat", "--note", "a long note " * 5),
                 ("eth", "--above", f"{eth * 0.5:.2f}")):
        ok(fake.run_mobius("alerts", "add", *args))
    assert fake.run_mobius("alerts", "check").returncode == 3  # #1 and #4 fire
    ok(fake.run_mobius("alerts", "snooze", "2", "--for", "1d"))


ALERT_TEXTS = ("below $2,500.00", "cross ↑ $100,000.00 ↻ 1h", "cross ↑ $500.00 ↻ 1h")


def check_80(out: str, fake) -> None:
    lines = out.splitlines()
    assert max(len(x) for x in lines) <= 80
    header = next(x for x in lines if "Symbol" in x)
    assert "Alert" in header and "Status" in header
    for text in ALERT_TEXTS:  # each alert's text whole, on one line
        assert text in out, text
    price = f"${fake.markets['ethereum']['current_price']:,.2f}"
    assert price in out and "…" not in out


def test_watch_at_80_columns_shows_the_alert_and_whole_figures(fake, monkeypatch):
    add_wide(fake)
    interrupt_sleep(monkeypatch)
    done = fake.run_mobius("alerts", "watch", env={"COLUMNS": "80"})
    check_80(done.stdout, fake)


def test_list_at_80_columns_keeps_a_snoozed_table_on_one_line_per_alert(fake):
    add_wide(fake)
    done = fake.run_mobius("alerts", "list", env={"COLUMNS": "80"})
    check_80(ok(done), fake)
    assert "snoozed until" in done.stdout
    wide = ok(fake.run_mobius("alerts", "list", env={"COLUMNS": "160"}))
    assert "Last fired" in wide and "To go" in wide and "a long note" in wide


def test_check_target_names_infinity_too_large_and_nan_not_a_number():
    from mobius_cli.core import alerts as core
    from mobius_cli.errors import UsageError

    with pytest.raises(UsageError, match=r"^the target price is too large$"):
        core.check_target("above", float("inf"))
    with pytest.raises(UsageError, match=r"^the target percentage is too large$"):
        core.check_target("change_up", float("inf"))
    with pytest.raises(UsageError, match="must be a number"):
        core.check_target("above", float("nan"))
    with pytest.raises(UsageError, match="must be above 0"):
        core.parse_target("-1e400", "below")
    assert core.parse_target("1e15", "below") == 1e15


@pytest.mark.parametrize(("url", "secret"), [
    ("https://api.coingecko.com/api/v3", False),
    ("http://127.0.0.1:8545", False),
    ("https://rpc.example/ethereum-mainnet", False),
    ("https://mainnet.infura.io/v3/9aa3d95b3bc440fa88ea12eaa4456161", True),
    ("https://user@node.example/", True),
    ("https://user:pw@node.example/", True),
    ("https://node.example/?api_key=x", True),
    ("https://node.example/?token=x", True),
    ("https://node.example/?chain=1", False),
])
def test_url_has_secret(url, secret):
    from mobius_cli.core.alerts import url_has_secret

    assert bool(url_has_secret(url)) is secret
