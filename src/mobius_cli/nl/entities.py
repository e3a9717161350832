"""Find what a sentence mentions: coins, chains, protocols, currencies, numbers, periods."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache

from mobius_cli.nl import langs, vocab
from mobius_cli.nl.gate import piece_starts
from mobius_cli.nl.numbers import period_days, to_number, word_number
from mobius_cli.nl.text import COMMON_WORDS, Token, known_words

SIGN_CURRENCY = {"$": "usd", "€": "eur", "£": "gbp", "¥": "jpy"}
_VERSION_RE = re.compile(r"v\d{1,2}")
# Tickers that open with digits: 1INCH, 1000SATS.
_DIGIT_TICKER_RE = re.compile(r"\d{1,4}[A-Z]{3,6}")
_CHAIN_CUES = frozenset({"on", "in", "for", "to", "across", "sur", "en", "auf", "em", "su",
                         "na", "sulla"})
_FIAT_CUES = frozenset({"in", "to", "into", "en", "em", "for", "of", "auf", "a"})


@dataclass(slots=True)
class Mention:
    """A span that names a coin, chain, protocol or currency (possibly several at once)."""

    start: int
    end: int
    phrase: str
    coin: str | None = None
    chain: str | None = None
    protocol: str | None = None
    fiat: str | None = None
    tickerish: bool = False  # written as a ticker: `$SOL` or in capitals
    versioned: bool = False

    @property
    def currency(self) -> str | None:
        """The upper-case code as one side of a conversion."""
        if self.fiat and not self.coin:
            return self.fiat.upper()
        return self.coin


@dataclass
class Scan:
    """Tokens of a sentence, their rendering, and every mention found in them."""

    tokens: list[Token]
    mentions: list[Mention] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # one rendered item per token
    shape: str = ""  # the sentence with mentions replaced by COIN/CHAIN/PROTO/FIAT
    starts: list[int] = field(default_factory=list)  # offset of each token in `shape`
    used: set[int] = field(default_factory=set)  # token indices taken by periods/intervals
    # Lower-case words that could be coins ("link", "near") but that no position placed:
    # (token index, ticker), for the intent's builder to decide (slots.coin_mentions).
    maybe_coins: list[tuple[int, str]] = field(default_factory=list)
    coins: list[Mention] | None = None  # slots.coin_mentions, once computed
    _pieces: tuple[str, list[tuple[str, int]], frozenset[str]] | None = field(
        default=None, repr=False, compare=False)

    # `_plain` of these tokens, once worked out: (tokens, text, offsets)
    _plain: tuple[list[Token], str, list[int]] | None = field(default=None, repr=False,
                                                              compare=False)

    def pieces(self) -> list[tuple[str, int]]:
        """The runs of word characters (and "&") of `shape` and their offsets: where cue
        matches start."""
        if self._pieces is None or self._pieces[0] is not self.shape:
            found = piece_starts(self.shape)
            self._pieces = (self.shape, found, frozenset(piece for piece, _ in found))
        return self._pieces[1]

    def piece_set(self) -> frozenset[str]:
        """The pieces of `shape`, as a set."""
        self.pieces()
        return self._pieces[2]  # type: ignore[index]

    def prev_word(self, index: int, skip: tuple[str, ...] = ("the", "my")) -> str:
        """The word before token `index`, skipping filler."""
        i = index - 1
        while i >= 0 and self.tokens[i].text in skip:
            i -= 1
        return self.tokens[i].text if i >= 0 else ""

    def token_at(self, offset: int) -> int:
        """The index of the token that starts at or before `offset` in `shape`."""
        return max(0, bisect.bisect_right(self.starts, offset) - 1)

    def mention_at(self, index: int) -> Mention | None:
        """The mention covering token `index`, if any."""
        for mention in self.mentions:
            if mention.start <= index < mention.end:
                return mention
        return None

    def numbers(self) -> list[int]:
        """Indices of number tokens not used by a period or interval."""
        return [i for i, t in enumerate(self.tokens) if t.kind == "num" and i not in self.used]


def _is_shouting(tokens: list[Token]) -> bool:
    letters = "".join(t.raw for t in tokens if t.kind == "word")
    if len(letters) <= 12 or letters.islower():
        return False
    return sum(map(str.isupper, letters)) > 0.6 * len(letters)


def _ticker_ok(symbol: str, raw: str, dollar: bool) -> bool:
    """Whether a word spelled like a ticker is meant as one."""
    if dollar:
        return True
    if symbol in vocab.AMBIGUOUS_TICKERS:
        return raw.isupper() and len(raw) > 1
    return True


def _protocol_form(phrase: str) -> str:
    return vocab.PROTOCOL_ALIASES.get(phrase, phrase).replace(" ", "-")


# Words that make a sentence a DeFi or fee question, where a short chain name is a chain.
_DEFI_CONTEXT = frozenset({"tvl", "fees", "fee", "gas", "gwei", "apy", "apr", "yields", "yield",
                           "protocols", "dexes", "dexs", "bridges", "locked", "stables",
                           "stablecoins", "pools", "lending", "staking", "farms", "defi"})
# Short chain names safe to take beside a DeFi word ("arb fees", "near tvl"); "base" is
# left out ("base fee" is a fee, not the chain).
_DEFI_ABBREV = frozenset({"arb", "op", "near", "ton", "sui", "celo", "linea", "mainnet"})


def _chain_in_defi(tokens: list[Token], start: int, end: int) -> bool:
    """Whether an everyday chain word sits beside a DeFi word or ends a DeFi question."""
    texts = [t.text for t in tokens]
    if not _DEFI_CONTEXT.intersection(texts):
        return False
    phrase = " ".join(texts[start:end])
    before = texts[start - 1] if start else ""
    after = texts[end] if end < len(texts) else ""
    if phrase in _DEFI_ABBREV and (before in _DEFI_CONTEXT or after in _DEFI_CONTEXT):
        return True
    rest = [t for t in tokens[end:] if t.kind != "punct" and t.text not in ("now", "today")]
    return not rest and start > 0 and phrase not in ("era", "binance")


def _lookup(phrase: str, raw: str, tokens: list[Token], start: int, end: int,
            shouting: bool) -> Mention | None:
    """The mention a phrase makes at tokens[start:end], or None."""
    before = tokens[start - 1].text if start else ""
    after = tokens[end].text if end < len(tokens) else ""
    single = end - start == 1
    m = Mention(start, end, phrase)
    upper = phrase.upper()
    if phrase in vocab.COIN_NAMES and (upper not in vocab.AMBIGUOUS_TICKERS
                                       or _ticker_ok(upper, raw, False)):
        m.coin = vocab.COIN_NAMES[phrase]
    elif single and upper in vocab.TICKERS and _ticker_ok(upper, raw, False):
        m.coin = upper
    if single and raw.isupper() and len(raw) > 1 and m.coin:
        m.tickerish = True
    if phrase in vocab.CHAIN_NAMES and (
        phrase not in vocab.AMBIGUOUS_CHAINS or before in _CHAIN_CUES
        or after in ("chain", "network", "mainnet", "l2") or _follow_up_name(tokens, start, end)
        or _chain_in_defi(tokens, start, end)
    ):
        m.chain = vocab.CHAIN_NAMES[phrase]
    elif m.coin in vocab.CHAIN_OF_TICKER:
        m.chain = vocab.CHAIN_OF_TICKER[m.coin]
    if phrase in vocab.PROTOCOLS:
        m.protocol = _protocol_form(phrase)
    if phrase in vocab.FIAT_WORDS and not m.coin and (
        phrase not in vocab.AMBIGUOUS_FIAT or before in _FIAT_CUES
        or (start and tokens[start - 1].kind == "num")
    ):
        m.fiat = vocab.FIAT_WORDS[phrase]
    if (single and not shouting and not (m.coin or m.fiat)
            and raw.isupper() and ((raw.isalpha() and 2 <= len(raw) <= 6)
                                   or _DIGIT_TICKER_RE.fullmatch(raw) is not None)
            and upper not in vocab.NOT_TICKERS and phrase not in vocab.FIAT_WORDS
            and phrase not in COMMON_WORDS  # "BTC PRICE NOW": an everyday word in capitals
            and phrase not in vocab.INDICATORS and phrase not in vocab.CATEGORIES):
        m.coin, m.tickerish = upper, True
    if m.coin or m.chain or m.protocol or m.fiat:
        return m
    return None


# Lower-case ambiguous tickers ("link", "dot", "op") are coins only with positional evidence.
_EVERYDAY = frozenset({"ONE", "ME", "IT", "AI", "MOVE", "SUN", "GAS", "HYPE"})
_LIST_JOIN = frozenset({"and", "or", ",", "vs", "&", "/", "+", "n"})
_PRICE_NEXT = frozenset({"price", "prices", "quote", "quotes", "chart", "charts", "rsi", "macd",
                         "holders", "token", "tokens", "coin", "coins", "bags", "bag",
                         "position", "stack", "overbought", "oversold", "ath", "rn"})
_HOLD_PREV = frozenset({"my", "buy", "sell", "sold", "bought", "stake", "staking", "hodl",
                        "long", "short", "dca", "into", "some", "more", "aped", "grabbed",
                        "dumped", "trimmed", "add", "added", "of", "for", "about", "on"})
_CONTEXT_CUES = frozenset({"price", "prices", "quote", "quotes", "chart", "rsi", "macd",
                           "overbought", "oversold", "compare", "vs", "worth", "trading",
                           "signals", "ema", "sma", "bollinger", "buy", "sell", "better",
                           "outperform", "outperformed", "stronger"})


_MOVES = frozenset({"gets", "hits", "reaches", "drops", "dips", "falls", "goes", "pumps",
                    "dumps", "breaks", "crosses", "touches", "moves", "rises", "crashes",
                    "tanks", "moons", "climbs", "is", "exceeds", "surpasses", "passes", "tops",
                    "sinks", "jumps", "spikes", "trades", "flips", "under", "above",
                    "below", "over", "at"})
_COMPARE_CUES = frozenset({"vs", "compare", "outperform", "outperformed", "outperforms",
                           "better", "stronger"})


_OPENERS = frozenset({"and", "what about", "how about", "and what about", "same for", "and for",
                      "now", "and on"})
# "add dot too", "plus link", "and near as well", "fuge dot hinzu": words that add one more
# name to what was asked, and words that end a follow-up (from the language files).
_EXTEND_LEADS = frozenset(langs.words("extend_words"))
_FOLLOW_UP_ENDS = frozenset(langs.words("follow_up_end")) | _EXTEND_LEADS


def _follow_up_name(tokens: list[Token], start: int, end: int) -> bool:
    """Whether tokens[start:end] is the name of a short follow-up ("and base?", "add dot too")."""
    last = len(tokens)
    while last > end and tokens[last - 1].kind == "punct":
        last -= 1
    tail = " ".join(t.text for t in tokens[end:last])
    lead = " ".join(t.text for t in tokens[:start])
    if not tail and last - end == 0 and len(tokens) - end <= 1:
        if lead in _OPENERS:
            return True
    elif tail not in _FOLLOW_UP_ENDS or any(t.kind == "punct" for t in tokens[end:last]):
        return False
    if lead.startswith(("and ", "also ")):
        lead = lead.split(" ", 1)[1]
    return lead in _EXTEND_LEADS or (bool(tail) and lead in _OPENERS)


def _candidate_coin(tok: Token, nxt: str = "") -> str | None:
    """The coin a lower-case everyday word could be ("dot" → DOT), or None.

    The most everyday words ("hype", "move", "sun") are coins only right before "price".
    """
    if tok.kind != "word" or tok.raw.isupper():
        return None
    upper = tok.text.upper()
    if upper in vocab.AMBIGUOUS_TICKERS and upper in vocab.TICKERS and (
            upper not in _EVERYDAY or (nxt in ("price", "prices") and upper != "GAS")):
        return upper
    return None


def _may_be_coin(tok: Token) -> bool:
    """A quick first test of `_candidate_coin`: a word spelled like an ambiguous ticker."""
    return tok.text.upper() in vocab.AMBIGUOUS_TICKERS


def _placed_as_coin(tokens: list[Token], i: int, cued: bool) -> bool:
    """Whether token `i` sits where a coin goes: "200 link", "link price", "sell my dot"."""
    if _follow_up_name(tokens, i, i + 1):
        return True
    prev = tokens[i - 1].text if i else ""
    prev2 = tokens[i - 2].text if i > 1 else ""
    nxt1 = tokens[i + 1].text if i + 1 < len(tokens) else ""
    if prev2 == "how" and prev in ("is", "s", "are") and nxt1 in ("looking", "doing"):
        return True  # "how is dot looking": the subject of a how-is-it-doing question
    if prev2 == "much" and prev in ("is", "s", "are") and nxt1 not in _NOT_AFTER_PRICED:
        return True  # "how much is link (in btc)": the thing priced
    nxt = tokens[i + 1].text if i + 1 < len(tokens) else ""
    if (i and tokens[i - 1].kind == "num" and not tokens[i - 1].pct) or nxt in _PRICE_NEXT:
        return True
    # "tell me when dot gets to 10", "set alert: ton breaks 8", "link above 30 alert"
    if prev in ("when", "if", "once", "whenever", "until", ":", "alert", "") and nxt in _MOVES \
            and any(t.kind == "num" for t in tokens[i + 1:]):
        return True
    # "alert op 3", "link 20 alert": a word ticker right before the alert's price.
    if i + 1 < len(tokens) and tokens[i + 1].kind == "num" and any(
            t.text in ("alert", "alarm", "alerte", "alerta") for t in tokens):
        return True
    if prev in _HOLD_PREV:
        return prev not in ("of", "for", "about", "on") or cued or prev2 in (
            "price", "tell", "me", "loss", "profit")
    return prev in ("the", "my") and prev2 in _HOLD_PREV


# Words after "how much is <word>" that make the word no coin ("how much is it", "how much
# is near the ath"): determiners and figures.
_NOT_AFTER_PRICED = frozenset({"a", "an", "the", "to", "of", "from", "my", "that"})


def _promote(tokens: list[Token], found: list[Mention]) -> list[Mention]:
    """Take lower-case ambiguous tickers as coins where the sentence places a coin there."""
    taken = {i for m in found for i in range(m.start, m.end)}
    cands = {i: c for i, t in enumerate(tokens) if i not in taken and _may_be_coin(t) and (
        c := _candidate_coin(t, tokens[i + 1].text if i + 1 < len(tokens) else ""))}
    if not cands:
        return found
    coins = {m.start for m in found if m.coin} | {m.end - 1 for m in found if m.coin}
    n = len(tokens)
    texts = [t.text for t in tokens]
    cued = any(w in _CONTEXT_CUES for w in texts)
    chosen: set[int] = set()
    if "vs" in texts or (coins and any(w in _COMPARE_CUES for w in texts)):
        chosen.update(cands)
    chosen.update(i for i in cands if _placed_as_coin(tokens, i, cued))
    changed = True
    while changed:  # lists: "ada and dot", "link, dot", "arb or op" spread coin-ness
        changed = False
        for i in cands:
            if i in chosen:
                continue
            for j in (i - 2, i + 2):
                if 0 <= j < n and texts[(i + j) // 2] in _LIST_JOIN and (
                        j in coins or j in chosen or (j in cands and cued)):
                    chosen.add(i)
                    changed = True
                    break
    if not chosen and cued and len(cands) == 1 and not coins:
        chosen = set(cands)
    if not chosen:
        return found
    for i in chosen:
        coin = cands[i]
        found.append(Mention(i, i + 1, texts[i], coin=coin,
                             chain=vocab.CHAIN_OF_TICKER.get(coin)))
    found.sort(key=lambda m: m.start)
    return found


_PROTO_JOIN = frozenset({"vs", "or", "and", ","})


def _protocol_neighbours(tokens: list[Token], found: list[Mention]) -> list[Mention]:
    """An unknown lower-case name beside a known protocol ("aave or spectra") is one too."""
    protos = {m.start: m for m in found if m.protocol and not m.tickerish}
    if not protos:
        return found
    protos.update({m.end - 1: m for m in protos.values()})
    taken = {i for m in found for i in range(m.start, m.end)}
    known = known_words()
    added = False
    n = len(tokens)
    texts = {t.text for t in tokens}
    joins = _PROTO_JOIN if texts & {"compare", "which", "between", "bigger"} else {"vs", "or"}
    for i, tok in enumerate(tokens):
        if (i in taken or tok.kind != "word" or tok.fuzzy or tok.raw.isupper()
                or not tok.text.isalpha() or len(tok.text) < 3 or tok.text in known):
            continue
        for j, k in ((i - 2, i - 1), (i + 2, i + 1)):
            if 0 <= j < n and j in protos and tokens[k].text in joins:
                m = Mention(i, i + 1, tok.text, protocol=tok.text)
                found.append(m)
                added = True
                break
    if added:
        found.sort(key=lambda m: m.start)
    return found


# Words that put a sentence in DeFi, where an everyday protocol name ("drift") is a protocol.
_DEFI_POSITION = frozenset({
    "tvl", "apy", "apr", "yields", "yield", "protocol", "protocols", "defi", "stake", "staking",
    "lend", "lending", "borrow", "borrowing", "pool", "pools", "liquidity", "farm", "farming",
    "farms", "locked", "dex", "dexes", "dexs", "vault", "vaults", "restaking", "rates",
    "tokenomics",
    "compare", "vs", "deposit", "supply",
})


def _everyday_protocols(tokens: list[Token], found: list[Mention]) -> list[Mention]:
    """Drop the protocol reading of everyday words ("drift", "harvest") outside DeFi."""
    from mobius_cli.nl import langs

    everyday = langs.everyday_protocols()
    if not any(m.protocol and m.phrase in everyday for m in found):
        return found
    if _DEFI_POSITION.intersection(t.text for t in tokens):
        return found
    firm = {i for m in found if m.protocol and m.phrase not in everyday
            for i in (m.start - 2, m.end + 1)}
    out = []
    for m in found:
        joined = (m.start in firm or m.end - 1 in firm) and any(
            t.text in _PROTO_JOIN for t in tokens[max(0, m.start - 1):m.end + 1])
        if m.protocol and m.phrase in everyday and not m.tickerish and not joined:
            m.protocol = None
            if not (m.coin or m.chain or m.fiat):
                continue
        out.append(m)
    return out


# Words after a coin ("pengu price") or around one ("brett vs ethfi") that place a coin.
_COIN_NEXT = frozenset({"price", "prices", "vs", "rsi", "macd", "ath"})
_ENGLISH_ENDINGS = ("est", "ing", "ed", "ly", "tion", "ness", "ers", "ment", "ies", "ful")
_COIN_PREV = frozenset({"vs"})


@lru_cache(maxsize=1)
def _not_names() -> frozenset[str]:
    from mobius_cli.nl import langs

    return langs.not_crypto() | langs.markers()


def _unknown_tickers(tokens: list[Token], found: list[Mention]) -> list[Mention]:
    """A lower-case word no vocabulary knows, standing where a coin stands, is a ticker."""

    taken = {i for m in found for i in range(m.start, m.end)}
    known = known_words()
    other = _not_names()
    added = False
    n = len(tokens)
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1].text if i + 1 < n else ""
        prev = tokens[i - 1].text if i else ""
        if nxt not in _COIN_NEXT and prev not in _COIN_PREV:
            continue
        if (i in taken or tok.kind != "word" or tok.fuzzy or not tok.text.isalnum()
                or not tok.text[0].isalpha() or not 3 <= len(tok.text) <= 10
                or tok.text in known or tok.text in other or tok.raw != tok.raw.lower()
                or tok.text in vocab.FIAT_WORDS or tok.text in vocab.INDICATORS
                or tok.text in vocab.CATEGORIES):
            continue
        if tok.text.endswith(_ENGLISH_ENDINGS):
            continue  # "latest price", "trending vs": English word forms, not names
        found.append(Mention(i, i + 1, tok.text, coin=tok.text.upper()))
        added = True
    if added:
        found.sort(key=lambda m: m.start)
    return found


@lru_cache(maxsize=1)
def _phrase_starts() -> frozenset[str]:
    """First words of the vocabulary's names of two or more words ("rocket" of "rocket pool")."""
    names = (*vocab.COIN_NAMES, *vocab.CHAIN_NAMES, *vocab.PROTOCOLS, *vocab.FIAT_WORDS)
    return frozenset(name.split()[0] for name in names if " " in name)


