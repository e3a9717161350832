"""Number formatting for people: compact large values, enough digits for tiny prices."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

CURRENCY_SIGNS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "cny": "¥", "krw": "₩",
                  "inr": "₹", "btc": "₿"}
_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))
# ISO 4217 currencies without a minor unit, of those CoinGecko quotes in: no decimals.
ZERO_DECIMAL = frozenset({"jpy", "krw", "clp", "vnd"})
# Quote currencies CoinGecko offers that have no cents: coins, satoshis, metals.
NO_CENTS = frozenset({"btc", "eth", "ltc", "bch", "bnb", "eos", "xrp", "xlm", "link", "dot",
                      "yfi", "sol", "bits", "sats", "xag", "xau"})


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
    """A value in a currency: '$63,421.00', '€1.72T', '0.0421 BTC', '$0.00'.

    A currency without a minor unit (ZERO_DECIMAL) has no decimals from 100 up:
    '¥12,148,500', '¥0'; below that a price keeps its digits ('¥25.73', '¥0.00139').
    """
    if value is None:
        return "—"
    whole = currency.lower() in ZERO_DECIMAL
    if short:
        body = compact(value)
    elif value == 0:
        body = "0" if whole else "0.00"
    elif whole and abs(value) >= 99.995:
        body = f"{value:,.0f}"
    else:
        body = number(value)
    return _in_currency(body, currency)


def _in_currency(body: str, currency: str) -> str:
    """'$1.50', '-€2.00', '0.0421 BTC': a formatted number with its currency's sign."""
    sign = CURRENCY_SIGNS.get(currency.lower())
    if sign and currency.lower() != "btc":
        return f"-{sign}{body[1:]}" if body.startswith("-") else f"{sign}{body}"
    return f"{body} {currency.upper()}"


def cents(value: float | None, currency: str) -> str:
    """An amount of money (a value, a cost, a gain) rounded to the currency's minor unit
    for display: '$0.00', not '-$0.000026' of float noise; '¥12,149'. A quote currency
    without cents (btc, eth...) keeps its digits, as money() gives them."""
    if value is None or currency.lower() in NO_CENTS:
        return money(value, currency)
    decimals = 0 if currency.lower() in ZERO_DECIMAL else 2
    rounded = round(value, decimals) or 0.0  # never '-$0.00'
    return _in_currency(f"{rounded:,.{decimals}f}", currency)


def percent(value: float | None, *, color: bool = True) -> str | Text:
    """'+2.35%'; with `color` a Rich Text in green (up), red (down) or dim (flat).

    Never markup: a styled Text keeps its plain text when put in an f-string.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if round(value, 2) == 0:
        value = 0.0  # '+0.00%', never '-0.00%' of float noise: flat
    text = f"{value:+.2f}%"
    if not color:
        return text
    from rich.text import Text

    return Text(text, style="green" if value > 0 else "red" if value < 0 else "dim")


# C0 controls but tab and newline, DEL, and the C1 block (ESC, CSI...): shown, not executed.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Text from users or APIs made safe for a terminal: control characters such as ESC
    are shown as escapes (`\\x1b[31m`) instead of being executed."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def tick_labels(ticks: Sequence[float]) -> list[str]:
    """Axis labels in one unit with the fewest decimals that tell the ticks apart:
    102.8B, 103.4B, 104.0B (never 103B, 103B, 104B)."""
    top = max(abs(t) for t in ticks)
    scale, suffix = next(((f, s) for f, s in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))
                          if top >= f), (1.0, ""))
    values = [t / scale for t in ticks]
    step = min((abs(b - a) for a, b in pairwise(values)), default=0.0)
    labels: list[str] = []
    for decimals in range(7):
        labels = [f"{v:.{decimals}f}{suffix}" for v in values]
        close = all(abs(round(v, decimals) - v) <= step / 20 for v in values)
        if len(set(labels)) == len(labels) and close:
            break
    return labels


def axis_labels(ticks: Sequence[float]) -> list[str]:
    """A chart's y labels: short (axis_number), or when those would repeat (a stablecoin
    between 0.9995 and 1.0005 is '1' five times) the fewest decimals that tell them apart."""
    labels = [axis_number(t) for t in ticks]
    return labels if len(set(labels)) == len(labels) else tick_labels(ticks)


def axis_number(value: float) -> str:
    """A chart axis label: 86.5k, 1.25M, 2.4B, 63.2, 0.0042 (short, never 138911.6)."""
    magnitude = abs(value)
    for threshold, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if magnitude >= threshold:
            scaled = value / threshold
            digits = 0 if abs(scaled) >= 100 else 1 if abs(scaled) >= 10 else 2
            return f"{scaled:.{digits}f}".rstrip("0").rstrip(".") + suffix
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 1:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return number(value, 3)
