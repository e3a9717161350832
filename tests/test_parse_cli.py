"""`mobius parse` end to end: the installed command run as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import MOBIUS_BIN


def run(*args: str, stdin: bytes | str | None = None) -> subprocess.CompletedProcess[str]:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    proc = subprocess.run([MOBIUS_BIN, *args], input=data, capture_output=True, timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode,
                                       proc.stdout.decode("utf-8"), proc.stderr.decode())


def test_json_one_object() -> None:
    proc = run("parse", "alert me if eth drops below 2.5k", "--json")
    assert proc.returncode == 0
    obj = json.loads(proc.stdout)
    assert obj["text"] == "alert me if eth drops below 2.5k"
    assert obj["intent"] == "alert_add"
    assert 0.5 < obj["confidence"] <= 1
    assert obj["entities"] == {"symbols": ["ETH"], "condition": "below", "target": 2500}


def test_global_json_flag() -> None:
    proc = run("--json", "parse", "btc and eth in eur")
    assert json.loads(proc.stdout)["entities"] == {"symbols": ["BTC", "ETH"],
                                                   "vs_currency": "eur"}


def test_table_output() -> None:
    proc = run("parse", "bought .5 eth @ 3.1k")
    assert proc.returncode == 0
    assert "portfolio_add" in proc.stdout
    assert "3100" in proc.stdout and "0.5" in proc.stdout
    assert "ETH" in proc.stdout


def test_stdin_json_lines_with_conversation_reset() -> None:
    stdin = "what's bitcoin at?\nand ETH?\nin euros?\n\nin euros?\nand ETH?\n"
    proc = run("parse", "-", "--json", stdin=stdin)
    assert proc.returncode == 0
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["intent"] for r in rows] == ["price", "price", "price", "unknown", "price"]
    assert rows[2]["entities"] == {"symbols": ["ETH"], "vs_currency": "eur"}
    assert rows[3]["entities"] == {}  # the empty line ended the conversation
    assert rows[4]["entities"] == {"symbols": ["ETH"]}


def test_stdin_never_crashes_on_junk() -> None:
    binary = bytes(b for b in range(256) if b != 10) * 4
    junk = binary + b"\n" + b"\xff\xfe\x00bad utf8\n" + b"x" * 100_000 + b"\n"
    proc = run("parse", "-", "--json", stdin=junk)
    assert proc.returncode == 0
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 3
    assert all(r["intent"] == "unknown" for r in rows)


def test_empty_text() -> None:
    proc = run("parse", "", "--json")
    assert proc.returncode == 0
    assert json.loads(proc.stdout) == {"text": "", "intent": "unknown",
                                       "confidence": json.loads(proc.stdout)["confidence"],
                                       "entities": {}}


def test_importing_the_command_module_stays_light() -> None:
    code = ("import sys, mobius_cli.commands.parse; "
            "print([m for m in ('rich', 'rapidfuzz', 'mobius_cli.nl') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