@lru_cache(maxsize=1)
def _names() -> frozenset[str]:
    """Every name a phrase can be looked up as: coins, chains, protocols, currencies."""
    return frozenset((*vocab.COIN_NAMES, *vocab.CHAIN_NAMES, *vocab.PROTOCOLS,
                      *vocab.FIAT_WORDS))


def _find_mentions(tokens: list[Token]) -> list[Mention]:
    shouting = _is_shouting(tokens)
    found: list[Mention] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if tok.kind == "ticker":
            symbol = tok.text.upper()
            m = Mention(i, i + 1, tok.text, tickerish=True)
            if tok.text in vocab.FIAT_WORDS and symbol not in vocab.TICKERS:
                m.fiat = vocab.FIAT_WORDS[tok.text]
            else:
                m.coin = symbol
                m.chain = vocab.CHAIN_OF_TICKER.get(symbol)
            found.append(m)
            i += 1
            continue
        if tok.kind != "word":
            i += 1
            continue
        hit = None
        starts, names = _phrase_starts(), _names()
        for size in (3, 2, 1):
            end = i + size
            if size > 1 and tok.text not in starts:
                continue  # no name of two or three words begins with this word
            if end > n or any(t.kind != "word" for t in tokens[i:end]):
                continue
            phrase = " ".join(t.text for t in tokens[i:end]) if size > 1 else tok.text
            if phrase not in names and (size > 1 or not (
                    tok.raw.isupper() or phrase.upper() in vocab.TICKERS)):
                continue  # no vocabulary knows it, and it is not written like a ticker
            hit = _lookup(phrase, tokens[i].raw, tokens, i, end, shouting)
            if hit:
                break
        if hit is None:
            i += 1
            continue
        if hit.end < n and _VERSION_RE.fullmatch(tokens[hit.end].text) and hit.protocol:
            hit.protocol = f"{hit.protocol}-{tokens[hit.end].text}"
            hit.versioned = True
            hit.end += 1
        found.append(hit)
        i = hit.end
    found = _everyday_protocols(tokens, found)
    return _unknown_tickers(tokens, _protocol_neighbours(tokens, _promote(tokens, found)))


