"""Number, period and interval grammar: ".5", "1,500", "2.5k", "$3m", "last 3 months"."""

from __future__ import annotations

import math
import re

SUFFIXES: dict[str, float] = {"k": 1e3, "m": 1e6, "mm": 1e6, "b": 1e9, "bn": 1e9}
NUMBER_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50, "hundred": 100,
}
# Small counts of es/fr/de/pt/it, for periods and intervals ("un an", "zwei Wochen").
NUMBER_WORDS.update({
    **dict.fromkeys(("un", "une", "uno", "una", "um", "uma", "ein", "eine", "einem", "einen",
                     "einer"), 1),
    **dict.fromkeys(("deux", "dos", "dois", "duas", "zwei", "due"), 2),
    **dict.fromkeys(("trois", "tres", "drei", "tre"), 3),
    **dict.fromkeys(("quatre", "cuatro", "quatro", "vier", "quattro"), 4),
    **dict.fromkeys(("cinq", "cinco", "funf", "cinque"), 5),
    **dict.fromkeys(("seis", "sechs"), 6),
})
UNIT_DAYS: dict[str, int] = {
    "h": 1, "hr": 1, "hrs": 1, "hour": 1, "hours": 1, "d": 1, "day": 1, "days": 1,
    "w": 7, "wk": 7, "wks": 7, "week": 7, "weeks": 7,
    "mo": 30, "mos": 30, "month": 30, "months": 30,
    "y": 365, "yr": 365, "yrs": 365, "year": 365, "years": 365, "quarter": 90, "quarters": 90,
}
# The same units in es/fr/de/pt/it ("6 meses", "2 ans", "3 Monate").
UNIT_DAYS.update({
    **dict.fromkeys(("dia", "dias", "jour", "jours", "tag", "tage", "tagen", "giorni"), 1),
    **dict.fromkeys(("semana", "semanas", "semaine", "semaines", "woche", "wochen",
                     "settimane"), 7),
    **dict.fromkeys(("meses", "mois", "monat", "monate", "monaten", "mesi"), 30),
    **dict.fromkeys(("ano", "anos", "annee", "annees", "an", "ans", "jahr", "jahre", "jahren",
                     "anni"), 365),
})
INTERVALS: dict[str, int] = {
    "daily": 1, "weekly": 7, "biweekly": 14, "fortnightly": 14, "monthly": 30,
}

# A number as people type it: "1,500.25" (comma groups), "1.500,25" (dot groups, comma
# decimals), "1,5" or "0,25" (a decimal comma: no valid grouping), "2.5", ".5".
# Dots or spaces group thousands where they cannot be decimals: "1.000.000", "60.000",
# "70 000" (a single dot group of other digits, "3.500", stays a decimal as in English).
NUMBER = (r"\d{1,3}(?:\.\d{3})+,\d+|\d{1,3}(?:\.\d{3}){2,}|\d{1,3}(?: 000)+(?![\d.,])"
          r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+,\d+|\d+(?:\.\d+)?|\.\d+")
_NUM_RE = re.compile(rf"({NUMBER})(k|mm|m|bn|b)?")
_GROUPED_DOTS = re.compile(r"\d{1,3}(?:\.\d{3})+,\d+")
_DOT_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:\.\d{3}){2,}|[1-9]\d{0,2}(?:\.000)+")
_GROUPED_COMMAS = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?")


def to_number(value: float) -> int | float:
    """An int when the value is whole (JSON prints 2, not 2.0), else the float."""
    if value.is_integer() and abs(value) < 1e15:
        return int(value)
    return round(value, 12)


def parse_number(text: str) -> float | None:
    """Parse "1,500", ".5", "2.5k", "$3m", "97.5k" to a float; None when it is not one."""
    text = text.strip().lstrip("$€£¥").replace(" ", "").lower()
    match = _NUM_RE.fullmatch(text)
    if not match:
        return None
    value = float(plain_number(match.group(1)))
    if match.group(2):
        value *= SUFFIXES[match.group(2)]
    # A 400-digit amount is too large to be finite: it is not stated (output stays strict JSON).
    return value if math.isfinite(value) else None


def plain_number(body: str) -> str:
    """The digits of a typed number with a dot for decimals: "1,500.5" → "1500.5",
    "1.500,5" → "1500.5", "1,5" → "1.5", "0,125" → "0.125" (no thousands start with 0),
    "60.000" and "1.000.000" and "70 000" → thousands ("3.500" stays 3.5)."""
    body = body.replace(" ", "")
    if "," not in body:
        return body.replace(".", "") if _DOT_THOUSANDS.fullmatch(body) else body
    if _GROUPED_DOTS.fullmatch(body):
        return body.replace(".", "").replace(",", ".")
    if _GROUPED_COMMAS.fullmatch(body):
        return body.replace(",", "")
    return body.replace(",", ".", 1)


def word_number(word: str) -> int | None:
    """The number a word stands for ("two" → 2), or None."""
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word)


def period_days(count: float, unit: str) -> int | None:
    """Days in "N units" (3 months → 90, 24 hours → 1), or None for an unknown unit."""
    per = UNIT_DAYS.get(unit)
    if per is None:
        return None
    if unit.startswith("h"):
        return max(1, round(count / 24))
    if per == 30 and count == 12:  # a named form wins over the N-rule: 12 months is a year
        return 365
    return round(count * per)
