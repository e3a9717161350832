"""Portfolio import and export: every format, all-or-nothing, duplicates, exact round trips.

Expected figures are worked by hand in the comments from the fixture files.
"""

from __future__ import annotations

import os
import signal
from datetime import datetime, timezone
from decimal import Decimal as D
from pathlib import Path

import pytest

from mobius_cli.core import portfolio_formats as formats
from mobius_cli.core.ledger import Transaction, replay
from mobius_cli.errors import UsageError
from mobius_cli.services import portfolio as svc
from mobius_cli.services import portfolio_io as pio

FIXTURES = Path(__file__).parent / "fixtures" / "portfolio"


@pytest.fixture
def app(fake_apis):
    from mobius_cli.context import AppContext

    ctx = AppContext()
    yield ctx
    ctx.close()


def rows_of(app, name="main"):
    book = svc.open_portfolio(app.store, name)
    return svc.repos(app.store)[1].list(book.id)


@pytest.mark.parametrize(("cell", "words"), [
    ("1_000", "no underscores"), ("1e-30", "too small to be real"), ("1e16", "too large"),
    ("abc", "is not a number"), ("-5", "is negative")])
def test_an_imported_amount_is_refused_as_a_typed_one_would_be(cell, words):
    with pytest.raises(formats.RowError, match=words):
        formats.dec(cell, "amount")


def test_an_imported_amount_keeps_every_digit():
    assert formats.dec("1,000.000000000000000001", "amount") == D("1000.000000000000000001")
    assert formats.dec("0.000000000000000001", "amount") == D("1e-18")
    assert formats.dec("", "fee") == 0


def test_detects_each_format_by_its_header():
    for name, fmt in [("coinbase.csv", "coinbase"), ("kraken_ledgers.csv", "kraken"),
                      ("binance_transactions.csv", "binance"), ("binance_trades.csv", "binance"),
                      ("koinly.csv", "koinly")]:
        assert formats.detect((FIXTURES / name).read_text())[0] == fmt, name
    with pytest.raises(ValueError):
        formats.detect("a,b,c\n1,2,3\n")


def test_koinly(app):
    result = pio.import_file(app.store, app.coingecko, str(FIXTURES / "koinly.csv"))
    assert (result.format, result.added, result.duplicates) == ("koinly", 5, 0)
    assert [n for n, _ in result.skipped] == [6]  # the USD-only deposit
    ledger = replay(rows_of(app), "fifo")
    btc, eth = ledger.positions["bitcoin"], ledger.positions["ethereum"]
    # BTC: 0.02 for 1000 + fee 5 = 1005; 0.025 received for 0.5 ETH worth 1500 (60,000 each);
    # sold 0.01 @ 70,000, fee 1 -> proceeds 699, fifo cost 1005 / 2 = 502.5 -> +196.5.
    # ETH: 1 received worth 2500; 0.5 sent in the swap worth 1500 -> cost 1250 -> +250.
    assert btc.amount == D("0.035") and btc.cost_basis == D("2002.5")
    assert eth.amount == D("0.5") and eth.cost_basis == D(1250)
    assert ledger.realized == D("446.5")


def test_coinbase_with_preamble(app):
    result = pio.import_file(app.store, app.coingecko, str(FIXTURES / "coinbase.csv"))
    assert result.format == "coinbase" and result.added == 6
    ledger = replay(rows_of(app), "fifo")
    btc, eth = ledger.positions["bitcoin"], ledger.positions["ethereum"]
    # BTC: 0.01 @ 45,000 + 4.99 = 454.99; +0.01 from the convert at 750 (subtotal);
    # sent 0.005 -> half of the first lot (227.495) leaves: 0.015 left, cost 977.495.
    assert btc.amount == D("0.015") and btc.cost_basis == D("977.495")
    # ETH: 1.5 for 3614.99; sold 0.5 (proceeds 1390) and converted 0.25 (proceeds 750):
    # 0.75 of 1.5 consumed = 1807.495 -> realized 2140 - 1807.495 = 332.505.
    assert eth.amount == D("0.75") and eth.cost_basis == D("1807.495")
    assert ledger.realized == D("332.505")


