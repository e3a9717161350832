"""Defects found by the third QA pass over market, analysis, DeFi, config and the root
command line, as a new user meets them."""

from __future__ import annotations

import pytest

NARROW_COMMANDS = [
    ("gas",), ("gas", "--all"), ("gas", "--chain", "arbitrum"), ("gas", "--chain", "optimism"),
    ("ta", "btc"), ("ta", "shib"), ("ta", "btc", "--days", "30"),
    ("dca", "btc", "--amount", "10", "--every", "week", "--days", "90"),
    ("fear-greed",), ("fear-greed", "--days", "10"),
    ("defi", "tvl"), ("defi", "tvl", "lido"), ("defi", "tvl", "--chain", "ethereum"),
    ("defi", "yields"), ("defi", "compare", "lido", "aave"),
    ("defi", "compare", "lido", "aave", "uniswap"), ("defi", "chains"), ("defi", "protocols"),
]


@pytest.mark.parametrize("columns", [60, 80])
@pytest.mark.parametrize("args", NARROW_COMMANDS, ids=" ".join)
def test_narrow_tables_never_cut_a_cell(fake_apis, args, columns):
    result = fake_apis.run_mobius(*args, env={"COLUMNS": str(columns)})
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout, result.stdout
    # Table lines fit; a line of prose (ta's overall view) stays whole in a pipe by design.
    for line in result.stdout.splitlines():
        if not line.startswith("Overall:"):
            assert len(line.rstrip()) <= columns, (line, result.stdout)


@pytest.mark.parametrize("columns", [60, 80])
def test_gas_keeps_the_costs_whole_and_says_what_it_hid(fake_apis, columns):
    import json

    data = json.loads(fake_apis.run_mobius("gas", "--json").stdout)
    table = fake_apis.run_mobius("gas", env={"COLUMNS": str(columns)})
    assert "standard " in table.stdout and "Swap" in table.stdout
    swap = data["costs"]["swap"]["standard"]
    assert f" ${swap:,.2f} " in table.stdout  # $3.19, not $3.…
    every = fake_apis.run_mobius("gas", "--all", env={"COLUMNS": str(columns)})
    assert "Avalanche C-Chain" in every.stdout and "Swap" in every.stdout
    assert "hidden at" in every.stderr  # the columns given up are named


def test_yields_at_60_columns_keep_the_apy(fake_apis):
    result = fake_apis.run_mobius("defi", "yields", env={"COLUMNS": "60"})
    assert result.returncode == 0, result.stderr
    assert "APY" in result.stdout.splitlines()[2] and "45.12%" in result.stdout
    assert "velodrome-v2" in result.stdout


def _write_config(text: str):
    import os
    from pathlib import Path

    path = Path(os.environ["MOBIUS_HOME"]) / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_bad_vs_currency_in_config_names_the_file_and_key(fake_apis):
    import json

    path = _write_config('vs_currency = "xyz"\n')
    price = fake_apis.run_mobius("price", "btc")
    assert price.returncode == 2 and price.stdout == ""
    assert price.stderr.count("\n") == 1
    assert f"{path}: config key vs_currency: unsupported currency 'xyz'" in price.stderr
    assert "`mobius config set vs_currency VALUE` fixes it" in price.stderr
    # --vs overrides it, as it overrides any configured currency
    assert fake_apis.run_mobius("price", "btc", "--vs", "eur").returncode == 0
    # a near miss says what was meant
    _write_config('vs_currency = "eurr"\n')
    assert "did you mean eur?" in fake_apis.run_mobius("price", "btc").stderr
    _write_config('vs_currency = "xyz"\n')
    # config show still shows it (so it can be fixed) and says what is wrong
    shown = fake_apis.run_mobius("config", "show", env={"COLUMNS": "120"})
    assert shown.returncode == 0 and "xyz" in shown.stdout
    assert "config key vs_currency: unsupported currency 'xyz'" in shown.stderr
    # doctor reports it and carries on
    doctor = fake_apis.run_mobius("doctor", "--json")
    report = json.loads(doctor.stdout)
    assert doctor.returncode == 1
    assert report["config"]["status"] == "error" and "xyz" in report["config"]["detail"]
    assert all(s["status"] == "ok" for s in report["sources"])
    table = fake_apis.run_mobius("doctor", env={"COLUMNS": "200"})
    assert "(error: " in table.stdout and "unsupported currency 'xyz'" in table.stdout


