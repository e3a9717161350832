"""Language as data: the words of other languages live in nl/lang/*.json, not in the code,
and the one shared list of remove verbs serves both the alert_remove cues and the context."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mobius_cli.nl import Conversation, langs

NL = Path(langs.__file__).resolve().parent
# Words of other languages that once stood in the code (comments aside).
FOREIGN = re.compile(r"borr(?!ow)|losch|supprim|precio|prix|preis|prezzo|comprar|kaufen")


def _code_lines(path: Path) -> list[str]:
    return [line.split("#", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("path", sorted(NL.glob("*.py")), ids=lambda p: p.name)
def test_no_words_of_other_languages_in_the_code(path: Path) -> None:
    found = [line.strip() for line in _code_lines(path) if FOREIGN.search(line)
             and '"""' not in line and "→" not in line]
    assert not found, found


# The cue table (intents.py) names no word of another language at all: a sample of those
# that moved to the language files.
MOVED = re.compile(r"\b(?:cartera|merci|gracias|danke|hilfe|ayuda|semaine|woche|convertir|comparar"
                   r"|protokolle|kryptowahrungen|notifica(?:me|mi)?\b|zeige|muestra|jede|chaque|gestiegen"
                   r"|ganadores|subieron|quanto|explica|staken|avviso|alarma|dimmi|obrigad)")


def test_cue_table_names_word_lists_not_words() -> None:
    found = [line.strip() for line in _code_lines(NL / "intents.py") if MOVED.search(line)]
    assert not found, found


@pytest.mark.parametrize("verb", sorted(langs.remove_verbs()))
def test_every_shared_remove_verb_removes_alerts(verb: str) -> None:
    """Each verb of the shared list deletes a numbered alert, and "<verb> it" / "<verb> the
    last one" deletes the alert just mentioned."""
    got = Conversation().parse(f"{verb} alert 3")
    assert (got.intent, got.entities) == ("alert_remove", {"alert_id": 3})
    for follow in (f"{verb} it", f"{verb} the last one"):
        conv = Conversation()
        conv.parse("alert me when btc hits 100k")
        got = conv.parse(follow)
        assert (got.intent, got.entities) == ("alert_remove", {"symbols": ["BTC"]}), follow


def test_expand_names_word_lists_of_every_language() -> None:
    pattern = langs.expand("(?:<<price_nouns>>)")
    for word in ("precio", "prix", "preis", "prezzo", "preco"):
        assert re.fullmatch(pattern, word)
    with pytest.raises(KeyError):
        langs.expand("<<no_such_list>>")
