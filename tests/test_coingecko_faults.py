"""Faults that heal: every CoinGecko and alternative.me endpoint Mobius calls, answered
with an empty, wrong-shaped, HTML or truncated body. Such a reply is retried once, never
cached, and ends in exit 1 (not 0 with a blank table, not 2, not an internal error); the
next run answers normally without `cache clear`. Also: stale quotes flagged in JSON, and
API text that is never read as markup."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from mobius_cli.core.models import CoinRef
from mobius_cli.errors import SourceError
from mobius_cli.providers import coingecko as cg
from mobius_cli.providers import feargreed
from mobius_cli.providers.cache import ResponseCache
from mobius_cli.providers.http import HttpClient, RetryPolicy
from tests.fakes import FakeApis, load_fixture


def mobius(fake: FakeApis, *args: str):
    result = fake.run_mobius(*args)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, \
        result.stderr
    return result


def one_line_error(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mobius: error: ")
    return lines[0]


def age_cache(seconds: float) -> None:
    cache = Path(os.environ["MOBIUS_HOME"]) / "cache" / "http-cache.sqlite3"
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE responses SET stored_at = stored_at - ?", (seconds,))


@pytest.fixture
def warm(fake_apis):
    """The coin index cached (as after any earlier command), and quick retries."""
    config = Path(os.environ["MOBIUS_HOME"]) / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("retries = 1\ntimeout = 2.0\nmax_retry_wait = 2.0\n")
    assert mobius(fake_apis, "price", "doge").returncode == 0
    fake_apis.reset_requests()
    return fake_apis


# --- validators, one per endpoint -------------------------------------------------------


def _trending():
    return load_fixture("coingecko_trending")


@pytest.mark.parametrize(("check", "good", "bad"), [
    (cg.check_coins_list, [{"id": "bitcoin", "symbol": "btc", "name": "Bitcoin"}],
     [{}, [], [{"id": "bitcoin"}], [1, 2], {"error": "x"}, None]),
    (cg.check_markets, load_fixture("coingecko_markets")[:2],
     [{}, [], [{"symbol": "btc", "name": "Bitcoin"}], "x"]),
    (cg.check_simple_price, {"bitcoin": {"usd": 1.0}},
     [{}, [], {"bitcoin": 5}, "x"]),
    (cg.check_global, load_fixture("coingecko_global"),
     [{}, {"data": {}}, {"data": {"total_market_cap": {}}}, []]),
    (cg.check_coin_detail, {"id": "bitcoin", "symbol": "btc"},
     [{}, {"id": "bitcoin"}, [], {"error": "x"}]),
    (cg.check_market_chart, {"prices": [[1, 2.0], [2, None]]},
     [{}, {"prices": {}}, {"prices": [[1]]}, {"prices": [["a", 1.0]]}, []]),
    (cg.check_trending, _trending(),
     [{}, {"coins": []}, {"coins": [{"item": {}}]}, {"coins": [1]}, []]),
    (cg.check_exchange_rates, {"rates": {"btc": {"value": 1.0}}},
     [{}, {"rates": {}}, {"rates": {"btc": {"value": "1"}}}, []]),
    (cg.check_supported, ["usd", "eur"], [{}, [], ["usd", 1]]),
    (feargreed.check_fng, load_fixture("fng"),
     [{}, {"data": []}, {"data": [{"value": "x", "value_classification": "Fear",
                                   "timestamp": "1"}]},
      {"data": [{"value": "1", "value_classification": "Fear", "timestamp": "1"}],
       "metadata": {"error": "bad limit"}}, []]),
])
def test_each_endpoint_has_a_validator(check, good, bad):
    check(good)
    for body in bad:
        with pytest.raises(SourceError):
            check(body)


# --- every endpoint, through the providers: broken twice, then healed -------------------

BTC = CoinRef("bitcoin", "BTC", "Bitcoin", 1)
CALLS = {
    "/coins/list": lambda g, f: g.all_coins(),
    "/coins/markets": lambda g, f: g.markets("usd", limit=5),
    "/global": lambda g, f: g.global_market(),
    "/simple/price": lambda g, f: g.quotes([BTC], "usd"),
    "/coins/bitcoin": lambda g, f: g.coin_facts(BTC, "usd"),
    "/coins/bitcoin/market_chart": lambda g, f: g.history(BTC, "usd", 7),
    "/search/trending": lambda g, f: g.trending(),
    "/exchange_rates": lambda g, f: g.exchange_rates(),
    "/simple/supported_vs_currencies": lambda g, f: g.supported_currencies(),
    "/fng": lambda g, f: f.points(3),
}
FAULTS = ["empty", "empty_list", "wrong_type", "html", "truncated"]


def program(fake: FakeApis, path: str, fault: str, times: int) -> None:
    if fault == "empty":
        fake.respond(path, {}, times=times)
    elif fault == "empty_list":
        fake.respond(path, [], times=times)
    elif fault == "wrong_type":
        fake.respond(path, '"ok"', times=times, content_type="application/json")
    elif fault == "html":
        fake.fail_html(path, status=200, times=times)
    else:
        fake.fail_truncated(path, times=times)


def providers(fake: FakeApis, tmp_path) -> tuple[cg.CoinGecko, feargreed.FearGreed]:
    http = HttpClient(ResponseCache(tmp_path / "cache.sqlite3"), timeout=2.0,
                      policy=RetryPolicy(retries=1, max_rate_wait=1.0),
                      sleep=lambda seconds: None)
    return (cg.CoinGecko(http, base_url=fake.url("coingecko")),
            feargreed.FearGreed(http, base_url=fake.url("fng")))


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("path", list(CALLS))
def test_every_endpoint_rejects_a_broken_reply_and_heals(fake_apis, tmp_path, path, fault):
    program(fake_apis, path, fault, times=2)  # the first attempt and its retry
    with pytest.raises(SourceError, match="bad response") as caught:
        CALLS[path](*providers(fake_apis, tmp_path))
    assert caught.value.exit_code == 1
    assert fake_apis.count(path) - _nested(fake_apis, path) == 2  # retried once
    fake_apis.reset_requests()
    assert CALLS[path](*providers(fake_apis, tmp_path))  # a new process, same cache
    assert fake_apis.count(path) - _nested(fake_apis, path) == 1  # nothing bad was cached


def _nested(fake: FakeApis, path: str) -> int:
    """Requests to longer paths under `path` (the ranked /coins/markets list is fetched
    before /coins/list; /coins/bitcoin has market_chart under it)."""
    return sum(1 for r in fake.requests_to(path) if r.api_path.rstrip("/") != path)


# --- end to end: every command exits 1 on a broken reply, then heals -------------------

CASES = [
    ("/coins/list", ("price", "--id", "ethereum-wormhole", "--json")),
    ("/coins/markets", ("market", "-n", "3", "--json")),
    ("/global", ("market", "-n", "3", "--json")),
    ("/simple/price", ("price", "btc", "--vs", "eur", "--json")),
    ("/simple/price", ("convert", "2", "eth", "eur", "--json")),
    ("/coins/solana", ("coin", "sol", "--json")),
    ("/coins/solana/market_chart", ("history", "sol", "--days", "7", "--json")),
    ("/coins/solana/market_chart", ("compare", "sol", "eth", "--days", "90", "--json")),
    ("/coins/markets", ("compare", "btc", "eth", "--json")),
    ("/coins/markets", ("movers", "--json")),
    ("/search/trending", ("trending", "--json")),
    ("/exchange_rates", ("convert", "100", "usd", "eur", "--json")),
    ("/fng", ("fear-greed", "--json")),
]


# Each command once, empty and malformed replies taking turns (all kinds are tried on
# every endpoint above, in-process and without waits).
RUNS = [(path, args, FAULTS[i % 2 * 4]) for i, (path, args) in enumerate(CASES)]


@pytest.mark.parametrize(("path", "args", "fault"), RUNS,
                         ids=[f"{p}:{a[0]}-{f}" for p, a, f in RUNS])
def test_a_broken_reply_is_exit_1_and_the_next_run_heals(warm, path, args, fault):
    program(warm, path, fault, times=2)
    broken = mobius(warm, *args)
    assert broken.returncode == 1, (broken.stdout, broken.stderr)
    assert broken.stdout == ""
    assert "bad response" in one_line_error(broken)
    warm.reset_requests()
    again = mobius(warm, *args)  # no `cache clear`
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)
    assert warm.count(path) >= 1  # the bad reply was not cached


@pytest.mark.parametrize(("path", "args"), [CASES[i] for i in (0, 6, 12)],
                         ids=[CASES[i][0] for i in (0, 6, 12)])
def test_one_bad_reply_is_healed_by_the_retry(warm, path, args):
    warm.respond(path, {}, times=1)
    result = mobius(warm, *args)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)


def test_an_empty_coin_list_does_not_make_coins_unknown(warm):
    """The defect: one `{}` from /coins/list was cached and every lookup failed for a day."""
    warm.respond("/coins/list", {}, times=2)
    failed = mobius(warm, "price", "--id", "ethereum-wormhole")
    assert failed.returncode == 1 and "unknown coin" not in failed.stderr
    again = mobius(warm, "price", "--id", "ethereum-wormhole", "--json")
    assert again.returncode == 0 and json.loads(again.stdout)[0]["id"] == "ethereum-wormhole"


def test_market_on_an_empty_global_reply_is_a_source_error(warm):
    warm.respond("/global", {}, times=None)
    result = mobius(warm, "market")
    assert result.returncode == 1
    assert "CoinGecko: bad response" in one_line_error(result)


def test_coin_when_the_source_answers_empty_everywhere_is_exit_1(fake_apis):
    fake_apis.respond("/cg", {}, times=None)
    result = mobius(fake_apis, "coin", "ETH")
    assert result.returncode == 1
    assert "CoinGecko: bad response" in one_line_error(result)


@pytest.mark.parametrize("body", [{"coins": []}, {"coins": [], "nfts": []}])
def test_an_empty_trending_list_is_not_a_blank_table(warm, body):
    warm.respond("/search/trending", body, times=None)
    result = mobius(warm, "trending")
    assert result.returncode == 1 and result.stdout == ""


def test_an_empty_fear_greed_index_is_exit_1(warm):
    warm.respond("/fng", {"name": "Fear and Greed Index", "data": [],
                          "metadata": {"error": None}}, times=None)
    result = mobius(warm, "fear-greed")
    assert result.returncode == 1 and "bad response" in one_line_error(result)


def test_empty_prices_fall_back_to_defillama(warm):
    """simple/price answering `{}` is a bad reply: in USD, DeFiLlama's prices stand in."""
    warm.respond("/simple/price", {}, times=2)
    result = mobius(warm, "price", "btc", "--json")
    assert result.returncode == 0, result.stderr
    [row] = json.loads(result.stdout)
    assert row["id"] == "bitcoin" and row["change_24h_pct"] is None and row["stale"] is False
    assert "prices from DeFiLlama instead" in result.stderr
    fresh = json.loads(mobius(warm, "price", "btc", "--json").stdout)[0]
    assert fresh["change_24h_pct"] is not None  # CoinGecko again, nothing bad cached


