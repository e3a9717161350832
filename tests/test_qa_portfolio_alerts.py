"""QA regressions for `mobius portfolio` and `mobius alerts`: each test is a defect a new
user met, run in-process against the loopback fake."""

from __future__ import annotations

import json
import time

import pytest

from tests.fakes import iso_ms


def history(fake) -> list[dict]:
    done = fake.run_mobius("portfolio", "history", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# --- a comma that is not a thousands separator is refused, not read as one ----------------


@pytest.mark.parametrize("args", [
    ("btc", "1,5", "--price", "100"),
    ("btc", "0.5", "--price", "60,5"),
    ("btc", "1,50", "--price", "100"),
    ("btc", "0.5", "--price", "100", "--fee", "1,5"),
])
def test_portfolio_add_refuses_a_decimal_comma(fake, args):
    done = fake.run_mobius("portfolio", "add", *args)
    assert done.returncode == 2
    assert "not a number" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert history(fake) == []


def test_portfolio_add_keeps_thousands_separators(fake):
    done = fake.run_mobius("portfolio", "add", "btc", "1,000", "--price", "60,000.50")
    assert done.returncode == 0, done.stderr
    [row] = history(fake)
    assert (row["amount"], row["price"]) == (1000, 60000.5)


def test_alert_target_with_a_decimal_comma_is_refused(fake):
    done = fake.run_mobius("alerts", "add", "eth", "--below", "2,5")
    assert done.returncode == 2 and "not a number" in done.stderr
    assert json.loads(fake.run_mobius("alerts", "list", "--json").stdout) == []
    ok = fake.run_mobius("alerts", "add", "eth", "--below", "2,500", "--json")
    assert ok.returncode == 0, ok.stderr
    [alert] = json.loads(fake.run_mobius("alerts", "list", "--json").stdout)
    assert alert["target"] == 2500


def test_import_row_with_a_decimal_comma_is_refused(fake, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("time,kind,symbol,coin_id,amount,price,currency\n"
                    "2025-01-02,buy,BTC,bitcoin,0.5,60000,usd\n"
                    '2025-01-03,buy,BTC,bitcoin,"1,5",60000,usd\n')
    done = fake.run_mobius("portfolio", "import", str(path))
    assert done.returncode == 2 and "line 3" in done.stderr
    assert history(fake) == []


# --- a long note gives way in tables; ids, dates and figures are never cut -----------------


LONG_NOTE = "bought on the dip after reading the news " * 4


@pytest.mark.parametrize("width", ["80", "120"])
def test_history_table_with_a_long_note_keeps_every_figure(fake, width):
    assert fake.run_mobius("portfolio", "add", "btc", "0.5", "--price", "60000",
                           "--note", LONG_NOTE).returncode == 0
    assert fake.run_mobius("portfolio", "add", "eth", "2", "--price", "3000",
                           "--note", "[bold]x[/x]").returncode == 0
    done = fake.run_mobius("portfolio", "history", env={"COLUMNS": width})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = next(line for line in lines if "Date" in line)
    for name in ("Id", "Date", "Kind", "Coin", "Amount", "Price", "Fee"):
        assert name in header
    btc = next(line for line in lines if "BTC" in line)
    assert "60,000.00 USD" in btc and "0.5" in btc
    if width == "120":  # the note is shown (one line, cut with …); at 80 it gives way
        assert "Note" in header and "bought" in btc and "[bold]x[/x]" in done.stdout
    assert all("…" not in line.split("USD")[0] for line in lines)  # only a note is cut
    assert len(lines) == 6  # blank, header, rule, two rows (one line each), blank
    assert max(len(line) for line in lines) <= int(width)


def test_alerts_list_fits_80_columns(fake):
    assert fake.run_mobius("alerts", "add", "btc", "--above", "100k", "--note",
                           LONG_NOTE).returncode == 0
    assert fake.run_mobius("alerts", "add", "sol", "--cross", "170", "--repeat").returncode == 0
    assert fake.run_mobius("alerts", "add", "eth", "--below", "100000").returncode == 0
    assert fake.run_mobius("alerts", "check").returncode == 3
    assert fake.run_mobius("alerts", "snooze", "1", "--for", "1d").returncode == 0
    for width in (80, 120):
        done = fake.run_mobius("alerts", "list", env={"COLUMNS": str(width)})
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert max(len(line) for line in lines) <= width
        assert "…" not in done.stdout.replace(LONG_NOTE[:10], "")  # only a note is cut
        assert "$100,000.00" in done.stdout and "$100,000.00" in done.stdout
        assert "snoozed until" in done.stdout and "fired" in done.stdout
    wide = fake.run_mobius("alerts", "list", env={"COLUMNS": "160"}).stdout
    assert "bought on the dip" in wide and "Last fired" in wide


# --- a fall of 100% or more can never happen: refused, not stored as an alert that never fires --


@pytest.mark.parametrize("pct", ["100", "150"])
def test_alert_down_by_100_pct_or_more_is_refused(fake, pct):
    done = fake.run_mobius("alerts", "add", "eth", "--down", pct)
    assert done.returncode == 2 and "cannot fall" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert json.loads(fake.run_mobius("alerts", "list", "--json").stdout) == []
    assert fake.run_mobius("alerts", "add", "eth", "--up", pct).returncode == 0
    assert fake.run_mobius("alerts", "add", "eth", "--down", "99").returncode == 0


# --- alerts cron: a '%' in a path is escaped (cron turns a bare '%' into a newline) ---------


def test_cron_line_escapes_percent_signs(fake, tmp_path):
    home = tmp_path / "50% off"
    done = fake.run_mobius("alerts", "cron", "--json", env={"MOBIUS_HOME": str(home)})
    assert done.returncode == 0, done.stderr
    line = json.loads(done.stdout)["line"]
    assert "50\\% off" in line and "%" not in line.replace("\\%", "")
    assert line.startswith("*/5 * * * * MOBIUS_HOME=") and line.endswith("alerts check --quiet")


# --- export → import round-trips a note that spans lines (CSV and Koinly) -------------------


@pytest.mark.parametrize("fmt", ["csv", "koinly"])
def test_export_import_keeps_a_multiline_note(fake, tmp_path, fmt):
    note = 'first line, "quoted"\nsecond line'
    assert fake.run_mobius("portfolio", "add", "btc", "0.5", "--price", "60000", "--date",
                           "2025-01-02", "--note", note).returncode == 0
    assert fake.run_mobius("portfolio", "add", "eth", "1", "--price", "3000", "--date",
                           "2025-01-03").returncode == 0
    path = tmp_path / "out.csv"
    assert fake.run_mobius("portfolio", "export", "--format", fmt, "-o",
                           str(path)).returncode == 0
    assert fake.run_mobius("portfolio", "create", "copy").returncode == 0
    done = fake.run_mobius("portfolio", "import", str(path), "-p", "copy")
    assert done.returncode == 0, done.stderr
    rows = json.loads(fake.run_mobius("portfolio", "history", "-p", "copy", "--json").stdout)
    assert [r["note"] for r in rows] == [note, ""]
    again = fake.run_mobius("portfolio", "import", str(path), "-p", "copy")
    assert again.returncode == 0 and "2 already there" in again.stdout


def test_import_errors_end_with_the_last_bad_row_not_the_advice(fake, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("time,kind,symbol,coin_id,amount,price,currency\n"
                    "2025-01-02,buy,BTC,bitcoin,-1,60000,usd\n"
                    "2025-01-03,buy,BTC,bitcoin,1,60000,\n")
    done = fake.run_mobius("portfolio", "import", str(path))
    assert done.returncode == 2
    first, *rows = done.stderr.strip().splitlines()
    assert "2 bad rows, nothing imported" in first and "--dry-run" in first
    assert rows == ["  line 2: amount '-1' is negative", "  line 3: currency is missing"]
    assert history(fake) == []


# --- an imported row naming a coin id CoinGecko does not list is a bad row ------------------


def test_import_refuses_an_unknown_coin_id(fake, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("time,kind,symbol,coin_id,amount,price,currency\n"
                    "2025-01-02,buy,BTC,bitcoin,0.5,60000,usd\n"
                    "2025-01-03,buy,ZZZ,zzz-not-a-coin,1,1,usd\n")
    done = fake.run_mobius("portfolio", "import", str(path))
    assert done.returncode == 2
    assert "line 3: unknown coin id 'zzz-not-a-coin'" in done.stderr
    assert history(fake) == []
    path.write_text("time,kind,symbol,coin_id,amount,price,currency\n"
                    "2025-01-02,buy,BTC,bitcoin,0.5,60000,usd\n")
    assert fake.run_mobius("portfolio", "import", str(path)).returncode == 0
    assert fake.run_mobius("portfolio", "show").returncode == 0


# --- importing the same alerts twice does not double them (each would fire twice) -----------


def test_alerts_import_twice_adds_nothing_the_second_time(fake, tmp_path):
    assert fake.run_mobius("alerts", "add", "eth", "--below", "2500").returncode == 0
    assert fake.run_mobius("alerts", "add", "btc", "--cross", "90000", "--repeat",
                           "--cooldown", "2h", "--note", "n").returncode == 0
    path = tmp_path / "alerts.csv"
    path.write_text(fake.run_mobius("alerts", "export").stdout + "sol,above,500,usd,,,,,\n")
    done = fake.run_mobius("alerts", "import", str(path))
    assert done.returncode == 0, done.stderr
    assert "Imported 1 alert (#3)." in done.stdout and "2 alerts already there" in done.stderr
    again = fake.run_mobius("alerts", "import", str(path))
    assert again.returncode == 0 and "nothing imported" in again.stdout
    alerts = json.loads(fake.run_mobius("alerts", "list", "--json").stdout)
    assert sorted(a["symbol"] for a in alerts) == ["BTC", "ETH", "SOL"]
    # a different target is a different alert
    path.write_text("symbol,condition,target,currency\neth,below,2400,usd\n")
    assert "Imported 1 alert " in fake.run_mobius("alerts", "import", str(path)).stdout


# --- an imported alert in a currency CoinGecko does not quote is refused -------------------
# (it would have made every later `alerts check` exit 1)


def test_alerts_import_refuses_an_unknown_currency(fake, tmp_path):
    path = tmp_path / "alerts.csv"
    path.write_text("symbol,condition,target,currency\neth,below,2500,usd\neth,below,2500,xyz\n")
    done = fake.run_mobius("alerts", "import", str(path))
    assert done.returncode == 2 and "line 3" in done.stderr and "'xyz'" in done.stderr
    assert json.loads(fake.run_mobius("alerts", "list", "--json").stdout) == []
    path.write_text("symbol,condition,target,currency\neth,below,2500,EUR\n")
    assert fake.run_mobius("alerts", "import", str(path)).returncode == 0
    assert fake.run_mobius("alerts", "check").returncode in (0, 3)


# --- "delete that alert" with nothing to refer to asks which; it never removes every alert ---


def test_ask_delete_that_alert_without_a_referent_removes_nothing(fake):
    for args in (("eth", "--below", "2500"), ("btc", "--above", "100k")):
        assert fake.run_mobius("alerts", "add", *args).returncode == 0
    done = fake.run_mobius("ask", "--yes", "delete that alert")
    assert done.returncode == 2 and "alert id" in (done.stdout + done.stderr)
    assert len(json.loads(fake.run_mobius("alerts", "list", "--json").stdout)) == 2
    done = fake.run_mobius("ask", "--yes", "delete all my alerts")
    assert done.returncode == 0
    assert json.loads(fake.run_mobius("alerts", "list", "--json").stdout) == []


def test_repl_delete_that_alert_removes_the_one_just_made(fake):
    from tests.test_ask_repl import repl_session

    assert fake.run_mobius("alerts", "add", "btc", "--above", "100k").returncode == 0
    _out, err = repl_session("delete that alert\nping me if sol drops below 100\ny\n"
                             "delete that alert\ny\n\x04")
    commands = [line for line in err.splitlines() if line.startswith("→")]
    assert commands == ["→ mobius alerts add SOL --below 100",
                        "→ mobius alerts remove 2"]  # the alert just made, by its id
    [left] = json.loads(fake.run_mobius("alerts", "list", "--json").stdout)
    assert left["symbol"] == "BTC"


def test_repl_delete_it_removes_only_the_alert_just_made_not_its_coins_others(fake):
    from tests.test_ask_repl import repl_session

    for target in ("100k", "120k"):
        assert fake.run_mobius("alerts", "add", "btc", "--above", target).returncode == 0
    _out, err = repl_session("alert me when btc goes above 150k\ny\ndelete it\ny\n\x04")
    commands = [line for line in err.splitlines() if line.startswith("→")]
    assert commands == ["→ mobius alerts add BTC --above 150000", "→ mobius alerts remove 3"]
    left = json.loads(fake.run_mobius("alerts", "list", "--json").stdout)
    assert [(a["id"], a["target"]) for a in left] == [(1, 100000), (2, 120000)]
    # naming the coin still means every alert on it
    _out, err = repl_session("delete my btc alerts\ny\n\x04")
    assert [line for line in err.splitlines() if line.startswith("→")] == [
        "→ mobius alerts remove --symbol BTC"]
    assert json.loads(fake.run_mobius("alerts", "list", "--json").stdout) == []


# --- a portfolio in a currency CoinGecko does not quote is refused at creation --------------


@pytest.mark.parametrize("code", ["xyz", "usdt"])
def test_portfolio_create_refuses_an_unquoted_currency(fake, code):
    done = fake.run_mobius("portfolio", "create", "odd", "--currency", code)
    assert done.returncode == 2 and "unsupported currency" in done.stderr
    names = [p["name"] for p in json.loads(fake.run_mobius("portfolio", "list",
                                                           "--json").stdout)]
    assert "odd" not in names
    ok = fake.run_mobius("portfolio", "create", "savings", "--currency", "EUR", "--json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["currency"] == "eur"


# --- an 18-decimal balance (a wallet export) does not push figures off 80 columns -----------


def test_history_at_80_columns_keeps_ids_dates_and_prices(fake):
    fake.run_mobius("portfolio", "add", "btc", "0.123456789012345678", "--price",
                    "60000.123", "--fee", "1.23", "--date", "2025-01-02", "--note", "a\nb")
    fake.run_mobius("portfolio", "add", "sol", "5", "--transfer", "--price", "100",
                    "--date", "2025-03-01")
    fake.run_mobius("portfolio", "remove", "sol", "1", "--transfer", "--date", "2025-04-01")
    done = fake.run_mobius("portfolio", "history", env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    assert "…" not in done.stdout
    assert "transfer out" in done.stdout and "0.12345679" in done.stdout
    assert "60,000.12 USD" in done.stdout and "2025-01-02 00:00" in done.stdout
    wide = fake.run_mobius("portfolio", "history", env={"COLUMNS": "120"}).stdout
    assert "1.23 USD" in wide and "a b" in wide  # a note's line break shown as a space


def test_show_rounds_a_long_amount_for_the_table_only(fake):
    assert fake.run_mobius("portfolio", "add", "eth", "0.123456789012345678",
                           "--price", "3000").returncode == 0
    assert fake.run_mobius("portfolio", "add", "btc", "1", "--price", "60000").returncode == 0
    done = fake.run_mobius("portfolio", "show", env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    assert "0.12345679" in done.stdout and "0.123456789012" not in done.stdout
    header = next(line for line in done.stdout.splitlines() if "Coin" in line)
    assert "P&L %" in header and "Amount" in header
    data = json.loads(fake.run_mobius("portfolio", "show", "--json").stdout)
    eth = next(h for h in data["holdings"] if h["symbol"] == "ETH")
    assert eth["amount"] == pytest.approx(0.123456789012345678, rel=1e-15)


# --- alerts watch: a firing stays on screen after the next refresh -------------------------


def test_watch_keeps_firings_on_screen(fake, capsys, monkeypatch):
    import time as _time

    from mobius_cli.commands.alerts import watch_alerts
    from mobius_cli.context import AppContext

    assert fake.run_mobius("alerts", "add", "eth", "--below", "100000").returncode == 0
    assert fake.run_mobius("alerts", "add", "btc", "--above", "1e9").returncode == 0
    monkeypatch.setattr(_time, "sleep", lambda seconds: None)
    app = AppContext()
    try:
        assert watch_alerts(app, every=5, rounds=3) == 0
    finally:
        app.close()
    frames = capsys.readouterr().out.split("Alerts at ")[1:]
    assert len(frames) == 3
    for frame in frames:
        assert "Fired while watching:" in frame and "#1 ETH below" in frame
    assert "1 fired" in frames[0] and "nothing fired" in frames[2]


# --- portfolio history: a bad --since/--until names that option; a reversed range is refused --


def test_history_date_errors_name_their_option(fake):
    done = fake.run_mobius("portfolio", "history", "--since", "2025-13-01")
    assert done.returncode == 2 and "--since '2025-13-01' is not a date" in done.stderr
    done = fake.run_mobius("portfolio", "history", "--until", "soon")
    assert done.returncode == 2 and "--until 'soon'" in done.stderr
    done = fake.run_mobius("portfolio", "history", "--since", "2025-06-01", "--until",
                           "2025-01-01")
    assert done.returncode == 2 and "after --until" in done.stderr
    assert fake.run_mobius("portfolio", "history", "--since", "2025-03-01", "--until",
                           "2025-03-01").returncode == 0


# --- an alert on a portfolio's value follows a rename and goes with a delete ----------------
# (left behind, it made every later `alerts check` exit 1)


def test_portfolio_alerts_follow_rename_and_go_with_delete(fake):
    assert fake.run_mobius("portfolio", "add", "btc", "1", "--price", "100").returncode == 0
    assert fake.run_mobius("alerts", "add", "--portfolio", "main", "--above", "1m").returncode == 0
    assert fake.run_mobius("alerts", "add", "eth", "--below", "1").returncode == 0
    assert fake.run_mobius("portfolio", "rename", "main", "long term").returncode == 0
    symbols = [a["symbol"] for a in json.loads(fake.run_mobius("alerts", "list",
                                                               "--json").stdout)]
    assert symbols == ["portfolio:long term", "ETH"]
    assert fake.run_mobius("alerts", "check").returncode == 0
    done = fake.run_mobius("portfolio", "delete", "long term", "--yes")
    assert done.returncode == 0 and "1 transaction and 1 alert on its value" in done.stdout
    [left] = json.loads(fake.run_mobius("alerts", "list", "--json").stdout)
    assert left["symbol"] == "ETH"
    assert fake.run_mobius("alerts", "check").returncode == 0


def test_removing_a_built_in_channel_says_it_is_built_in(fake):
    done = fake.run_mobius("alerts", "channels", "remove", "terminal")
    assert done.returncode == 2 and "built-in channel" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    done = fake.run_mobius("alerts", "channels", "remove", "nosuch")
    assert done.returncode == 2 and "no channel named 'nosuch'" in done.stderr


# --- alerts check on stale prices says how many alerts could not be checked ----------------


def test_check_summary_counts_alerts_it_could_not_check(fake):
    assert fake.run_mobius("alerts", "add", "eth", "--below", "1000000").returncode == 0
    assert fake.run_mobius("alerts", "add", "btc", "--above", "1e9").returncode == 0
    stamp = iso_ms(time.time() - 3600)  # CoinGecko last priced them an hour ago
    for row in fake.markets.values():
        row["last_updated"] = stamp
    assert fake.run_mobius("cache", "clear").returncode == 0
    done = fake.run_mobius("alerts", "check")
    assert done.returncode == 1
    assert done.stdout.strip() == "Checked 0 alerts: nothing fired; 2 could not be checked."
    assert done.stderr.count("stale") == 2
    assert done.stderr.count("the price is 60m old (more than 5m)") == 2  # not '3600s'


# --- portfolio add/sell: a ticker and an --id naming different coins are refused ------------
# (the --id was silently ignored: 'add eth 1 --id bitcoin' recorded ETH)


def test_portfolio_add_refuses_a_ticker_and_id_that_disagree(fake):
    done = fake.run_mobius("portfolio", "add", "eth", "1", "--id", "bitcoin", "--price", "5")
    assert done.returncode == 2 and "--id bitcoin is Bitcoin's id (ticker BTC), not ETH's" \
        in done.stderr
    assert history(fake) == []
    ok = fake.run_mobius("portfolio", "add", "btc", "1", "--id", "bitcoin", "--price", "5")
    assert ok.returncode == 0, ok.stderr
    [row] = history(fake)
    assert row["coin_id"] == "bitcoin"
    done = fake.run_mobius("portfolio", "sell", "eth", "1", "--id", "bitcoin", "--price", "5")
    assert done.returncode == 2 and len(history(fake)) == 1


# --- a Koinly export imported back into its portfolio adds nothing (a transfer out too) ----


def test_koinly_export_reimported_adds_no_duplicate_transfer_out(fake, tmp_path):
    assert fake.run_mobius("portfolio", "add", "sol", "5", "--transfer", "--price", "100",
                           "--date", "2025-03-01").returncode == 0
    assert fake.run_mobius("portfolio", "remove", "sol", "1", "--transfer",
                           "--date", "2025-04-01").returncode == 0
    path = tmp_path / "k.csv"
    assert fake.run_mobius("portfolio", "export", "--format", "koinly", "-o",
                           str(path)).returncode == 0
    done = fake.run_mobius("portfolio", "import", str(path))
    assert done.returncode == 0, done.stderr
    assert "imported 0 transactions" in done.stdout and "2 already there" in done.stdout
    assert len(history(fake)) == 2


def test_alerts_add_and_list_agree_on_the_channels(fake_apis):
    import json

    added = json.loads(fake_apis.run_mobius("alerts", "add", "eth", "--below", "2000",
                                            "--json").stdout)
    [listed] = json.loads(fake_apis.run_mobius("alerts", "list", "--json").stdout)
    assert added["notify"] == listed["notify"] == ["terminal"]


def test_a_transfer_fee_in_the_coin_is_a_loss_at_the_market_price(fake):
    # 0.01 ETH fee on a transfer out, valued at the fake's ETH price ($2,071.43): -$20.7143
    assert fake.run_mobius("portfolio", "add", "eth", "2", "--price", "2000").returncode == 0
    sent = fake.run_mobius("portfolio", "remove", "eth", "1", "--transfer", "--fee", "0.01",
                           "--fee-currency", "eth", "--json")
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout)["realized_pnl"] == pytest.approx(-0.01 * 2071.43)
