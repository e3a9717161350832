"""Pure market arithmetic."""

from datetime import datetime, timedelta, timezone

import pytest

from mobius_cli.core.market import (
    change_pct,
    conversion_rate,
    daily_closes,
    parse_amount,
    parse_days,
    sample,
)
from mobius_cli.core.models import PricePoint
from mobius_cli.errors import UsageError

PRICES = {"bitcoin": {"usd": 60000, "eur": 55000}, "ethereum": {"usd": 3000, "eur": 2750}}


@pytest.mark.parametrize(("text", "value"), [
    ("2", 2), ("0.5", 0.5), (".5", 0.5), ("1,500", 1500), ("2.5k", 2500), ("3m", 3e6),
    ("$100", 100),
])
def test_parse_amount(text, value):
    assert parse_amount(text) == value


@pytest.mark.parametrize("text", ["-1", "0", "abc", "nan", "inf", "1e20", "", "1_000", "1,5",
                                  "0,5", "1,5000", "1,,5", "1.500,5", "1e400"])
def test_parse_amount_refuses_bad_input(text):
    with pytest.raises(UsageError) as refused:
        parse_amount(text)
    if "," in text:  # never read as a bigger number: the comma rule is said
        assert "a comma only separates thousands" in (refused.value.hint or "")
    if text == "1e400":
        assert "too large" in refused.value.message


@pytest.mark.parametrize(("text", "value"), [("30", 30), ("7d", 7), ("max", "max"),
                                             ("MAX", "max")])
def test_parse_days(text, value):
    assert parse_days(text) == value


@pytest.mark.parametrize("text", ["0", "-3", "week", "40000"])
def test_parse_days_refuses(text):
    with pytest.raises(UsageError):
        parse_days(text)


@pytest.mark.parametrize(("src", "dst", "src_fiat", "dst_fiat", "rate"), [
    ("bitcoin", "eur", False, True, 55000),
    ("usd", "ethereum", True, False, 1 / 3000),
    ("bitcoin", "ethereum", False, False, 20),
])
def test_conversion_rate(src, dst, src_fiat, dst_fiat, rate):
    got = conversion_rate(src, dst, from_is_fiat=src_fiat, to_is_fiat=dst_fiat, prices=PRICES)
    assert got == pytest.approx(rate)


def test_fiat_to_fiat_uses_btc_relative_rates():
    rates = {"usd": 75817.765, "eur": 65223.37}
    got = conversion_rate("usd", "eur", from_is_fiat=True, to_is_fiat=True, prices={},
                          btc_rates=rates)
    assert got == pytest.approx(65223.37 / 75817.765)


def test_missing_price_is_a_usage_error():
    with pytest.raises(UsageError, match="no GBP price for bitcoin"):
        conversion_rate("bitcoin", "gbp", from_is_fiat=False, to_is_fiat=True, prices=PRICES)


def _series(prices, step=timedelta(hours=6)):
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    return [PricePoint(start + i * step, p) for i, p in enumerate(prices)]


def test_change_sample_and_daily_closes():
    series = _series([100, 110, 90, 120, 150, 130, 125, 200])
    assert change_pct(series) == pytest.approx(100.0)
    assert change_pct(series[:1]) is None
    picked = sample(series, 3)
    assert [p.price for p in picked] == [100, 150, 200]
    assert picked[0] is series[0] and picked[-1] is series[-1]
    closes = daily_closes(series)
    assert [p.price for p in closes] == [120, 200]