# --- freshness in the JSON ----------------------------------------------------------------


def test_stale_quotes_are_flagged_in_json(warm):
    first = json.loads(mobius(warm, "price", "btc", "eth", "--json").stdout)
    assert [row["stale"] for row in first] == [False, False]
    age_cache(3600)
    warm.fail("/cg", status=503, times=None)
    warm.fail("/llama-coins", status=500, times=None)
    result = mobius(warm, "price", "btc", "eth", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [row["stale"] for row in rows] == [True, True]
    assert list(rows[0])[-2:] == ["last_updated", "stale"]
    assert "(stale)" in result.stderr
    csv = mobius(warm, "price", "btc", "eth", "--csv").stdout.splitlines()
    assert csv[0].endswith(",last_updated")  # CSV keeps its columns
    warm.clear_faults()
    assert [r["stale"] for r in json.loads(mobius(warm, "price", "btc", "eth",
                                                  "--json").stdout)] == [False, False]


def test_offline_quotes_past_their_ttl_are_stale(warm):
    mobius(warm, "price", "btc")
    fresh = json.loads(mobius(warm, "--offline", "price", "btc", "--json").stdout)
    assert fresh[0]["stale"] is False
    age_cache(600)
    old = mobius(warm, "--offline", "price", "btc", "--json")
    assert old.returncode == 0 and json.loads(old.stdout)[0]["stale"] is True


def test_stale_history_is_flagged_in_json(warm):
    mobius(warm, "history", "eth", "--days", "7")
    age_cache(3 * 3600)
    warm.fail("/cg", status=503, times=None)
    data = json.loads(mobius(warm, "history", "eth", "--days", "7", "--json").stdout)
    assert data["stale"] is True and data["as_of"].endswith("Z") and data["prices"]


# --- API text is text, never markup or terminal control --------------------------------

EVIL = "Sol[/x]ana [bold]Evil[/bold]\x1b[31m"


@pytest.fixture
def evil(warm, monkeypatch):
    import tests.fakes

    warm.markets["solana"]["name"] = EVIL
    monkeypatch.setitem(tests.fakes.DESCRIPTIONS, "solana",
                        "A chain. [/x] [bold]not bold[/bold] \x1b]0;title\x07 and more.")
    return warm


def test_a_coin_name_with_markup_and_escapes_prints_as_text_in_price(evil):
    age_cache(2 * 86400)  # let the coin index pick up the new name
    table = mobius(evil, "price", "sol")
    assert table.returncode == 0, table.stderr
    assert "Sol[/x]ana [bold]Evil[/bold]" in table.stdout
    assert "\x1b" not in table.stdout + table.stderr
    data = json.loads(mobius(evil, "price", "sol", "--json").stdout)
    assert data[0]["name"] == "Sol[/x]ana [bold]Evil[/bold]"  # the whole escape removed


def test_a_coin_name_with_markup_and_escapes_prints_as_text_in_coin(evil):
    age_cache(2 * 86400)
    table = mobius(evil, "coin", "sol")
    assert table.returncode == 0, table.stderr
    assert "Sol[/x]ana [bold]Evil[/bold] (SOL)" in table.stdout
    assert "[/x] [bold]not bold[/bold]" in table.stdout
    assert "\x1b" not in table.stdout and "\x07" not in table.stdout
    data = json.loads(mobius(evil, "coin", "sol", "--json").stdout)
    assert data["name"].startswith("Sol[/x]ana [bold]Evil[/bold]")
    assert "\x1b" not in data["description"]


def test_colour_does_not_let_names_inject_styles(evil, monkeypatch):
    age_cache(2 * 86400)
    result = evil.run_mobius("coin", "sol", env={"NO_COLOR": "", "FORCE_COLOR": "1"})
    assert result.returncode == 0, result.stderr
    assert "[bold]Evil[/bold]" in result.stdout
    assert "\x1b[31m" not in result.stdout.split("(SOL)")[0].split("Sol[/x]ana")[1]
