"""The statistical fallback: shipped weights, honest confidence, lazy loading, clean corpus."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mobius_cli.core import registry
from mobius_cli.nl import fallback, intents, parse_text
from mobius_cli.nl.entities import scan_tokens
from mobius_cli.nl.text import tokenize

ROOT = Path(__file__).resolve().parent.parent
HELD_OUT = [Path("/work/shared/nlu/dev.jsonl"), ROOT / "tests" / "nlu" / "unseen.jsonl"]


def test_weights_cover_every_intent() -> None:
    data = fallback.model()
    assert data is not None
    assert set(data["intents"]) == set(registry.INTENTS)
    assert len(data["bias"]) == len(data["intents"])


@pytest.mark.parametrize(("text", "intent"), [
    ("which coins are sinking the hardest", "movers"),
    ("what does this thing do for me", "help"),
    ("wie steht es um den kryptomarkt", "market_overview"),
    ("write a limerick about dogecoin", "unknown"),
])
def test_predict_reads_shapes(text: str, intent: str) -> None:
    got, prob, coverage = fallback.predict(scan_tokens(tokenize(text)).words)
    assert got == intent
    assert 0 < prob <= 1 and 0 <= coverage <= 1


def test_the_rules_decide_when_sure_and_the_model_is_not_asked(monkeypatch) -> None:
    def boom(words):  # pragma: no cover - called only on a regression
        raise AssertionError("fallback asked for a sentence the cues cover")

    monkeypatch.setattr(fallback, "predict", boom)
    assert parse_text("alert me if eth drops below 2.5k").intent == "alert_add"
    assert parse_text("btc eth sol").intent == "price"  # a bare list of coins


def test_model_confidence_is_capped_and_below_the_rules() -> None:
    text = "are we in profit"
    verdict = intents.decide(scan_tokens(tokenize(text)))
    assert verdict.intent == "portfolio_show"
    assert verdict.score < intents.SURE and verdict.confidence <= 0.75


def test_a_coin_with_unexplained_words_is_a_quote_of_low_confidence(monkeypatch) -> None:
    monkeypatch.setattr(fallback, "predict", lambda words: ("unknown", 0.0, 0.0))
    result = parse_text("btc whatchamacallit")
    assert result.intent == "price" and result.confidence < 0.5


def _texts(path: Path) -> set[str]:
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            case = json.loads(line)
            out.update(t["text"].lower().strip(" ?!.") for t in case.get("turns", [case]))
    return out


def test_the_generated_corpus_holds_no_labelled_sentence_of_five_words_or_more() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_nlu_model
    finally:
        sys.path.pop(0)
    generated = {t.lower().strip(" ?!.") for t, _ in build_nlu_model.corpus(200, 13)}
    for path in HELD_OUT:
        if path.exists():
            shared = {t for t in _texts(path) & generated if len(t.split()) >= 5}
            assert not shared, (path.name, sorted(shared))


def test_help_and_market_commands_do_not_load_the_model_or_numpy() -> None:
    code = ("import sys\nfrom mobius_cli.__main__ import main\nsys.argv=['mobius','--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m in ('numpy', 'scipy', "
            "'mobius_cli.nl.fallback')), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.stderr.strip().splitlines()[-1] == "[]"
