"""Fill an intent's entities from a scanned sentence, in the contract's normal form."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from mobius_cli.nl import langs, vocab
from mobius_cli.nl.entities import (
    SIGN_CURRENCY,
    Mention,
    Scan,
    find_days,
    find_interval,
    find_phrase,
    is_common,
)
from mobius_cli.nl.numbers import to_number

Entities = dict[str, Any]

# Alert direction words of every language (nl/lang/*.json `conditions`).
ABOVE = langs.condition_words("above")
BELOW = langs.condition_words("below")
CROSS = langs.condition_words("cross")
UP = langs.condition_words("up")
DOWN = langs.condition_words("down")
_FILLER = frozenset({"to", "de", "the", "a", "it", "price", "of", "than", "$", "is", "goes",
                     "go", "going", "ends", "up", "by", "level", "mark", "around", "about"})
_GAINERS = re.compile(langs.expand(
                      r" (?:gainers?|winners|best|mooning|moon|pumping|surging|rallying|ripping"
                      r"|<<gainers_words>>"
                      r"|up the most|green|(?:top|best) (?:NUM )?"
                      r"perform\w*|(?:rose|gained|pumped|jumped) the most|biggest gains"
                      r"|(?:biggest|largest|top) (?:pumps|pumpers|risers|jumps)|risers) "))
_LOSERS = re.compile(langs.expand(
                     r" (?:losers?|worst|rekt|dumping|bleeding|red|(?:dropped|fell|dumped|lost"
                     r"|crashed) the most|down the most|biggest (?:drops|losses)"
                     r"|(?:biggest|largest|top|heaviest) (?:dumps|dumpers|falls|fallers|decliners"
                     r"|drops|losses)"
                     r"|bottom|laggards|underperformers|decliners|fallers"
                     r"|crashes|crashing|tanking|plunging|bleeders|tanks|<<losers_words>>) "))
_MOST_UP = re.compile(rf" (?:{langs.mover_pattern('up')}) ")
_MOST_DOWN = re.compile(rf" (?:{langs.mover_pattern('down')}) ")
_STABLE = re.compile(r" (?:stable ?coins?|stables|stable pools?|stable yields?) ")
_ALL = re.compile(r" (?:all|every|alle|todas|todos|toutes|tous|tutti|tutte) ")
_ALERT_ID = re.compile("(?:" + "|".join(re.escape(w) for w in langs.alert_nouns())
                       + r"|number|no|id|nr|nummer|numero) (?:# )?(NUM)|# (NUM)")


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _num(scan: Scan, index: int) -> int | float:
    return to_number(scan.tokens[index].value or 0.0)


def symbols_of(mentions: list[Mention]) -> list[str]:
    """Tickers of the coin mentions, in order, without duplicates."""
    return _unique([m.coin for m in mentions if m.coin])


def _after_cue(scan: Scan, m: Mention, cues: tuple[str, ...]) -> bool:
    return scan.prev_word(m.start, skip=("the", "my", "a")) in cues


def quote_currency(scan: Scan) -> tuple[str | None, list[Mention]]:
    """The currency a price is asked in, and the mentions that are the assets priced."""
    assets = [m for m in scan.mentions if m.coin or m.fiat]
    for m in reversed(assets):
        if _after_cue(scan, m, ("in", "en", "em", "to", "vs", "auf", "against")) and (
            (m.fiat and not m.coin) or len([a for a in assets if a.coin]) > 1
        ):
            code = (m.fiat if not m.coin else m.coin) or ""
            return code.lower(), [a for a in assets if a is not m and a.coin]
    return None, [a for a in assets if a.coin]


def _amount_index(scan: Scan) -> int | None:
    """The number that is an amount: with a currency sign or before an asset."""
    nums = scan.numbers()
    for i in nums:
        nxt = scan.mention_at(i + 1)
        if nxt is not None and (nxt.coin or nxt.fiat) and not scan.tokens[i].pct:
            return i
        if i + 2 < len(scan.tokens) and scan.tokens[i + 1].text == "of":
            j = i + 2
            while j + 1 < len(scan.tokens) and scan.tokens[j].text in ("my", "the", "our"):
                j += 1  # "all 3 of my eth"
            if scan.tokens[j].text in ("it", "those", "them", "that", "these", "this") or (
                    scan.mention_at(j)):
                return i
    for i in nums:
        if scan.tokens[i].cur and not scan.tokens[i].pct:
            return i
    return None


# Words right before a trade's price: "at 60k", "for 2000", "zu 50", "precio 3".
_BEFORE_PRICE = frozenset({"at", "@", "for", "price", "per", "each", "of", "a"}
                          ) | frozenset(langs.words("price_before"))


def _price_index(scan: Scan, amount: int | None) -> int | None:
    """The number that is a trade's price: after at / @ / for / each, or a $ sum."""
    for i in scan.numbers():
        if i == amount or scan.tokens[i].pct:
            continue
        prev = scan.prev_word(i, skip=("$",))
        if prev in _BEFORE_PRICE or scan.tokens[i].cur:
            return i
    return None


