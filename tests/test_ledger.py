"""The ledger against hand-worked examples (the arithmetic is in the comments)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal as D

import pytest

from mobius_cli.core.ledger import OversellError, Transaction, parse_decimal, replay
from mobius_cli.errors import UsageError

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def tx(kind, amount, price, *, coin="bitcoin", fee="0", rate="1", fee_rate="1", day=0,
       currency="usd", id=None):
    return Transaction(kind, coin, coin[:3].upper(), D(amount), D(price), currency,
                       T0 + timedelta(days=day), rate=D(rate), fee=D(fee), fee_currency=currency,
                       fee_rate=D(fee_rate), id=id)


# Three buys, then one sell that spans lots, fees on both sides:
#   lot 1: 1 BTC @ 100 + fee 2  -> cost 102 (unit 102)
#   lot 2: 2 BTC @ 200 + fee 4  -> cost 404 (unit 202)
#   lot 3: 1 BTC @ 150 + fee 0  -> cost 150 (unit 150)
#   sell 2.5 BTC @ 300, fee 5   -> proceeds 750 - 5 = 745
SCENARIO = [tx("buy", "1", "100", fee="2", day=0, id=1),
            tx("buy", "2", "200", fee="4", day=1, id=2),
            tx("buy", "1", "150", day=2, id=3),
            tx("sell", "2.5", "300", fee="5", day=3, id=4)]
PRICE_NOW = D(400)  # 1.5 BTC left, worth 600


@pytest.mark.parametrize(("method", "consumed", "realized", "basis"), [
    # fifo: all of lot 1 (102) + 1.5 of lot 2 (404 × 1.5/2 = 303) = 405; left 0.5 of lot 2
    # (101) + lot 3 (150) = 251
    ("fifo", D(405), D(340), D(251)),
    # lifo: lot 3 (150) + 1.5 of lot 2 (303) = 453; left lot 1 (102) + 0.5 of lot 2 (101)
    ("lifo", D(453), D(292), D(203)),
    # hifo: dearest first: lot 2 (404, unit 202), then 0.5 of lot 3 (75) = 479;
    # left lot 1 (102) + 0.5 of lot 3 (75) = 177
    ("hifo", D(479), D(266), D(177)),
    # avg: 4 BTC for 656 = 164 each; 2.5 × 164 = 410; left 1.5 × 164 = 246
    ("avg", D(410), D(335), D(246)),
])
def test_four_methods(method, consumed, realized, basis):
    ledger = replay(SCENARIO, method)
    pos = ledger.positions["bitcoin"]
    assert ledger.disposals[0].proceeds == D(745)
    assert ledger.disposals[0].cost == consumed
    assert ledger.realized == realized == D(745) - consumed
    assert pos.amount == D("1.5")
    assert pos.cost_basis == basis
    unrealized = pos.amount * PRICE_NOW - pos.cost_basis
    # Every method splits the same total P&L: 600 + 745 - 656 = 689.
    assert realized + unrealized == D(689)


def test_entry_order_does_not_matter_time_does():
    assert replay(list(reversed(SCENARIO)), "fifo").realized == D(340)


def test_second_partial_sell_fifo():
    # After the scenario (fifo): 0.5 left of lot 2 (cost 101), lot 3 1 @ 150.
    # sell 1 @ 500, fee 1 -> proceeds 499; consumes 0.5 of lot 2 (101) + 0.5 of lot 3 (75)
    # = 176; realized 323; total realized 340 + 323 = 663; left 0.5 BTC, cost 75.
    ledger = replay([*SCENARIO, tx("sell", "1", "500", fee="1", day=4, id=5)], "fifo")
    assert ledger.disposals[1].realized == D(323)
    assert ledger.realized == D(663)
    assert ledger.positions["bitcoin"].amount == D("0.5")
    assert ledger.positions["bitcoin"].cost_basis == D(75)


def test_avg_then_more_buys():
    # avg: buy 1 @ 10, buy 1 @ 20 -> 2 for 30 (15 each); sell 1 @ 30 -> realized 15, left
    # 1 for 15; buy 1 @ 45 -> 2 for 60 (30 each); sell 2 @ 40 -> proceeds 80, realized 20.
    ledger = replay([tx("buy", "1", "10", day=0), tx("buy", "1", "20", day=1),
                     tx("sell", "1", "30", day=2), tx("buy", "1", "45", day=3),
                     tx("sell", "2", "40", day=4)], "avg")
    assert [d.realized for d in ledger.disposals] == [D(15), D(20)]
    assert ledger.positions["bitcoin"].amount == 0
    assert ledger.open_positions() == []


def test_trade_in_another_currency():
    # buy 1 ETH @ 1000 EUR, fee 10 EUR, on a day when 1 EUR = 1.10 USD:
    # cost = 1 × 1000 × 1.10 + 10 × 1.10 = 1100 + 11 = 1111 USD.
    # sell 1 ETH @ 1200 USD, fee 0 -> realized 1200 - 1111 = 89.
    buy = tx("buy", "1", "1000", coin="ethereum", fee="10", rate="1.10", fee_rate="1.10",
             currency="eur", day=0)
    assert replay([buy]).positions["ethereum"].cost_basis == D(1111)
    ledger = replay([buy, tx("sell", "1", "1200", coin="ethereum", day=1)])
    assert ledger.realized == D(89)


def test_transfers_move_cost_basis_and_lose_only_fees():
    # transfer in 2 SOL carrying a basis of 50 each, fee 1 -> lot cost 101 (50.5 each);
    # transfer out 1 SOL, fee 0.5 -> removes 50.5 of basis, realizes only -0.5.
    ledger = replay([tx("transfer_in", "2", "50", coin="solana", fee="1", day=0),
                     tx("transfer_out", "1", "0", coin="solana", fee="0.5", day=1)])
    pos = ledger.positions["solana"]
    assert pos.amount == D(1) and pos.cost_basis == D("50.5")
    assert ledger.realized == D("-0.5")


def test_unrealized_vs_realized():
    # buy 2 @ 100 (200); sell 1 @ 150 -> realized 50 (fifo); 1 left, cost 100; at 130 the
    # unrealized P&L is 30.
    ledger = replay([tx("buy", "2", "100", day=0), tx("sell", "1", "150", day=1)])
    pos = ledger.positions["bitcoin"]
    assert ledger.realized == D(50)
    assert pos.amount * D(130) - pos.cost_basis == D(30)


@pytest.mark.parametrize("method", ["fifo", "lifo", "hifo", "avg"])
def test_selling_more_than_held(method):
    with pytest.raises(OversellError) as err:
        replay([tx("buy", "1", "100", day=0), tx("sell", "1.5", "100", day=1)], method)
    assert err.value.exit_code == 2
    assert "only 1 held" in err.value.message
    # A sell dated before the buy sells what was not yet held.
    with pytest.raises(OversellError):
        replay([tx("buy", "1", "100", day=5), tx("sell", "1", "100", day=1)], method)


def test_selling_everything_leaves_no_dust():
    # thirds: 1 BTC bought in three lots, sold in one go under avg
    ledger = replay([tx("buy", "0.3", "7", day=0), tx("buy", "0.3", "11", day=1),
                     tx("buy", "0.4", "13", day=2), tx("sell", "1", "20", day=3)], "avg")
    assert ledger.positions["bitcoin"].amount == 0
    # cost 2.1 + 3.3 + 5.2 = 10.6; proceeds 20 -> 9.4
    assert ledger.realized == D("9.4")


@pytest.mark.parametrize(("text", "ok"), [
    ("0.5", D("0.5")), ("1,000", D(1000)), ("1e3", D(1000)), ("0", None), ("-1", None),
    ("nan", None), ("NaN", None), ("inf", None), ("1e30", None), ("abc", None), ("", None),
])
def test_parse_decimal(text, ok):
    if ok is None:
        with pytest.raises(UsageError):
            parse_decimal(text)
    else:
        assert parse_decimal(text) == ok


def test_unknown_method():
    with pytest.raises(UsageError):
        replay(SCENARIO, "lofi")
