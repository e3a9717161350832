"""End to end: the installed `mobius` against loopback fakes of CoinGecko, DeFiLlama
and alternative.me, in table and --json form, with faults."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.fakes import FakeApis


def mobius(fake: FakeApis, *args: str, **env: str):
    result = fake.run_mobius(*args, env=env or None)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def one_line_error(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mobius: error: ")
    return lines[0]


@pytest.fixture
def fast_retries():
    """Few, quick retries so fault tests stay fast (the policy itself is unit-tested)."""
    config = Path(os.environ["MOBIUS_HOME"]) / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("retries = 1\ntimeout = 1.0\nmax_retry_wait = 5.0\n")


# --- every command, as a table and as JSON ---------------------------------------------


def test_price_table_and_json(fake_apis):
    table = mobius(fake_apis, "price", "btc", "eth", "pepe")
    assert table.returncode == 0
    assert "$77,671.00" in table.stdout and "$0.00000912" in table.stdout
    assert "1.55T" in table.stdout and "-0.95%" in table.stdout
    data = json.loads(mobius(fake_apis, "price", "BTC", "pepe", "--json").stdout)
    assert [row["id"] for row in data] == ["bitcoin", "pepe"]
    assert set(data[0]) == {"symbol", "id", "name", "price", "currency", "change_24h_pct",
                            "market_cap", "volume_24h", "last_updated", "stale"}
    assert list(data[0])[-2:] == ["last_updated", "stale"] and data[0]["stale"] is False
    assert data[0]["symbol"] == "BTC" and data[0]["currency"] == "usd"
    assert data[0]["price"] == 77671 and data[1]["price"] == pytest.approx(0.00000912)
    assert data[0]["last_updated"].endswith("Z")


def test_price_in_another_currency_global_and_local_flag(fake_apis):
    local = json.loads(mobius(fake_apis, "price", "eth", "--vs", "eur", "--json").stdout)
    root = json.loads(mobius(fake_apis, "--json", "--vs", "EUR", "price", "eth").stdout)
    assert local == root
    assert local[0]["currency"] == "eur" and local[0]["price"] < 2071.43
    assert "€" in mobius(fake_apis, "price", "eth", "--vs", "eur").stdout


def test_colour_only_when_asked_and_never_with_no_color(fake_apis):
    coloured = mobius(fake_apis, "price", "btc", NO_COLOR="", FORCE_COLOR="1")
    assert "\x1b[31m-0.95%" in coloured.stdout  # red for a fall
    for plain in (mobius(fake_apis, "--no-color", "price", "btc", NO_COLOR="", FORCE_COLOR="1"),
                  mobius(fake_apis, "price", "btc", NO_COLOR="1", FORCE_COLOR="1"),
                  mobius(fake_apis, "price", "btc", NO_COLOR="")):  # not a terminal
        assert "\x1b[" not in plain.stdout + plain.stderr
        assert "-0.95%" in plain.stdout


def test_a_bad_vs_names_the_option(fake_apis):
    result = mobius(fake_apis, "price", "btc", "--vs", "12")
    assert result.returncode == 2
    assert one_line_error(result) == ("mobius: error: --vs '12' is not a currency code "
                                      "(e.g. usd, eur, gbp, jpy or btc)")
    assert fake_apis.count() == 0


def test_price_csv(fake_apis):
    out = mobius(fake_apis, "price", "btc", "eth", "--csv").stdout.splitlines()
    assert out[0] == "symbol,id,name,price,currency,change_24h_pct,market_cap,volume_24h," \
                     "last_updated"
    assert out[1].startswith("BTC,bitcoin,Bitcoin,77671")


def test_shared_ticker_picks_by_rank_with_a_note_and_id_overrides(fake_apis):
    chosen = mobius(fake_apis, "price", "ton", "--json")
    assert json.loads(chosen.stdout)[0]["id"] == "the-open-network"
    assert "using Toncoin (the-open-network" in chosen.stderr and "--id" in chosen.stderr
    picked = json.loads(mobius(fake_apis, "price", "--id", "tokamak-network", "--json").stdout)
    assert picked[0]["id"] == "tokamak-network"


def test_unranked_clone_does_not_shadow_the_real_coin(fake_apis):
    data = json.loads(mobius(fake_apis, "price", "uni", "eth", "--json").stdout)
    assert [d["id"] for d in data] == ["uniswap", "ethereum"]


def test_coin_outside_the_top_list_is_found_in_the_full_list(fake_apis):
    data = json.loads(mobius(fake_apis, "price", "--id", "ethereum-wormhole", "--json").stdout)
    assert data[0]["id"] == "ethereum-wormhole"


def test_unknown_symbol_exits_2_with_a_suggestion(fake_apis):
    result = mobius(fake_apis, "price", "btcc")
    assert result.returncode == 2
    assert "unknown coin 'btcc'" in one_line_error(result) and "did you mean BTC" in result.stderr
    bad_id = mobius(fake_apis, "price", "--id", "no-such-coin")
    assert bad_id.returncode == 2 and "unknown coin id" in one_line_error(bad_id)


def test_unsupported_currency_exits_2(fake_apis):
    result = mobius(fake_apis, "price", "btc", "--vs", "kes")
    assert result.returncode == 2 and "unsupported currency 'kes'" in one_line_error(result)


def test_market_table_and_json(fake_apis):
    table = mobius(fake_apis, "market", "-n", "5")
    assert table.returncode == 0
    assert "BTC dominance" in table.stdout and "Top 5 by market cap" in table.stdout
    assert "Price (USD)" in table.stdout
    data = json.loads(mobius(fake_apis, "market", "-n", "3", "--json").stdout)
    assert [c["symbol"] for c in data["coins"]] == ["BTC", "ETH", "USDT"]
    assert data["total_market_cap"] > 1e12 and 0 < data["btc_dominance_pct"] < 100
    assert {"eth_dominance_pct", "total_volume_24h", "updated_at"} <= set(data)


def test_market_in_another_currency_says_the_cap_change_is_in_usd(fake_apis):
    usd = mobius(fake_apis, "market", "-n", "1").stdout
    eur = mobius(fake_apis, "--vs", "eur", "market", "-n", "1").stdout
    assert "24h change (USD)" not in usd and "24h change (USD)" in eur
    assert "Total market cap   €" in eur


def test_coin_facts(fake_apis):
    table = mobius(fake_apis, "coin", "btc")
    assert "All-time high" in table.stdout and "bitcoin.org" in table.stdout
    data = json.loads(mobius(fake_apis, "coin", "bitcoin", "--json").stdout)
    assert data["id"] == "bitcoin" and data["rank"] == 1 and data["max_supply"] == 21000000
    assert data["ath"] > data["price"] > data["atl"]
    assert data["links"]["whitepaper"] == "https://bitcoin.org/bitcoin.pdf"
    assert data["description"]


def test_history_table_json_csv_and_chart(fake_apis):
    table = mobius(fake_apis, "history", "eth", "--days", "7")
    assert "Ethereum (ETH) — 7 days" in table.stdout and "2026-11-21" in table.stdout
    data = json.loads(mobius(fake_apis, "history", "eth", "--days", "7", "--json").stdout)
    assert data["days"] == 7 and len(data["prices"]) > 100
    assert data["prices"][-1]["price"] == pytest.approx(2071.43)
    assert data["low"] <= data["prices"][0]["price"] <= data["high"]
    csv = mobius(fake_apis, "history", "eth", "--days", "7", "--csv").stdout.splitlines()
    assert csv[0] == "time,price" and len(csv) == len(data["prices"]) + 1
    chart = mobius(fake_apis, "history", "sol", "--days", "30", "--chart")
    assert chart.returncode == 0 and "SOL/USD" in chart.stdout and "\x1b[" not in chart.stdout
    assert fake_apis.last("/coins/solana/market_chart").query["days"] == "30"


def test_a_reader_that_stops_early_is_not_an_error(fake_apis):
    import subprocess

    from tests.conftest import MOBIUS_BIN

    proc = subprocess.Popen([MOBIUS_BIN, "history", "btc", "--days", "max", "--csv"],
                            env=fake_apis.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline() == b"time,price\n"  # `| head -1`
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=30) == 0
    assert err == ""


@pytest.mark.parametrize(("days", "title", "caption"), [
    ("1", "Ethereum (ETH) — 1 day", "289 points; change -1.62%"),
    ("max", "Ethereum (ETH) — all time", "4134 points; change +367910.39%"),
])
def test_history_titles_read_well_and_never_wrap(fake_apis, days, title, caption):
    lines = [line.strip() for line in mobius(fake_apis, "history", "eth", "-d", days).stdout
             .splitlines()]
    assert lines[0] == title and lines[-1] == caption


def test_history_rejects_bad_days(fake_apis):
    result = mobius(fake_apis, "history", "eth", "--days", "week")
    assert result.returncode == 2 and "--days" in one_line_error(result)
    assert fake_apis.count() == 0


def test_compare_uses_one_request_for_standard_periods(fake_apis):
    mobius(fake_apis, "price", "btc")  # warm the coin index
    fake_apis.reset_requests()
    data = json.loads(mobius(fake_apis, "compare", "btc", "eth", "sol", "--days", "30",
                             "--json").stdout)
    assert [r["symbol"] for r in data] == ["BTC", "ETH", "SOL"]
    assert data[1]["change_pct"] == pytest.approx(-8.7, abs=0.01)
    assert fake_apis.count() == 1
    table = mobius(fake_apis, "compare", "btc", "eth", "--days", "90")
    assert "90d" in table.stdout and table.returncode == 0


def test_compare_needs_two(fake_apis):
    result = mobius(fake_apis, "compare", "btc")
    assert result.returncode == 2 and "at least two" in one_line_error(result)


@pytest.mark.parametrize(("args", "frm", "to", "low", "high"), [
    (("2", "eth", "eur"), "ETH", "EUR", 3000, 4000),
    (("500", "usd", "sol"), "USD", "SOL", 2.5, 3.5),
    (("1", "btc", "eth"), "BTC", "ETH", 30, 45),
    (("100", "usd", "eur"), "USD", "EUR", 80, 95),
    (("2.5k", "usdt", "eth"), "USDT", "ETH", 1.0, 1.5),
])
def test_convert_both_sides_fiat_and_crypto(fake_apis, args, frm, to, low, high):
    data = json.loads(mobius(fake_apis, "convert", *args, "--json").stdout)
    assert (data["from"], data["to"]) == (frm, to)
    assert low < data["result"] < high
    assert data["result"] == pytest.approx(data["amount"] * data["rate"])


def test_convert_refuses_bad_amounts(fake_apis):
    for amount in ("-1", "abc", "0"):
        result = mobius(fake_apis, "convert", "--", amount, "eth", "usd")
        assert result.returncode == 2, amount
        one_line_error(result)
    assert fake_apis.count() == 0


def test_convert_table(fake_apis):
    assert mobius(fake_apis, "convert", "2", "eth", "eur").stdout == \
        "2 ETH = 3,575.78 EUR  (1 ETH = 1,787.89 EUR)\n"
    # For one unit the rate is the answer: no echo of it.
    assert mobius(fake_apis, "convert", "1", "eth", "eur").stdout == "1 ETH = 1,787.89 EUR\n"


def test_convert_to_and_from_bitcoin_units(fake_apis):
    data = json.loads(mobius(fake_apis, "convert", "0.001", "btc", "sats", "--json").stdout)
    assert (data["to"], data["result"]) == ("SATS", pytest.approx(100_000))
    back = json.loads(mobius(fake_apis, "convert", "100000", "sats", "usd", "--json").stdout)
    assert back["from"] == "SATS" and back["result"] == pytest.approx(77.671, rel=0.05)


def test_trending(fake_apis):
    assert "Bonk" in mobius(fake_apis, "trending").stdout
    data = json.loads(mobius(fake_apis, "trending", "--json").stdout)
    assert data[0] == {"rank": 1, "symbol": "BONK", "id": "bonk", "name": "Bonk",
                       "market_cap_rank": 63, "price": pytest.approx(0.0000127),
                       "currency": "usd", "change_24h_pct": pytest.approx(-5.7932)}
    assert "USD only" in mobius(fake_apis, "--vs", "eur", "trending").stderr


@pytest.mark.parametrize(("args", "header"), [
    (("market", "-n", "3"), "rank,symbol,id,name,price,currency,market_cap,volume_24h,"
                            "change_24h_pct,change_7d_pct"),
    (("compare", "btc", "eth"), "symbol,id,name,price,currency,market_cap,change_24h_pct,days,"
                                "change_pct"),
    (("trending",), "rank,symbol,id,name,market_cap_rank,price,currency,change_24h_pct"),
    (("movers", "-n", "2"), "side,rank,symbol,id,name,price,currency,market_cap,volume_24h,"
                            "change_24h_pct"),
    (("fear-greed", "-d", "3"), "date,value,classification"),
])
def test_row_commands_print_csv(fake_apis, args, header):
    import csv

    result = mobius(fake_apis, *args, "--csv")
    assert result.returncode == 0
    rows = list(csv.reader(result.stdout.splitlines()))
    assert ",".join(rows[0]) == header and len(rows) >= 3
    assert all(len(row) == len(rows[0]) for row in rows)


def test_movers(fake_apis):
    table = mobius(fake_apis, "movers", "-n", "3")
    assert "Top gainers" in table.stdout and "Top losers" in table.stdout
    data = json.loads(mobius(fake_apis, "movers", "--losers", "-n", "3", "--json").stdout)
    assert list(data) == ["losers"] and len(data["losers"]) == 3
    changes = [r["change_24h_pct"] for r in data["losers"]]
    assert changes == sorted(changes) and all(c < 0 for c in changes)


def test_fear_greed_now_and_history(fake_apis):
    now = mobius(fake_apis, "fear-greed")
    assert now.stdout.startswith("Fear & Greed: 24 Extreme Fear")
    data = json.loads(mobius(fake_apis, "fear-greed", "--days", "7", "--json").stdout)
    assert data["value"] == 24 and len(data["history"]) == 7
    assert isinstance(data["history"][1]["value"], int)
    assert fake_apis.last("/fng").query["limit"] == "7"


def test_doctor(fake_apis):
    table = mobius(fake_apis, "doctor")
    assert table.returncode == 0 and "Data sources" in table.stdout
    data = json.loads(mobius(fake_apis, "doctor", "--json").stdout)
    assert data["ok"] and {s["status"] for s in data["sources"]} == {"ok"}
    assert data["keyring"]["available"] is False
    fake_apis.fail("/fng", status=500, times=None)
    failing = mobius(fake_apis, "doctor", "--json")
    assert failing.returncode == 1  # scripts can act on a failed check
    bad = json.loads(failing.stdout)
    assert not bad["ok"]
    assert [s["source"] for s in bad["sources"] if s["status"] != "ok"] == ["alternative.me"]


def test_doctor_reports_a_broken_config_and_checks_the_rest(fake_apis):
    config = Path(os.environ["MOBIUS_HOME"]) / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('retries = "lots"\n')
    result = mobius(fake_apis, "doctor", "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["config"]["status"] == "error"
    assert "config key retries" in data["config"]["detail"]
    assert {s["status"] for s in data["sources"]} == {"ok"}
    assert "config key retries" in mobius(fake_apis, "doctor").stdout


def test_doctor_offline_goes_nowhere(fake_apis):
    result = mobius(fake_apis, "--offline", "doctor", "--json")
    assert result.returncode == 0
    assert {s["status"] for s in json.loads(result.stdout)["sources"]} == {"skipped"}
    assert fake_apis.count() == 0


def test_cache_info_and_clear(fake_apis):
    mobius(fake_apis, "price", "btc")
    info = json.loads(mobius(fake_apis, "cache", "info", "--json").stdout)
    assert info["entries"] >= 2 and info["bytes"] > 0
    assert info["oldest"].endswith("Z") and info["newest"] >= info["oldest"]  # ISO 8601 UTC
    text = mobius(fake_apis, "cache", "info").stdout
    assert f"{info['entries']} responses" in text and " KB" in text and " s old" in text
    assert "cleared" in mobius(fake_apis, "cache", "clear").stderr
    empty = json.loads(mobius(fake_apis, "cache", "info", "--json").stdout)
    assert empty["entries"] == 0 and empty["oldest"] is None


def test_cache_commands_work_with_a_broken_config_and_repair_a_damaged_cache():
    home = Path(os.environ["MOBIUS_HOME"])
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text("timeout = [\n")
    (home / "cache").mkdir()
    (home / "cache" / "http-cache.sqlite3").write_text("not a database")
    damaged = mobius_alone("cache", "info")
    assert damaged.returncode == 2
    assert "is damaged" in one_line_error(damaged) and "mobius cache clear" in damaged.stderr
    assert mobius_alone("cache", "clear").returncode == 0
    assert json.loads(mobius_alone("cache", "info", "--json").stdout)["entries"] == 0


def mobius_alone(*args: str):
    from tests.fakes import run_mobius

    result = run_mobius(*args)
    assert "Traceback" not in result.stderr, result.stderr
    return result


# --- few requests ----------------------------------------------------------------------


def test_cached_coin_data_means_one_price_request_then_none(fake_apis):
    mobius(fake_apis, "price", "doge")  # the coin index is now cached
    fake_apis.reset_requests()
    assert mobius(fake_apis, "price", "BTC", "ETH", "SOL").returncode == 0
    assert [r.api_path for r in fake_apis.requests] == ["/simple/price"]
    assert fake_apis.requests[0].query["ids"] == "bitcoin,ethereum,solana"
    fake_apis.reset_requests()
    assert mobius(fake_apis, "price", "BTC", "ETH", "SOL").returncode == 0
    assert fake_apis.count() == 0


def test_offline_answers_from_cache_and_says_how_old(fake_apis):
    mobius(fake_apis, "price", "btc")
    fake_apis.reset_requests()
    result = mobius(fake_apis, "--offline", "price", "btc", "--json")
    assert result.returncode == 0 and json.loads(result.stdout)[0]["id"] == "bitcoin"
    assert fake_apis.count() == 0
    # Fresh or not, the age is said, once: the coin index behind it is not news.
    notes = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(notes) == 1 and notes[0].startswith("note: offline: CoinGecko data from the "
                                                   "cache, ") and notes[0].endswith(" s old")
    missing = mobius(fake_apis, "--offline", "price", "eth")
    assert missing.returncode == 1 and "offline" in one_line_error(missing)


def test_offline_assembles_quotes_from_other_requests(fake_apis):
    mobius(fake_apis, "price", "btc", "eth")
    mobius(fake_apis, "price", "sol")
    fake_apis.reset_requests()
    result = mobius(fake_apis, "--offline", "price", "eth", "sol", "--json")
    assert result.returncode == 0, result.stderr
    assert [q["id"] for q in json.loads(result.stdout)] == ["ethereum", "solana"]
    assert "offline: CoinGecko data from the cache" in result.stderr
    assert fake_apis.count() == 0
    other_currency = mobius(fake_apis, "--offline", "price", "eth", "--vs", "eur")
    assert other_currency.returncode == 1  # never a USD quote passed off as euros


# --- faults ----------------------------------------------------------------------------


def test_429_then_success(fake_apis):
    fake_apis.fail("/coins/markets", status=429, times=1, retry_after="1")
    result = mobius(fake_apis, "price", "btc", "--json")
    assert result.returncode == 0 and json.loads(result.stdout)[0]["id"] == "bitcoin"
    assert len(fake_apis.requests_to("/coins/markets")) == 2


def test_429_longer_than_the_bound_fails_in_one_line(fake_apis, fast_retries):
    fake_apis.fail("/", status=429, times=None, retry_after="119")
    result = mobius(fake_apis, "market")
    assert result.returncode == 1
    assert "CoinGecko: rate limited" in one_line_error(result)


def test_500_repeatedly_is_exit_1_and_one_line(fake_apis, fast_retries):
    fake_apis.fail("/cg", status=500, times=None)
    result = mobius(fake_apis, "market")
    assert result.returncode == 1
    assert "CoinGecko: server error (HTTP 500); gave up after 2 attempts" in \
        one_line_error(result)


@pytest.mark.parametrize("fault", ["fail_html", "fail_truncated"])
def test_bad_bodies_are_exit_1(fake_apis, fast_retries, fault):
    getattr(fake_apis, fault)("/global")
    result = mobius(fake_apis, "market")
    assert result.returncode == 1
    assert "CoinGecko" in one_line_error(result)


def test_verbose_adds_the_detail_on_a_second_line(fake_apis, fast_retries):
    fake_apis.fail_truncated("/global")
    result = mobius(fake_apis, "-v", "market")
    assert result.returncode == 1
    error, detail = result.stderr.strip().splitlines()
    assert error.startswith("mobius: error: CoinGecko: bad response (truncated or malformed")
    assert detail.startswith('mobius: detail: {"data":')


def test_html_page_with_200_is_exit_1(fake_apis):
    fake_apis.fail_html("/search/trending", status=200)
    result = mobius(fake_apis, "trending")
    assert result.returncode == 1 and "an HTML page instead of JSON" in one_line_error(result)


def test_timeout_is_exit_1(fake_apis, fast_retries):
    fake_apis.delay("/fng", seconds=3)
    config = Path(os.environ["MOBIUS_HOME"]) / "config" / "config.toml"
    config.write_text(config.read_text().replace("timeout = 1.0", "timeout = 0.3"))
    result = mobius(fake_apis, "fear-greed")
    assert result.returncode == 1
    assert "alternative.me: timed out after 0.3 s" in one_line_error(result)


def test_coingecko_down_means_defillama_prices_with_a_note(fake_apis, fast_retries):
    mobius(fake_apis, "price", "doge")  # coin index cached
    fake_apis.fail("/cg", status=503, times=None)
    result = mobius(fake_apis, "price", "btc", "eth", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [d["id"] for d in data] == ["bitcoin", "ethereum"]
    assert data[0]["change_24h_pct"] is None and data[0]["price"] > 0
    assert "prices from DeFiLlama instead" in result.stderr
    assert fake_apis.last("/prices/current").path.endswith("coingecko:bitcoin,coingecko:ethereum")


def test_coingecko_unreachable_with_nothing_cached_still_prices_known_coins(fake_apis,
                                                                          fast_retries):
    fake_apis.down("/cg")
    result = mobius(fake_apis, "price", "btc", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["id"] == "bitcoin"
    assert "DeFiLlama" in result.stderr


def test_failing_source_shows_stale_cache_marked_stale(fake_apis, fast_retries):
    mobius(fake_apis, "fear-greed")
    cache = Path(os.environ["MOBIUS_HOME"]) / "cache" / "http-cache.sqlite3"
    import sqlite3

    with sqlite3.connect(cache) as db:  # age every entry past its TTL
        db.execute("UPDATE responses SET stored_at = stored_at - 3600")
    fake_apis.fail("/fng", status=500, times=None)
    result = mobius(fake_apis, "fear-greed")
    assert result.returncode == 0 and "Extreme Fear" in result.stdout
    assert "(stale)" in result.stderr


def test_prices_fall_back_to_stale_cache_when_both_sources_fail(fake_apis, fast_retries):
    mobius(fake_apis, "price", "btc", "eth")
    mobius(fake_apis, "price", "btc", "--vs", "eur")
    _age_cache(3600)
    fake_apis.fail("/cg", status=503, times=None)
    fake_apis.fail("/llama-coins", status=500, times=None)
    result = mobius(fake_apis, "price", "btc", "eth", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [d["id"] for d in data] == ["bitcoin", "ethereum"]
    assert data[0]["change_24h_pct"] is not None  # CoinGecko's own quote, an hour old
    assert "showing cached data from 60 min ago (stale)" in result.stderr
    # DeFiLlama has USD only: another currency goes straight to the stale quote.
    eur = mobius(fake_apis, "price", "btc", "--vs", "eur", "--json")
    assert eur.returncode == 0 and json.loads(eur.stdout)[0]["currency"] == "eur"
    assert "(stale)" in eur.stderr


def test_another_currency_with_coingecko_down_and_nothing_cached_says_usd_only(fake_apis,
                                                                            fast_retries):
    mobius(fake_apis, "price", "doge")  # coin index cached
    fake_apis.fail("/cg", status=503, times=None)
    result = mobius(fake_apis, "price", "btc", "--vs", "eur")
    assert result.returncode == 1
    assert "fallback has USD prices only: try --vs usd" in one_line_error(result)


def _age_cache(seconds: float) -> None:
    import sqlite3

    cache = Path(os.environ["MOBIUS_HOME"]) / "cache" / "http-cache.sqlite3"
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE responses SET stored_at = stored_at - ?", (seconds,))


# --- keys ------------------------------------------------------------------------------


def test_demo_key_goes_in_its_header_and_never_in_output(fake_apis):
    fake_apis.require_api_key("demo-secret-123")
    result = mobius(fake_apis, "price", "btc", "--json", COINGECKO_API_KEY="demo-secret-123")
    assert result.returncode == 0
    assert fake_apis.last("/simple/price").headers["x-cg-demo-api-key"] == "demo-secret-123"
    listed = mobius(fake_apis, "keys", "list", "--json", COINGECKO_API_KEY="demo-secret-123")
    assert "demo-secret-123" not in listed.stdout + listed.stderr
    assert json.loads(listed.stdout)[0] == {"name": "coingecko", "set": True,
                                            "source": "env COINGECKO_API_KEY",
                                            "env": "COINGECKO_API_KEY"}


def test_refused_key_is_a_clear_error_without_the_key(fake_apis):
    fake_apis.require_api_key("right")
    result = mobius(fake_apis, "price", "btc", COINGECKO_API_KEY="wrong-key-xyz")
    assert result.returncode == 1
    line = one_line_error(result)
    assert "API key was refused" in line and "wrong-key-xyz" not in line


def test_pro_key_uses_its_header(fake_apis):
    mobius(fake_apis, "price", "btc", COINGECKO_PRO_API_KEY="pro-key")
    assert fake_apis.last("/simple/price").headers["x-cg-pro-api-key"] == "pro-key"


def test_ctrl_c_exits_130_without_a_traceback(fake_apis):
    """A real process and a real SIGINT, sent only once the request is in flight (a loaded
    machine may take seconds just to start Python; a signal during start-up would test
    something else)."""
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import MOBIUS_BIN

    fake_apis.delay("/fng", seconds=60)  # never answered in time: only Ctrl-C ends the wait
    config = Path(os.environ["MOBIUS_HOME"]) / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("timeout = 60.0\n")
    # A terminal's Ctrl-C reaches a process whose SIGINT is not ignored; pytest itself may
    # run with it ignored (started in the background), and children inherit that: mobius
    # is exec'd with SIGINT back at its default.
    default_sigint = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
                      "os.execv(sys.argv[1], sys.argv[1:])")
    proc = subprocess.Popen([sys.executable, "-c", default_sigint, MOBIUS_BIN, "fear-greed"],
                            env=fake_apis.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        deadline = time.monotonic() + 120
        while not fake_apis.requests_to("/fng"):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "mobius never sent its request"
            time.sleep(0.02)
        time.sleep(0.1)  # the request is being waited on
        signalled = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=50)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert time.monotonic() - signalled < 50, "Ctrl-C did not stop the request"
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