def test_kraken_ledger_codes_and_fees(app):
    svc.create_portfolio(app.store, "kraken", "eur")
    result = pio.import_file(app.store, app.coingecko, str(FIXTURES / "kraken_ledgers.csv"),
                             portfolio="kraken")
    assert result.format == "kraken" and result.added == 4
    txs = rows_of(app, "kraken")
    assert {t.symbol for t in txs} == {"BTC", "DOT"}
    ledger = replay(txs, "fifo")
    btc = ledger.positions["bitcoin"]
    # buy 0.01 XXBT for 500 ZEUR + 0.80 fee = 500.80; sell 0.004 for 240, fee 0.38:
    # proceeds 239.62, cost 200.32 -> +39.30; withdraw 0.001 + 0.00005 fee = 0.00105,
    # cost 52.584 leaves: 0.00495 BTC for 247.896.
    assert btc.amount == D("0.00495") and btc.cost_basis == D("247.896")
    # the withdrawal's fee, 0.00005 BTC at BTC's close that day, is the realized loss
    btc_eur = _close_near(app, "bitcoin", "eur", "2026-03-05T00:00:00Z")
    out = next(t for t in txs if t.kind == "transfer_out")
    assert (out.amount, out.fee, out.fee_currency) == (D("0.00105"), D("0.00005"), "btc")
    assert float(out.fee_value) == pytest.approx(0.00005 * btc_eur, rel=1e-12)
    assert float(ledger.realized) == pytest.approx(39.30 - 0.00005 * btc_eur, rel=1e-12)
    dot = next(t for t in txs if t.symbol == "DOT")
    # staking: a transfer in priced in euros at DOT's close that day (never "1 DOT per
    # DOT"), stored so it is never fetched again
    dot_eur = _close_near(app, "polkadot", "eur", "2026-03-01T00:00:00Z")
    assert (dot.kind, dot.coin_id, dot.amount) == ("transfer_in", "polkadot", D("1.5"))
    assert (dot.currency, dot.rate) == ("eur", 1)
    assert float(dot.price) == pytest.approx(dot_eur, rel=1e-12)
    assert float(ledger.positions["polkadot"].cost_basis) == pytest.approx(1.5 * dot_eur,
                                                                          rel=1e-12)


def _close_near(app, coin, vs, iso):
    """The daily close the fake serves nearest to a moment (fetched by hand)."""
    import json
    import urllib.request

    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
    url = (os.environ["MOBIUS_COINGECKO_URL"].rstrip("/") +
           f"/coins/{coin}/market_chart?vs_currency={vs}&days=max&interval=daily")
    with urllib.request.urlopen(url) as reply:
        prices = json.load(reply)["prices"]
    return min(prices, key=lambda p: abs(p[0] / 1000 - moment))[1]


def test_binance_transaction_history_groups_rows(app):
    result = pio.import_file(app.store, app.coingecko, str(FIXTURES / "binance_transactions.csv"))
    txs = rows_of(app)
    buy, sell = (t for t in txs)
    # one trade over five rows: 0.004 + 0.006 BTC for 120 + 180 USDT, fee 0.00001 BTC:
    # 0.00999 BTC net at 30,000 USDT, the BTC fee worth 0.3 USDT
    assert (buy.kind, buy.amount, buy.price, buy.currency) == ("buy", D("0.00999"), D(30000),
                                                               "usdt")
    assert (buy.fee, buy.fee_currency) == (D("0.3"), "usdt")
    # sold 0.005 BTC for 200 USDT, fee 0.2 USDT -> 40,000 each
    assert (sell.kind, sell.amount, sell.price, sell.fee) == ("sell", D("0.005"), D(40000),
                                                              D("0.2"))
    assert result.added == 2 and [n for n, _ in result.skipped] == [2]


def test_binance_trade_history_fills(app):
    pio.import_file(app.store, app.coingecko, str(FIXTURES / "binance_trades.csv"))
    txs = rows_of(app)
    ledger = replay(txs, "fifo")
    buy1 = txs[0]
    sell = txs[2]
    # lots: 0.004 for 120.12 USDT, 0.006 for 180.18 USDT; sold 0.005 at 40,000 less 0.2:
    # proceeds 199.8 USDT; cost 120.12 + 0.001/0.006 × 180.18 = 150.15 USDT;
    # in USD each leg at its own day's USDT rate.
    expected = D("199.8") * sell.rate - (D("120.12") * buy1.rate + D("30.03") * txs[1].rate)
    assert abs(ledger.realized - expected) < D("1e-12")
    assert ledger.positions["bitcoin"].amount == D("0.005")


def test_bad_rows_are_all_reported_and_nothing_written(app):
    with pytest.raises(UsageError) as err:
        pio.import_file(app.store, app.coingecko, str(FIXTURES / "koinly_bad.csv"))
    message = err.value.message
    assert "4 bad rows, nothing imported" in message
    for line in (3, 4, 5, 6):
        assert f"line {line}:" in message
    assert "line 2:" not in message
    assert rows_of(app) == []


