"""Defects found trying the market, analysis and DeFi commands as a new user would."""

from __future__ import annotations

NASTY_NAME = "[/x]Bad\x1b[31mRed"


def test_defi_compare_header_with_api_text_is_not_executed(fake_apis):
    for protocol in fake_apis.protocols:
        if protocol.get("slug") == "lido":
            protocol["name"] = NASTY_NAME
    result = fake_apis.run_mobius("defi", "compare", "lido", "aave")
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout
    # markup is printed as text; the escape goes whole, as in coin names (no "[31m" left)
    assert "[/x]BadRed" in result.stdout and "[31m" not in result.stdout


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_llm_server_that_is_not_running_is_named_as_such(fake_apis):
    url = f"http://user:hunter2@127.0.0.1:{_closed_port()}/v1"
    env = {"OPENAI_BASE_URL": url, "MOBIUS_LLM_MODEL": "m", "OPENAI_API_KEY": "sk-x"}
    models = fake_apis.run_mobius("llm", "models", env=env)
    assert models.returncode == 1
    assert models.stderr.count("\n") == 1
    assert "could not connect to http://***:***@127.0.0.1" in models.stderr
    assert "is the server running?" in models.stderr and "hunter2" not in models.stderr
    asked = fake_apis.run_mobius("ask", "--llm", "btc price", env=env)
    assert asked.returncode == 0 and "could not connect" in asked.stderr
    assert "the rules answered" in asked.stderr


def test_repl_vs_alone_shows_the_currency_without_resetting_it(fake_apis):
    from tests.test_ask_repl import repl_session

    out, err = repl_session("/vs eur\n/vs\nbtc price\n/help\n\x04")
    said = out + err
    assert "prices in EUR (change it with /vs CUR)" in said
    assert "→ mobius price BTC --vs eur" in err and "€" in out
    assert "/llm on|off" in said  # /help names every slash command


def test_parse_takes_an_unquoted_sentence_like_ask(fake_apis):
    import json

    quoted = fake_apis.run_mobius("parse", "btc price in eur", "--json")
    unquoted = fake_apis.run_mobius("parse", "btc", "price", "in", "eur", "--json")
    assert unquoted.returncode == 0, unquoted.stderr
    assert unquoted.stdout == quoted.stdout
    assert json.loads(unquoted.stdout)["text"] == "btc price in eur"


def test_csv_booleans_read_as_in_the_json(fake_apis):
    import csv
    import io

    result = fake_apis.run_mobius("dca", "btc", "--amount", "10", "--every", "week", "--days",
                                  "30", "--csv")
    assert result.returncode == 0, result.stderr
    bought = [row["bought"] for row in csv.DictReader(io.StringIO(result.stdout))]
    assert set(bought) == {"true", "false"} and bought[0] == "true"


def _y_labels(chart: str) -> list[str]:
    return [line.split("┤")[0].strip() for line in chart.splitlines() if "┤" in line]


def test_a_stablecoin_chart_has_y_labels_that_differ(fake_apis):
    for args in (("history", "usdt", "--days", "7", "--chart"), ("ta", "usdc", "--chart")):
        result = fake_apis.run_mobius(*args, env={"COLUMNS": "80"})
        assert result.returncode == 0, result.stderr
        labels = _y_labels(result.stdout)
        assert len(labels) == 5 and len(set(labels)) == 5, (args, labels)  # not '1' five times
        values = [float(label) for label in labels]
        assert values == sorted(values, reverse=True) and 0.98 < values[-1] < values[0] < 1.02


def test_axis_labels_stay_short_when_they_already_differ():
    from mobius_cli.render.format import axis_labels

    assert axis_labels([84_000, 80_950, 77_900]) == ["84k", "81k", "77.9k"]
    assert axis_labels([1.0004, 1.0, 0.9996]) == ["1.0004", "1.0000", "0.9996"]


def test_a_negative_amount_is_named_as_such_not_as_an_unknown_option(fake_apis):
    result = fake_apis.run_mobius("convert", "-1", "btc", "eur")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == ("mobius: error: a negative number (-1) is not accepted here; "
                             "amounts are positive (see `mobius convert --help`)\n")
    other = fake_apis.run_mobius("convert", "1", "btc", "eur", "--bogus")
    assert other.returncode == 2 and "No such option: --bogus" in other.stderr


