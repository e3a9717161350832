"""core.performance: TWR and XIRR against hand-worked cash flows; the daily book."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mobius_cli.core.performance import Flow, daily_book, twr, xirr

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)


def day(n, hours=0):
    return T0 + timedelta(days=n, hours=hours)


def test_twr_chains_daily_returns_with_flows_at_the_close():
    values = [100.0, 110.0, 230.0, 240.0]
    flows = [0.0, 0.0, 100.0, 0.0]
    want = (110 / 100) * ((230 - 100) / 110) * (240 / 230) - 1
    assert twr(values, flows) == pytest.approx(want, rel=1e-12)


def test_twr_skips_days_that_start_with_nothing_and_is_none_when_nothing_was_held():
    assert twr([0.0, 0.0, 50.0, 55.0], [0.0, 0.0, 50.0, 0.0]) == pytest.approx(0.1)
    assert twr([0.0, 0.0], [0.0, 0.0]) is None


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
    want = (12 / 10) * ((51 - 41) / 12) * ((52 + 9.5) / 51) - 1
    assert twr(book.values, book.flows) == pytest.approx(want, rel=1e-12)


def test_daily_book_values_transfers_at_the_close():
    times = [day(0), day(1), day(2)]
    closes = {"a": [10.0, 12.0, 15.0]}
    book = daily_book(times, closes, {}, [Flow(day(0, 12), "a", 3.0, None)])
    assert book.values == [0.0, 36.0, 45.0]
    assert book.flows == [0.0, 36.0, 0.0]
    assert twr(book.values, book.flows) == pytest.approx(45 / 36 - 1)
