"""Portfolios end to end: trades, the valued view, concurrency, bad input, the CLI."""

from __future__ import annotations

import copy
import json
import multiprocessing
import os
from datetime import datetime, timedelta, timezone
from decimal import Decimal as D

import pytest

from mobius_cli.core.ledger import Transaction
from mobius_cli.errors import UsageError
from mobius_cli.services import portfolio as svc


@pytest.fixture
def app(fake_apis):
    from mobius_cli.context import AppContext

    ctx = AppContext()
    yield ctx
    ctx.close()


def count_rows(app, name="main"):
    return svc.repos(app.store)[1].count(svc.open_portfolio(app.store, name).id)


def test_show_values_holdings_with_one_price_request(app, fake_apis):
    svc.add_trade(app.store, app.coingecko, "btc", "0.5", "60000", fee="10", when="2026-01-01")
    svc.add_trade(app.store, app.coingecko, "eth", "2", "3000", when="2026-01-02")
    svc.remove_trade(app.store, app.coingecko, "eth", "0.5", "2500", fee="5", when="2026-01-03")
    fake_apis.reset_requests()
    view = svc.portfolio_view(app.store, app.coingecko)
    assert fake_apis.count("/simple/price") == 1
    data = view.to_json()
    assert list(data) == ["portfolio", "currency", "total_value", "total_cost",
                          "unrealized_pnl", "realized_pnl", "holdings"]
    assert list(data["holdings"][0]) == ["symbol", "id", "amount", "price", "value",
                                         "cost_basis", "unrealized_pnl", "allocation_pct"]
    btc_price = fake_apis.markets["bitcoin"]["current_price"]
    eth_price = fake_apis.markets["ethereum"]["current_price"]
    holdings = {h["symbol"]: h for h in data["holdings"]}
    # BTC: 0.5 for 30,010 (fee 10). ETH: 2 for 6000, 0.5 sold at 2500 - 5 = 1245 against
    # a cost of 1500 -> realized -255; 1.5 left for 4500.
    assert holdings["BTC"]["cost_basis"] == 30010
    assert holdings["ETH"]["cost_basis"] == 4500
    assert data["realized_pnl"] == -255
    assert holdings["BTC"]["value"] == pytest.approx(0.5 * btc_price)
    total = 0.5 * btc_price + 1.5 * eth_price
    assert data["total_value"] == pytest.approx(total)
    assert data["unrealized_pnl"] == pytest.approx(total - 34510)
    assert holdings["ETH"]["allocation_pct"] == pytest.approx(1.5 * eth_price / total * 100)
    # the same view again within the price TTL costs nothing
    svc.portfolio_view(app.store, app.coingecko, method="hifo")
    assert fake_apis.count("/simple/price") == 1


def test_market_price_when_none_given_and_a_foreign_currency(app, fake_apis):
    result = svc.add_trade(app.store, app.coingecko, "btc", "0.1")
    assert result.price_fetched
    assert result.transaction.price == D(str(fake_apis.markets["bitcoin"]["current_price"]))
    # priced in EUR: converted at the day's EUR→USD rate, which is stored with the trade
    eur = svc.add_trade(app.store, app.coingecko, "eth", "1", "2000", currency="eur", fee="10",
                        when="2026-06-01").transaction
    assert eur.currency == "eur" and eur.rate > 1
    view = svc.portfolio_view(app.store, app.coingecko)
    eth = next(h for h in view.holdings if h.coin.id == "ethereum")
    assert eth.cost_basis == D(2000) * eur.rate + D(10) * eur.rate


@pytest.mark.parametrize(("amount", "price"), [
    ("0", "100"), ("-1", "100"), ("nan", "100"), ("NaN", "100"), ("inf", "100"),
    ("1e20", "100"), ("abc", "100"), ("1", "-5"), ("1", "nan"), ("1", "1e30"), ("1", "0"),
])
def test_bad_numbers_write_nothing(app, amount, price):
    with pytest.raises(UsageError) as err:
        svc.add_trade(app.store, app.coingecko, "btc", amount, price)
    assert err.value.exit_code == 2
    assert count_rows(app) == 0