def _render(scan: Scan) -> None:
    """Fill `words`, `shape` and `starts` for the cue patterns."""
    by_start = {m.start: m for m in scan.mentions}
    parts: list[str] = []
    starts: list[int] = []
    offset = 1
    skip_to = -1
    for i, tok in enumerate(scan.tokens):
        starts.append(offset)
        if i < skip_to:
            parts.append("")
            continue
        m = by_start.get(i)
        if m is not None:
            item = ("COIN" if m.coin else "CHAIN" if m.chain else "PROTO" if m.protocol
                    else "FIAT")
            skip_to = m.end
        elif tok.kind == "num":
            item = "PCT" if tok.pct else "NUM"
        elif tok.kind == "period":
            item = "PERIOD"
        else:
            item = tok.text
        parts.append(item)
        if item:
            offset += len(item) + 1
    scan.words = parts
    scan.starts = starts
    scan.shape = " " + " ".join(p for p in parts if p) + " "


def scan_tokens(tokens: list[Token]) -> Scan:
    """Find mentions and render the shape of a tokenised sentence."""
    scan = Scan(tokens, _find_mentions(tokens))
    taken = {i for m in scan.mentions for i in range(m.start, m.end)}
    scan.maybe_coins = [(i, c) for i, t in enumerate(tokens) if i not in taken and (
        _may_be_coin(t)) and (c := _candidate_coin(t, tokens[i + 1].text if i + 1 < len(tokens)
                                                    else ""))]
    _render(scan)
    return scan