def test_unknown_coin_and_overselling_name_their_lines(app, tmp_path):
    bad = tmp_path / "k.csv"
    bad.write_text(",".join(formats.KOINLY_COLUMNS) + "\n"
                   "2026-01-01 10:00 UTC,100,USD,1,NOTACOINZZ,,,,,,,\n"
                   "2026-01-02 10:00 UTC,100,USD,1,ETH,,,,,,,\n"
                   "2026-01-03 10:00 UTC,2,ETH,5000,USD,,,,,,,\n")
    with pytest.raises(UsageError) as err:
        pio.import_file(app.store, app.coingecko, str(bad))
    assert "line 2:" in err.value.message and "unknown coin" in err.value.message
    bad.write_text(",".join(formats.KOINLY_COLUMNS) + "\n"
                   "2026-01-02 10:00 UTC,100,USD,1,ETH,,,,,,,\n"
                   "2026-01-03 10:00 UTC,2,ETH,5000,USD,,,,,,,\n")
    with pytest.raises(UsageError) as err:
        pio.import_file(app.store, app.coingecko, str(bad))
    assert "line 3:" in err.value.message and "only 1 held" in err.value.message
    assert rows_of(app) == []


def test_dry_run_and_duplicates(app):
    path = str(FIXTURES / "koinly.csv")
    dry = pio.import_file(app.store, app.coingecko, path, dry_run=True)
    assert dry.added == 5 and rows_of(app) == []
    pio.import_file(app.store, app.coingecko, path)
    again = pio.import_file(app.store, app.coingecko, path)
    assert (again.added, again.duplicates) == (0, 5)
    assert len(rows_of(app)) == 5


ODD = [("buy", "bitcoin", "BTC", "0.10000000", "60000.123456789012345678", "usd", "1", "1.50"),
       ("buy", "ethereum", "ETH", "1E-8", "2500", "eur", "1.0842", "0"),
       ("transfer_in", "solana", "SOL", "12.5", "0", "usd", "1", "0.000001"),
       ("sell", "bitcoin", "BTC", "0.03", "70000.5", "usd", "1", "2"),
       ("transfer_out", "solana", "SOL", "2.5", "0", "usd", "1", "0")]


def seed(app, name="main"):
    book = svc.open_portfolio(app.store, name)
    for i, (kind, coin, sym, amount, price, cur, rate, fee) in enumerate(ODD):
        svc.record(app.store, book, Transaction(
            kind, coin, sym, D(amount), D(price), cur,
            datetime(2026, 1, 1 + i, 12, 30, 15, 123456 * (i % 2), tzinfo=timezone.utc),
            rate=D(rate), fee=D(fee), fee_currency=cur, fee_rate=D(rate),
            note=f'note, with "quotes" {i}'))
    return book


def same(a, b):
    fields = ("kind", "coin_id", "symbol", "amount", "price", "currency", "rate", "fee",
              "fee_currency", "fee_rate", "time", "note")
    return [tuple(str(getattr(t, f)) for f in fields) for t in a] == \
        [tuple(str(getattr(t, f)) for f in fields) for t in b]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_import_round_trips_exactly(app, tmp_path, fmt):
    seed(app)
    path = tmp_path / f"out.{fmt}"
    pio.write_private(str(path), pio.export_text(app.store, None, fmt))
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    svc.create_portfolio(app.store, "copy", "usd")
    result = pio.import_file(app.store, app.coingecko, str(path), portfolio="copy")
    assert result.added == len(ODD)
    assert same(rows_of(app), rows_of(app, "copy"))
    # and the same file into the original is all duplicates
    assert pio.import_file(app.store, app.coingecko, str(path)).duplicates == len(ODD)


def test_koinly_export_reads_back(app, tmp_path):
    book = svc.open_portfolio(app.store)
    for kind, amount, price in [("buy", "0.5", "60000"), ("sell", "0.2", "70000")]:
        svc.record(app.store, book, Transaction(kind, "bitcoin", "BTC", D(amount), D(price), "usd",
                                          datetime(2026, 2, 1, tzinfo=timezone.utc),
                                          fee=D("1.5"), fee_currency="usd"))
    path = tmp_path / "koinly.csv"
    path.write_text(pio.export_text(app.store, None, "koinly"))
    assert path.read_text().splitlines()[0] == ",".join(formats.KOINLY_COLUMNS)
    svc.create_portfolio(app.store, "k", "usd")
    pio.import_file(app.store, app.coingecko, str(path), portfolio="k")
    back = rows_of(app, "k")
    assert [(t.kind, t.amount, t.price, t.fee) for t in back] == [
        ("buy", D("0.5"), D(60000), D("1.5")), ("sell", D("0.2"), D(70000), D("1.5"))]