def test_a_good_vs_currency_in_config_is_used(fake_apis):
    _write_config('vs_currency = "eur"\n')
    result = fake_apis.run_mobius("price", "btc")
    assert result.returncode == 0 and "€" in result.stdout
    assert "(ok)" in fake_apis.run_mobius("doctor", env={"COLUMNS": "200"}).stdout


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_config_show_keeps_variable_names_whole(fake_apis, columns):
    result = fake_apis.run_mobius("config", "show", env={"COLUMNS": str(columns)})
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout
    for var in ("MOBIUS_COINGECKO_URL", "MOBIUS_LLAMA_COINS_URL", "MOBIUS_RPC_URL_AVALANCHE"):
        assert var in result.stdout, (var, result.stdout)
    for line in result.stdout.splitlines():
        assert len(line.rstrip()) <= columns


# --- the root's -v and --no-color ------------------------------------------------------


def test_root_help_shows_verbose_as_a_repeatable_flag():
    from tests.fakes import run_mobius

    result = run_mobius("--help", env={"COLUMNS": "100"})
    assert result.returncode == 0
    line = next(line for line in result.stdout.splitlines() if "--verbose" in line)
    assert "-v" in line and "<int>" not in line and "[default" not in line, line
    assert "repeat" in line and "-vv" in line


@pytest.mark.parametrize(("argv", "moved"), [
    (["price", "btc", "--no-color"], ["--no-color", "price", "btc"]),
    (["price", "btc", "-v"], ["-v", "price", "btc"]),
    (["price", "btc", "-vv", "--json"], ["-vv", "price", "btc", "--json"]),
    (["price", "-v", "btc", "-v"], ["-v", "-v", "price", "btc"]),  # counts, not deduplicated
    (["gas", "--verbose", "--no-color", "--no-color"], ["--no-color", "--verbose", "gas"]),
    (["alerts", "check", "--quiet"], ["alerts", "check", "--quiet"]),  # its own --quiet
    (["ask", "btc", "-q"], ["ask", "btc", "-q"]),  # its own -q
    (["price", "btc", "-q"], ["-q", "price", "btc"]),
    (["alerts", "list", "--quiet"], ["--quiet", "alerts", "list"]),
    (["gas", "-q", "-v", "-q"], ["-q", "-v", "gas"]),
    (["ask", "--", "-v"], ["ask", "--", "-v"]),
])
def test_trailing_verbose_and_no_color_move_in_front(argv, moved):
    from mobius_cli.__main__ import _hoist_root_flags

    assert _hoist_root_flags(argv) == moved