# --- periods and intervals -------------------------------------------------------------

_COUNT = (r"(\d+(?:\.\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
          r"|un|une|uno|una|um|uma|ein|eine|einem|einen|einer|deux|dos|dois|duas|zwei|due"
          r"|trois|tres|drei|tre|quatre|cuatro|quatro|vier|quattro|cinq|cinco|funf|cinque"
          r"|seis|sechs)")
_UNIT = (r"(hours?|hrs?|days?|weeks?|wks?|months?|mos?|years?|yrs?|quarters?"
         r"|dias?|jours?|tage?n?|giorni|semanas?|semaines?|wochen?|settimane|meses|mois"
         r"|monate?n?|mesi|anos?|annees?|ans?|jahre?n?|anni)")
# Interval units of several languages, in days.
_INTERVAL_UNITS: dict[str, int] = {
    "day": 1, "d": 1, "dia": 1, "jour": 1, "tag": 1, "giorno": 1,
    "week": 7, "wk": 7, "w": 7, "semana": 7, "semaine": 7, "woche": 7, "settimana": 7,
    "month": 30, "mo": 30, "mes": 30, "mois": 30, "monat": 30, "mese": 30,
    "fortnight": 14, "quinzena": 14, "quincena": 14,
    "dias": 1, "tage": 1, "semanas": 7, "wochen": 7, "meses": 30, "monate": 30,
}
# Interval adjectives of every language file, all their forms ("weekly", "semanales",
# "mensuels", "wöchentliche") → days.
_INTERVAL_WORDS: dict[str, int] = langs.interval_words()
_INTERVAL_RE = re.compile(
    r"\b(" + "|".join(sorted(_INTERVAL_WORDS, key=len, reverse=True)) + r")\b"
    r"|(?:\b(?:every|each|per|a|an|once a|once every|por|par|pro|al|ao|cada|chaque|jede[nsm]?"
    r"|ogni|tous les|toutes les|todos los|todas las|todos os|todas as|alle)|/)( other)?"
    r"(?: (\d+|two|three|four|zwei|drei|vier|dos|tres|cuatro|deux|trois|quatre|dois|duas"
    r"|quatro|due|tre|quattro))? (" + "|".join(_INTERVAL_UNITS) + r")s?\b"
)
_PERIOD_RES: tuple[tuple[re.Pattern[str], int | str | None], ...] = (
    (re.compile(r"\bhalf (?:a )?year\b"), 180),
    (re.compile(rf"\b{_COUNT} {_UNIT}\b"), None),
    (re.compile(r"\ball time\b|\bmax(?:imum)? (?:range|period|history)\b|\bsince (?:launch|"
                r"inception|the start|the beginning|day one|genesis|forever)\b|\bentire history\b"
                r"|\b(?:full|whole|complete) history\b"
                # a bare "max" as the period: "btc chart max", "history over max"
                r"|\bmax(?:imum)?\b(?! (?:supply|drawdown|pain|leverage|apy|apr|\d))"), "max"),
    (re.compile(r"\b(?:today|24 ?hours?|yesterday|hoy|aujourd hui|heute|hoje|oggi)\b"), 1),
    (re.compile(r"\b(?:fortnight)\b"), 14),
    (re.compile(r"\b(?:week|semana|semaine|woche|settimana)\b"), 7),
    (re.compile(r"\b(?:month|mes|mois|monat|mese)\b"), 30),
    (re.compile(r"\bquarter\b"), 90),
    (re.compile(r"\b(?:year|ytd|12 months|ano|annee|jahr|anno)\b"), 365),
)