def test_doctor_checks_the_yields_source_and_the_ethereum_node(fake_apis):
    import json

    report = json.loads(fake_apis.run_mobius("doctor", "--json").stdout)
    sources = {s["source"]: s for s in report["sources"]}
    assert sources["DeFiLlama yields"]["status"] == "ok"
    assert sources["DeFiLlama yields"]["url"].endswith(
        "/yields/chart/747c1d2a-c668-4682-b9f9-296708a3dd90")  # a public id, not masked
    assert sources["Ethereum node"]["status"] == "ok"
    rpc = fake_apis.last("/rpc/ethereum")
    assert rpc is not None and rpc.method == "POST"
    assert all(s["latency_ms"] < 250 for s in report["sources"])  # not the client's set-up
    fake_apis.fail("/rpc/ethereum", status=500, times=None)
    failing = fake_apis.run_mobius("doctor", "--json")
    assert failing.returncode == 1
    bad = [s["source"] for s in json.loads(failing.stdout)["sources"] if s["status"] != "ok"]
    assert bad == ["Ethereum node"]


def test_offline_says_how_old_the_data_is_once_per_source(fake_apis):
    assert fake_apis.run_mobius("market").returncode == 0
    offline = fake_apis.run_mobius("--offline", "market")
    assert offline.returncode == 0, offline.stderr
    notes = [line for line in offline.stderr.splitlines() if line.startswith("note: offline")]
    assert len(notes) == 1 and "CoinGecko data from the cache" in notes[0]


