"""core.performance: TWR and XIRR against hand-worked cash flows; the daily book."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mobius_cli.core.performance import Flow, closes_used, daily_book, twr, xirr

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)


def day(n, hours=0):
    return T0 + timedelta(days=n, hours=hours)


def test_twr_chains_daily_returns_money_in_from_the_start_of_its_day():
    values = [100.0, 110.0, 230.0, 240.0]
    put_in, taken_out = [0.0, 0.0, 100.0, 0.0], [0.0] * 4
    # day 2 starts from 110 + the 100 put in, and ends at 230
    want = (110 / 100) * (230 / (110 + 100)) * (240 / 230) - 1
    assert twr(values, put_in, taken_out) == pytest.approx(want, rel=1e-12)


def test_twr_counts_a_buy_below_the_close_and_a_sale_above_it():
    # Nothing held; 100 buys what closes at 150 the same day (+50%), then 150 → 120
    # (-20%), then everything is sold for 130 (above the 120 close: +8.33%).
    values, put_in, taken_out = [0.0, 150.0, 120.0, 0.0], [0, 100.0, 0, 0], [0, 0, 0, 130.0]
    assert twr(values, put_in, taken_out) == pytest.approx(1.5 * 0.8 * (130 / 120) - 1,
                                                           rel=1e-12)


def test_twr_skips_days_that_start_with_nothing_and_is_none_when_nothing_was_held():
    assert twr([0.0, 0.0, 50.0, 55.0], [0.0, 0.0, 50.0, 0.0], [0.0] * 4) == \
        pytest.approx(0.1)
    assert twr([0.0, 0.0], [0.0, 0.0], [0.0, 0.0]) is None


def test_xirr_one_year_ten_percent():
    result = xirr([(day(0), -1000.0), (day(365), 1100.0)])
    assert result.rate == pytest.approx(0.10, rel=1e-12)


def test_xirr_two_deposits():
    # 1000 grows two years at 10% to 1210, 1000 grows one year to 1100: 2310 back.
    result = xirr([(day(0), -1000.0), (day(365), -1000.0), (day(730), 2310.0)])
    assert result.rate == pytest.approx(0.10, rel=1e-12)


def test_xirr_over_half_a_year_is_annualised():
    # +5% in 182.5 days is (1.05)^2 - 1 a year
    result = xirr([(day(0), -100.0), (day(182, 12), 105.0)])
    assert result.rate == pytest.approx(1.05 ** 2 - 1, rel=1e-12)


def test_xirr_a_total_loss_is_minus_one_hundred_is_out_of_range_so_no_solution():
    result = xirr([(day(0), -100.0), (day(365), 0.0)])
    assert result.rate is None and "one way" in result.reason


def test_xirr_says_no_solution_when_no_rate_balances_the_flows():
    # 100 - 300 v + 300 v^2 > 0 for every v: no real root
    result = xirr([(day(0), 100.0), (day(365), -300.0), (day(730), 300.0)])
    assert result.rate is None
    assert result.reason.startswith("no solution")


def test_xirr_says_not_unique_when_two_rates_balance_the_flows():
    # -100 + 230 v - 132 v^2 = 0 at v = 1/1.1 and v = 1/1.2: 10% and 20% both fit
    result = xirr([(day(0), -100.0), (day(365), 230.0), (day(730), -132.0)])
    assert result.rate is None
    assert "not unique" in result.reason and "10.00%" in result.reason
    assert "20.00%" in result.reason


def test_xirr_of_flows_all_one_way_or_on_one_day():
    assert xirr([(day(0), -5.0), (day(3), -5.0)]).rate is None
    assert xirr([(day(0), -5.0), (day(0), 6.0)]).rate is None
    assert xirr([]).rate is None


def test_daily_book_hand_worked():
    # closes of two coins on four days; 1 A held before; buy 2 B on day 2 for 41 (fee 1),
    # sell 0.5 A on day 3 for 9.5 (after fee); the last close is live.
    times = [day(0), day(1), day(2), day(3)]
    closes = {"a": [10.0, 12.0, 11.0, 20.0], "b": [5.0, 6.0, 20.0, 21.0]}
    flows = [Flow(day(1, 5), "b", 2.0, 41.0), Flow(day(2, 3), "a", -0.5, -9.5)]
    book = daily_book(times, closes, {"a": 1.0}, flows)
    assert book.values == pytest.approx([10.0, 12.0, 1 * 11 + 2 * 20, 0.5 * 20 + 2 * 21])
    assert book.flows == pytest.approx([0.0, 0.0, 41.0, -9.5])
    assert book.invested == pytest.approx([10.0, 10.0, 51.0, 41.5])
    assert book.cash_flows == [(day(0), -10.0), (day(1, 5), -41.0), (day(2, 3), 9.5),
                               (day(3), pytest.approx(52.0))]
    assert book.day_in == [0.0, 0.0, 41.0, 0.0] and book.day_out == [0.0, 0.0, 0.0, 9.5]
    want = (12 / 10) * (51 / (12 + 41)) * ((52 + 9.5) / 51) - 1
    assert twr(book.values, book.day_in, book.day_out) == pytest.approx(want, rel=1e-12)


def test_daily_book_values_transfers_at_the_close():
    times = [day(0), day(1), day(2)]
    closes = {"a": [10.0, 12.0, 15.0]}
    book = daily_book(times, closes, {}, [Flow(day(0, 12), "a", 3.0, None)])
    assert book.values == [0.0, 36.0, 45.0]
    assert book.flows == [0.0, 36.0, 0.0]
    assert twr(book.values, book.day_in, book.day_out) == pytest.approx(45 / 36 - 1)


def test_a_window_that_begins_before_the_first_buy_starts_from_nothing():
    # Nothing held before; buy 2 A on day 1 at 10:00 for 21 (fee 1), buy 1 B exactly at
    # close 2 for 5, sell 1 A on day 3 for 14 (after fee). The window starts at close 0
    # (the last close before the first flow), worth 0; every buy is money in.
    times = [day(0), day(1), day(2), day(3), day(4)]
    closes = {"a": [9.0, 10.0, 12.0, 15.0, 16.0], "b": [4.0, 4.5, 5.5, 6.0, 7.0]}
    flows = [Flow(day(0, 10), "a", 2.0, 21.0), Flow(day(2), "b", 1.0, 5.0),
             Flow(day(2, 6), "a", -1.0, -14.0)]
    book = daily_book(times, closes, {}, flows)
    assert book.start == 0 and book.start_value == 0.0
    assert book.values == pytest.approx([0.0, 20.0, 2 * 12 + 5.5, 15 + 6, 16 + 7])
    assert book.flows == pytest.approx([0.0, 21.0, 5.0, -14.0, 0.0])
    assert book.money_in == pytest.approx(26.0) and book.money_out == pytest.approx(14.0)
    # the figures reconcile: start + money in - money out = net money put in
    assert book.invested == pytest.approx([0.0, 21.0, 26.0, 12.0, 12.0])
    assert book.invested[-1] == pytest.approx(0.0 + 26.0 - 14.0)
    assert all(type(v) is float for v in book.values + book.flows + book.invested)
    assert book.cash_flows == [(day(0, 10), -21.0), (day(2), -5.0), (day(2, 6), 14.0),
                               (day(4), pytest.approx(23.0))]
    # TWR: the 21 put in on day 1 ends at 20; day 2 starts from 20 + 5; the sale of 14 is
    # counted on day 3 beside the value left
    want = (20 / 21) * (29.5 / (20 + 5)) * ((21 + 14) / 29.5) * (23 / 21) - 1
    assert twr(book.values, book.day_in, book.day_out) == pytest.approx(want, rel=1e-12)


def test_the_window_starts_at_the_last_close_before_the_first_flow():
    times = [day(n) for n in range(6)]
    closes = {"a": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]}
    book = daily_book(times, closes, {}, [Flow(day(3, 1), "a", 1.0, 3.5)])
    assert book.start == 3 and book.start_value == 0.0
    assert book.invested[book.start:] == pytest.approx([0.0, 3.5, 3.5])
    assert (book.money_in, book.money_out) == (3.5, 0.0)
    # holdings at the first close: the window starts there, they are the capital
    held = daily_book(times, closes, {"a": 2.0}, [Flow(day(3, 1), "a", 1.0, 3.5)])
    assert held.start == 0 and held.start_value == 2.0
    assert held.invested[-1] == pytest.approx(2.0 + 3.5)
    # nothing held and nothing done: the last close
    assert daily_book(times, closes, {}, []).start == 5


def test_closes_used_are_the_days_a_coin_is_held_or_transferred():
    times = [day(n) for n in range(5)]
    flows = [Flow(day(1, 2), "a", 1.0, 10.0), Flow(day(2, 2), "a", -1.0, -12.0),
             Flow(day(3, 2), "b", 2.0, None), Flow(day(3, 5), "b", -2.0, None)]
    used = closes_used(times, {"c": 1.0}, flows)
    assert used["a"] == [False, False, True, False, False]
    assert used["b"] == [False, False, False, False, True]  # transferred in and out: valued
    assert used["c"] == [True] * 5


def _npv(flows, rate):
    return sum(a / (1 + rate) ** ((t - flows[0][0]).total_seconds() / 86400 / 365)
               for t, a in flows)


def test_a_trade_after_the_newest_close_goes_in_before_the_value_now_comes_out():
    # 1 A held from before; the newest close is day 200 (live: 15). A buy of 1 A for 13 at
    # day 200 + 5 h counts at that close; the value now (2 A at 15 = 30) is dated at the
    # buy, never before it: XIRR sees -10, -13, then +30, a gain of 7: a positive rate.
    times = [day(0), day(100), day(200)]
    book = daily_book(times, {"a": [10.0, 12.0, 15.0]}, {"a": 1.0},
                      [Flow(day(200, 5), "a", 1.0, 13.0)])
    assert book.values == pytest.approx([10.0, 12.0, 30.0])
    assert book.end == day(200, 5)
    assert book.external == [(day(0), -10.0), (day(200, 5), -13.0)]
    flows = [(day(0), -10.0), (day(200, 5), -13.0), (day(200, 5), 30.0)]
    assert book.cash_flows == flows
    rate = xirr(book.cash_flows).rate
    # by hand: -10 now, +17 net after 200 days 5 hours
    assert rate == pytest.approx(1.7 ** (365 / (200 + 5 / 24)) - 1, rel=1e-9)
    assert rate > 0 and abs(_npv(flows, rate)) < 1e-9 * 30


def test_a_lone_trade_after_the_newest_close_has_no_annual_rate_but_no_wrong_one():
    # Nothing held; one buy after the newest close: money in and the value now are at the
    # same moment, so no annual rate is reported (never -99.93%).
    times = [day(0), day(1)]
    book = daily_book(times, {"a": [10.0, 12.0]}, {}, [Flow(day(1, 20), "a", 1.0, 10.0)])
    assert book.cash_flows == [(day(1, 20), -10.0), (day(1, 20), 12.0)]
    result = xirr(book.cash_flows)
    assert result.rate is None and "same day" in result.reason


def test_the_value_now_is_dated_at_the_last_close_when_every_flow_is_before_it():
    times = [day(0), day(1), day(2)]
    book = daily_book(times, {"a": [10.0, 12.0, 15.0]}, {},
                      [Flow(day(0, 5), "a", 1.0, 11.0)])
    assert book.end == day(2)
    assert book.cash_flows == [(day(0, 5), -11.0), (day(2), 15.0)]