def _money_amount(scan: Scan) -> int | float | None:
    """A DCA amount: a $ sum, a number before a currency word, or the first number."""
    index = _amount_index(scan)
    if index is None:
        nums = [i for i in scan.numbers() if not scan.tokens[i].pct]
        index = nums[0] if nums else None
    return _num(scan, index) if index is not None else None


def _limit(scan: Scan) -> int | None:
    find_days(scan)  # "24 hours" is a period, not a count
    for i in scan.numbers():
        tok, value = scan.tokens[i], scan.tokens[i].value or 0.0
        if not (tok.pct or tok.cur) and value.is_integer() and 0 < value <= 1000:
            return int(value)
    return None


def _chain_of(m: Mention, scan: Scan) -> str | None:
    if m.chain and (not m.coin or not m.tickerish or m.coin in vocab.CHAIN_OF_TICKER):
        return m.chain
    return None


def _defi_places(scan: Scan) -> tuple[str | None, str | None, list[Mention]]:
    """Chain and protocol of a DeFi question, and the mentions left over as assets."""
    chain = protocol = None
    rest: list[Mention] = []
    for m in scan.mentions:
        after_on = _after_cue(scan, m, ("on", "in", "via", "using", "through", "with", "at",
                                        "sur", "en", "auf", "em", "su", "na", "sulla"))
        if m.protocol and (not m.tickerish or after_on or m.versioned) and (
            not m.chain or not after_on
        ) and protocol is None:
            protocol = m.protocol
        elif m.chain and chain is None and (not m.coin or after_on or m.phrase in
                                             vocab.CHAIN_NAMES or not m.tickerish):
            chain = m.chain
        else:
            rest.append(m)
    return chain, protocol, rest


def _unknown_protocol(scan: Scan) -> str | None:
    """A name in a protocol's place ("TVL of Spectra") that no vocabulary knows."""
    toks = scan.tokens
    for i, tok in enumerate(toks):
        if tok.kind != "word" or scan.mention_at(i) or is_common(tok.text) or len(tok.text) < 3:
            continue
        if tok.text in ("tvl", "defi", "total", "value", "locked", "crypto", "chain", "now"):
            continue
        prev = scan.prev_word(i)
        nxt = toks[i + 1].text if i + 1 < len(toks) else ""
        if prev in ("of", "in", "for", "does") and any(
                t.text in ("tvl", "locked") for t in toks[max(0, i - 4):i]):
            return tok.text
        if nxt == "tvl" or (nxt == "s" and i + 2 < len(toks) and toks[i + 2].text == "tvl"):
            return tok.text
    return None


# --- one builder per intent ------------------------------------------------------------

def _price(scan: Scan) -> Entities:
    vs, assets = quote_currency(scan)
    out: Entities = {}
    if assets:
        out["symbols"] = symbols_of(assets)
    if vs:
        out["vs_currency"] = vs
    return out


