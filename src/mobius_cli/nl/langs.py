"""Languages as data: one JSON file per language under nl/lang/ (vocabulary, cues, forms).

Each file holds `markers` (words that tell the language apart), `abbreviations` (a word and
what it stands for: never a ticker), `scale_words` ("mil" → 1000), `remove_verbs`,
`conditions` (alert direction words), `cues` (the language's intent patterns with
weights), `common_words` (everyday words that are never typo-corrected nor taken as tickers),
`alert_nouns`, `follow_up` (words that open a follow-up: "and", "y", "und") and optionally
`not_crypto` (things people price that are not coins), `everyday_protocols` (protocol
names that are everyday words), `greetings`, `conditionals` ("if", "falls", "des que"), `articles`,
`how_questions` (patterns that ask how something works: "explain how", "comment
fonctionne"), `feature_nouns` (Mobius's features: "alerts", "cartera", "simulation"),
`interval_words` ("weekly", "semanales", "mensuels" → days), `count_words` ("ten" → 10),
`count_nouns` (what a count counts: "largest", "coins"), `ranking_words` ("leaderboard",
"classement"), `categories` (DeFi category names of the language), `coin_prepositions`
(words after which an English-word coin is a coin in a question about coins: "prices for
near") and `asset_verbs` (words before the asset staked or lent: "stake aave" stakes the
AAVE token). Adding a language is adding one file (and a row in tests/test_nl_lang.py's
table).

Word lists that cue patterns and the context name by key (`words(key)`, and `<<key>>` in a
pattern through `expand`): `remove_stems`, `price_nouns`, `cost_nouns`, `cost_verbs`,
`of_words`, `gas_nouns`, `good_words`, `moment_words`, `buy_sell_verbs`, `invest_verbs`,
`should_words`, `price_before`, `how_much_is`, `convert_verbs`, `crypto_nouns`, `what_is`,
`what_is_named`, `explain_words`, `compare_verbs`, `big_words`, `move_nouns`,
`protocol_nouns`, `stake_verbs`, `portfolio_nouns`, `notify_words`, `tell_me`, `when_words`,
`alarm_nouns`, `show_verbs`, `help_words`, `what_words`, `you_words`, `can_words`,
`do_verbs`, `thanks_words`, `gainers_words`, `losers_words`, `every_words`, `per_words`,
`small_counts`, `unit_words`, `unit_singular`, `whole_words`, `quote_cues`; follow-ups:
`extend_words` ("add dot too"), `follow_up_end` ("too", "aussi"), `holding_nouns`; movers:
`mover_verbs_up`, `mover_verbs_down`, `mover_most`, `mover_most_before`. A key a language
lacks is simply empty for it.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

LANG_DIR = Path(__file__).resolve().parent / "lang"
DEFAULT = "en"


@lru_cache(maxsize=1)
def languages() -> dict[str, dict[str, Any]]:
    """Every language file, by code (English first)."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(LANG_DIR.glob("*.json"), key=lambda p: (p.stem != DEFAULT, p.stem)):
        if len(path.stem) != 2:  # two-letter codes only; other JSON files are models
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        out[data.get("language", path.stem)] = data
    return out


