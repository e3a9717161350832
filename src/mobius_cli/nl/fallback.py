"""A small statistical scorer for sentences no cue covers: word and character n-gram weights.

The weights (nl/lang/model.json) are a softmax regression trained by
scripts/build_nlu_model.py on a corpus generated from the contract (templates x
vocabularies x languages x typos), never on a labelled test set. They are loaded lazily, the
first time the rules are unsure, and scored in pure Python over the sentence's shape (names
already replaced by COIN / CHAIN / PROTO / FIAT, numbers by NUM / PCT).
"""

from __future__ import annotations

import itertools
import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

MODEL_PATH = Path(__file__).resolve().parent / "lang" / "model.json"
_CLASS_WORDS = frozenset({"COIN", "CHAIN", "PROTO", "FIAT", "NUM", "PCT", "PERIOD"})


def features(words: list[str]) -> list[str]:
    """Word unigrams and bigrams, and character 4-grams of longer words, of a shape."""
    words = [w for w in words if w]
    feats = [f"w:{w}" for w in words]
    padded = ["<s>", *words, "</s>"]
    feats.extend(f"b:{a}_{b}" for a, b in itertools.pairwise(padded))
    for w in words:
        if w not in _CLASS_WORDS and len(w) >= 4 and w.isalpha():
            marked = f"^{w}$"
            feats.extend(f"c:{marked[i:i + 4]}" for i in range(len(marked) - 3))
    return list(dict.fromkeys(feats))


@lru_cache(maxsize=1)
def model() -> dict[str, Any] | None:
    """The shipped weights, or None when the file is missing or unreadable."""
    try:
        data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


# Weight rows already read ("3:0.25 7:-1.5" → ((3, 0.25), (7, -1.5))), by feature, for the
# weights they were read from: the file keeps rows as text, and a row is parsed the first
# time a sentence needs it.
_ROWS: tuple[object, dict[str, tuple[tuple[int, float], ...]]] = (None, {})


def _row(text: str) -> tuple[tuple[int, float], ...]:
    """One feature's weights: (intent index, weight) pairs."""
    pairs = (pair.partition(":") for pair in text.split())
    return tuple((int(index), float(weight)) for index, _, weight in pairs)


def _rows_for(weights: dict[str, str]) -> dict[str, tuple[tuple[int, float], ...]]:
    """The parsed rows of these weights (a new model starts afresh)."""
    global _ROWS
    if _ROWS[0] is not weights:
        _ROWS = (weights, {})
    return _ROWS[1]


def predict(words: list[str]) -> tuple[str, float, float]:
    """(intent, probability, coverage) for a sentence's shape words.

    Coverage is the share of the sentence's features the model has weights for: a sentence
    made of words the model never saw gets a low coverage, and the caller trusts it less.
    """
    data = model()
    if data is None:
        return "unknown", 0.0, 0.0
    intents: list[str] = data["intents"]
    scores = list(data["bias"])
    weights: dict[str, str] = data["weights"]  # feature -> "intent:weight intent:weight"
    feats = features(words)
    seen = 0
    rows = _rows_for(weights)
    for feat in feats:
        row = rows.get(feat)
        if row is None:
            text = weights.get(feat)
            if text is None:
                continue
            row = rows[feat] = _row(text)
        seen += 1
        for index, weight in row:
            scores[index] += weight
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    best = max(range(len(scores)), key=scores.__getitem__)
    coverage = seen / len(feats) if feats else 0.0
    return intents[best], exps[best] / total, coverage