_SATS = frozenset({"sats", "sat", "satoshis", "satoshi", "sathoshis"})


def _side(m: Mention) -> str | None:
    """One side of a conversion: satoshis are a unit of their own (`SATS`)."""
    return "SATS" if m.phrase in _SATS else m.currency


def _convert(scan: Scan) -> Entities:
    out: Entities = {}
    amount = next((i for i in scan.numbers() if not scan.tokens[i].pct), None)
    sides = [m for m in scan.mentions if _side(m)]
    source: str | None = None
    if amount is not None:
        out["amount"] = _num(scan, amount)
        tok = scan.tokens[amount]
        after = scan.mention_at(amount + 1)
        if after is not None and _side(after):
            source = _side(after)
            sides = [m for m in sides if m is not after]
        elif tok.cur:
            source = SIGN_CURRENCY[tok.cur].upper()
    if source is None and sides:
        how_many = re.search(r"how many (?:COIN|FIAT)", scan.shape)
        pick = sides[-1] if how_many else sides[0]
        source = _side(pick)
        sides = [m for m in sides if m is not pick]
    if source:
        out["from"] = source
    target = next((_side(m) for m in sides if _side(m) != source), None)
    if target:
        out["to"] = target
    return out


# What follows an English-word coin when it is the word, not the coin ("for near a year",
# "in link with", "near the top", "near 100k").
_WORD_NEXT = frozenset({"a", "an", "the", "to", "with", "between", "from", "of", "my", "your",
                        "its", "here", "there"})


def coin_mentions(scan: Scan) -> list[Mention]:
    """The coins of a sentence whose intent takes coins, names decided after the intent.

    Beside the coins the scan found, a coin whose name is an English word ("near", "link",
    "ton", "op") counts right after a preposition ("prices for near", "100 in link"), where
    the scan alone read a chain or a plain word: the intent now says a coin goes there.
    """
    if scan.coins is not None:
        return scan.coins
    coins = [m for m in scan.mentions if m.coin]
    scan.coins = coins
    if not scan.maybe_coins and not any(m.chain and not m.coin for m in scan.mentions):
        return coins
    preps = langs.coin_prepositions()
    late: list[Mention] = []
    for m in scan.mentions:
        upper = m.phrase.upper()
        if (not m.coin and m.chain and m.end - m.start == 1 and upper in vocab.TICKERS
                and scan.prev_word(m.start) in preps and _word_after(scan, m.end)):
            late.append(Mention(m.start, m.end, m.phrase, coin=upper, chain=m.chain))
    for i, coin in scan.maybe_coins:
        if scan.prev_word(i) in preps and _word_after(scan, i + 1):
            late.append(Mention(i, i + 1, scan.tokens[i].text, coin=coin))
    if late:
        scan.coins = sorted([*coins, *late], key=lambda m: m.start)
    return scan.coins


def _word_after(scan: Scan, index: int) -> bool:
    """Whether what follows position `index` lets the word before it be a coin's name."""
    if index >= len(scan.tokens):
        return True
    nxt = scan.tokens[index]
    return nxt.kind != "num" and nxt.text not in _WORD_NEXT


def _symbols_only(scan: Scan) -> Entities:
    syms = symbols_of(coin_mentions(scan))
    return {"symbols": syms} if syms else {}


_QUOTE_CUES = ("in", "en", "em", "auf", "into", "to")


def quote_fiat(scan: Scan) -> str | None:
    """The currency an answer is asked in ("in euros", "en dolares"): a fiat after a cue."""
    for m in scan.mentions:
        if m.fiat and not m.coin and _after_cue(scan, m, _QUOTE_CUES):
            return m.fiat.lower()
    return None


def fiat_after_number(scan: Scan) -> str | None:
    """The currency a figure is said in ("above 100k eur", "at 3000 euros")."""
    for m in scan.mentions:
        if m.fiat and not m.coin and m.start and scan.tokens[m.start - 1].kind == "num":
            return m.fiat.lower()
    return None


