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