def _merged_dict(key: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for data in reversed(list(languages().values())):  # English wins a clash
        out.update(data.get(key, {}))
    return out


@lru_cache(maxsize=1)
def abbreviations() -> dict[str, str]:
    """Word → what it stands for, all languages."""
    return _merged_dict("abbreviations")


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Everyday words of every language."""
    words: set[str] = set()
    for data in languages().values():
        text = data.get("common_words", "")
        words.update(text.split() if isinstance(text, str) else text)
    return frozenset(words)


@lru_cache(maxsize=1)
def not_crypto() -> frozenset[str]:
    """Things people price that are not crypto."""
    return frozenset(w for d in languages().values() for w in d.get("not_crypto", ()))


@lru_cache(maxsize=1)
def remove_verbs() -> frozenset[str]:
    """The one shared list of verbs that delete (alerts), every language."""
    return frozenset(w for d in languages().values() for w in d.get("remove_verbs", ()))


@lru_cache(maxsize=8)
def condition_words(kind: str) -> frozenset[str]:
    """Alert direction words of one kind (above, below, cross, up, down), all languages."""
    return frozenset(w for d in languages().values()
                     for w in d.get("conditions", {}).get(kind, ()))


@lru_cache(maxsize=2)
def cues(english: bool = True) -> dict[str, list[tuple[str, int]]]:
    """The intent patterns of every language: intent → [(regex, weight)].

    Patterns of one intent and weight are joined into one alternation across languages, so
    each counts once (as one pattern did before the words moved to their files) and the
    parser runs one search per weight, not one per language. `english=False` leaves out
    the English file.
    """
    grouped: dict[str, dict[int, list[str]]] = {}
    for code, data in languages().items():
        if code == DEFAULT and not english:
            continue
        for intent, pairs in data.get("cues", {}).items():
            for pattern, weight in pairs:
                grouped.setdefault(intent, {}).setdefault(int(weight), []).append(str(pattern))
    return {intent: [("|".join(f"(?:{p})" for p in pats), w) for w, pats in by_w.items()]
            for intent, by_w in grouped.items()}


@lru_cache(maxsize=1)
def _markers() -> dict[str, frozenset[str]]:
    return {code: frozenset(d.get("markers", ())) for code, d in languages().items()}


def detect(words: list[str]) -> str:
    """The language a sentence is most likely in (by marker words; English on a tie)."""
    best, best_n = DEFAULT, 0
    for code, markers in _markers().items():
        n = sum(1 for w in words if w in markers)
        if n > best_n:
            best, best_n = code, n
    return best


def scale_word(word: str, lang: str) -> float | None:
    """What a scale word after a number multiplies by, in the sentence's language first."""
    table = languages().get(lang, {}).get("scale_words", {})
    if word in table:
        return float(table[word])
    for data in languages().values():
        if word in data.get("scale_words", {}):
            return float(data["scale_words"][word])
    return None


@lru_cache(maxsize=1)
def everyday_protocols() -> frozenset[str]:
    """Protocol names that are everyday words ("drift", "harvest"): protocols only in DeFi."""
    return frozenset(w for d in languages().values() for w in d.get("everyday_protocols", ()))


@lru_cache(maxsize=1)
def markers() -> frozenset[str]:
    """Every language's marker words (function words: never names)."""
    return frozenset(w for d in languages().values() for w in d.get("markers", ()))


@lru_cache(maxsize=1)
def alert_nouns() -> tuple[str, ...]:
    """Nouns for an alert in every language, longest first."""
    words = {w for d in languages().values() for w in d.get("alert_nouns", ())}
    return tuple(sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def follow_up_openers() -> tuple[str, ...]:
    """Words that open a follow-up ("and ...", "what about ...", "y ...", "und ..."), longest
    first."""
    words = {w for d in languages().values() for w in d.get("follow_up", ())}
    return tuple(sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def scale_words() -> frozenset[str]:
    """Every language's scale words ("thousand", "mil", "tausend")."""
    return frozenset(w for d in languages().values() for w in d.get("scale_words", {}))


@lru_cache(maxsize=1)
def asset_verbs() -> frozenset[str]:
    """Words right before the asset staked, lent or held ("stake", "lend", "my"), every language."""
    return frozenset(w for d in languages().values() for w in d.get("asset_verbs", ()))


@lru_cache(maxsize=1)
def coin_prepositions() -> frozenset[str]:
    """Prepositions before a coin ("for", "in", "en", "fur"), every language."""
    return frozenset(w for d in languages().values() for w in d.get("coin_prepositions", ()))


@lru_cache(maxsize=1)
def ranking_words() -> tuple[str, ...]:
    """Words that ask for a ranking ("leaderboard", "ranked by", "classement"), longest first."""
    words = {w for d in languages().values() for w in d.get("ranking_words", ())}
    return tuple(sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def categories() -> dict[str, str]:
    """DeFi category names of every language file → the contract's category."""
    return _merged_dict("categories")


@lru_cache(maxsize=1)
def count_words() -> dict[str, int]:
    """Counts written as words ("ten", "zwanzig", "cinco") → their number, every language."""
    return {k: int(v) for k, v in _merged_dict("count_words").items()}


@lru_cache(maxsize=1)
def count_nouns() -> frozenset[str]:
    """Words a count stands before ("largest", "coins", "gainers", "mayores"), every language."""
    return frozenset(w for d in languages().values() for w in d.get("count_nouns", ()))


@lru_cache(maxsize=1)
def conditionals() -> tuple[str, ...]:
    """Words that open a condition ("if", "once", "falls", "des que"), longest first."""
    words = {w for d in languages().values() for w in d.get("conditionals", ())}
    return tuple(sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def articles() -> frozenset[str]:
    """Articles of every language ("the", "el", "der", "o")."""
    return frozenset(w for d in languages().values() for w in d.get("articles", ()))


@lru_cache(maxsize=1)
def interval_words() -> dict[str, int]:
    """Interval adjectives and adverbs of every language, all their forms → days."""
    return {k: int(v) for k, v in _merged_dict("interval_words").items()}


@lru_cache(maxsize=1)
def how_questions() -> tuple[str, ...]:
    """Patterns that ask how something works ("how X works", "como funciona"), all files."""
    return tuple(p for d in languages().values() for p in d.get("how_questions", ()))


@lru_cache(maxsize=1)
def feature_nouns() -> frozenset[str]:
    """Names of Mobius's features in every language ("alerts", "cartera", "simulation")."""
    return frozenset(w for d in languages().values() for w in d.get("feature_nouns", ()))


@lru_cache(maxsize=1)
def greetings() -> tuple[str, ...]:
    """Greetings of every language ("hiya", "buenas", "servus"), longest first."""
    words = {w for d in languages().values() for w in d.get("greetings", ())}
    return tuple(sorted(words, key=len, reverse=True))


@lru_cache(maxsize=64)
def words(key: str) -> tuple[str, ...]:
    """The words (or phrases) listed under `key` in every language file, longest first."""
    found = {w for d in languages().values() for w in d.get(key, ())}
    return tuple(sorted(found, key=lambda w: (-len(w), w)))


def alternation(key: str) -> str:
    """The words under `key` in every language file as one regex alternation."""
    return "|".join(re.escape(w) for w in words(key))


@lru_cache(maxsize=2)
def mover_pattern(direction: str = "") -> str:
    """A shape pattern for "pumped the most", "fell hardest", "subieron mas", "am meisten
    gestiegen": a verb of `direction` ("up", "down"; both if empty) and a most-word."""
    kinds = (direction,) if direction else ("up", "down")
    verbs = "|".join(re.escape(w) for w in sorted(
        {w for k in kinds for w in words(f"mover_verbs_{k}")}, key=lambda w: (-len(w), w)))
    return (rf"(?:{verbs}) (?:the )?(?:{alternation('mover_most')})"
            rf"|(?:{alternation('mover_most_before')}) (?:{verbs})")


_GROUP = re.compile(r"<<(\w+)>>")


def expand(pattern: str) -> str:
    """A pattern with `<<key>>` replaced by the words under `key` in every language file
    ("(?:<<price_nouns>>)" → "(?:precio|prezzo|preis|...)"): cue patterns name word lists
    of the languages instead of spelling them out, so that adding a language is one file."""
    def words_of(match: re.Match[str]) -> str:
        found = alternation(match.group(1))
        if not found:
            raise KeyError(f"no language file lists {match.group(1)!r}")
        return found

    return _GROUP.sub(words_of, pattern)