# Coins CoinGecko quotes in: "my portfolio in btc" asks for its value in bitcoin.
_CRYPTO_QUOTES = frozenset({"BTC", "ETH", "LTC", "BCH", "BNB", "EOS", "XRP", "XLM", "LINK",
                            "DOT", "YFI", "SATS"})
_CRYPTO_QUOTE_CUES = ("in", "en", "em", "auf", "dans")


def crypto_quote(scan: Scan, takes_symbols: bool) -> Mention | None:
    """The coin an answer is asked in ("sol rsi in btc", "top 10 in eth", "in btc terms").

    A coin CoinGecko quotes in, after "in" (any language); when the intent also takes
    symbols, only beside another coin ("chart btc" alone charts bitcoin).
    """
    coins = coin_mentions(scan)
    for m in reversed(coins):
        if m.coin in _CRYPTO_QUOTES and _after_cue(scan, m, _CRYPTO_QUOTE_CUES) and (
                not takes_symbols or any(c.coin != m.coin for c in coins)):
            return m
    return None


def with_vs(build: Callable[[Scan], Entities],
            takes_symbols: bool = True) -> Callable[[Scan], Entities]:
    """A builder that also states `vs_currency` when the sentence asks for one: a currency
    ("in euros") or a coin that prices are quoted in ("eth rsi in btc terms"), which is
    then no symbol of the question."""
    def wrapped(scan: Scan) -> Entities:
        out = build(scan)
        vs = quote_fiat(scan)
        quote = None if vs else crypto_quote(scan, takes_symbols)
        if quote is not None and quote.coin:
            vs = quote.coin.lower()
            rest = [m for m in coin_mentions(scan) if m is not quote and m.start != quote.start]
            if "symbols" in out:
                syms = symbols_of(rest)
                if syms:
                    out["symbols"] = syms
                else:
                    out.pop("symbols")
        if vs:
            out["vs_currency"] = vs
        return out

    return wrapped


def _portfolio_show(scan: Scan) -> Entities:
    for m in scan.mentions:
        if m.coin in _CRYPTO_QUOTES and _after_cue(scan, m, ("in", "en", "em", "auf")):
            return {"vs_currency": m.coin.lower()}
    return {}


def _with_days(scan: Scan) -> Entities:
    out = _symbols_only(scan)
    days = find_days(scan)
    if days is not None:
        out["days"] = days
    return out


def _limit_only(scan: Scan) -> Entities:
    limit = _limit(scan)
    return {"limit": limit} if limit else {}


def _movers(scan: Scan) -> Entities:
    out = _limit_only(scan)
    if _MOST_DOWN.search(scan.shape):  # "which coins fell the most": the verb says which way
        out["direction"] = "losers"
    elif _MOST_UP.search(scan.shape):
        out["direction"] = "gainers"
    elif _LOSERS.search(scan.shape):
        out["direction"] = "losers"
    elif _GAINERS.search(scan.shape):
        out["direction"] = "gainers"
    return out


def _technical(scan: Scan) -> Entities:
    out = _symbols_only(scan)
    indicator = find_phrase(scan, vocab.INDICATORS)
    if indicator:
        out["indicator"] = indicator
    return out


def _gas(scan: Scan) -> Entities:
    for m in scan.mentions:
        if m.chain:
            return {"chain": m.chain}
    return {}


def _tvl(scan: Scan) -> Entities:
    chain, protocol, _ = _defi_places(scan)
    out: Entities = {}
    protocol = protocol or (None if chain else _unknown_protocol(scan))
    if protocol:
        out["protocol"] = protocol
    if chain:
        out["chain"] = chain
    return out


def _defi_protocols(scan: Scan) -> Entities:
    out = _limit_only(scan)
    for m in scan.mentions:
        if m.chain and (not m.protocol or _after_cue(scan, m, ("on", "in"))):
            out["chain"] = m.chain
            break
    category = find_phrase(scan, vocab.CATEGORIES)
    if category:
        out["category"] = category
    return out


