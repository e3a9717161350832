"""Normalise and tokenise a sentence; correct typos towards the vocabulary."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from mobius_cli.nl import langs, vocab
from mobius_cli.nl.numbers import parse_number, to_number

# Long inputs are cut: no request needs more, and parsing stays fast on 100 KB lines.
MAX_CHARS = 1500

_TOKEN_RE = re.compile(
    r"""
    (?P<period>(?<![\w.,])\d+(?:\.\d+)?(?:hrs|hr|h|d|wks|wk|w|yrs|yr|y|mo)(?![a-z0-9]))
   |(?P<num>(?P<neg>(?<![\w.,])-(?=[$€£¥]?\d))?(?P<cur>[$€£¥])?\s?(?:\d{1,3}(?:\.\d{3})+,\d+|\d{1,3}(?:\.\d{3}){2,}
        |\d{1,3}(?:[ ]000)+(?![\d.,])|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+,\d+|\d+(?:\.\d+)?|\.\d+)
        (?:k|mm|m|bn|b)?(?![a-z0-9])(?P<pct>\s?(?:%|percent\b|pct\b))?\+?)
   |(?P<ticker>\$\d{0,4}[a-z][a-z0-9]{0,9}(?![a-z0-9]))
   |(?P<word>w/|\d{0,4}[a-z][a-z0-9]*(?:[&'.][a-z0-9]+)*)
   |(?P<arrow>->|=>|→|⇒|<|>|=)
   |(?P<punct>[?!,;:&%\#@$€£¥+/])
    """,
    re.IGNORECASE | re.VERBOSE,
)
_ELISION_RE = re.compile(r"^(?:l|d|j|c|s|n|m|qu|dell|nell|all|dall|sull|un)'([a-z].*)$")
_PERIOD_RE = re.compile(r"(\d+(?:\.\d+)?)([a-z]+)")

# Everyday words of every language (nl/lang/*.json): never typo-corrected, never tickers.
COMMON_WORDS: frozenset[str] = langs.common_words()


@dataclass(slots=True)
class Token:
    """One token: its normalised text, the text as typed, and what kind it is."""

    text: str
    raw: str
    kind: str  # word | num | ticker | period | punct
    value: float | None = None
    cur: str | None = None
    pct: bool = False
    fuzzy: bool = False


def fold(text: str) -> str:
    """Strip accents and unify apostrophes, keeping case and currency signs."""
    if text.isascii():  # nothing to decompose (the common case)
        return text.replace("`", "'")
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Words that are never typo-corrected."""
    words: set[str] = set(COMMON_WORDS) | set(vocab.CUE_WORDS)
    for phrase in (*vocab.COIN_NAMES, *vocab.CHAIN_NAMES, *vocab.PROTOCOLS, *vocab.FIAT_WORDS,
                   *vocab.CATEGORIES, *vocab.INDICATORS, *vocab.SLANG, *vocab.SLANG.values()):
        words.update(phrase.split())
    words.update(t.lower() for t in vocab.TICKERS)
    return frozenset(words)


@lru_cache(maxsize=4096)
def correct(word: str) -> str | None:
    """The vocabulary word a typo stands for ("etherium" → "ethereum"), or None."""
    if len(word) < 5 or not word.isalpha() or word in known_words():
        return None
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    # OSA counts a swap of two neighbours ("alret") as one edit.
    targets = [t for t in vocab.fuzzy_targets() if t[0] == word[0]]
    # Among the one-edit fixes, the one that keeps the most of the word's letters
    # ("trnding" is "trending", not "trading").
    found = process.extract(word, targets, scorer=OSA.distance, score_cutoff=1, limit=None)
    if found:
        return max(found, key=lambda f: (-f[1], _shared_letters(word, f[0])))[0]
    if len(word) < 7:
        return None
    if len(word) > 8:
        found = process.extractOne(word, targets, scorer=OSA.distance, score_cutoff=2)
        return found[0] if found else None
    # 7-8 letter words: two edits ("etherum", "chainlnk") when the first two letters agree
    # and the length is within one; longer words take two edits against every target.
    # Two substitutions turn one English word into another ("compose" / "compare"): a
    # two-edit fix must keep all but one of the word's letters.
    near = [t for t in targets if t[:2] == word[:2] and abs(len(t) - len(word)) <= 1
            and _shared_letters(word, t) >= len(word) - 1]
    found = process.extractOne(word, near, scorer=OSA.distance, score_cutoff=2)
    return found[0] if found else None


def _shared_letters(a: str, b: str) -> int:
    """How many letters two words have in common, counted with repeats."""
    from collections import Counter

    return sum((Counter(a) & Counter(b)).values())


def _words(raw: str) -> tuple[Token, ...]:
    """Word tokens for one typed word: elisions, possessives, slang and typos handled.

    Remembered per word as typed (tokens are never changed once made).
    """
    found = _WORD_MEMO.get(raw)
    if found is None:
        found = tuple(_read_word(raw))
        if len(_WORD_MEMO) >= _WORD_MEMO_SIZE:
            _WORD_MEMO.clear()
        _WORD_MEMO[raw] = found
    return found


_WORD_MEMO: dict[str, tuple[Token, ...]] = {}
_WORD_MEMO_SIZE = 50_000


def _read_word(raw: str) -> list[Token]:
    word = raw.lower()
    elided = _ELISION_RE.match(word)
    if elided and word not in vocab.SLANG:
        word, raw = elided.group(1), raw[-len(elided.group(1)):]
    if word not in vocab.SLANG and word.endswith("'s"):
        word, raw = word[:-2], raw[:-2]
    if word in vocab.SLANG:
        return [Token(part, part, "word") for part in vocab.SLANG[word].split()]
    fixed = correct(word)
    if fixed:
        return [Token(fixed, fixed, "word", fuzzy=True)]
    return [Token(word, raw, "word")]


def tokenize(text: str) -> list[Token]:
    """Split a sentence into tokens (numbers parsed, words normalised)."""
    tokens: list[Token] = []
    for match in _TOKEN_RE.finditer(fold(text[:MAX_CHARS])):
        kind = match.lastgroup or "punct"
        if kind == "word":  # the common case first
            tokens.extend(_words(match.group("word")))
            continue
        piece = match.group(kind) if kind != "cur" else match.group(0)
        if match.group("num"):
            piece = match.group("num")
            pct = bool(match.group("pct"))
            body = piece.rstrip("+").strip()
            if pct:
                body = re.sub(r"\s?(%|percent|pct)$", "", body, flags=re.IGNORECASE)
            value = parse_number(body.lstrip("-"))
            if value is not None and body.startswith("-"):
                body, value = body[1:], -value  # "-5 eth" stays negative, so it is refused
            if value is not None:
                tokens.append(Token(body.lower(), piece, "num", value, match.group("cur"), pct))
        elif kind == "period":
            number, unit = _PERIOD_RE.fullmatch(piece.lower()).groups()  # type: ignore[union-attr]
            tokens.append(Token(unit, piece, "period", float(number)))
        elif kind == "arrow":  # "5k usdt -> btc", "btc < 90k", "0.25 eth = ? usd"
            tokens.append(Token(_ARROWS.get(piece, "to"), piece, "word"))
        elif kind == "ticker":
            tokens.append(Token(piece[1:].lower(), piece[1:], "ticker"))
        else:
            tokens.append(Token(piece, piece, "punct"))
    if len(tokens) > 1 and tokens[0].raw == "+" and tokens[1].kind == "num":
        tokens[0] = Token("add", "+", "word")  # "+0.1 btc @ 95k" records a buy
    return _count_words(_money_words(_dotted_thousands(tokens)))


_ARROWS = {"<": "below", ">": "above", "=": "is"}
_TIME_WORDS = frozenset({"year", "years", "month", "months", "day", "days", "week", "weeks",
                         "hour", "hours", "decade", "yr", "mo"})


_ONE_DOT_GROUP = re.compile(r"[$€£¥]?[1-9]\d{0,2}\.\d{3}")


def _dotted_thousands(tokens: list[Token]) -> list[Token]:
    """"1.500" is 1,500 in a sentence of a language that groups thousands with dots (es,
    fr, de, pt, it: "compré 1.500 doge"); in English it stays 1.5 ("1.125 btc")."""
    dotted = [i for i, t in enumerate(tokens) if t.kind == "num" and not t.pct
              and _ONE_DOT_GROUP.fullmatch(t.raw.strip())]
    if not dotted or langs.detect([t.text for t in tokens]) == langs.DEFAULT:
        return tokens
    out = list(tokens)
    for i in dotted:
        t = tokens[i]
        out[i] = Token(t.text, t.raw, "num", float(t.raw.strip().lstrip("$€£¥").replace(".", "")),
                       t.cur, t.pct)
    return out


_PARTS = {"half": 0.5, "quarter": 0.25, "third": 1 / 3}
_FRACTION_OPENERS = frozenset({"a", "one", "three"})


def _fraction(tokens: list[Token], i: int) -> tuple[float, int] | None:
    """A fraction said or written at tokens[i]: (its value, tokens it takes), or None.
    "1/2" (a small proper fraction), "2 and a half", "a quarter of a", "three quarters of".
    Never before a period ("half a year" stays a period)."""
    words = [t.text for t in tokens[i:i + 5]]
    tok = tokens[i]

    def before_thing(k: int) -> bool:
        return i + k < len(tokens) and tokens[i + k].text not in _TIME_WORDS

    if (tok.kind == "num" and len(words) >= 4 and tokens[i + 1].kind == "num"
            and words[2] == "/" and (tok.value or 0.0).is_integer()):
        rest = _fraction(tokens, i + 1)  # "1 1/2 eth": a whole number and a fraction
        if rest is not None and rest[1] == 3:
            return (tok.value or 0) + rest[0], 4
    if (tok.kind == "num" and len(words) >= 3 and words[1] == "/" and tokens[i + 2].kind == "num"
            and (tok.value or 0.0).is_integer() and (tokens[i + 2].value or 0.0).is_integer()
            and 0 < (tok.value or 0) < (tokens[i + 2].value or 0) <= 10):
        return (tok.value or 0) / (tokens[i + 2].value or 1), 3
    if tok.kind == "num" and words[1:4] in (["and", "a", "half"], ["and", "a", "quarter"]) \
            and before_thing(4):
        return (tok.value or 0) + _PARTS[words[3]], 4
    if words[:1] in (["a"], ["one"]) and words[1:3] in (["quarter", "of"], ["third", "of"]) \
            and before_thing(3):
        return _PARTS[words[1]], 3 + (words[3:4] in (["a"], ["an"]))
    if words[:3] == ["three", "quarters", "of"] and before_thing(3):
        return 0.75, 3 + (words[3:4] in (["a"], ["an"]))
    return None


def _money_words(tokens: list[Token]) -> list[Token]:
    """Money said in words: "50 cents" → 0.5, "a grand" → 1000, "half a bitcoin" → 0.5."""
    out: list[Token] = []
    scales = langs.scale_words()
    # The language decides what a scale word means ("mil"); asked only when one follows a number.
    lang = langs.detect([t.text for t in tokens]) if any(
        t.kind == "num" and j + 1 < len(tokens) and tokens[j + 1].text in scales
        for j, t in enumerate(tokens)) else "en"
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        nxt = tokens[i + 1].text if i + 1 < n else ""
        scale = langs.scale_word(nxt, lang) if tok.kind == "num" and not tok.pct else None
        if scale is not None and math.isfinite((tok.value or 0.0) * scale):
            out.append(Token(tok.text, tok.raw, "num", (tok.value or 0.0) * scale, tok.cur))
            i += 2
            continue
        if tok.kind == "num" and not tok.pct and nxt in ("cents", "cent", "grand", "k"):
            scale = 1000.0 if nxt in ("grand", "k") else 0.01
            out.append(Token(tok.text, tok.raw, "num", (tok.value or 0.0) * scale,
                             tok.cur or "$"))
            i += 2
            continue
        if tok.kind == "word" and tok.text in ("a", "one") and nxt == "grand":
            out.append(Token("1000", "a grand", "num", 1000.0, "$"))
            i += 2
            continue
        if tok.kind == "word" and tok.text == "half" and nxt in ("a", "an") and i + 2 < n and (
                tokens[i + 2].kind in ("word", "ticker")
                and tokens[i + 2].text not in _TIME_WORDS):
            out.append(Token("0.5", "half a", "num", 0.5))
            i += 2
            continue
        # (a fraction starts with a number, "a", "one" or "three")
        fraction = _fraction(tokens, i) if tok.kind == "num" or tok.text in _FRACTION_OPENERS \
            else None
        if fraction is not None:  # "1/2 eth", "2 and a half eth", "a quarter of a btc"
            value, used = fraction
            out.append(Token(f"{value:g}", " ".join(t.raw for t in tokens[i:i + used]), "num",
                             value, tok.cur))
            i += used
            continue
        out.append(tok)
        i += 1
    return out


_HUNDRED = frozenset({"hundred", "hundert", "cent", "cien", "cem", "cento"})


def _count_words(tokens: list[Token]) -> list[Token]:
    """Counts written as words become numbers where a count stands: before what is counted
    ("ten largest coins", "cinco mayores"), after "top" ("top ten"), or before a coin as an
    amount ("sold two eth"). Elsewhere they stay words ("which of the two", "two weeks" is a
    period the period grammar reads)."""
    counts = langs.count_words()
    if not any(t.kind == "word" and t.text in counts for t in tokens):
        return tokens
    nouns = langs.count_nouns()
    out: list[Token] = []
    n = len(tokens)
    for i, tok in enumerate(tokens):
        value = counts.get(tok.text) if tok.kind == "word" else None
        if value is None:
            out.append(tok)
            continue
        nxt = tokens[i + 1] if i + 1 < n else None
        prev = out[-1] if out else None
        if tok.text in _HUNDRED and prev is not None and prev.kind == "num" and not prev.pct \
                and prev.raw.isalpha():  # "two hundred"
            out[-1] = Token(f"{to_number(prev.value or 0.0) * 100}", f"{prev.raw} {tok.raw}",
                            "num", (prev.value or 0.0) * 100)
            continue
        placed = (prev is not None and prev.text in ("top", "bottom")) or (
            nxt is not None and (nxt.text in nouns or nxt.text in _HUNDRED or _is_coin(nxt)))
        if placed:
            out.append(Token(str(value), tok.raw, "num", float(value)))
        else:
            out.append(tok)
    return out


def _is_coin(tok: Token) -> bool:
    """Whether a token names a coin by itself ("eth", "bitcoin", "$SOL", "ADA")."""
    if tok.kind == "ticker":
        return True
    if tok.kind != "word":
        return False
    upper = tok.text.upper()
    return tok.text in vocab.COIN_NAMES or (
        upper in vocab.TICKERS and (upper not in vocab.AMBIGUOUS_TICKERS or tok.raw.isupper()))
