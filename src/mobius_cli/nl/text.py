"""Normalise and tokenise a sentence; correct typos towards the vocabulary."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from mobius_cli.nl import vocab
from mobius_cli.nl.numbers import parse_number

# Long inputs are cut: no request needs more, and parsing stays fast on 100 KB lines.
MAX_CHARS = 1500

_TOKEN_RE = re.compile(
    r"""
    (?P<period>(?<![\w.,])\d+(?:\.\d+)?(?:hrs|hr|h|d|wks|wk|w|yrs|yr|y|mo)(?![a-z0-9]))
   |(?P<num>(?P<neg>(?<![\w.,])-(?=[$€£¥]?\d))?(?P<cur>[$€£¥])?\s?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)
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

_COMMON = """
a about above across actually after again against all almost also always am an and any
anything are around as ask at away back bad be because been before being below best better
between big bit both but buy by call came can card care case change check chose close come
could day days did do does doing done down during each early either else end enough even
ever every everyone everything find fine first for from full get gets getting give given go
goes going gone good got great had has have having he hear help her here high him his hold
home hour how however i if in into is it its just keep kind know last late later least less
let like likely line list little long look looking lot low made make many may maybe me mean
might mind mine miss more most much must my near need never new next nice night no none nor
not now of off often ok okay old on once one only open or other our out over own part past
people place plan play please point prime pretty put quite rather real really right run said
same say see seem set she short should show side since small so some something soon still
stop such sure take tell than thank thanks that the their them then there these they thing
things think this those though through time to today told too top total true try turn two up
upon us use used very want was way we well were what when where whether which while who whole
why will wish with within without word words work world would yes yet you your tomorrow
tonight north south place prize pride price prices pricing fear fears alert alerts ever
hello helps plot plots charts chart sells sell sold sale sales bought buying selling holds
hold held cold told gold bold fold sole solo some coin coins token tokens crypto ratio rate
rates rated rating trade trades traded trader trading value values valued worth hit hits
hitting reach reaches reached touch touches touched drop drops dropped dropping fall falls
fell falling rise rises rose rising break breaks broke pump pumps pumped dump dumps dumped
goes went above under below over exceed exceeds moves moving move moved down days weeks
months years year month week thinking twitter talking first current currently since keeps
shilling everyone coin chain chains network fees fee cheap bridge bridges hold most value
locked lending lend stable stables stablecoin stablecoins farm farms pools pool paying
ideally least percent rank ranks ranked mined supply links website whitepaper performed
perform performance would strategy simulate backtest dollar cost averaging average monthly
weekly daily each time every other stacking sats doing done bags bag allocation holdings
portfolio risky risk volatility maximum drawdown diversified enough correlation between
optimal rebalance rebalancing suggest propose plan percentage sharpe ratio maximize mix
notify warn ping remind create delete remove cancel clear nuke active watching created
commands available examples explain feature works awesome morning evening afternoon bye
weather berlin recipe banana bread won champions league final write python function sorts
poem ocean translate japanese playing finals script backup back dir directory home there
market markets overview dominance cap trending searching searches hot moment gainers losers
movers biggest performing performers worst rekt mooning sentiment score extreme fearful
greedy index signals relative trading overbought oversold bands analysis technical gas
expensive transactions mainnet protocols protocol derivatives liquid staking restaking
dexs dexes yield yields apy farm quotes quote convert turn dollars euros pounds british
many much how get for into quote historical history side stack better did which put
memecoin best past compare versus vs whats hows pls lol yo hey hi thing things
stuff others rest etc bigger smaller larger safer cheaper balance balances legend split
haiku story idea wait nervous overall bottom optimise optimize optimised optimized optimising
optimizing optimisation optimization optimiser optimizer gains share shares shared sharing
"""
# Everyday words of es/fr/de/pt/it that the typo matcher must leave alone
# ("comprare" is not "compare", "rendimientos" is not a coin).
_FOREIGN = """
staker staken stakear stakar stakare vender vendo
comprar compra compro compre comprare compri comprei acheter achete kaufen kaufe gekauft
vendere vendre vendu verkaufen verkauft investir invertir investire ahora agora maintenant
jetzt adesso ora hoy hoje heute oggi cuanto cuanta quanto quanta combien wieviel semana semanas
semaine semaines woche wochen settimana mes meses mois monat monate mese ano anos annee jahr
anno ultimo ultima ultimos dernier derniere derniers letzten letzte rendimientos rendimiento
rendements rendement renditen rendite rendimentos rendimento rendimenti cartera carteira
portefeuille portafoglio alarme alarma alarmas alerta alertas alerte alertes mercado marche
markt mercato explicame explique erklare erklaeren spiegami gebuhren comisiones frais taxas
commissioni precio precios prezzo preco preis kurs cours deberia debo devo dovrei sollte
riskant arriscada arriesgada rischioso optimiza ottimizza otimize optimieren simula simule
muestra mostra montre zeige todas todos toutes alle tutti tutte mucho muito
"""
COMMON_WORDS: frozenset[str] = frozenset(_COMMON.split()) | frozenset(_FOREIGN.split())


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
    limit = 1 if len(word) < 8 else 2
    targets = [t for t in vocab.fuzzy_targets() if t[0] == word[0]]
    found = process.extractOne(word, targets, scorer=OSA.distance, score_cutoff=limit)
    return found[0] if found else None


