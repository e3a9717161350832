"""`mobius ask` and the REPL: the same answers as the subcommands, context across turns."""

from __future__ import annotations

import io
import json
import os
import shlex
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from mobius_cli.context import AppContext
from mobius_cli.dispatch import Action, confirm_change, plan
from mobius_cli.errors import UsageError
from mobius_cli.nl import parse_text
from mobius_cli.repl import run_repl


def run(fake, *args: str):
    result = fake.run_mobius(*args)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def shown_command(stderr: str) -> list[str]:
    """The `→ mobius ...` line of an answer, split as a shell would split it."""
    lines = [line for line in stderr.splitlines() if line.startswith("→ ")]
    assert len(lines) == 1, stderr
    words = shlex.split(lines[0][2:])
    assert words[0] == "mobius"
    return words[1:]


@pytest.mark.parametrize(("sentence", "command"), [
    ("btc and eth in eur", ["price", "BTC", "ETH", "--vs", "eur"]),
    ("what's the price of solana", ["price", "SOL"]),
    ("show me the top 5 coins", ["market", "--limit", "5"]),
    ("tell me about chainlink", ["coin", "LINK"]),
    ("eth price history for the last week", ["history", "ETH", "--days", "7"]),
    ("chart sol for a month", ["history", "SOL", "--days", "30", "--chart"]),
    ("compare btc and eth over 90 days", ["compare", "BTC", "ETH", "--days", "90"]),
    ("convert 2.5k usdt to eth", ["convert", "2500", "USDT", "ETH"]),
    ("what's trending", ["trending"]),
    ("top 3 losers today", ["movers", "--losers", "--limit", "3"]),
    ("fear and greed index", ["fear-greed"]),
])
def test_ask_answers_exactly_like_the_subcommand(fake_apis, sentence, command):
    """For every built intent, table and --json: the same output as the subcommand, and
    the command shown on stderr is a valid command line that prints exactly that."""
    for extra in ([], ["--json"]):
        asked = run(fake_apis, "ask", sentence, *extra)
        direct = run(fake_apis, *command, *extra)
        assert asked.returncode == direct.returncode == 0
        assert asked.stdout == direct.stdout and asked.stdout.strip()
        if extra:
            assert json.loads(asked.stdout) == json.loads(direct.stdout)
        shown = shown_command(asked.stderr)
        assert shown == [*command, *extra]
        assert run(fake_apis, *shown).stdout == asked.stdout


def test_ask_quiet_hides_the_equivalent_command(fake_apis):
    result = run(fake_apis, "ask", "--quiet", "btc price")
    assert result.returncode == 0 and "→" not in result.stderr and "BTC" in result.stdout


def test_ask_unknown_suggests_and_exits_2(fake_apis):
    result = run(fake_apis, "ask", "write me a poem about the ocean")
    assert result.returncode == 2 and "not something I can answer" in result.stderr
    assert "btc and eth in eur" in result.stderr and result.stdout == ""
    assert fake_apis.count() == 0


def test_ask_help_and_smalltalk(fake_apis):
    assert "plain questions" in run(fake_apis, "ask", "what can you do?").stdout
    assert run(fake_apis, "ask", "thanks!").returncode == 0


def test_ask_source_errors_keep_their_exit_code(fake_apis):
    result = run(fake_apis, "ask", "price of FOOBAR")
    assert result.returncode == 2 and "unknown coin" in result.stderr


# --- changing data needs a yes ---------------------------------------------------------


def _mutating() -> Action:
    return Action("alert_add", ["alerts", "add", "ETH", "--below", "2500"], run=lambda app: None)


def test_changes_need_yes_without_a_terminal():
    with pytest.raises(UsageError, match="without confirmation") as err:
        confirm_change(_mutating(), assume_yes=False, interactive=False, ask=lambda q: True)
    assert err.value.hint == "add --yes to confirm"
    confirm_change(_mutating(), assume_yes=True, interactive=False, ask=lambda q: False)


def test_changes_ask_on_a_terminal():
    asked: list[str] = []
    confirm_change(_mutating(), assume_yes=False, interactive=True,
                   ask=lambda q: asked.append(q) or True)
    assert asked == ["Run `mobius alerts add ETH --below 2500`?"]
    with pytest.raises(UsageError, match="cancelled"):
        confirm_change(_mutating(), assume_yes=False, interactive=True, ask=lambda q: False)


def test_reading_intents_never_ask():
    action = plan(parse_text("btc price"), AppContext())
    confirm_change(action, assume_yes=False, interactive=False, ask=lambda q: False)
    assert action.command_line == "mobius price BTC"


# --- the REPL, scripted --------------------------------------------------------------


def repl_session(keys: str) -> tuple[str, str]:
    """Drive the REPL with keystrokes; returns (stdout, stderr) as a transcript."""
    app = AppContext()
    out, err = io.StringIO(), io.StringIO()
    app.__dict__["out"] = Console(file=out, width=100, no_color=True, highlight=False)
    app.__dict__["err"] = Console(file=err, width=100, no_color=True, highlight=False)
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        run_repl(app, input=pipe, output=DummyOutput())
    app.close()
    return out.getvalue(), err.getvalue()


def test_repl_context_across_turns(fake_apis):
    out, err = repl_session("btc price\nand eth?\nin euros?\n\x04")
    commands = [line for line in err.splitlines() if line.startswith("→")]
    assert commands == ["→ mobius price BTC", "→ mobius price ETH",
                        "→ mobius price ETH --vs eur"]
    assert "$77,671.00" in out and "$2,071.43" in out and "€1,787.89" in out


def test_repl_slash_commands(fake_apis):
    out, err = repl_session("/json on\nsol price\n/json off\n/vs gbp\nsol price\n/clear\n"
                            "in euros?\n/help\n/bogus\n/exit\n")
    assert "JSON output on" in out
    start = out.index("[")
    data = json.loads(out[start:out.index("]", start) + 1])
    assert data[0]["id"] == "solana"
    assert "prices in GBP" in out and "£" in out
    assert "context cleared" in out
    assert "plain questions" in out and "unknown command /bogus" in err
    # After /clear, "in euros?" has no earlier turn to lean on.
    assert "--vs eur" not in err and "outside what I can do" in out


def test_repl_ctrl_c_cancels_the_line_and_ctrl_d_leaves(fake_apis):
    out, err = repl_session("half a line\x03btc price\n\x04")
    assert err.count("→ mobius") == 1 and "→ mobius price BTC" in err
    assert "half a line" not in err + out and "$77,671.00" in out


def test_repl_errors_do_not_end_the_session(fake_apis):
    out, err = repl_session("price of FOOBAR\nbtc price\n\x04")
    assert "error: unknown coin" in err
    assert "$77,671.00" in out


def test_repl_keeps_history_in_the_data_dir(fake_apis):
    repl_session("fear and greed\n\x04")
    history = Path(os.environ["MOBIUS_HOME"]) / "data" / "repl-history"
    assert "fear and greed" in history.read_text()


@pytest.mark.parametrize(("typed", "expected"), [
    ("bitc", "bitcoin"), ("SO", "SOL"), ("arbit", "arbitrum"), ("unis", "uniswap"),
    ("/j", "/json"), ("tren", "trending"), ("opti", "optimism"),
])
def test_repl_completes_commands_coins_chains_and_protocols(typed, expected):
    from prompt_toolkit.document import Document

    from mobius_cli.repl import _completer

    line = f"price of {typed}" if not typed.startswith("/") else typed
    found = {c.text for c in _completer().get_completions(Document(line), None)}
    assert expected in found
