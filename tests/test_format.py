"""Number formatting: compact large values, enough digits for tiny prices."""

import pytest
from rich.text import Text

from mobius_cli.render.format import (
    axis_number,
    compact,
    file_size,
    money,
    number,
    percent,
    printable,
)


@pytest.mark.parametrize(("value", "expected"), [
    (1_720_000_000_000, "1.72T"), (2_621_040_321_355.04, "2.62T"), (95_133_256_404, "95.13B"),
    (999_999_999, "1.00B"), (29_096_603_418.9, "29.10B"), (8_474_612, "8.47M"),
    (1_500, "1.50K"), (999, "999.00"), (0.5, "0.50"), (-3_200_000, "-3.20M"), (None, "—"),
])
def test_compact(value, expected):
    assert compact(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (63421, "63,421.00"), (1779.39, "1,779.39"), (1.0, "1.00"), (0.999113, "0.9991"),
    (0.5123, "0.5123"), (0.00000912, "0.00000912"), (0.00001234, "0.00001234"),
    (5.938674704566297e-06, "0.000005939"), (0.1, "0.1"), (0, "0"), (None, "—"),
    (-0.0042, "-0.0042"),
])
def test_number_keeps_significant_digits_for_tiny_prices(value, expected):
    assert number(value) == expected


@pytest.mark.parametrize(("value", "currency", "short", "expected"), [
    (63421, "usd", False, "$63,421.00"), (64375, "eur", False, "€64,375.00"),
    (1.72e12, "usd", True, "$1.72T"), (0.0421, "btc", False, "0.0421 BTC"),
    (3.5, "sol", False, "3.50 SOL"), (-12.5, "usd", False, "-$12.50"), (None, "usd", False, "—"),
    (0, "eur", False, "€0.00"), (0.0, "btc", False, "0.00 BTC"),
])
def test_money(value, currency, short, expected):
    assert money(value, currency, short=short) == expected


@pytest.mark.parametrize(("value", "color", "expected"), [
    (2.345, False, "+2.35%"), (-1.2, False, "-1.20%"), (0, False, "+0.00%"), (None, True, "—"),
])
def test_percent(value, color, expected):
    assert percent(value, color=color) == expected


@pytest.mark.parametrize(("value", "plain", "style"), [
    (2.345, "+2.35%", "green"), (-1.2, "-1.20%", "red"), (0, "+0.00%", "dim"),
])
def test_percent_in_colour_is_styled_text_not_markup(value, plain, style):
    text = percent(value, color=True)
    assert isinstance(text, Text) and text.plain == plain and str(text.style) == style
    assert f"{text}" == plain  # in an f-string it is the plain figure, never "[green]"


@pytest.mark.parametrize(("value", "expected"), [
    (138911.6, "139k"), (86512.0, "86.5k"), (71891.3, "71.9k"), (1_250_000, "1.25M"),
    (2.4e9, "2.4B"), (999.4, "999"), (63.24, "63.24"), (1.5, "1.5"), (0.004213, "0.00421"),
    (0, "0"),
])
def test_axis_number_is_short(value, expected):
    assert axis_number(value) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("plain [bold] text", "plain [bold] text"), ("a\x1b[31mred", "a\\x1b[31mred"),
    ("bell\x07", "bell\\x07"), ("tab\tand\nnewline", "tab\tand\nnewline"),
    ("c1\x9b31m", "c1\\x9b31m"), ("del\x7f", "del\\x7f"),
])
def test_printable_shows_control_characters(text, expected):
    assert printable(text) == expected


@pytest.mark.parametrize(("size", "expected"), [
    (0, "0 B"), (999, "999 B"), (1000, "1.0 KB"), (1_269_760, "1.3 MB"), (5e9, "5.0 GB"),
])
def test_file_size(size, expected):
    assert file_size(size) == expected


@pytest.mark.parametrize(("value", "currency", "shown"), [
    (-1.455e-11, "usd", "$0.00"),  # float noise in a gain is no loss
    (-0.000026, "usd", "$0.00"),
    (0.9999, "usd", "$1.00"),  # an amount of money, not a price: to the cent
    (-0.5, "eur", "-€0.50"),
    (0.5, "chf", "0.50 CHF"),
    (53470.78999999999, "usd", "$53,470.79"),
    (12148.6, "jpy", "¥12,149"),  # no minor unit
    (0.00042, "btc", "0.00042 BTC"),  # a coin as the currency keeps its digits
    (None, "usd", "—"),
])
def test_amounts_of_money_round_to_the_minor_unit(value, currency, shown):
    from mobius_cli.render.format import cents

    assert cents(value, currency) == shown


def test_a_change_that_rounds_to_nothing_is_flat():
    assert percent(-0.000001, color=False) == "+0.00%"
    flat = percent(-0.004)
    assert flat.plain == "+0.00%" and str(flat.style) == "dim"
    assert percent(-0.006, color=False) == "-0.01%"