def test_gas_all_fits_80_columns_without_cutting_figures(fake_apis):
    result = fake_apis.run_mobius("gas", "--all", env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert "Avalanche C-Chain" in result.stdout and "$0.000092" in result.stdout
    wide = fake_apis.run_mobius("gas", "--all", env={"COLUMNS": "130"})
    header = next(line for line in wide.stdout.splitlines() if "Chain" in line)
    # the costs in the chain's coin, then in USD (headers on two lines: "Transfer" above
    # "native", "Transfer" above "USD")
    assert header.split() == ["Chain", "Base", "fee", "Slow", "Standard", "Fast", "native",
                              "native", "USD", "USD"]


def test_ta_of_a_tiny_priced_coin_keeps_its_figures_whole_at_80_columns(fake_apis):
    import json

    macd = json.loads(fake_apis.run_mobius("ta", "shib", "--json").stdout)["macd"]["macd"]
    result = fake_apis.run_mobius("ta", "shib", env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout
    line = next(line for line in result.stdout.splitlines() if line.startswith(" MACD"))
    digits = f"{abs(macd):.3e}".split("e")[0].replace(".", "")  # 7.866e-08 -> 7866
    assert f"-0.0000000{digits}" in line, line


def test_defi_compare_of_five_protocols_cuts_nothing_at_80_columns(fake_apis):
    result = fake_apis.run_mobius("defi", "compare", "aave", "lido", "compound", "eigenlayer",
                                  "pendle", env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout
    assert " Category " in result.stdout and "Liquid Staking" in result.stdout


def test_doctor_cuts_no_url_at_80_columns(fake_apis):
    result = fake_apis.run_mobius("doctor", env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout
    assert "coingecko:bitcoin" in result.stdout  # the end of the longest probe URL


HELP_PATHS = [
    (), ("price",), ("market",), ("coin",), ("history",), ("compare",), ("convert",),
    ("trending",), ("movers",), ("fear-greed",), ("ta",), ("gas",), ("dca",), ("defi",),
    ("defi", "tvl"), ("defi", "protocols"), ("defi", "chains"), ("defi", "yields"),
    ("defi", "compare"), ("config",), ("config", "show"), ("config", "get"), ("config", "set"),
    ("config", "unset"), ("config", "path"), ("keys",), ("keys", "set"), ("keys", "remove"),
    ("keys", "list"), ("cache",), ("cache", "info"), ("cache", "clear"), ("doctor",), ("llm",),
    ("llm", "use"), ("llm", "models"), ("llm", "status"), ("ask",), ("parse",), ("repl",)]


def test_every_market_defi_and_system_help_shows_an_example(fake_apis):
    for path in HELP_PATHS:
        result = fake_apis.run_mobius(*path, "--help", env={"COLUMNS": "120"})
        assert result.returncode == 0, (path, result.stderr)
        usage = result.stdout.split("Commands")[0]  # a group's own text, not its commands'
        assert "Example" in usage or ": `mobius " in usage, path


def test_dca_over_more_days_than_a_coin_has_says_where_it_starts(fake_apis):
    import csv
    import io

    args = ("dca", "pengu", "--amount", "10", "--every", "week", "--days", "3650")
    rows = list(csv.DictReader(io.StringIO(fake_apis.run_mobius(*args, "--csv").stdout)))
    assert 30 < len(rows) < 3650
    result = fake_apis.run_mobius(*args)
    assert result.returncode == 0, result.stderr
    assert (f"note: PENGU has prices only since {rows[0]['date'][:10]}: the back-test covers "
            f"{len(rows)} daily closes, not 3650 days") in result.stderr
    assert "prices only since" not in fake_apis.run_mobius(
        "dca", "btc", "--amount", "10", "--every", "week").stderr


def test_a_protocols_tvl_on_one_chain_says_its_changes_are_protocol_wide(fake_apis):
    import json

    whole = json.loads(fake_apis.run_mobius("defi", "tvl", "aave", "--json").stdout)
    result = fake_apis.run_mobius("defi", "tvl", "aave", "--chain", "arbitrum", "--json")
    assert result.returncode == 0, result.stderr
    there = json.loads(result.stdout)
    assert there["change_1d_pct"] == whole["change_1d_pct"]  # so it must be said
    assert "note: the 24h and 7d changes are of the protocol's TVL on all its chains" \
        in result.stderr
    assert "all its chains" not in fake_apis.run_mobius("defi", "tvl", "aave").stderr


def test_a_chart_of_indicators_is_ta_with_its_chart_not_a_price_history(fake_apis):
    import json

    for sentence, indicator in (("ta for sol chart", None), ("chart the rsi of sol", "rsi")):
        parsed = json.loads(fake_apis.run_mobius("parse", sentence, "--json").stdout)
        assert parsed["intent"] == "technical_analysis", parsed
        assert parsed["entities"].get("indicator") == indicator
    asked = fake_apis.run_mobius("ask", "ta for sol chart", env={"COLUMNS": "80"})
    assert asked.returncode == 0, asked.stderr
    assert "→ mobius ta SOL --chart" in asked.stderr and "daily closes" in asked.stdout
    still = json.loads(fake_apis.run_mobius("parse", "chart sol for a month", "--json").stdout)
    assert still["intent"] == "price_history"


def test_yields_all_marks_the_outliers_it_shows(fake_apis):
    import json

    pools = json.loads(fake_apis.run_mobius("defi", "yields", "--all", "-n", "50",
                                            "--json").stdout)
    flagged = {p["pool"] for p in fake_apis.pools["data"] if p.get("outlier")}
    assert flagged & {p["pool"] for p in pools}  # --all shows them
    table = fake_apis.run_mobius("defi", "yields", "--all", "-n", "50",
                                 env={"COLUMNS": "120"}).stdout
    assert table.count("(outlier)") == len(flagged & {p["pool"] for p in pools}) + 1  # + caption
    assert "(outlier)" not in fake_apis.run_mobius("defi", "yields", "-n", "50").stdout


def test_and_x_after_a_comparison_adds_a_side(fake_apis):
    import json

    stream = ("compare btc and eth\nand sol?\nwhat about ada and dot?\n\n"
              "compare aave and compound\nand lido?\n\nbtc price\nand eth?\n")
    turns = [json.loads(line) for line in
             fake_apis.run_mobius("parse", "-", "--json", input=stream).stdout.splitlines()]
    assert [t["entities"].get("symbols") or t["entities"].get("protocols") for t in turns] == [
        ["BTC", "ETH"], ["BTC", "ETH", "SOL"], ["ADA", "DOT"],
        ["aave", "compound"], ["aave", "compound", "lido"], ["BTC"], ["ETH"]]
    assert [t["intent"] for t in turns][:5] == ["compare"] * 3 + ["defi_compare"] * 2


def test_repl_llm_switch_without_an_llm_says_there_is_none(fake_apis):
    from tests.test_ask_repl import repl_session

    out, err = repl_session("/llm on\n/llm off\n\x04")
    said = out + err
    assert "no LLM is configured" in said
    assert "LLM off (none is configured; the rules answer everything)" in said
    assert "the model helps only when the rules are unsure" not in said


def test_a_decimal_comma_is_never_read_as_a_bigger_number(fake_apis):
    """Subcommands take a dot for decimals and refuse '1,5' (it was read as 15); a sentence
    may use a decimal comma, as people write it in es/fr/de/pt/it."""
    for args in (("convert", "1,5", "eth", "usd"), ("convert", "1,5000", "eth", "usd"),
                 ("dca", "btc", "--amount", "1,5"),
                 ("defi", "yields", "--min-tvl", "1,5m")):
        done = fake_apis.run_mobius(*args)
        assert done.returncode == 2 and done.stdout == "", args
        assert "a comma only separates thousands (1,000); decimals take a dot (1.5)" \
            in done.stderr, args
    assert "1,500 ETH = " in fake_apis.run_mobius("convert", "1,500", "eth", "usd").stdout
    asked = fake_apis.run_mobius("ask", "how much is 0,5 btc in eur")
    assert asked.returncode == 0, asked.stderr
    assert "→ mobius convert 0.5 BTC EUR" in asked.stderr and "0.5 BTC = " in asked.stdout