def test_overselling_and_unknown_coins_write_nothing(app):
    svc.add_trade(app.store, app.coingecko, "btc", "1", "100", when="2026-01-05")
    with pytest.raises(UsageError, match="only 1 held"):
        svc.remove_trade(app.store, app.coingecko, "btc", "1.5", "100")
    with pytest.raises(UsageError, match="only 0 held"):  # a sale dated before the buy
        svc.remove_trade(app.store, app.coingecko, "btc", "0.5", "100", when="2026-01-01")
    with pytest.raises(UsageError, match="unknown coin"):
        svc.add_trade(app.store, app.coingecko, "notacoinzz", "1", "1")
    with pytest.raises(UsageError, match="future"):
        svc.add_trade(app.store, app.coingecko, "btc", "1", "1", when="2099-01-01")
    assert count_rows(app) == 1


def test_undo_delete_and_portfolios(app):
    svc.add_trade(app.store, app.coingecko, "btc", "1", "100", when="2026-01-01")
    sale = svc.remove_trade(app.store, app.coingecko, "btc", "0.4", "150",
                            when="2026-01-02").transaction
    first = svc.history(app.store, app.coingecko).transactions[0]
    with pytest.raises(UsageError, match="later sales need it"):
        svc.delete_transaction(app.store, first.id)
    _, undone = svc.delete_transaction(app.store)  # undo: the last entered
    assert undone.id == sale.id
    svc.delete_transaction(app.store, first.id)
    assert count_rows(app) == 0
    with pytest.raises(UsageError):
        svc.delete_transaction(app.store)
    svc.create_portfolio(app.store, "savings", "eur")
    svc.add_trade(app.store, app.coingecko, "eth", "1", "2000", portfolio="savings",
                  when="2026-02-01")
    assert svc.open_portfolio(app.store, "savings").currency == "eur"
    svc.rename_portfolio(app.store, "savings", "long term")
    assert [(s.portfolio.name, s.transactions) for s in svc.list_portfolios(app.store)] == [
        ("main", 0), ("long term", 1)]
    with pytest.raises(UsageError, match="no portfolio named"):
        svc.history(app.store, app.coingecko, "savings")
    assert svc.delete_portfolio(app.store, "long term") == 1


def test_history_filters(app):
    svc.add_trade(app.store, app.coingecko, "btc", "1", "100", when="2026-01-01")
    svc.add_trade(app.store, app.coingecko, "eth", "1", "10", when="2026-01-15")
    svc.add_trade(app.store, app.coingecko, "btc", "1", "200", when="2026-02-01")
    def history(**kw):
        return svc.history(app.store, app.coingecko, **kw)

    assert [t.symbol for t in history(symbol="btc").transactions] == ["BTC", "BTC"]
    assert len(history(since="2026-01-10", until="2026-01-31").transactions) == 1
    assert len(history(until="2026-01-15").transactions) == 2
    row = history().to_json()[0]
    assert list(row) == ["id", "portfolio", "kind", "symbol", "coin_id", "amount", "price",
                         "currency", "fee", "fee_currency", "time", "note"]
    assert row["time"] == "2026-01-01T00:00:00Z" and row["amount"] == 1.0


# --- two writers at once --------------------------------------------------------------


def _add_many(home: str, worker: int, count: int, start, errors) -> None:
    os.environ["MOBIUS_HOME"] = home
    from mobius_cli.context import AppContext

    app = AppContext()
    book = svc.open_portfolio(app.store)
    start.wait()
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    try:
        for i in range(count):
            svc.record(app.store, book, Transaction(
                "buy", "bitcoin", "BTC", D("0.001"), D(50000 + i), "usd",
                base + timedelta(seconds=worker * count + i), note=f"w{worker} #{i}"))
    except Exception as exc:  # reported to the parent
        errors.put(repr(exc))