def _plain(scan: Scan) -> tuple[str, list[int]]:
    """The tokens as plain words (numbers as digits) and each token's offset."""
    if scan._plain is not None and scan._plain[0] is scan.tokens:
        return scan._plain[1], scan._plain[2]
    parts, starts, offset = [], [], 1
    for tok in scan.tokens:
        starts.append(offset)
        if tok.kind == "num":
            item = "PCT" if tok.pct else str(to_number(tok.value or 0.0))
        elif tok.kind == "period":
            item = f"{to_number(tok.value or 0.0)}{tok.text}"
        else:
            item = tok.text
        parts.append(item)
        offset += len(item) + 1
    plain = " " + " ".join(parts) + " "
    scan._plain = (scan.tokens, plain, starts)
    return plain, starts


def _mark(scan: Scan, starts: list[int], begin: int, end: int) -> None:
    for i, s in enumerate(starts):
        if begin <= s < end:
            scan.used.add(i)


def find_interval(scan: Scan) -> int | None:
    """The DCA interval in days ("weekly" → 7, "every two weeks" → 14), or None."""
    plain, starts = _plain(scan)
    match = _INTERVAL_RE.search(plain)
    if not match:
        return None
    _mark(scan, starts, match.start(), match.end())
    if match.group(1):
        return _INTERVAL_WORDS[match.group(1)]
    unit = _INTERVAL_UNITS[match.group(4)]
    count = word_number(match.group(3)) if match.group(3) else 1
    if match.group(2):
        count = 2
    return unit * (count or 1)


