"""Defects found by a QA pass over flags, ask, gas, portfolio, config/keys help and yields."""

from __future__ import annotations

import json
import math
from decimal import Decimal

import pytest

from tests.fakes import load_fixture

# --- --offline after the subcommand --------------------------------------------------


def _leaf_commands():
    """(path, click command) for every command that runs (groups walked)."""
    import typer.main

    from mobius_cli.app import app

    def walk(command, path):
        subs = getattr(command, "commands", None)
        if subs:
            for name, sub in subs.items():
                yield from walk(sub, [*path, name])
        else:
            yield path, command

    return list(walk(typer.main.get_command(app), []))


def _options(command) -> set[str]:
    return {opt for p in command.params for opt in getattr(p, "opts", ())}


def test_no_command_has_an_option_named_like_a_root_flag_moved_in_front():
    from mobius_cli.__main__ import _TRAILING_ROOT_FLAGS

    commands = _leaf_commands()
    assert len(commands) > 40
    clashes = [(" ".join(path), flag) for path, command in commands
               for flag in _TRAILING_ROOT_FLAGS if flag in _options(command)]
    assert clashes == []  # moving --offline in front would steal the command's own option


@pytest.mark.parametrize(("argv", "moved"), [
    (["gas", "--offline"], ["--offline", "gas"]),
    (["price", "btc", "--offline", "--json"], ["--offline", "price", "btc", "--json"]),
    (["--vs", "eur", "price", "btc", "--offline"], ["--vs", "eur", "--offline", "price", "btc"]),
    (["portfolio", "show", "--offline"], ["--offline", "portfolio", "show"]),
    (["--offline", "gas"], ["--offline", "gas"]),
    (["gas", "--offline", "--offline"], ["--offline", "gas"]),
    (["ask", "--", "--offline"], ["ask", "--", "--offline"]),  # after --: a word
    (["--help", "--offline"], ["--help", "--offline"]),
    (["price", "btc"], ["price", "btc"]),
])
def test_a_trailing_offline_moves_in_front_of_the_subcommand(argv, moved):
    from mobius_cli.__main__ import _hoist_root_flags

    assert _hoist_root_flags(argv) == moved


@pytest.mark.parametrize("args", [("gas",), ("price", "btc"), ("market",)])
def test_offline_after_the_command_answers_from_the_cache(fake_apis, args):
    online = fake_apis.run_mobius(*args, "--json")
    assert online.returncode == 0, online.stderr
    fake_apis.reset_requests()
    after = fake_apis.run_mobius(*args, "--json", "--offline")
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout) == json.loads(online.stdout)
    assert "offline" in after.stderr and fake_apis.count() == 0
    before = fake_apis.run_mobius("--offline", *args, "--json")
    assert before.stdout == after.stdout


def test_offline_after_the_command_with_nothing_cached_is_offline_too(fake_apis):
    result = fake_apis.run_mobius("price", "btc", "--offline")
    assert result.returncode == 1
    assert "No such option" not in result.stderr and "offline" in result.stderr
    assert fake_apis.count() == 0


# --- ask: a non-answer that fails is an error on stderr --------------------------------


@pytest.mark.parametrize("sentence", ["asdf qwerty", "sold eth", "convert to usd"])
def test_ask_not_answered_goes_to_stderr_as_one_line(fake_apis, sentence):
    result = fake_apis.run_mobius("ask", sentence)
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    # a sentence outside Mobius is not an "error: Sorry" (tests/test_qa3_market_system.py)
    assert line.startswith(("mobius: error: ", "mobius: not something I can answer: "))
    assert "not something I can answer" in line or "I need" in line
    assert fake_apis.count() == 0


def test_ask_not_answered_with_json_keeps_its_message_object(fake_apis):
    result = fake_apis.run_mobius("ask", "--json", "asdf qwerty")
    assert result.returncode == 2
    data = json.loads(result.stdout)
    assert data["intent"] == "unknown" and "outside what I can do" in data["message"]
    assert result.stderr == ""


@pytest.mark.parametrize(("sentence", "words"), [("thanks!", "Hi!"),
                                                 ("what can you do?", "plain questions")])
def test_ask_smalltalk_and_help_stay_on_stdout(fake_apis, sentence, words):
    result = fake_apis.run_mobius("ask", sentence)
    assert result.returncode == 0 and words in result.stdout and result.stderr == ""


# --- gas --chain with a typo -----------------------------------------------------------


def test_gas_chain_typo_says_did_you_mean(fake_apis):
    result = fake_apis.run_mobius("gas", "--chain", "arbitrim")
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert "unknown chain 'arbitrim'" in line and "did you mean arbitrum?" in line
    assert "MOBIUS_RPC_URL_ARBITRIM" in line
    assert fake_apis.count("/rpc") == 0


def test_gas_chain_that_only_needs_a_node_is_not_taken_for_a_typo(fake_apis):
    result = fake_apis.run_mobius("gas", "--chain", "scroll")  # an EVM chain; not 'bsc'
    assert result.returncode == 2
    assert "did you mean" not in result.stderr and "MOBIUS_RPC_URL_SCROLL" in result.stderr