def _killed_import(db_home: str, csv_path: str, ready_fd: int) -> None:
    """In a child: import, but stop dead half-way through writing the rows."""
    os.environ["MOBIUS_HOME"] = db_home
    from mobius_cli.context import AppContext
    from mobius_cli.store import portfolios

    original = portfolios.TransactionRepo.add_many

    def half_then_hang(self, portfolio_id, txs):
        txs = list(txs)
        original(self, portfolio_id, txs[: len(txs) // 2])
        os.write(ready_fd, b"x")
        import time

        time.sleep(60)

    portfolios.TransactionRepo.add_many = half_then_hang
    ctx = AppContext()
    pio.import_file(ctx.store, ctx.coingecko, csv_path)


def test_sigkill_half_way_leaves_the_portfolio_as_before(app, tmp_path):
    import multiprocessing

    seed(app)
    before = rows_of(app)
    big = tmp_path / "big.csv"
    lines = [",".join(formats.MOBIUS_COLUMNS)]
    for i in range(2000):
        lines.append(f",2026-03-01T00:00:{i % 60:02d}.{i:06d}Z,buy,ETH,ethereum,0.{i + 1},"
                     f"{1000 + i},usd,1,0,usd,1,usd,row {i}")
    big.write_text("\n".join(lines) + "\n")
    app.store.close()
    read_fd, write_fd = os.pipe()
    ctx = multiprocessing.get_context("fork")
    child = ctx.Process(target=_killed_import,
                        args=(os.environ["MOBIUS_HOME"], str(big), write_fd))
    child.start()
    assert os.read(read_fd, 1) == b"x"  # half the rows are written, uncommitted
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    assert child.exitcode == -signal.SIGKILL
    after = rows_of(app)
    assert same(before, after) and len(after) == len(ODD)
    assert app.store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # and a whole import afterwards works
    assert pio.import_file(app.store, app.coingecko, str(big)).added == 2000


NEW_COINBASE = (
    "Transactions\n"
    "User,jane@example.com,5f0c1d2e3b4a6978\n"
    "ID,Timestamp,Transaction Type,Asset,Quantity Transacted,Price Currency,"
    "Price at Transaction,Subtotal,Total (inclusive of fees and/or spread),"
    "Fees and/or Spread,Notes\n"
    "65a1,2026-01-05 10:00:00 UTC,Buy,BTC,0.01,USD,\"$45,000.00\",$450.00,$454.99,$4.99,\n"
    "65a2,2026-02-05 10:00:00 UTC,Sell,BTC,-0.004,USD,\"$50,000.00\",$200.00,$198.00,-$2.00,\n"
    "65a3,2026-02-06 10:00:00 UTC,Staking Income,ETH,0.001,USD,\"$2,500.00\",$2.50,$2.50,$0.00,\n"
)


def test_coinbase_newer_layout_parses_money_text():
    parsed = formats.parse(NEW_COINBASE)
    assert parsed.format == "coinbase" and not parsed.errors
    buy, sell, stake = parsed.rows
    assert (buy.kind, buy.amount, buy.price, buy.fee) == ("buy", D("0.01"), D("45000.00"),
                                                          D("4.99"))
    assert (sell.kind, sell.amount, sell.fee) == ("sell", D("0.004"), D("2.00"))
    assert (stake.kind, stake.price, stake.currency) == ("transfer_in", D("2500.00"), "usd")
    assert buy.line == 4  # counted in the file, preamble included


@pytest.mark.parametrize(("code", "ticker"), [
    ("XXBT", "BTC"), ("XBT.M", "BTC"), ("XETH", "ETH"), ("ZEUR", "EUR"), ("ZUSD", "USD"),
    ("XXDG", "DOGE"), ("DOT.S", "DOT"), ("ETH2.S", "ETH"), ("SOL", "SOL"), ("XLTC", "LTC"),
])
def test_kraken_asset_codes(code, ticker):
    assert formats.kraken_asset(code) == ticker


def test_a_reward_without_a_price_is_priced_in_money_in_every_reader(app, tmp_path):
    # Koinly: 0.5 SOL received alone, no Net Worth: a transfer in at SOL's close that day,
    # in the portfolio's currency, exactly as a Kraken staking reward is
    path = tmp_path / "reward.csv"
    path.write_text(",".join(formats.KOINLY_COLUMNS) + "\n"
                    "2026-02-01 00:00 UTC,,,0.5,SOL,,,,,reward,staking,\n")
    pio.import_file(app.store, app.coingecko, str(path), fmt="koinly")
    (tx,) = rows_of(app)
    sol_usd = _close_near(app, "solana", "usd", "2026-02-01T00:00:00Z")
    assert (tx.kind, tx.currency, tx.rate, tx.amount) == ("transfer_in", "usd", 1, D("0.5"))
    assert float(tx.price) == pytest.approx(sol_usd, rel=1e-12)
