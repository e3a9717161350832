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
