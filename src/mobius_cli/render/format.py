"""Number formatting for people: compact large values, enough digits for tiny prices."""

from __future__ import annotations

import math

CURRENCY_SIGNS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "cny": "¥", "krw": "₩",
                  "inr": "₹", "btc": "₿"}
_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def compact(value: float | None, digits: int = 2) -> str:
    """1_720_000_000_000 → '1.72T'; small values as plain numbers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    for threshold, suffix in _SUFFIXES:
        if magnitude >= threshold * 0.9995:
            return f"{sign}{magnitude / threshold:.{digits}f}{suffix}"
    return f"{sign}{magnitude:.{digits}f}"


def file_size(size: float) -> str:
    """1_269_760 → '1.3 MB'; 0 → '0 B'."""
    if size < 1000:
        return f"{size:.0f} B"
    units = ("KB", "MB", "GB", "TB")
    power = min(int(math.log10(size) // 3), len(units))
    return f"{size / 1000**power:.1f} {units[power - 1]}"


def number(value: float | None, significant: int = 4) -> str:
    """A price-like number: 2 decimals from 1, else enough significant digits.

    63421 → '63,421.00'; 0.5123 → '0.5123'; 0.00000912 → '0.00000912'.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1:
        return f"{value:,.2f}"
    decimals = significant - 1 - math.floor(math.log10(magnitude))
    text = f"{value:.{min(decimals, 18)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(value: float | None, currency: str, *, short: bool = False) -> str:
    """A value in a currency: '$63,421.00', '€1.72T', '0.0421 BTC'."""
    if value is None:
        return "—"
    body = compact(value) if short else number(value)
    sign = CURRENCY_SIGNS.get(currency.lower())
    if sign and currency.lower() != "btc":
        return f"-{sign}{body[1:]}" if body.startswith("-") else f"{sign}{body}"
    return f"{body} {currency.upper()}"


def percent(value: float | None, *, color: bool = True) -> str:
    """'+2.35%' in green, '-1.20%' in red (Rich markup when `color`)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{value:+.2f}%"
    if not color:
        return text
    style = "green" if value > 0 else "red" if value < 0 else "dim"
    return f"[{style}]{text}[/{style}]"