def test_two_processes_adding_500_each(app):
    svc.open_portfolio(app.store)  # create the store and `main` before the race
    ctx = multiprocessing.get_context("fork")
    start, errors = ctx.Event(), ctx.Queue()
    workers = [ctx.Process(target=_add_many,
                           args=(os.environ["MOBIUS_HOME"], w, 500, start, errors))
               for w in range(2)]
    for p in workers:
        p.start()
    start.set()
    for p in workers:
        p.join(120)
    assert errors.empty(), errors.get()
    assert [p.exitcode for p in workers] == [0, 0]
    assert count_rows(app) == 1000
    notes = {t.note for t in svc.history(app.store, app.coingecko).transactions}
    assert len(notes) == 1000


# --- the CLI against the loopback fake ----------------------------------------------


def add_fake_coins(fake, n: int) -> list[str]:
    """Make the fake list `n` more coins (copies of bitcoin's row with their own ids)."""
    template = fake.markets["bitcoin"]
    ids = []
    for i in range(n):
        row = copy.deepcopy(template)
        row.update(id=f"testcoin-{i}", symbol=f"tc{i}", name=f"Test Coin {i}",
                   current_price=1.0 + i, market_cap_rank=None)
        fake.markets[row["id"]] = row
        fake.coins_list.append({"id": row["id"], "symbol": row["symbol"], "name": row["name"]})
        ids.append(row["id"])
    return ids


def seed_holdings(app, coin_ids: list[str], per_coin: int = 1) -> None:
    book = svc.open_portfolio(app.store)
    txs = []
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for n, coin in enumerate(coin_ids):
        for k in range(per_coin):
            txs.append(Transaction("buy", coin, coin[:5].upper(), D("1.5"), D(10 + k), "usd",
                                   base + timedelta(minutes=n * per_coin + k)))
    with app.store.transaction():
        svc.repos(app.store)[1].add_many(book.id, txs)


def test_show_100_holdings_one_request_then_none_within_ttl(app, fake_apis):
    ids = list(fake_apis.markets)[:40] + add_fake_coins(fake_apis, 60)
    seed_holdings(app, ids)
    app.store.close()
    fake_apis.reset_requests()
    first = fake_apis.run_mobius("portfolio", "show", "--json")
    assert first.returncode == 0, first.stderr
    data = json.loads(first.stdout)
    assert len(data["holdings"]) == 100
    assert fake_apis.count("/simple/price") == 1
    assert fake_apis.count() == 1  # nothing else either
    again = fake_apis.run_mobius("portfolio", "show")
    assert again.returncode == 0, again.stderr
    assert fake_apis.count() == 1


