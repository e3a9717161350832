"""Languages as data: every nl/lang/<code>.json is well formed, and each language has a table.

Adding a language is one file under src/mobius_cli/nl/lang/ and one entry in TABLE below.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from mobius_cli.nl import langs, parse_text

KEYS = {"language", "markers", "abbreviations", "scale_words", "remove_verbs", "conditions",
        "cues", "common_words", "alert_nouns", "follow_up"}

# One row per language: sentences that lean on that file's data (cues, scale words,
# abbreviations, condition and remove verbs), with the intent and the entities expected.
TABLE: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
    "en": [
        ("mkt status", "market_overview", {}),
        ("hist sol 3mo", "price_history", {"symbols": ["SOL"], "days": 90}),
        ("list protos on arbitrum", "defi_protocols", {"chain": "arbitrum"}),
        ("del alert 4", "alert_remove", {"alert_id": 4}),
        ("scrap alert 9", "alert_remove", {"alert_id": 9}),
        ("2 mil usdt to eth", "convert", {"amount": 2000000, "from": "USDT", "to": "ETH"}),
    ],
    "es": [
        ("3 mil dolares en ethereum", "convert", {"amount": 3000, "from": "USD", "to": "ETH"}),
        ("como va el mercado cripto", "market_overview", {}),
        ("elimina la alerta 2", "alert_remove", {"alert_id": 2}),
        ("avisame si eth pasa de 5000", "alert_add",
         {"symbols": ["ETH"], "condition": "above", "target": 5000}),
    ],
    "fr": [
        ("convertis 20 mille euros en btc", "convert",
         {"amount": 20000, "from": "EUR", "to": "BTC"}),
        ("tu sers a quoi", "help", {}),
        ("efface l'alerte 3", "alert_remove", {"alert_id": 3}),
    ],
    "de": [
        ("wie lauft der kryptomarkt heute", "market_overview", {}),
        ("50 tausend euro in bitcoin", "convert", {"amount": 50000, "from": "EUR", "to": "BTC"}),
        ("losche alarm 8", "alert_remove", {"alert_id": 8}),
        ("wie ist die stimmung", "fear_greed", {}),
    ],
    "pt": [
        ("2 mil reais em bitcoin", "convert", {"amount": 2000, "from": "BRL", "to": "BTC"}),
        ("me avise se o btc cair abaixo de 70k", "alert_add",
         {"symbols": ["BTC"], "condition": "below", "target": 70000}),
        ("para que serve isso", "help", {}),
    ],
    "it": [
        ("5 mila euro in eth", "convert", {"amount": 5000, "from": "EUR", "to": "ETH"}),
        ("cancella l'avviso 6", "alert_remove", {"alert_id": 6}),
    ],
}


def test_every_language_file_has_a_table_and_the_keys() -> None:
    assert set(langs.languages()) == set(TABLE)
    for code, data in langs.languages().items():
        assert set(data) >= KEYS, code
        assert data["language"] == code
        for intent, pairs in data["cues"].items():
            for pattern, weight in pairs:
                re.compile(pattern)
                assert isinstance(weight, int) and 1 <= weight <= 8, (code, intent)
        assert set(data["conditions"]) <= {"above", "below", "cross", "up", "down"}
        assert all(isinstance(v, (int, float)) and v > 0 for v in data["scale_words"].values())


def test_the_files_are_strict_json() -> None:
    for path in langs.LANG_DIR.glob("*.json"):
        json.loads(path.read_text(encoding="utf-8"),
                   parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))


@pytest.mark.parametrize(("code", "text", "intent", "entities"),
                         [(c, *row) for c, rows in TABLE.items() for row in rows],
                         ids=lambda v: v if isinstance(v, str) else None)
def test_language_table(code: str, text: str, intent: str, entities: dict[str, Any]) -> None:
    result = parse_text(text)
    assert (result.intent, result.entities) == (intent, entities), code


@pytest.mark.parametrize(("words", "lang"), [
    (["5", "mil", "dolares", "en", "bitcoin"], "es"), (["5", "mil", "usd"], "en"),
    (["quanto", "sao", "2", "mil", "reais", "em", "btc"], "pt"),
    (["wie", "viel", "ist", "der", "kurs"], "de"),
])
def test_language_detection(words: list[str], lang: str) -> None:
    assert langs.detect(words) == lang


def test_abbreviations_never_become_tickers() -> None:
    for text in ("BTC ATH", "SOL price RN", "ETH TBH price"):
        symbols = parse_text(text).entities.get("symbols", [])
        assert symbols and all(s in ("BTC", "SOL", "ETH") for s in symbols), (text, symbols)
