"""QA pass 3 regressions for `mobius portfolio`: each test is a defect a new user met, run
in-process against the loopback fake (tests/fakes.py)."""

from __future__ import annotations

import csv
import io
import json

MOBIUS_HEADER = "time,kind,symbol,coin_id,amount,price,currency\n"
COINBASE_HEADER = ("Timestamp,Transaction Type,Asset,Quantity Transacted,Spot Price Currency,"
                   "Spot Price at Transaction,Subtotal,Total (inclusive of fees and/or spread),"
                   "Fees and/or Spread,Notes\n")



def history(fake, portfolio: str = "main") -> list[dict]:
    done = fake.run_mobius("portfolio", "history", "--json", "-p", portfolio)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def refused(done, *words: str) -> str:
    """A usage error: exit 2, nothing on stdout, the words on stderr, no traceback."""
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert "Traceback" not in done.stderr and "Errno" not in done.stderr
    for word in words:
        assert word in done.stderr, done.stderr
    return done.stderr


def one_line(done, *words: str) -> str:
    err = refused(done, *words)
    assert len(err.strip().splitlines()) == 1, err
    return err


# --- 1. every bad row of a file is reported at once, across every stage ---------------------


def test_mobius_import_reports_every_bad_row_at_once(fake, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text(MOBIUS_HEADER +
                    "2025-01-02,buy,ETH,ethereum,3,2000,usd\n"      # 2: fine
                    "2025-01-03,buy,ZZZ,notacoinzz,1,1,usd\n"       # 3: unknown coin id
                    "2025-01-04,buy,ETH,ethereum,-2,2000,usd\n"     # 4: negative amount
                    "2025-01-05,fly,ETH,ethereum,1,2000,usd\n"      # 5: unknown kind
                    "2099-01-05,buy,ETH,ethereum,1,2000,usd\n"      # 6: in the future
                    "2025-01-06,sell,ETH,ethereum,5,2000,usd\n")    # 7: sells more than held
    err = refused(fake.run_mobius("portfolio", "import", str(path)),
                  "5 bad rows, nothing imported")
    reported = {int(line.split(":")[0].split()[-1]): line for line in err.splitlines()[1:]}
    assert sorted(reported) == [3, 4, 5, 6, 7]
    assert "unknown coin id 'notacoinzz'" in reported[3]
    assert "amount '-2' is negative" in reported[4]
    assert "kind 'fly'" in reported[5]
    assert "date '2099-01-05' is in the future" in reported[6]
    assert "out of range" not in err
    # the sale is judged on the rows that could be read, and says so
    assert "cannot sell 5 ETH: only 3 held on 2025-01-06" in reported[7]
    assert "counting only the rows without errors" in reported[7]
    assert history(fake) == []


def test_a_lone_oversell_is_not_told_about_other_errors(fake, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text(MOBIUS_HEADER +
                    "2025-01-02,buy,ETH,ethereum,3,2000,usd\n"
                    "2025-01-06,sell,ETH,ethereum,5,2000,usd\n"
                    "2025-01-07,sell,ETH,ethereum,4,2000,usd\n")
    err = refused(fake.run_mobius("portfolio", "import", str(path)), "2 bad rows")
    # both sales are refused: the second is judged without the first
    assert "line 3: cannot sell 5 ETH: only 3 held" in err
    assert "line 4: cannot sell 4 ETH: only 3 held" in err
    assert "counting only" not in err
    assert history(fake) == []


def test_an_import_that_starves_a_recorded_sale_names_its_line(fake, tmp_path):
    assert fake.run_mobius("portfolio", "add", "eth", "1", "--price", "2000",
                           "--date", "2025-01-01").returncode == 0
    assert fake.run_mobius("portfolio", "sell", "eth", "1", "--price", "2500",
                           "--date", "2025-03-01").returncode == 0
    path = tmp_path / "ledger.csv"
    path.write_text(MOBIUS_HEADER + "2025-02-01,sell,ETH,ethereum,0.5,2200,usd\n")
    err = refused(fake.run_mobius("portfolio", "import", str(path)), "1 bad row")
    assert "line 2: leaves too little ETH for sale #2" in err
    assert len(history(fake)) == 2


def test_coinbase_import_reports_unknown_type_and_unknown_coin_together(fake, tmp_path):
    path = tmp_path / "coinbase.csv"
    path.write_text(COINBASE_HEADER +
                    "2026-01-05T10:00:00Z,Buy,BTC,0.01,USD,45000,450,454.99,4.99,\n"
                    "2026-01-06T10:00:00Z,Teleport,BTC,0.01,USD,45000,450,450,0,\n"
                    "2026-01-07T10:00:00Z,Buy,NOTACOINZZ,5,USD,1,5,5,0,\n")
    err = refused(fake.run_mobius("portfolio", "import", str(path)), "2 bad rows")
    assert "line 3: unknown Transaction Type 'Teleport'" in err
    assert "line 4: unknown coin 'NOTACOINZZ'" in err
    assert history(fake) == []


# --- 2. a negative Coinbase quantity on a row that brings coins in is a bad row --------------


def test_coinbase_buy_with_a_negative_quantity_is_refused(fake, tmp_path):
    path = tmp_path / "coinbase.csv"
    path.write_text(COINBASE_HEADER +
                    "2026-01-05T10:00:00Z,Buy,ETH,-1,USD,2400,2400,2410,10,\n"
                    "2026-01-06T10:00:00Z,Receive,ETH,-0.5,USD,2400,,,,\n")
    err = refused(fake.run_mobius("portfolio", "import", str(path)), "2 bad rows")
    assert "line 2: Quantity Transacted '-1' is negative on a Buy row" in err
    assert "line 3: Quantity Transacted '-0.5' is negative on a Receive row" in err
    assert history(fake) == []


def test_coinbase_outflows_may_still_be_negative(fake, tmp_path):
    # the newer Coinbase layout writes a sale's quantity as negative (see test_portfolio_io)
    path = tmp_path / "coinbase.csv"
    path.write_text(COINBASE_HEADER +
                    "2026-01-05T10:00:00Z,Buy,ETH,1,USD,2400,2400,2410,10,\n"
                    "2026-01-06T10:00:00Z,Sell,ETH,-0.25,USD,2500,625,620,5,\n")
    done = fake.run_mobius("portfolio", "import", str(path))
    assert done.returncode == 0, done.stderr
    assert [(r["kind"], r["amount"]) for r in history(fake)] == [("buy", 1), ("sell", 0.25)]


# --- 5. files that cannot be read: one clear line, no Python internals -----------------------


def test_import_of_an_empty_path(fake):
    one_line(fake.run_mobius("portfolio", "import", ""), "no file named")


def test_import_of_a_directory(fake, tmp_path):
    one_line(fake.run_mobius("portfolio", "import", str(tmp_path)),
             f"{tmp_path} is a directory, not a file")


def test_import_of_a_missing_file(fake, tmp_path):
    one_line(fake.run_mobius("portfolio", "import", str(tmp_path / "nope.csv")),
             "nope.csv: no such file")


def test_import_of_a_binary_file(fake, tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\xff\xd8\xff\xe0 not text at all \xfe\xfe")
    err = one_line(fake.run_mobius("portfolio", "import", str(path)),
                   "photo.csv is not a UTF-8 text file")
    assert "codec" not in err and "0xff" not in err


def test_import_of_a_file_with_nul_bytes(fake, tmp_path):
    path = tmp_path / "blob.csv"
    path.write_bytes(MOBIUS_HEADER.encode() + b"\x00\x00\x00\x01")
    one_line(fake.run_mobius("portfolio", "import", str(path)),
             "blob.csv is not a UTF-8 text file")
    utf16 = tmp_path / "excel.csv"  # "Unicode text" from a spreadsheet
    utf16.write_text(MOBIUS_HEADER + "2025-01-02,buy,BTC,bitcoin,1,100,usd\n",
                     encoding="utf-16")
    one_line(fake.run_mobius("portfolio", "import", str(utf16)),
             "excel.csv is not a UTF-8 text file", "save or export it as UTF-8")


def test_import_names_the_missing_columns(fake, tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("id,time,kind,symbol,amount,price\n1,2025-01-02,buy,BTC,1,100\n")
    err = one_line(fake.run_mobius("portfolio", "import", str(path)),
                   "missing columns coin_id, currency", "docs/portfolio-csv.md")
    assert "None" not in err and "line 2" not in err
    assert history(fake) == []


def test_import_names_a_missing_koinly_column(fake, tmp_path):
    # detected as Koinly by Date/Sent Amount/Received Amount, but without the currencies
    path = tmp_path / "k.csv"
    path.write_text("Date,Sent Amount,Received Amount\n2025-01-02 10:00 UTC,100,1\n")
    one_line(fake.run_mobius("portfolio", "import", str(path)),
             "missing columns Sent Currency, Received Currency")


def test_mobius_header_in_capitals_reads(fake, tmp_path):
    path = tmp_path / "caps.csv"
    path.write_text("Time,Kind,Symbol,Coin_Id,Amount,Price,Currency\n"
                    "2025-01-02,buy,BTC,bitcoin,0.5,60000,usd\n")
    done = fake.run_mobius("portfolio", "import", "--format", "mobius", str(path))
    assert done.returncode == 0, done.stderr
    assert [r["coin_id"] for r in history(fake)] == ["bitcoin"]


def test_json_item_without_a_key_says_which(fake, tmp_path):
    path = tmp_path / "l.json"
    path.write_text(json.dumps({"transactions": [
        {"time": "2025-01-02T00:00:00Z", "kind": "buy", "symbol": "BTC", "amount": 1,
         "price": 100, "currency": "usd"}]}))
    refused(fake.run_mobius("portfolio", "import", str(path)), "line 1: coin_id is missing")


# --- 6. hints that say what is wrong ---------------------------------------------------------


def test_export_to_a_directory_says_so(fake, tmp_path):
    assert fake.run_mobius("portfolio", "add", "btc", "0.5", "--price", "60000").returncode == 0
    folder = tmp_path / "out"
    folder.mkdir()
    err = one_line(fake.run_mobius("portfolio", "export", "-o", str(folder)),
                   f"{folder} is a directory, not a file", "ledger.csv")
    assert "MOBIUS_HOME" not in err
    assert list(folder.iterdir()) == []


def test_export_into_a_missing_folder_says_so(fake, tmp_path):
    err = one_line(fake.run_mobius("portfolio", "export", "-o", str(tmp_path / "no" / "x.csv")),
                   "does not exist")
    assert "MOBIUS_HOME" not in err


def test_export_writes_a_private_file_whole(fake, tmp_path):
    assert fake.run_mobius("portfolio", "add", "btc", "0.5", "--price", "60000").returncode == 0
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "ledger.csv"
    out.write_text("old contents\n")
    done = fake.run_mobius("portfolio", "export", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_text().startswith("id,time,kind,symbol,coin_id")
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in out.parent.iterdir()] == ["ledger.csv"]  # no temporary file


def test_an_unknown_price_currency_is_called_a_currency(fake):
    err = one_line(fake.run_mobius("portfolio", "add", "eth", "1", "--price", "1",
                                   "--currency", "xyz"), "--currency", "currency 'xyz'")
    assert "coin" not in err
    err = one_line(fake.run_mobius("portfolio", "add", "eth", "1", "--price", "1",
                                   "--currency", "eurr"), "did you mean eur?")
    assert history(fake) == []


def test_a_price_in_a_coin_is_still_accepted(fake):
    done = fake.run_mobius("portfolio", "add", "eth", "1", "--price", "2000",
                           "--currency", "usdt", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["currency"] == "usdt"


def test_fee_currency_without_a_fee_is_refused(fake):
    one_line(fake.run_mobius("portfolio", "add", "eth", "1", "--price", "1",
                             "--fee-currency", "xyz"), "--fee-currency needs --fee")
    one_line(fake.run_mobius("portfolio", "add", "eth", "1", "--price", "1",
                             "--fee-currency", "eur"), "--fee-currency needs --fee")
    assert history(fake) == []


def test_an_unknown_fee_currency_is_refused_with_a_fee(fake):
    err = one_line(fake.run_mobius("portfolio", "add", "eth", "1", "--price", "1", "--fee", "1",
                                   "--fee-currency", "xyz"), "--fee-currency", "currency 'xyz'")
    assert "coin" not in err
    assert history(fake) == []
    done = fake.run_mobius("portfolio", "add", "eth", "1", "--price", "2000", "--fee",
                           "0.001", "--fee-currency", "eth")  # a fee in the coin itself
    assert done.returncode == 0, done.stderr


def test_an_imported_row_in_an_unknown_currency_names_its_line(fake, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text(MOBIUS_HEADER +
                    "2025-01-02,buy,ETH,ethereum,1,2000,usd\n"
                    "2025-01-03,buy,ETH,ethereum,1,2000,xyz\n")
    err = refused(fake.run_mobius("portfolio", "import", str(path)), "1 bad row",
                  "line 3: currency: unsupported currency 'xyz'")
    assert "unknown coin" not in err


# --- 3. a sold-out portfolio still shows what it realized -----------------------------------


def test_sold_out_portfolio_shows_its_realized_pnl(fake):
    assert fake.run_mobius("portfolio", "create", "trading").returncode == 0
    for args in (("add", "eth", "1", "--price", "3000", "--fee", "5", "--date", "2025-01-02"),
                 ("sell", "eth", "1", "--price", "1900", "--date", "2025-02-03")):
        done = fake.run_mobius("portfolio", *args, "-p", "trading")
        assert done.returncode == 0, done.stderr
    # by hand: cost 1 x 3000 + 5 = 3005; proceeds 1 x 1900 = 1900; realized -1105
    done = fake.run_mobius("portfolio", "show", "-p", "trading")
    assert done.returncode == 0, done.stderr
    assert "no holdings yet" not in done.stdout and "Add one" not in done.stdout
    assert "no open holdings" in done.stdout
    assert "Realized P&L: -$1,105.00" in done.stdout and "2 transactions" in done.stdout
    data = json.loads(fake.run_mobius("portfolio", "show", "-p", "trading", "--json").stdout)
    assert data["realized_pnl"] == -1105 and data["holdings"] == []


def test_empty_portfolio_still_invites_a_first_trade(fake):
    done = fake.run_mobius("portfolio", "show")
    assert done.returncode == 0, done.stderr
    assert "no holdings yet" in done.stdout and "Realized" not in done.stdout


# --- 4. --csv with no rows still prints its header -------------------------------------------


def header_of(text: str) -> list[str]:
    return next(csv.reader(io.StringIO(text)))


def test_empty_csv_outputs_keep_their_header(fake):
    show = fake.run_mobius("portfolio", "show", "--csv")
    hist = fake.run_mobius("portfolio", "history", "--csv")
    for done in (show, hist):
        assert done.returncode == 0, done.stderr
        assert len(done.stdout.splitlines()) == 1, done.stdout
    # the same header as when there are rows
    assert fake.run_mobius("portfolio", "add", "btc", "0.5", "--price", "60000").returncode == 0
    full_show = fake.run_mobius("portfolio", "show", "--csv").stdout
    full_hist = fake.run_mobius("portfolio", "history", "--csv").stdout
    assert header_of(show.stdout) == header_of(full_show)
    assert header_of(hist.stdout) == header_of(full_hist)
    assert header_of(hist.stdout)[:3] == ["id", "portfolio", "kind"]
    # a filter that matches nothing: the header alone
    none = fake.run_mobius("portfolio", "history", "eth", "--csv")
    assert none.returncode == 0, none.stderr
    assert none.stdout.splitlines() == [full_hist.splitlines()[0]]


def test_print_csv_writes_the_header_for_no_rows():
    from mobius_cli.render.output import print_csv

    out = io.StringIO()
    print_csv([], out, fields=("a", "b"))
    assert out.getvalue() == "a,b\n"
    out = io.StringIO()
    print_csv([], out)  # without fields there is nothing to name
    assert out.getvalue() == ""
    out = io.StringIO()
    print_csv([{"a": 1, "b": True, "c": None}], out, fields=("a", "b", "c"))
    assert out.getvalue() == "a,b,c\n1,true,\n"


# --- 7. optimising one asset is an infeasible request: one line, exit 2 -----------------------


def test_optimize_a_single_asset_portfolio_says_why(fake):
    assert fake.run_mobius("portfolio", "add", "eth", "1", "--price", "2000").returncode == 0
    fake.reset_requests()
    for args in ((), ("--json",), ("--csv",), ("--objective", "min-variance")):
        one_line(fake.run_mobius("portfolio", "optimize", *args),
                 "optimising needs at least two assets", "holds only ETH")
    assert fake.count() == 0  # refused before any request


def test_export_to_an_empty_output_name_is_refused(fake):
    one_line(fake.run_mobius("portfolio", "export", "-o", ""), "--output needs a file name")
