"""The parser's shortcuts never change what it says.

Cue patterns are searched only where their gate lets them (nl/gate.py), word tokens and
weight rows are remembered: every test here compares the fast path with the plain one
(every pattern searched over the whole shape).
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobius_cli.nl import fallback, intents
from mobius_cli.nl.entities import Scan, scan_tokens
from mobius_cli.nl.gate import GateIndex, compile_gated, piece_starts
from mobius_cli.nl.text import tokenize

SETS = [Path(__file__).parent / "nlu" / name for name in
        ("unseen.jsonl", "dev_build.jsonl", "dev_check.jsonl")]


def sentences() -> list[str]:
    out: list[str] = []
    for path in SETS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                out.extend(t["text"] for t in case.get("turns", [case]))
    return out


def full_score(scan: Scan) -> dict[str, int]:
    """The cue scores with every pattern searched over the whole shape (no gates)."""
    shape = scan.shape
    words = {t.text for t in scan.tokens}
    number = any(t.kind == "num" for t in scan.tokens)
    scores: dict[str, int] = {}
    for intent, cues in intents.CUES.items():
        gate = intents.GATES.get(intent)
        if gate is not None and gate.isdisjoint(words) and not intents._STEMMED.search(shape):
            continue
        needs = intents.CUE_NEEDS.get(intent)
        total = 0
        for i, (pattern, weight) in enumerate(cues):
            need = needs[i] if needs else None
            if need is not None and (
                    (need[0] and not number) or (need[1] and need[1].isdisjoint(words))):
                continue
            if pattern.search(shape):
                total += weight
        if total:
            scores[intent] = total
    return scores


def gated(index: GateIndex, patterns: list[re.Pattern[str]], shape: str) -> list[bool]:
    """Which patterns match, trying each only where its gate says a match can start."""
    live = index.candidates(shape, piece_starts(shape))
    out = []
    for k, pattern in enumerate(patterns):
        if k not in live:
            out.append(False)
        elif live[k] is None:
            out.append(pattern.search(shape) is not None)
        else:
            out.append(any(pattern.match(shape, at) is not None for at in live[k] if at >= 0))
    return out


ALL_PATTERNS = [pattern for cues in intents.CUES.values() for pattern, _ in cues]
# Words the cue patterns are made of, the shape's class words and signs.
POOL = sorted({w for cues in intents._RAW_CUES.values() for source, _ in cues
               for w in re.findall(r"[a-z&]+", source)}
              | {"COIN", "CHAIN", "PROTO", "FIAT", "NUM", "PCT", "PERIOD", "?", ",", "/", "&",
                 "'", ".", "!", "alert", "alerts", "alerta", "x", "a", "i"})


def test_scores_equal_a_full_search_over_the_labelled_sets() -> None:
    for text in sentences():
        scan = scan_tokens(tokenize(text))
        assert list(intents.score(scan).items()) == list(full_score(scan).items()), text


def test_every_cue_matches_as_a_full_search_would_on_random_shapes() -> None:
    rng = random.Random(13)
    shapes = [scan_tokens(tokenize(t)).shape for t in sentences()]
    for _ in range(3000):
        if rng.random() < 0.5:  # a real shape with words spliced in
            words = rng.choice(shapes).split()
            for _ in range(rng.randint(1, 4)):
                words.insert(rng.randint(0, len(words)), rng.choice(POOL))
        else:
            words = [rng.choice(POOL) for _ in range(rng.randint(1, 10))]
        shape = " " + " ".join(words) + " "
        want = [p.search(shape) is not None for p in ALL_PATTERNS]
        assert gated(intents.CUE_INDEX, ALL_PATTERNS, shape) == want, shape


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(POOL), min_size=1, max_size=12))
def test_gates_never_skip_a_match(words: list[str]) -> None:
    shape = " " + " ".join(words) + " "
    want = [p.search(shape) is not None for p in ALL_PATTERNS]
    assert gated(intents.CUE_INDEX, ALL_PATTERNS, shape) == want


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_scores_as_a_full_search(text: str) -> None:
    scan = scan_tokens(tokenize(text))
    assert list(intents.score(scan).items()) == list(full_score(scan).items())


@pytest.mark.parametrize(("source", "shapes"), [
    (r"prices?|quote me|pricing", [" price ", " prices ", " quote me ", " pricing now ",
                                   " quote ", " xprice ", " p&price "]),
    (r"^ (?:hi|hello) |thanks", [" hi there ", " hello ", " oh hi ", " thanks ", " thanksgiving "]),
    (r"simula\w*|(?:a )?good (?:buy|bet)", [" simulate ", " simulation x ", " a good buy ",
                                            " good bet ", " goodbuy ", " sim "]),
    (r"\w+gebuhren|fees?", [" netzgebuhren ", " fee ", " gebuhren "]),
    (r"(?:every|each) (?:other )?(?:day|week)|/ (?:day|week)", [" every other week ",
                                                                " / day ", " each ", " /day "]),
])
def test_small_gates(source: str, shapes: list[str]) -> None:
    pattern, gate = compile_gated(rf"(?<![\w&])(?:{source})(?![\w&])")
    index = GateIndex([gate])
    for shape in shapes:
        assert gated(index, [pattern], shape) == [pattern.search(shape) is not None], shape


def test_a_gate_names_the_words_a_match_starts_on() -> None:
    _, gate = compile_gated(r"(?<![\w&])(?:prices?|quote me|how much is)(?![\w&])")
    assert gate is not None
    assert set(gate.exact) == {"quote", "how"} and set(gate.prefixes) == {"price"}
    _, open_gate = compile_gated(r"(?<![\w&])(?:\w+ price)(?![\w&])")
    assert open_gate is None  # may start on any word: always searched


def test_fallback_rows_read_once_give_the_same_prediction() -> None:
    words = ["what", "is", "this", "app", "for", "?"]
    first = fallback.predict(words)
    assert fallback.predict(words) == first
    data = fallback.model()
    assert data is not None
    scores = list(data["bias"])  # the plain reading of the rows, as text
    for feat in fallback.features(words):
        for pair in data["weights"].get(feat, "").split():
            index, _, weight = pair.partition(":")
            scores[int(index)] += float(weight)
    assert first[0] == data["intents"][max(range(len(scores)), key=scores.__getitem__)]


def test_word_checks_skip_only_what_cannot_match() -> None:
    texts = sentences()
    for text in texts:  # fills the table of `_has` patterns
        intents.decide(scan_tokens(tokenize(text)))
    assert len(intents._WORD_PATTERNS) > 20
    rng = random.Random(5)
    scans = [scan_tokens(tokenize(t)) for t in texts]
    for _ in range(500):
        words = [rng.choice(POOL) for _ in range(rng.randint(1, 8))]
        scans.append(scan_tokens(tokenize(" ".join(words))))
    for key, (compiled, _) in list(intents._WORD_PATTERNS.items()):
        for scan in scans:
            assert intents._has(scan, key) == (compiled.search(scan.shape) is not None), (
                key, scan.shape)