def _yields(scan: Scan) -> Entities:
    out: Entities = {}
    chain = protocol = None
    assets: list[Mention] = []
    for m in scan.mentions:
        after_on = _after_cue(scan, m, ("on", "in", "sur", "en", "auf", "em", "su", "na", "sulla"))
        after_via = _after_cue(scan, m, ("via", "using", "through", "with", "at", "into", "to"))
        # DeFi prefers the protocol reading ("lido pays 3% on eth", "aave usdc rate"): a
        # coin-or-protocol name is the asset only where an asset stands ("stake aave",
        # "50 comp", "my curve").
        if m.protocol and not m.tickerish and protocol is None and (
                after_on or after_via or m.versioned or not m.coin
                or not _asset_position(scan, m)):
            protocol = m.protocol
            continue
        if m.chain and after_on and chain is None:
            chain = m.chain
            continue
        if m.coin:
            assets.append(m)
        elif m.chain and chain is None:
            chain = m.chain
    if assets:
        out["symbols"] = symbols_of(assets)
    if chain:
        out["chain"] = chain
    if protocol:
        out["protocol"] = protocol
    for i in scan.numbers():
        if scan.tokens[i].pct:
            out["min_apy"] = _num(scan, i)
            break
    if _STABLE.search(scan.shape):
        out["stablecoin"] = True
    return out


def _asset_position(scan: Scan, m: Mention) -> bool:
    """Whether a name stands where the asset staked or lent goes: after an amount or after
    a staking / lending word ("stake aave", "lend 50 comp", "my curve")."""
    if m.start and scan.tokens[m.start - 1].kind == "num":
        return True
    return scan.prev_word(m.start, skip=("the", "a", "some")) in langs.asset_verbs()


def _defi_compare(scan: Scan) -> Entities:
    names = _unique([m.protocol for m in scan.mentions if m.protocol])
    return {"protocols": names} if names else {}


def _dca(scan: Scan) -> Entities:
    out = _symbols_only(scan)
    interval = find_interval(scan)
    days = find_days(scan)
    amount = _money_amount(scan)
    if amount is not None:
        out["amount"] = amount
    if interval:
        out["interval_days"] = interval
    if days is not None:
        out["days"] = days
    return out


def _trade(scan: Scan) -> Entities:
    out = _symbols_only(scan)
    amount = _amount_index(scan)
    if amount is not None:
        out["amount"] = _num(scan, amount)
    price = _price_index(scan, amount)
    if price is not None:
        out["price"] = _num(scan, price)
        if _is_total(scan, price) and out.get("amount"):
            # "3 eth for 6000 total", "for a total of 120k": the unit price is the share
            out["price"] = to_number(out["price"] / out["amount"])
    return out


_TOTAL_AFTER = frozenset({"total", "altogether", "overall", "all"})


def _is_total(scan: Scan, index: int) -> bool:
    """Whether the number at `index` is what the whole trade cost, not a unit price."""
    words = [t.text for t in scan.tokens]
    after = words[index + 1:index + 3]
    before = words[max(0, index - 3):index]
    if (bool(after) and (after[0] in _TOTAL_AFTER or after[:2] == ["in", "total"])) or \
            before[-3:] == ["a", "total", "of"] or before[-2:] == ["total", "of"]:
        return True
    # "bought 2 eth for 6000" paid 6000 for both ("for 14.20 each" is a unit price)
    return before[-1:] in (["for"], ["fur"], ["por"], ["pour"], ["per"], ["para"]) and \
        not (after and after[0] in _EACH)


_EACH = frozenset({"each", "apiece", "per", "a", "an", "cada", "chacun", "chaque", "je", "pro",
                   "each.", "ea"})


