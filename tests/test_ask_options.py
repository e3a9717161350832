"""`mobius ask`: options in effect reach the answer and the command it shows, and every
command it shows is one that gives the same answer when run."""

from __future__ import annotations

import pytest

from mobius_cli import dispatch
from mobius_cli.context import AppContext
from mobius_cli.core import registry
from mobius_cli.dispatch import plan, wants_chart
from mobius_cli.nl import INTENT_KEYS, ParseResult, parse_text
from tests.runner import run_python_forked
from tests.test_ask_repl import run, shown_command


@pytest.mark.parametrize(("args", "command"), [
    (["--vs", "eur", "ask", "top 3 coins"], ["market", "--limit", "3", "--vs", "eur"]),
    (["ask", "--vs", "gbp", "tell me about chainlink"], ["coin", "LINK", "--vs", "gbp"]),
    (["ask", "eth price history for the last week", "--vs", "jpy"],
     ["history", "ETH", "--days", "7", "--vs", "jpy"]),
    (["--vs", "EUR", "ask", "compare btc and eth"], ["compare", "BTC", "ETH", "--vs", "eur"]),
    (["--vs", "eur", "ask", "top 3 gainers"], ["movers", "--gainers", "--limit", "3",
                                               "--vs", "eur"]),
    (["--vs", "gbp", "ask", "btc price"], ["price", "BTC", "--vs", "gbp"]),
    # A currency said in the sentence wins over the option, as in the subcommand.
    (["--vs", "gbp", "ask", "btc in eur"], ["price", "BTC", "--vs", "eur"]),
    # Commands without prices in a chosen currency take no --vs.
    (["--vs", "eur", "ask", "fear and greed"], ["fear-greed"]),
    (["--json", "ask", "btc price"], ["price", "BTC", "--json"]),
])
def test_options_reach_the_answer_and_the_shown_command(fake_apis, args, command):
    asked = run(fake_apis, *args)
    assert asked.returncode == 0, asked.stderr
    assert shown_command(asked.stderr) == command
    assert run(fake_apis, *command).stdout == asked.stdout


def test_offline_is_part_of_the_shown_command(fake_apis):
    run(fake_apis, "price", "BTC")  # fills the cache
    before = fake_apis.count()
    asked = run(fake_apis, "--offline", "ask", "btc price")
    assert asked.returncode == 0, asked.stderr
    assert shown_command(asked.stderr) == ["--offline", "price", "BTC"]
    assert run(fake_apis, "--offline", "price", "BTC").stdout == asked.stdout
    assert fake_apis.count() == before


@pytest.mark.parametrize(("sentence", "amount"), [
    ("convert 1234567.5 usd to eth", "1234567.5"),
    ("convert 0.00001 btc to usd", "0.00001"),
    ("convert 2m usd to btc", "2000000"),
    ("convert .5 btc to eur", "0.5"),
])
def test_convert_shows_the_amount_exactly(fake_apis, sentence, amount):
    asked = run(fake_apis, "ask", sentence)
    shown = shown_command(asked.stderr)
    assert shown[:2] == ["convert", amount]
    assert run(fake_apis, *shown).stdout == asked.stdout


def test_convert_refuses_what_the_subcommand_refuses(fake_apis):
    asked = run(fake_apis, "ask", "convert 0 eth to usd")
    direct = run(fake_apis, "convert", "0", "ETH", "USD")
    assert asked.returncode == direct.returncode == 2
    assert asked.stdout == direct.stdout == ""
    assert "the amount must be a positive number" in asked.stderr
    assert fake_apis.count() == 0


@pytest.mark.parametrize(("sentence", "command", "most"), [
    ("top 500 coins", ["market", "--limit", "250"], 250),
    ("top 300 gainers", ["movers", "--gainers", "--limit", "100"], 100),
])
def test_a_count_beyond_the_limit_is_capped_and_said(fake_apis, sentence, command, most):
    asked = run(fake_apis, "ask", sentence)
    assert asked.returncode == 0, asked.stderr
    assert shown_command(asked.stderr) == command
    assert f"showing {most}" in asked.stderr
    direct = run(fake_apis, *command)
    assert direct.returncode == 0 and direct.stdout == asked.stdout


def test_nothing_to_ask_is_a_usage_error(fake_apis):
    result = run(fake_apis, "ask", "  ")
    assert result.returncode == 2 and result.stdout == ""
    assert "nothing to ask" in result.stderr


def test_hints_in_a_shell_do_not_point_at_repl_commands(fake_apis):
    for sentence in ("write me a poem about the ocean", "hello"):
        result = run(fake_apis, "ask", sentence)
        said = result.stdout + result.stderr  # not understood: an error on stderr
        assert "/help" not in said and "mobius ask help" in said


def test_plan_in_the_repl_points_at_slash_help():
    action = plan(parse_text("write me a poem"), AppContext(), repl=True)
    assert action.message is not None and "Type /help for more." in action.message


@pytest.mark.parametrize(("text", "chart"), [
    ("chart eth for a week", True), ("plot btc over 90 days", True),
    ("graph of sol last month", True), ("eth price history", False),
    ("btc history with drawdown", False), ("history of the paragraph coin", False),
])
def test_wants_chart_is_about_words_not_substrings(text, chart):
    assert wants_chart(text) is chart


def test_ask_never_imports_prompt_toolkit(fake_apis):
    code = ("import sys\nfrom mobius_cli.__main__ import main\n"
            "main(['ask', 'what can you do?'])\n"
            "print('prompt_toolkit' in sys.modules, file=sys.stderr)")
    result = run_python_forked(code, env=fake_apis.env())  # a process of its own (runner.py)
    assert result.stderr.strip().splitlines()[-1] == "False", result.stderr


@pytest.mark.parametrize("name", ["ask", "parse", "repl"])
def test_help_has_an_example(name):
    import typer

    from mobius_cli.app import app

    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    assert f"`mobius {name}" in (command.help or "")


NOT_BUILT = sorted(i.name for i in registry.INTENTS.values()
                   if i.build is None and i.name not in registry.CONVERSATIONAL)


@pytest.mark.parametrize("intent", NOT_BUILT)
def test_not_built_says_so_and_fetches_nothing(fake_apis, intent):
    import io

    from rich.console import Console

    app = AppContext()
    out, err = io.StringIO(), io.StringIO()
    app.__dict__["out"] = Console(file=out, width=100)
    app.__dict__["err"] = Console(file=err, width=100)
    entities = {"symbols": ["ETH"]} if "symbols" in INTENT_KEYS[intent] else {}
    code = dispatch.answer(app, ParseResult("x", intent, 0.9, entities), assume_yes=True)
    assert code == 2
    command = f"mobius {registry.INTENTS[intent].command}"
    assert "cannot" in out.getvalue() and command in out.getvalue()
    assert "→" not in err.getvalue()
    assert fake_apis.count() == 0


@pytest.mark.parametrize("sentence", [registry.INTENTS[i].examples[0] for i in NOT_BUILT])
def test_not_built_end_to_end_even_with_yes(fake_apis, sentence):
    result = run(fake_apis, "ask", "--yes", sentence)
    assert result.returncode == 2 and "cannot" in result.stdout and "is not built" in \
        result.stdout
    assert fake_apis.count() == 0
