"""QA round: --id beside a ticker, `config path`, percent options, compare's `days` in the
docs, zero-decimal currencies and other cosmetics (in-process against the loopback fake)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mobius_cli.render.format import money

TOKAMAK = "tokamak-network"
SHARED_NOTE = "is the ticker of several coins"


def run(fake, *args: str):
    result = fake.run_mobius(*args)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def one_line_error(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


# --- 1. --id decides which coin a ticker means --------------------------------------------


@pytest.mark.parametrize("command", [("coin",), ("history", "--days", "7")])
def test_single_coin_commands_take_the_id_of_a_shared_ticker(fake_apis, command):
    result = run(fake_apis, command[0], "ton", *command[1:], "--id", TOKAMAK, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["id"] == TOKAMAK and data["name"] == "Tokamak Network"
    assert SHARED_NOTE not in result.stderr


@pytest.mark.parametrize("command", [("ta", "--days", "60"), ("dca", "--days", "60")])
def test_ta_and_dca_take_the_id_of_a_shared_ticker(fake_apis, command):
    result = run(fake_apis, command[0], "ton", *command[1:], "--id", TOKAMAK, "--json")
    assert result.returncode == 0, result.stderr
    charts = {r.api_path.split("/")[2] for r in fake_apis.requests_to("/coins")
              if r.api_path.endswith("/market_chart")}
    assert charts == {TOKAMAK}
    assert SHARED_NOTE not in result.stderr


@pytest.mark.parametrize("command", [("coin",), ("history",), ("ta",), ("dca",)])
def test_an_id_that_is_not_the_tickers_coin_is_refused(fake_apis, command):
    result = run(fake_apis, *command, "btc", "--id", TOKAMAK)
    assert result.returncode == 2
    line = one_line_error(result)
    assert ("--id tokamak-network is Tokamak Network's id (ticker TON), not BTC's"
            in line), line
    assert fake_apis.count("/coins/tokamak-network") == 0  # nothing fetched for it


def test_the_id_matches_a_name_or_the_id_itself(fake_apis):
    for typed in ("Tokamak Network", TOKAMAK, "$TON"):
        data = json.loads(run(fake_apis, "coin", typed, "--id", TOKAMAK, "--json").stdout)
        assert data["id"] == TOKAMAK


def ids(fake, *args: str) -> tuple[list[str], str]:
    result = run(fake, *args, "--json")
    assert result.returncode == 0, result.stderr
    return [row["id"] for row in json.loads(result.stdout)], result.stderr


def test_price_id_replaces_the_coin_of_its_ticker(fake_apis):
    found, err = ids(fake_apis, "price", "ton", "--id", TOKAMAK)
    assert found == [TOKAMAK] and SHARED_NOTE not in err
    found, err = ids(fake_apis, "price", "ton", "btc", "--id", TOKAMAK)
    assert found == [TOKAMAK, "bitcoin"] and SHARED_NOTE not in err
    # An --id that is none of the tickers' coins is its own row, after them.
    assert ids(fake_apis, "price", "btc", "--id", TOKAMAK)[0] == ["bitcoin", TOKAMAK]
    assert ids(fake_apis, "price", "--id", TOKAMAK)[0] == [TOKAMAK]
    # Both TON coins on purpose: the first id takes the ticker's place, the other is added.
    both = ids(fake_apis, "price", "ton", "--id", TOKAMAK, "--id", "the-open-network")[0]
    assert both == [TOKAMAK, "the-open-network"]


def test_compare_id_replaces_the_coin_of_its_ticker(fake_apis):
    found, err = ids(fake_apis, "compare", "ton", "btc", "--id", TOKAMAK)
    assert found == [TOKAMAK, "bitcoin"] and SHARED_NOTE not in err
    found, err = ids(fake_apis, "compare", "eth", "btc", "--id", TOKAMAK)
    assert found == ["ethereum", "bitcoin", TOKAMAK]


def test_a_ticker_without_id_still_notes_the_shared_ticker(fake_apis):
    found, err = ids(fake_apis, "price", "ton", "btc", "--id", "ethereum")
    assert found == ["the-open-network", "bitcoin", "ethereum"] and SHARED_NOTE in err


# --- 2. config path names all three places -----------------------------------------------


def test_config_path_prints_config_data_and_cache(fake_apis):
    paths = json.loads(run(fake_apis, "config", "path", "--json").stdout)
    lines = run(fake_apis, "config", "path").stdout.splitlines()
    assert lines == [f"config: {paths['config_file']}", f"data:   {paths['data_dir']}",
                     f"cache:  {paths['cache_dir']}"]


# --- 3. percents ---------------------------------------------------------------------------


def test_confidence_error_gives_a_valid_example(fake_apis):
    bad = run(fake_apis, "portfolio", "risk", "--confidence", "abc")
    assert bad.returncode == 2
    assert "--confidence must be a number such as 0.95 or 95%, not 'abc'" in one_line_error(bad)
    weight = run(fake_apis, "portfolio", "optimize", "--max-weight", "abc")
    assert weight.returncode == 2 and "such as 0.4 or 40%" in one_line_error(weight)


def test_the_example_in_the_confidence_error_is_accepted(fake_apis):
    run(fake_apis, "portfolio", "add", "btc", "0.5", "--price", "100", "--date", "2025-01-01")
    run(fake_apis, "portfolio", "add", "eth", "3", "--price", "100", "--date", "2025-01-01")
    for typed in ("0.95", "95%"):
        result = run(fake_apis, "portfolio", "risk", "--days", "30", "--confidence", typed,
                     "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["confidence"] == pytest.approx(0.95)


@pytest.mark.parametrize(("typed", "stored"), [("5%", 0.05), ("4.5 %", 0.045), ("0.03", 0.03),
                                               ("0%", 0.0), ("100%", 1.0)])
def test_risk_free_rate_takes_a_percent(fake_apis, typed, stored):
    result = run(fake_apis, "config", "set", "risk_free_rate", typed)
    assert result.returncode == 0, result.stderr
    assert run(fake_apis, "config", "get", "risk_free_rate").stdout.strip() == str(stored)


@pytest.mark.parametrize("typed", ["150%", "-5%", "5", "abc", "%", "nan%", "nan"])
def test_risk_free_rate_is_still_validated(fake_apis, typed):
    result = run(fake_apis, "config", "set", "risk_free_rate", typed)
    assert result.returncode == 2
    assert "config key risk_free_rate" in one_line_error(result)
    assert "0.04 or 4%" in result.stderr


# --- 4. compare's days in docs/json.md -----------------------------------------------------


def test_compare_days_max_is_documented(fake_apis):
    data = json.loads(run(fake_apis, "compare", "btc", "eth", "--days", "max", "--json").stdout)
    assert {row["days"] for row in data} == {"max"}
    doc = (Path(__file__).resolve().parent.parent / "docs" / "json.md").read_text()
    section = doc.split("Run: mobius compare", 1)[1].split("\n## ", 1)[0]
    assert '| [] → `days` | integer or `"max"` |' in section


# --- 5. cosmetics ----------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "currency", "expected"), [
    (12148500.0, "jpy", "¥12,148,500"), (12148500.4, "JPY", "¥12,148,500"),
    (1234567.6, "krw", "₩1,234,568"), (-1500.2, "jpy", "-¥1,500"), (0, "jpy", "¥0"),
    (2500000.0, "vnd", "2,500,000 VND"), (950000.0, "clp", "950,000 CLP"),
    (99.999, "jpy", "¥100"),
    # Below 100 a price keeps its digits: a whole yen would be a 4% step for ¥25.
    (25.73, "jpy", "¥25.73"), (0.00139, "jpy", "¥0.00139"),
    # Others keep two decimals.
    (1500.2, "usd", "$1,500.20"), (1500.2, "huf", "1,500.20 HUF"), (1500.0, "idr", "1,500.00 IDR"),
    (1.72e12, "jpy", "¥1.72T"),
])
def test_money_has_no_decimals_for_zero_decimal_currencies(value, currency, expected):
    short = value >= 1e12
    assert money(value, currency, short=short) == expected


def test_price_in_yen_has_no_decimals(fake_apis):
    table = run(fake_apis, "price", "btc", "--vs", "jpy").stdout
    assert "¥12,148,500 " in table and "¥12,148,500.00" not in table


def test_fetched_price_is_shown_as_money(fake_apis):
    result = run(fake_apis, "portfolio", "add", "eth", "4", "--date", "2026-06-01")
    assert result.returncode == 0, result.stderr
    price = json.loads(run(fake_apis, "portfolio", "history", "--json").stdout)[0]["price"]
    assert len(repr(price).split(".")[1]) > 2  # the close the fake serves is not round
    shown = f"{price:,.2f}"
    assert f"note: market price ${shown} used" in result.stderr
    assert f"@ {price:.2f} USD on 2026-06-01" in result.stdout
    assert repr(price) not in result.stdout + result.stderr


def test_optimize_value_column_is_right_aligned(fake_apis):
    for symbol, amount in (("btc", "0.5"), ("eth", "3"), ("sol", "20")):
        run(fake_apis, "portfolio", "add", symbol, amount, "--price", "100", "--date",
            "2025-01-01")
    result = run(fake_apis, "portfolio", "optimize", "--max-weight", "0.5")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.lstrip().startswith("Coin"))
    end = header.index("Value") + len("Value")
    rows = [line for line in lines[lines.index(header) + 2:]
            if line.strip() and line.split()[0] in ("BTC", "ETH", "SOL")]
    traded = [line for line in rows if "$" in line]
    assert traded, result.stdout
    for line in traded:  # each value ends where the header ends, as the other figures do
        assert line.rstrip().endswith(line[:end].rstrip()[-4:]) and len(line.rstrip()) == end


def test_parse_table_is_in_the_house_style(fake_apis):
    out = run(fake_apis, "parse", "btc price in eur").stdout
    assert not set("┏┃┡│└━") & set(out)
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines[0].split() == ["Field", "Value"] and set(lines[1].strip()) == {"─"}
    assert lines[2].split() == ["text", "btc", "price", "in", "eur"]
    assert lines[3].split() == ["intent", "price"]