# --- portfolio history with nothing to show ---------------------------------------------


@pytest.mark.parametrize(("extra", "said"), [
    ((), "No DOGE transactions in portfolio main."),
    (("--since", "2030-01-01"), "No DOGE transactions in portfolio main since 2030-01-01."),
    (("--until", "2020-01-01"), "No DOGE transactions in portfolio main up to 2020-01-01."),
    (("--since", "2020-01-01", "--until", "2020-02-01"),
     "No DOGE transactions in portfolio main from 2020-01-01 to 2020-02-01."),
])
def test_portfolio_history_names_the_coin_and_dates_when_empty(fake_apis, extra, said):
    assert fake_apis.run_mobius("portfolio", "add", "btc", "1", "--price", "100").returncode == 0
    result = fake_apis.run_mobius("portfolio", "history", "doge", *extra)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == said


def test_portfolio_history_of_an_empty_portfolio(fake_apis):
    result = fake_apis.run_mobius("portfolio", "history")
    assert result.stdout.strip() == "No transactions in portfolio main."


# --- amounts: underscores and absurdly small -------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("1000", Decimal(1000)),
    ("1,000", Decimal(1000)),
    ("1,000.5", Decimal("1000.5")),
    ("1e-18", Decimal("1e-18")),
    ("0.000000000000000001", Decimal("1e-18")),
    ("1e15", Decimal("1e15")),
])
def test_amounts_accepted(text, expected):
    from mobius_cli.core.ledger import parse_decimal

    assert parse_decimal(text) == expected


@pytest.mark.parametrize(("text", "words"), [
    ("1_000", "is not a number"),
    ("1_000.5", "is not a number"),
    ("1e-30", "too small to be real"),
    ("0.0000000000000000009", "too small to be real"),
    ("1e16", "too large to be real"),
])
def test_amounts_refused(text, words):
    from mobius_cli.core.ledger import parse_decimal
    from mobius_cli.errors import UsageError

    with pytest.raises(UsageError) as err:
        parse_decimal(text)
    assert words in err.value.message


@pytest.mark.parametrize(("amount", "words"), [
    ("1_000", "amount '1_000' is not a number (write it without underscores: 1000 or 1,000)"),
    ("1e-30", "amount 1e-30 is too small to be real (the least Mobius accepts is "
              "0.000000000000000001)"),
    ("1e30", "amount 1e30 is too large to be real (the most Mobius accepts is "
             "1,000,000,000,000,000)"),
])
def test_portfolio_add_refuses_absurd_amounts_and_writes_nothing(fake_apis, amount, words):
    result = fake_apis.run_mobius("portfolio", "add", "btc", amount, "--price", "100")
    assert result.returncode == 2
    assert result.stderr.strip() == f"mobius: error: {words}"
    history = fake_apis.run_mobius("portfolio", "history", "--json")
    assert json.loads(history.stdout) == []


def test_portfolio_add_with_thousands_commas_still_works(fake_apis):
    result = fake_apis.run_mobius("portfolio", "add", "btc", "1,000", "--price", "1")
    assert result.returncode == 0, result.stderr
    [tx] = json.loads(fake_apis.run_mobius("portfolio", "history", "--json").stdout)
    assert tx["amount"] == 1000


# --- exchange rates in notes: 6 significant digits ---------------------------------------


def _six_significant(value: float) -> str:
    """The reference: fixed notation with 6 significant digits (trailing zeros kept)."""
    decimals = max(0, 5 - math.floor(math.log10(abs(value))))
    return f"{value:.{decimals}f}"


@pytest.mark.parametrize(("value", "text"), [
    (Decimal("0.8631200061799127"), "0.863120"),
    (1.28748e-05, "0.0000128748"),
    (Decimal("1.158587441885289"), "1.15859"),
    (Decimal("77671"), "77671.0"),
    (Decimal("150.12345"), "150.123"),
])
def test_rate_shows_six_significant_digits_without_exponent(value, text):
    from mobius_cli.render.portfolio import rate

    assert rate(value) == text == _six_significant(float(value))


@pytest.mark.parametrize("vs", ["eur", "btc"])
def test_portfolio_show_note_rounds_the_rate(fake_apis, vs):
    rates = load_fixture("coingecko_exchange_rates")["rates"]
    usd_to_vs = rates[vs]["value"] / rates["usd"]["value"]
    assert fake_apis.run_mobius("portfolio", "add", "btc", "1", "--price", "100").returncode == 0
    result = fake_apis.run_mobius("--vs", vs, "portfolio", "show")
    assert result.returncode == 0, result.stderr
    assert f"(1 USD = {_six_significant(usd_to_vs)} {vs.upper()})" in result.stderr
    assert "e-" not in result.stderr


def test_a_trade_in_another_currency_rounds_the_rate(fake_apis):
    rates = load_fixture("coingecko_exchange_rates")["rates"]
    eur_to_usd = rates["usd"]["value"] / rates["eur"]["value"]
    result = fake_apis.run_mobius("portfolio", "add", "btc", "1", "--price", "100",
                                  "--currency", "eur")
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith(f"(1 EUR = {_six_significant(eur_to_usd)} USD)")