def find_days(scan: Scan) -> int | str | None:
    """The period in days ("last 3 months" → 90, "all time" → "max"), or None."""
    for i, tok in enumerate(scan.tokens):
        if tok.kind == "period" and i not in scan.used:
            days = period_days(tok.value or 0.0, tok.text)
            if days:
                scan.used.add(i)
                return days
    plain, starts = _plain(scan)
    for pattern, value in _PERIOD_RES:
        for match in pattern.finditer(plain):
            idx = bisect.bisect_right(starts, match.start()) - 1
            if idx in scan.used:
                continue
            if value is None:
                count = word_number(match.group(1))
                if count is None:
                    try:
                        count = float(match.group(1))  # type: ignore[assignment]
                    except ValueError:
                        continue
                days = period_days(float(count), match.group(2))
                if not days:
                    continue
                _mark(scan, starts, match.start(), match.end())
                return days
            return value
    return None


# --- small helpers used by the entity builders -----------------------------------------

def find_phrase(scan: Scan, table: dict[str, str]) -> str | None:
    """The first phrase of `table` in the sentence, longest phrases first."""
    words = [t.text for t in scan.tokens]
    for i in range(len(words)):
        for size in (3, 2, 1):
            phrase = " ".join(words[i:i + size])
            if len(words[i:i + size]) == size and phrase in table:
                return table[phrase]
    return None


def is_common(word: str) -> bool:
    """Whether a word is ordinary English (not a name)."""
    return word in COMMON_WORDS
