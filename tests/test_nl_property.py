"""Any input at all gives a valid contract object."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from mobius_cli.nl import INTENT_KEYS, Conversation, ParseResult, parse_text

WORDS = st.sampled_from(["btc", "eth", "price", "alert", "if", "below", "2.5k", "$3m", ".5",
                         "1,500", "and", "?", "tvl", "on", "arbitrum", "%", "10%", "vs",
                         "aave", "in", "eur", "last", "3", "months", "$", "#", "@", "delete"])


def check(result: ParseResult, text: str) -> None:
    assert result.text == text
    assert result.intent in INTENT_KEYS
    assert 0.0 <= result.confidence <= 1.0
    assert set(result.entities) <= INTENT_KEYS[result.intent]
    assert all(v is not None for v in result.entities.values())
    for key in ("symbols", "protocols"):
        if key in result.entities:
            assert result.entities[key] and all(isinstance(s, str) for s in result.entities[key])
    json.dumps(result.to_dict())


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text(text: str) -> None:
    check(parse_text(text), text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_binary_junk(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    check(parse_text(text), text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(WORDS, max_size=12).map(" ".join), max_size=6))
def test_conversations_of_crypto_words(turns: list[str]) -> None:
    conv = Conversation()
    for text in turns:
        check(conv.parse(text), text)


@settings(max_examples=5, deadline=None)
@given(st.text(min_size=1, max_size=5))
def test_100_kb_input(seed: str) -> None:
    text = (seed + " btc price ") * (100_000 // (len(seed) + 11) + 1)
    check(parse_text(text), text)


# --- `mobius parse -`: the stream around the parser ---------------------------------------


def _stream_lines(data: bytes) -> list[dict]:
    """Run the `parse -` stream over `data` in-process; its output, one object per line."""
    import io
    import sys
    from unittest import mock

    from mobius_cli.commands.parse import _stream

    stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="strict")
    stdout = io.StringIO()
    with mock.patch.object(sys, "stdin", stdin), mock.patch.object(sys, "stdout", stdout):
        _stream(True, None, lambda conv, text: conv.parse(text))
    # JSON Lines are separated by "\n" only: str.splitlines would also cut at U+0085 and
    # U+2028 inside a sentence echoed in "text".
    return [json.loads(line) for line in stdout.getvalue().split("\n") if line]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=60), WORDS.map(str.encode),
                          st.sampled_from([b"", b"\r", b"   ", b"\xff\xfe", b"\x00"])),
                max_size=12))
def test_stream_of_any_bytes(lines: list[bytes]) -> None:
    """Any bytes in: one valid object per non-blank line, in order, never a crash."""
    data = b"\n".join(lines)
    expected = [text for text in (raw.decode("utf-8", errors="replace").rstrip("\r")
                                  for raw in data.split(b"\n")) if text.strip()]
    rows = _stream_lines(data)
    assert [r["text"] for r in rows] == expected
    for row in rows:
        check(ParseResult(row["text"], row["intent"], row["confidence"], row["entities"]),
              row["text"])