# --- help with an example ----------------------------------------------------------------


def test_every_command_help_has_an_example():
    missing = [" ".join(path) for path, command in _leaf_commands()
               if "Example" not in (command.help or "")]
    assert missing == []


@pytest.mark.parametrize("path", [("config", "get"), ("config", "set"), ("config", "unset"),
                                  ("keys", "remove"), ("keys", "list")])
def test_config_and_keys_help_shows_examples(fake_apis, path):
    result = fake_apis.run_mobius(*path, "--help")
    assert result.returncode == 0
    assert f"Examples: `mobius {' '.join(path)}" in result.stdout


# --- defi yields --token: the forms left out ----------------------------------------------


def _visible_pools() -> list[dict]:
    """The fixture pools the defaults show (not outliers, at least $10k TVL)."""
    pools = load_fixture("yields_pools")["data"] + load_fixture("yields_pools_more")
    return [p for p in pools if not p.get("outlier") and p["tvlUsd"] >= 10_000]


def _pools_with_part(part: str) -> int:
    return sum(part in p["symbol"].upper().split("-") for p in _visible_pools())


def test_yields_token_names_wrapped_and_staked_forms(fake_apis):
    weth, steth = _pools_with_part("WETH"), _pools_with_part("STETH")
    assert (weth, steth) == (3, 1)
    result = fake_apis.run_mobius("defi", "yields", "--token", "eth")
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == (
        f"note: also WETH ({weth} pools), STETH ({steth}): --token eth,weth,steth "
        "or --staking for staked ETH")
    # What the note proposes finds them.
    wider = fake_apis.run_mobius("defi", "yields", "--token", "eth,weth,steth", "--json")
    symbols = [p["symbol"] for p in json.loads(wider.stdout)]
    assert len(symbols) == _pools_with_part("ETH") + weth + steth
    assert wider.stderr == ""


def test_yields_token_note_is_on_stderr_with_json_too(fake_apis):
    result = fake_apis.run_mobius("defi", "yields", "--token", "eth", "--json")
    assert result.returncode == 0
    assert [p["symbol"] for p in json.loads(result.stdout)] == ["ETH-USDC"]
    assert "note: also WETH (3 pools)" in result.stderr


def test_yields_stablecoin_forms_do_not_suggest_staking(fake_apis):
    result = fake_apis.run_mobius("defi", "yields", "--token", "usdc", "--json")
    assert result.returncode == 0
    assert "note: also USDC.E (1 pool): --token usdc,usdc.e\n" in result.stderr
    assert "--staking" not in result.stderr


def test_yields_staking_already_takes_the_forms(fake_apis):
    result = fake_apis.run_mobius("defi", "yields", "--token", "eth", "--staking")
    assert result.returncode == 0 and "also" not in result.stderr


def test_yields_no_match_draws_no_empty_table(fake_apis):
    result = fake_apis.run_mobius("defi", "yields", "--token", "zzz")
    assert result.returncode == 0
    assert result.stdout == ""
    assert result.stderr.strip() == "note: no pool matches; try --all or fewer filters"
    data = fake_apis.run_mobius("defi", "yields", "--token", "zzz", "--json")
    assert json.loads(data.stdout) == []


def test_yields_no_match_still_names_the_other_forms(fake_apis):
    result = fake_apis.run_mobius("defi", "yields", "--token", "sol")
    assert result.returncode == 0 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "note: no pool matches; try --all or fewer filters",
        "note: also JITOSOL (1 pool): --token sol,jitosol or --staking for staked SOL"]


# --- --json with --csv --------------------------------------------------------------------


def _json_and_csv_commands() -> list[list[str]]:
    return [path for path, command in _leaf_commands()
            if {"--json", "--csv"} <= _options(command)]


def test_json_and_csv_commands_are_found():
    paths = [" ".join(p) for p in _json_and_csv_commands()]
    assert {"price", "gas", "portfolio history", "defi yields", "alerts list"} <= set(paths)


@pytest.mark.parametrize("order", ["json_first", "csv_first", "root_json"])
def test_json_with_csv_is_a_usage_error_everywhere(fake_apis, order):
    for path in _json_and_csv_commands():
        args = {"json_first": [*path, "--json", "--csv"],
                "csv_first": [*path, "--csv", "--json"],
                "root_json": ["--json", *path, "--csv"]}[order]
        result = fake_apis.run_mobius(*args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert result.stdout == ""
        assert "--json and --csv cannot be used together" in result.stderr, args
    assert fake_apis.count() == 0


def test_json_or_csv_alone_still_work(fake_apis):
    as_json = fake_apis.run_mobius("price", "btc", "--json")
    root_json = fake_apis.run_mobius("--json", "price", "btc")
    assert json.loads(as_json.stdout) == json.loads(root_json.stdout)
    rows = fake_apis.run_mobius("price", "btc", "--csv")
    assert rows.returncode == 0 and rows.stdout.startswith("symbol,id,name,price")