def test_verbose_and_no_color_after_the_command_work(fake_apis):
    fake_apis.respond("/cg", "{not json", content_type="application/json")  # has a detail
    quiet = fake_apis.run_mobius("trending")
    loud = fake_apis.run_mobius("trending", "-v")
    assert quiet.returncode == loud.returncode == 1, loud.stderr
    assert "detail:" not in quiet.stderr and "detail:" in loud.stderr
    assert fake_apis.run_mobius("trending", "--verbose").stderr == loud.stderr
    fake_apis.clear_faults()
    plain = fake_apis.run_mobius("price", "btc", "--no-color", env={"FORCE_COLOR": "1"})
    assert plain.returncode == 0, plain.stderr
    assert "\x1b[" not in plain.stdout and "BTC" in plain.stdout
    coloured = fake_apis.run_mobius("price", "btc", env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert "\x1b[" in coloured.stdout  # the flag, not the environment, made it plain


# --- messages that say what is wrong ---------------------------------------------------


def _one_line_usage_error(result) -> str:
    assert result.returncode == 2 and result.stdout == "", (result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    return result.stderr


@pytest.mark.parametrize("name", ["[/]", "/", "***", "arbitrum/", "base!"])
def test_a_chain_name_that_is_not_a_name_is_an_unknown_chain(fake_apis, name):
    err = _one_line_usage_error(fake_apis.run_mobius("gas", "--chain", name))
    assert f"unknown chain {name!r}" in err
    assert "MOBIUS_RPC_URL" not in err  # never a variable name it could not be
    if name.startswith(("arbitrum", "base")):
        assert f"did you mean {name[:-1]}?" in err
    else:
        assert "known chains: ethereum, arbitrum" in err


def test_a_typo_of_a_chain_still_suggests_and_a_new_chain_names_its_variable(fake_apis):
    assert "did you mean arbitrum?" in fake_apis.run_mobius("gas", "--chain", "arbitrm").stderr
    new = fake_apis.run_mobius("gas", "--chain", "zksync era")
    assert "set MOBIUS_RPC_URL_ZKSYNC_ERA to a node URL" in _one_line_usage_error(new)


def test_movers_names_only_the_option_that_is_wrong(fake_apis):
    limit = _one_line_usage_error(fake_apis.run_mobius("movers", "--limit", "0"))
    assert "--limit must be a whole number from 1 to 100, not 0" in limit
    assert "--top" not in limit
    top = _one_line_usage_error(fake_apis.run_mobius("movers", "--top", "5"))
    assert "--top must be a whole number from 10 to 250, not 5" in top
    assert "--limit" not in top
    market = _one_line_usage_error(fake_apis.run_mobius("market", "--limit", "0"))
    assert "from 1 to 250, not 0" in market


@pytest.mark.parametrize("value", ["-5", "-0.5%"])
def test_a_negative_min_apy_is_refused(fake_apis, value):
    err = _one_line_usage_error(fake_apis.run_mobius("defi", "yields", f"--min-apy={value}"))
    assert "--min-apy must be zero or more" in err
    assert fake_apis.count("/yields") == 0  # refused before the 15 MB pool list
    ok = fake_apis.run_mobius("defi", "yields", "--min-apy", "0")
    assert ok.returncode == 0 and "above 0% APY" in ok.stdout


def test_ta_on_too_few_days_says_why_there_is_no_signal(fake_apis):
    import json

    result = fake_apis.run_mobius("ta", "btc", "--days", "5")
    assert result.returncode == 0, result.stderr
    overall = [line for line in result.stdout.splitlines() if line.startswith("Overall")]
    assert overall == ["Overall: no signal: 6 daily closes are too few (RSI(14), the first "
                       "to give one, needs 15)."]
    assert "0 of 0" not in result.stdout and "confidence 0%" not in result.stdout
    assert json.loads(fake_apis.run_mobius("ta", "btc", "--days", "5", "--json").stdout)[
        "signals"] == []
    one = fake_apis.run_mobius("ta", "btc", "--days", "14").stdout
    assert "(1 of 1 signal agrees)" in one


@pytest.mark.parametrize(("args", "or_max"), [
    (("ta", "btc", "--days", "3651"), False), (("dca", "btc", "--days", "3651"), False),
    (("fear-greed", "--days", "3651"), False), (("defi", "tvl", "lido", "--days", "3651"), False),
    (("history", "btc", "--days", "3651"), True), (("history", "btc", "--days", "36500"), True),
    (("compare", "btc", "eth", "--days", "3651"), True), (("ta", "btc", "--days", "0"), False),
    (("history", "btc", "--days", "0"), True),
])
def test_every_days_option_has_the_same_bounds_and_says_them(fake_apis, args, or_max):
    err = _one_line_usage_error(fake_apis.run_mobius(*args))
    assert "--days must be a whole number from 1 to 3650 (ten years)" in err
    assert ("'max' (all of CoinGecko's history, back to 2013)" in err) is or_max
    assert f"not {args[-1]}" in err


@pytest.mark.parametrize("args", [("ta", "btc", "--days", "3650"),
                                  ("history", "btc", "--days", "3650"),
                                  ("history", "btc", "--days", "max"),
                                  ("fear-greed", "--days", "3650")])
def test_the_largest_days_are_accepted(fake_apis, args):
    result = fake_apis.run_mobius(*args, "--json")
    assert result.returncode == 0, result.stderr


# --- ask outside Mobius, and command suggestions --------------------------------------


@pytest.mark.parametrize("sentence", ["what is the meaning of life", "asdf qwerty"])
def test_ask_outside_mobius_is_one_plain_line_with_exit_2(fake_apis, sentence):
    result = fake_apis.run_mobius("ask", sentence)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (f"mobius: not something I can answer: {sentence!r} (try "
                             '`mobius ask help` for what I can, e.g. '
                             '`mobius ask "btc and eth in eur"`)\n')
    assert "error: Sorry" not in result.stderr and fake_apis.count() == 0


@pytest.mark.parametrize(("args", "suggestion"), [
    (("hlep",), "Did you mean `mobius --help`?"),
    (("help",), "Did you mean `mobius --help`?"),
    (("version",), "Did you mean `mobius --version`?"),
    (("prcie", "btc"), "Did you mean 'price' or 'parse'?"),
    (("histroy", "btc"), "Did you mean 'history'?"),
    (("defi", "yeilds"), "Did you mean 'yields'?"),
    (("alerts", "hepl"), "Did you mean `mobius alerts --help`?"),
])
def test_an_unknown_command_gets_a_sensible_did_you_mean(fake_apis, args, suggestion):
    result = fake_apis.run_mobius(*args)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert f"No such command {args[-1 if args[0] in ('defi', 'alerts') else 0]!r}. " \
           f"{suggestion}" in result.stderr, result.stderr
    assert "movers" not in result.stderr


def test_no_suggestion_when_nothing_is_close(fake_apis):
    result = fake_apis.run_mobius("xyzzy")
    assert result.returncode == 2
    assert "No such command 'xyzzy'. (see `mobius --help`)" in result.stderr
    version = fake_apis.run_mobius("portfolio", "version")  # --version is the root's alone
    assert "--version" not in version.stderr


# --- usage lines ----------------------------------------------------------------------


@pytest.mark.parametrize(("path", "usage"), [
    (("alerts", "channels", "add"), "mobius alerts channels add [OPTIONS] NAME KIND [TARGET]"),
    (("portfolio", "import"), "mobius portfolio import [OPTIONS] FILE"),
    (("config", "set"), "mobius config set [OPTIONS] KEY VALUE"),
    (("convert",), "mobius convert [OPTIONS] AMOUNT FROM TO"),
    (("ask",), "mobius ask [OPTIONS] TEXT..."),
    (("price",), "mobius price [OPTIONS] [SYMBOL...]"),
])
def test_usage_names_arguments_without_braces(path, usage):
    from tests.fakes import run_mobius

    result = run_mobius(*path, "--help", env={"COLUMNS": "120"})
    assert result.returncode == 0
    assert f"Usage: {usage}" in result.stdout, result.stdout.splitlines()[:3]


def test_no_usage_line_anywhere_has_braces():
    import typer.main

    from mobius_cli.app import app
    from tests.test_qa_cli_fixes import _leaf_commands

    root = typer.main.get_command(app)
    for path, command in _leaf_commands():
        ctx = typer.Context(command, info_name=" ".join(["mobius", *path]),
                            parent=typer.Context(root, info_name="mobius"))
        usage = command.get_usage(ctx)
        assert "{" not in usage and "}" not in usage, usage


def test_the_commands_with_their_own_quiet_are_all_known():
    from mobius_cli.__main__ import _OWN_QUIET
    from tests.test_qa_cli_fixes import _leaf_commands, _options

    own = {tuple(path) for path, command in _leaf_commands()
           if _options(command) & {"-q", "--quiet"}}
    assert own == set(_OWN_QUIET)  # -q after any other command is the root's


def test_quiet_after_the_command_hides_the_notes(fake_apis):
    noisy = fake_apis.run_mobius("gas", "--chain", "arbitrum")
    assert noisy.returncode == 0 and "note:" in noisy.stderr
    quiet = fake_apis.run_mobius("gas", "--chain", "arbitrum", "-q")
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == noisy.stdout