def _words(raw: str) -> list[Token]:
    """Word tokens for one typed word: elisions, possessives, slang and typos handled."""
    word = raw.lower()
    elided = _ELISION_RE.match(word)
    if elided and word not in vocab.SLANG:
        word, raw = elided.group(1), raw[-len(elided.group(1)):]
    if word not in vocab.SLANG and word.endswith("'s"):
        word, raw = word[:-2], raw[:-2]
    if word in vocab.SLANG:
        return [Token(part, raw, "word") for part in vocab.SLANG[word].split()]
    fixed = correct(word)
    if fixed:
        return [Token(fixed, fixed, "word", fuzzy=True)]
    return [Token(word, raw, "word")]


def tokenize(text: str) -> list[Token]:
    """Split a sentence into tokens (numbers parsed, words normalised)."""
    tokens: list[Token] = []
    for match in _TOKEN_RE.finditer(fold(text[:MAX_CHARS])):
        kind = match.lastgroup or "punct"
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
        elif kind == "word":
            tokens.extend(_words(piece))
        else:
            tokens.append(Token(piece, piece, "punct"))
    if len(tokens) > 1 and tokens[0].raw == "+" and tokens[1].kind == "num":
        tokens[0] = Token("add", "+", "word")  # "+0.1 btc @ 95k" records a buy
    return _money_words(tokens)


# Scale words after a number: "1.2 million" → 1200000.
_SCALE_WORDS: dict[str, float] = {
    "thousand": 1e3, "thousands": 1e3, "million": 1e6, "millions": 1e6,
    "millones": 1e6, "millon": 1e6, "milhoes": 1e6, "milhao": 1e6, "millionen": 1e6,
    "milioni": 1e6, "billion": 1e9, "billions": 1e9, "milliard": 1e9, "milliarden": 1e9,
}
_ARROWS = {"<": "below", ">": "above", "=": "is"}
_TIME_WORDS = frozenset({"year", "years", "month", "months", "day", "days", "week", "weeks",
                         "hour", "hours", "decade", "yr", "mo"})


def _money_words(tokens: list[Token]) -> list[Token]:
    """Money said in words: "50 cents" → 0.5, "a grand" → 1000, "half a bitcoin" → 0.5."""
    out: list[Token] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        nxt = tokens[i + 1].text if i + 1 < n else ""
        if tok.kind == "num" and not tok.pct and nxt in _SCALE_WORDS:
            out.append(Token(tok.text, tok.raw, "num", (tok.value or 0.0) * _SCALE_WORDS[nxt],
                             tok.cur))
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
        out.append(tok)
        i += 1
    return out
