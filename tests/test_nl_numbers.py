"""Number, period and interval grammar."""

from __future__ import annotations

import pytest

from mobius_cli.nl.entities import find_days, find_interval, scan_tokens
from mobius_cli.nl.numbers import parse_number, period_days, to_number
from mobius_cli.nl.text import tokenize


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.5", 0.5),
        (".5", 0.5),
        ("1,500", 1500),
        ("10,000", 10000),
        ("2.5k", 2500),
        ("97.5k", 97500),
        ("$3m", 3_000_000),
        ("2m", 2_000_000),
        ("$100", 100),
        ("0.00002", 0.00002),
        ("0.0000085", 0.0000085),
        ("$68,000", 68000),
        ("14.20", 14.2),
        ("1bn", 1e9),
        # decimal commas (es/fr/de/pt/it): a comma that cannot group thousands
        ("1,5", 1.5), ("0,25", 0.25), ("1,50", 1.5), ("0,125", 0.125), ("1.500,25", 1500.25),
        ("2,5k", 2500),
        # dots and spaces that can only group thousands: round numbers, several groups
        ("60.000", 60000), ("100.000", 100000), ("1.000.000", 1e6), ("70 000", 70000),
        ("100 000", 100000), ("3.500", 3.5), ("0.000", 0.0),
    ],
)
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "1,,5", "k", "1.2.3", "1,5,0"])
def test_parse_number_rejects(text: str) -> None:
    assert parse_number(text) is None


def test_to_number_prints_whole_numbers_as_int() -> None:
    assert to_number(2.0) == 2 and isinstance(to_number(2.0), int)
    assert to_number(0.25) == 0.25


@pytest.mark.parametrize(
    ("text", "value", "pct"),
    [("up 5%", 5, True), ("15%+ apy", 15, True), ("12 percent", 12, True),
     ("at $3,200", 3200, False), ("@ 3.1k", 3100, False)],
)
def test_tokenize_numbers(text: str, value: float, pct: bool) -> None:
    nums = [t for t in tokenize(text) if t.kind == "num"]
    assert len(nums) == 1
    assert nums[0].value == pytest.approx(value)
    assert nums[0].pct is pct


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("last 30 days", 30),
        ("over the last 3 months", 90),
        ("for the last two weeks", 14),
        ("past year", 365),
        ("last 6 months", 180),
        ("1y", 365),
        ("90d", 90),
        ("24h", 1),
        ("today", 1),
        ("this past week", 7),
        ("for a month", 30),
        ("last quarter", 90),
        ("all time", "max"),
        ("last 5 years", 1825),
        ("last 2 weeks", 14),
        ("last yr", 365),
        # A form the contract names wins over the N-rule (12 x 30 would be 360).
        ("last 12 months", 365),
        ("the past 12mo", 365),
        ("ultimos 12 meses", 365),
        ("last 11 months", 330),
        ("last 24 months", 720),
    ],
)
def test_periods(text: str, days: int | str) -> None:
    assert find_days(scan_tokens(tokenize(text))) == days


def test_no_period() -> None:
    assert find_days(scan_tokens(tokenize("price of bitcoin"))) is None


@pytest.mark.parametrize(
    ("text", "interval"),
    [("weekly", 7), ("daily", 1), ("monthly", 30), ("biweekly", 14), ("every two weeks", 14),
     ("every other week", 14), ("$10 a day", 1), ("50 bucks a week", 7), ("every month", 30),
     ("per month", 30)],
)
def test_intervals(text: str, interval: int) -> None:
    assert find_interval(scan_tokens(tokenize(text))) == interval


def test_interval_is_not_also_the_period() -> None:
    scan = scan_tokens(tokenize("dca $50 a week into eth over the last year"))
    assert find_interval(scan) == 7
    assert find_days(scan) == 365


@pytest.mark.parametrize(("count", "unit", "days"),
                         [(3, "months", 90), (2, "years", 730), (48, "hours", 2), (1, "w", 7)])
def test_period_days(count: int, unit: str, days: int) -> None:
    assert period_days(count, unit) == days


@pytest.mark.parametrize(("text", "key", "value"), [
    ("avísame si eth baja de 2.000", "target", 2000),
    ("sag mir wenn btc über 100.000 steigt", "target", 100000),
    ("alert me if btc drops below 70 000", "target", 70000),
    ("compré 0,5 btc a 60.000", "price", 60000),
])
def test_thousands_written_as_people_write_them(text, key, value):
    from mobius_cli.nl import Conversation

    assert Conversation().parse(text).entities[key] == value