def condition_of(scan: Scan, target: int) -> str:
    """The alert condition for the number at token `target`."""
    pct = scan.tokens[target].pct
    shape = scan.shape
    if not pct:
        if re.search(r" take profits? | tp ", shape):
            return "above"
        if re.search(r" stop loss | sl ", shape):
            return "below"
    i = target - 1
    seen = 0
    while i >= 0 and seen < 6:
        word = scan.tokens[i].text
        pair = f"{scan.tokens[i - 1].text} {word}" if i else ""
        if not pct and (pair in ABOVE or pair in BELOW):  # "blows past", "goes under"
            return "below" if pair in BELOW else "above"
        if pct:
            if word in UP:
                return "change_up"
            if word in DOWN:
                return "change_down"
        else:
            if word in ("above", "below", "under", "over") or word in ABOVE - {"up"}:
                return "below" if word in BELOW else "above"
            if word in BELOW - {"down"}:
                return "below"
            if word in CROSS and word not in ("is",):
                return "cross"
            if word in UP:  # "sube de 100 mil", "climbs to 100k": a price from below
                return "above"
            if word in DOWN:
                return "below"
        if word not in _FILLER:
            seen += 1
        i -= 1
    # the verb after the figure: "wenn btc um 10% fällt", "si eth 5% monte", "auf 100k steigt"
    for tok in scan.tokens[target + 1:target + 3]:
        if tok.text in UP:
            return "change_up" if pct else "above"
        if tok.text in DOWN:
            return "change_down" if pct else "below"
    return "change" if pct else "cross"


def _alert_add(scan: Scan) -> Entities:
    out = _symbols_only(scan)
    nums = scan.numbers()
    pcts = [i for i in nums if scan.tokens[i].pct]
    target = pcts[0] if pcts else None
    if target is None and nums:
        trade_amount = _amount_index(scan)
        later = [i for i in nums if i != trade_amount or len(nums) == 1]
        target = later[-1] if later else None
    if target is not None:
        out["target"] = _num(scan, target)
        out["condition"] = condition_of(scan, target)
        if scan.tokens[target].pct and out["target"] < 0:  # "moves -5%" is a 5% drop
            out["target"], out["condition"] = -out["target"], "change_down"
    return out


def alert_id(scan: Scan) -> int | None:
    """The alert a sentence names by number ("alert 3", "alert #3"), or None."""
    match = _ALERT_ID.search(scan.shape)
    if match:
        index = scan.token_at(match.start(1) if match.group(1) else match.start(2))
        nums = [i for i in scan.numbers() if i >= index]
        if nums:
            value = scan.tokens[nums[0]].value or 0.0
            if value.is_integer() and 0 < value < 2**63:
                return int(value)
    return None


def _alert_remove(scan: Scan) -> Entities:
    out: Entities = {}
    found = alert_id(scan)
    if found is not None:
        out["alert_id"] = found
    if _ALL.search(scan.shape) and "alert_id" not in out:
        out["all"] = True
    out.update(_symbols_only(scan))
    return out


BUILDERS: dict[str, Callable[[Scan], Entities]] = {
    "price": _price,
    "convert": _convert,
    "market_overview": with_vs(_limit_only, takes_symbols=False),
    "coin_info": with_vs(_symbols_only),
    "price_history": with_vs(_with_days),
    "compare": with_vs(_with_days),
    "movers": with_vs(_movers, takes_symbols=False),
    "technical_analysis": with_vs(_technical),
    "portfolio_show": with_vs(_portfolio_show, takes_symbols=False),
    "gas": _gas,
    "tvl": _tvl,
    "defi_protocols": _defi_protocols,
    "yields": _yields,
    "defi_compare": _defi_compare,
    "dca": _dca,
    "portfolio_add": _trade,
    "portfolio_remove": _trade,
    "alert_add": _alert_add,
    "alert_remove": _alert_remove,
}


def build(intent: str, scan: Scan) -> Entities:
    """The entities of `intent` stated in the sentence (omitted when not stated)."""
    builder = BUILDERS.get(intent)
    return builder(scan) if builder else {}
