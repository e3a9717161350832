"""`mobius parse` end to end: in-process, and as the installed command where a real
process matters (a closed stdin, a reader that leaves early, what importing loads)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import MOBIUS_BIN
from tests.runner import run_cli


def run(*args: str, stdin: bytes | str | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli(args, input=stdin, timeout=60)


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


def test_table_shows_text_as_written_never_as_markup() -> None:
    for text in ("btc [/x] price", "[bold]eth[/bold] price", "[link=http://x]sol[/link]"):
        proc = run("parse", text)
        assert proc.returncode == 0, proc.stderr
        assert text in proc.stdout and "error" not in proc.stderr
        streamed = run("parse", "-", stdin=text + "\n")
        assert streamed.returncode == 0 and text in streamed.stdout, streamed.stderr


def test_table_rows_and_no_entities() -> None:
    proc = run("parse", "what's the weather like in paris")
    lines = proc.stdout.splitlines()
    assert any("text" in line and "what's the weather like in paris" in line for line in lines)
    assert "(none stated)" in proc.stdout
    # A long sentence is cut in the table (the JSON keeps it whole).
    long = run("parse", "btc price " * 50)
    assert "…" in long.stdout and max(map(len, long.stdout.splitlines())) <= 100


def test_stdin_empty_and_blank_only() -> None:
    for stdin in (b"", b"\n", b"\n\n  \n\r\n"):
        proc = run("parse", "-", "--json", stdin=stdin)
        assert proc.returncode == 0 and proc.stdout == "" and proc.stderr == ""


def test_stdin_windows_line_endings_and_no_final_newline() -> None:
    proc = run("parse", "-", "--json", stdin=b"btc price\r\nand eth?\r\nin euros?")
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["text"] for r in rows] == ["btc price", "and eth?", "in euros?"]
    assert rows[2]["entities"] == {"symbols": ["ETH"], "vs_currency": "eur"}


def test_stdin_closed() -> None:
    proc = subprocess.run([MOBIUS_BIN, "parse", "-", "--json"], capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=60)
    assert proc.returncode == 0 and proc.stdout == b""
    code = "import os, sys; os.close(0); os.execv(sys.argv[1], sys.argv[1:])"
    proc = subprocess.run([sys.executable, "-c", code, MOBIUS_BIN, "parse", "-", "--json"],
                          capture_output=True, timeout=60)
    assert proc.returncode == 0 and b"error" not in proc.stderr, proc.stderr


def test_stdin_reader_that_leaves_early_is_not_a_failure(tmp_path) -> None:
    """`mobius parse - --json < big | head -1` ends quietly with exit 0."""
    feed = tmp_path / "lines.txt"
    feed.write_text("btc price\n" * 20_000)
    with feed.open("rb") as stdin:
        proc = subprocess.Popen([MOBIUS_BIN, "parse", "-", "--json"], stdin=stdin,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()
        code = proc.wait(timeout=60)
        err = proc.stderr.read()
        proc.stderr.close()
    assert json.loads(first)["intent"] == "price"
    assert code == 0 and err == b"", err


def test_help_has_examples() -> None:
    proc = run("parse", "--help")
    assert "Examples:" in proc.stdout and "mobius parse -" in proc.stdout


def test_json_lines_stay_one_line_for_every_reader(fake_apis):
    """U+2028, U+2029 and U+0085 are legal raw in JSON but split lines for str.splitlines()."""
    import json

    result = fake_apis.run_mobius("parse", "-", "--json",
                                  input="btc\u2028price\nsol\u2029eth\x85x\n")
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert [json.loads(line)["text"] for line in lines] == ["btc\u2028price", "sol\u2029eth\x85x"]
