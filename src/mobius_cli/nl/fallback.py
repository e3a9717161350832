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
    for feat in feats:
        row = weights.get(feat)
        if row is None:
            continue
        seen += 1
        for pair in row.split():
            index, _, weight = pair.partition(":")
            scores[int(index)] += float(weight)
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    best = max(range(len(scores)), key=scores.__getitem__)
    coverage = seen / len(feats) if feats else 0.0
    return intents[best], exps[best] / total, coverage