@pytest.mark.parametrize("args", [
    ("add", "btc", "0", "--price", "1"),
    ("add", "btc", "--", "-1"),
    ("add", "btc", "nan", "--price", "1"),
    ("add", "btc", "1e19", "--price", "1"),
    ("add", "btc", "1", "--price", "-3"),
    ("add", "btc", "1", "--price", "NaN"),
    ("remove", "btc", "5", "--price", "1"),
    ("add", "notacoinzz", "1", "--price", "1"),
    ("add", "btc", "1", "--price", "1", "--date", "tomorrowish"),
    ("add", "btc", "1", "--price", "1", "--portfolio", "nosuch"),
    ("show", "--method", "lofi"),
])
def test_cli_bad_input_exits_2_and_writes_nothing(app, fake_apis, args):
    svc.add_trade(app.store, app.coingecko, "btc", "1", "100", when="2026-01-01")
    app.store.close()
    result = fake_apis.run_mobius("portfolio", *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("mobius:") or "Error" in result.stderr
    assert count_rows(app) == 1


def test_cli_round_trip(app, fake_apis, tmp_path):
    run = fake_apis.run_mobius
    assert run("portfolio", "add", "btc", "0.5", "--price", "60000", "--fee", "10",
               "--date", "2026-01-01").returncode == 0
    assert run("portfolio", "sell", "btc", "0.1", "--price", "70000",
               "--date", "2026-02-01").returncode == 0
    hist = json.loads(run("portfolio", "history", "--json").stdout)
    assert [(h["kind"], h["amount"], h["price"]) for h in hist] == [
        ("buy", 0.5, 60000.0), ("sell", 0.1, 70000.0)]
    out = tmp_path / "ledger.csv"
    assert run("portfolio", "export", "-o", str(out)).returncode == 0
    assert run("portfolio", "create", "copy").returncode == 0
    dry = run("portfolio", "import", str(out), "--portfolio", "copy", "--dry-run", "--json")
    assert json.loads(dry.stdout)["added"] == 2
    assert run("portfolio", "import", str(out), "--portfolio", "copy").returncode == 0
    assert run("portfolio", "export", "--portfolio", "copy").stdout.split("\n")[1:] != []
    shown = json.loads(run("portfolio", "show", "--portfolio", "copy", "--json").stdout)
    # 0.4 BTC left of 0.5 bought for 30,010: cost 24,008; realized 7000 - 6002 = 998
    assert shown["holdings"][0]["cost_basis"] == 24008
    assert shown["realized_pnl"] == 998
    listed = json.loads(run("portfolio", "list", "--json").stdout)
    assert [p["name"] for p in listed] == ["main", "copy"]
    assert run("portfolio", "undo", "--portfolio", "copy").returncode == 0
    assert run("portfolio", "delete", "copy", "--yes").returncode == 0


def test_the_ledger_snapshot_follows_every_change(app, tmp_path):
    opts = svc.PortfolioOptions(snapshot_dir=tmp_path / "ledger")
    store, cg = app.store, app.coingecko

    def view(**kw):
        return svc.portfolio_view(store, cg, options=opts, **kw)

    svc.add_trade(store, cg, "btc", "1", "100", when="2026-01-01")
    assert view().holdings[0].amount == D(1)
    svc.add_trade(store, cg, "btc", "2", "100", when="2026-01-02")
    assert view().holdings[0].amount == D(3)
    svc.delete_transaction(store)  # undo
    assert view().holdings[0].cost_basis == D(100)
    # sell then undo then another sell of the same size: same count, a new highest id
    svc.remove_trade(store, cg, "btc", "0.5", "300", when="2026-01-03")
    assert view().realized_pnl == D(100)
    svc.delete_transaction(store)
    svc.remove_trade(store, cg, "btc", "0.5", "500", when="2026-01-03")
    assert view().realized_pnl == D(200)
    # per method, and a damaged cache file is simply recomputed
    assert view(method="avg").realized_pnl == D(200)
    files = list((tmp_path / "ledger").glob("*.json"))
    assert len(files) == 2  # fifo and avg
    for path in files:
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        path.write_text("{not json")
    assert view().realized_pnl == D(200)


def test_show_in_another_currency_converts_at_todays_rate(app, fake_apis):
    svc.add_trade(app.store, app.coingecko, "btc", "1", "50000", when="2026-06-01")
    view = svc.portfolio_view(app.store, app.coingecko, vs="eur")
    usd_to_eur = fake_apis.rates["eur"]["value"] / fake_apis.rates["usd"]["value"]
    data = view.to_json()
    assert data["currency"] == "eur"
    assert data["total_cost"] == pytest.approx(50000 * usd_to_eur)
    eur_price = json.loads(fake_apis.run_mobius("price", "btc", "--vs", "eur", "--json")
                           .stdout)[0]["price"]
    assert data["holdings"][0]["price"] == pytest.approx(eur_price)
    assert svc.open_portfolio(app.store).currency == "usd"  # the ledger itself is unchanged


def test_a_coin_coingecko_no_longer_prices_is_shown_unpriced(app, fake_apis):
    notes = []
    opts = svc.PortfolioOptions(on_note=notes.append)
    svc.add_trade(app.store, app.coingecko, "btc", "1", "100", when="2026-01-01")
    svc.add_trade(app.store, app.coingecko, "eth", "2", "100", when="2026-01-01")
    del fake_apis.markets["ethereum"]  # delisted
    view = svc.portfolio_view(app.store, app.coingecko, options=opts)
    eth = next(h for h in view.holdings if h.coin.id == "ethereum")
    assert eth.price is None and eth.value is None
    assert view.to_json()["total_cost"] == 300
    assert any("no price for ETH" in n for n in notes)
