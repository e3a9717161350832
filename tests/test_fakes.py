"""The loopback fake serves the documented shapes, misbehaves on demand, and counts requests."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.fakes import (
    ENV_VARS,
    SNAPSHOT,
    FakeApis,
    fake_apis,  # noqa: F401  (the fixture under test)
    load_fixture,
    path_matches,
    run_mobius,
)

MARKET_FIELDS = [
    "id", "symbol", "name", "image", "current_price", "market_cap", "market_cap_rank",
    "fully_diluted_valuation", "total_volume", "high_24h", "low_24h", "price_change_24h",
    "price_change_percentage_24h", "market_cap_change_24h", "market_cap_change_percentage_24h",
    "circulating_supply", "total_supply", "max_supply", "ath", "ath_change_percentage",
    "ath_date", "atl", "atl_change_percentage", "atl_date", "roi", "last_updated",
]


@pytest.fixture
def fake(fake_apis: FakeApis) -> FakeApis:  # noqa: F811
    return fake_apis


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as c:
        yield c


def cg(fake: FakeApis, path: str) -> str:
    return fake.urls["MOBIUS_COINGECKO_URL"] + path


# --- fixture files ------------------------------------------------------------------


def test_coins_list_has_the_majors_and_shared_tickers() -> None:
    coins = load_fixture("coingecko_coins_list")
    ids = {c["id"] for c in coins}
    for coin_id in ("bitcoin", "ethereum", "solana", "tether", "usd-coin", "binancecoin",
                    "ripple", "cardano", "dogecoin", "shiba-inu", "pepe", "chainlink",
                    "uniswap", "aave", "avalanche-2", "polkadot", "the-open-network",
                    "litecoin", "tron"):
        assert coin_id in ids
    assert all(set(c) == {"id", "symbol", "name"} for c in coins)
    by_symbol: dict[str, set[str]] = {}
    for c in coins:
        by_symbol.setdefault(c["symbol"], set()).add(c["id"])
    assert by_symbol["uni"] == {"uniswap", "uniswap-wormhole"}
    assert by_symbol["eth"] == {"ethereum", "ethereum-wormhole"}
    assert by_symbol["btc"] == {"bitcoin", "batcat"}
    assert by_symbol["ton"] == {"the-open-network", "tokamak-network"}
    assert [c["id"] for c in coins] == sorted(c["id"] for c in coins)


def test_markets_page_is_ranks_1_to_30_with_every_field() -> None:
    rows = load_fixture("coingecko_markets")
    assert [r["market_cap_rank"] for r in rows] == list(range(1, 31))
    caps = [r["market_cap"] for r in rows]
    assert caps == sorted(caps, reverse=True)
    for r in rows:
        assert list(r)[: len(MARKET_FIELDS)] == MARKET_FIELDS
        for period in ("1h", "24h", "7d", "30d", "1y"):
            assert isinstance(r[f"price_change_percentage_{period}_in_currency"], float)
        assert "sparkline_in_7d" not in r
    prices = {r["id"]: r["current_price"] for r in rows}
    assert prices["pepe"] == 0.00000912
    assert prices["shiba-inu"] == 0.00001234
    assert prices["bitcoin"] == 77671 and isinstance(prices["bitcoin"], int)


def test_fng_fixture_is_strings_newest_first() -> None:
    data = load_fixture("fng")["data"]
    assert len(data) == 30
    stamps = [int(d["timestamp"]) for d in data]
    assert stamps == sorted(stamps, reverse=True)
    assert all(s % 86400 == 0 for s in stamps)
    assert all(isinstance(v, str) for d in data for v in d.values())
    assert "time_until_update" in data[0]
    assert not any("time_until_update" in d for d in data[1:])
    assert {d["value_classification"] for d in data} == {
        "Extreme Fear", "Fear", "Neutral", "Greed", "Extreme Greed"}


# --- CoinGecko ----------------------------------------------------------------------


def test_ping(fake: FakeApis, client: httpx.Client) -> None:
    r = client.get(cg(fake, "/ping"))
    assert r.status_code == 200
    assert r.json() == {"gecko_says": "(V3) To the Moon!"}
    assert r.headers["content-type"].startswith("application/json")


def test_simple_price_full_shape(fake: FakeApis, client: httpx.Client) -> None:
    r = client.get(cg(fake, "/simple/price"), params={
        "ids": "ethereum,bitcoin,no-such-coin", "vs_currencies": "usd,eur",
        "include_market_cap": "true", "include_24hr_vol": "true",
        "include_24hr_change": "true", "include_last_updated_at": "true"})
    body = r.json()
    assert list(body) == ["bitcoin", "ethereum"]
    assert list(body["bitcoin"]) == [
        "usd", "usd_market_cap", "usd_24h_vol", "usd_24h_change",
        "eur", "eur_market_cap", "eur_24h_vol", "eur_24h_change", "last_updated_at"]
    assert body["bitcoin"]["usd"] == 77671
    assert isinstance(body["bitcoin"]["last_updated_at"], int)
    assert abs(body["bitcoin"]["last_updated_at"] - SNAPSHOT) < 600
    assert 0.8 < body["bitcoin"]["eur"] / body["bitcoin"]["usd"] < 0.9


def test_simple_price_bare_and_edge_cases(fake: FakeApis, client: httpx.Client) -> None:
    url = cg(fake, "/simple/price")
    assert client.get(url, params={"ids": "pepe", "vs_currencies": "usd"}).json() == {
        "pepe": {"usd": 0.00000912}}
    assert client.get(url, params={"ids": "nope,nada", "vs_currencies": "usd"}).json() == {}
    assert client.get(url, params={"ids": "bitcoin", "vs_currencies": "kes"}).json() == {
        "bitcoin": {}}
    mixed = client.get(url, params={"ids": "bitcoin", "vs_currencies": "usdt,gbp"}).json()
    assert list(mixed["bitcoin"]) == ["gbp"]
    missing = client.get(url, params={"ids": "bitcoin"})
    assert missing.status_code == 400
    assert "error" in missing.json()


def test_simple_price_conversions_are_consistent(fake: FakeApis, client: httpx.Client) -> None:
    body = client.get(cg(fake, "/simple/price"), params={
        "ids": "bitcoin,ethereum,solana", "vs_currencies": "usd,eur,gbp,jpy,btc,eth"}).json()
    assert body["bitcoin"]["btc"] == 1
    assert body["ethereum"]["eth"] == 1
    for coin in body.values():
        assert coin["btc"] == pytest.approx(coin["usd"] / body["bitcoin"]["usd"], rel=1e-4)
        assert coin["eth"] == pytest.approx(coin["usd"] / body["ethereum"]["usd"], rel=1e-4)
        assert coin["jpy"] / coin["usd"] == pytest.approx(
            body["bitcoin"]["jpy"] / body["bitcoin"]["usd"], rel=1e-4)


def test_simple_price_by_symbol_takes_the_top_coin(fake: FakeApis, client: httpx.Client) -> None:
    url = cg(fake, "/simple/price")
    top = client.get(url, params={"symbols": "ton,uni", "vs_currencies": "usd"}).json()
    assert set(top) == {"the-open-network", "uniswap"}
    every = client.get(url, params={"symbols": "ton", "vs_currencies": "usd",
                                    "include_tokens": "all"}).json()
    assert set(every) == {"the-open-network", "tokamak-network"}


def test_lists_and_rates(fake: FakeApis, client: httpx.Client) -> None:
    supported = client.get(cg(fake, "/simple/supported_vs_currencies")).json()
    assert {"usd", "eur", "gbp", "jpy", "btc", "eth", "sats"} <= set(supported)
    assert "usdt" not in supported and "kes" not in supported
    rates = client.get(cg(fake, "/exchange_rates")).json()["rates"]
    assert rates["btc"] == {"name": "Bitcoin", "unit": "BTC", "value": 1.0, "type": "crypto"}
    assert rates["usd"]["value"] == 77671
    assert rates["xau"]["type"] == "commodity"
    listing = client.get(cg(fake, "/coins/list"), params={"include_platform": "true"}).json()
    platforms = {c["id"]: c["platforms"] for c in listing}
    assert platforms["bitcoin"] == {}
    assert platforms["uniswap"]["ethereum"].startswith("0x")


def test_markets_paging_and_ranks(fake: FakeApis, client: httpx.Client) -> None:
    url = cg(fake, "/coins/markets")
    rows = client.get(url, params={"vs_currency": "usd", "per_page": 250, "page": 1}).json()
    ids = [r["id"] for r in rows]
    assert ids[:3] == ["bitcoin", "ethereum", "tether"]
    assert "tokamak-network" in ids  # rank 212: on the first page of 250
    assert "ethereum-wormhole" not in ids and "batcat" not in ids  # ranks 1841, 2317
    assert "uniswap-wormhole" not in ids  # unranked
    page2 = client.get(url, params={"vs_currency": "usd", "per_page": 10, "page": 2}).json()
    assert [r["market_cap_rank"] for r in page2] == list(range(11, 21))
    assert "price_change_percentage_24h_in_currency" not in rows[0]
    assert "price_change_percentage_24h" in rows[0]
    by_ids = client.get(url, params={"vs_currency": "usd", "ids": "batcat,bitcoin"}).json()
    assert [r["id"] for r in by_ids] == ["bitcoin", "batcat"]


def test_markets_periods_currency_and_errors(fake: FakeApis, client: httpx.Client) -> None:
    url = cg(fake, "/coins/markets")
    rows = client.get(url, params={"vs_currency": "eur", "per_page": 5,
                                   "price_change_percentage": "1h,24h,7d,30d,1y",
                                   "sparkline": "true"}).json()
    assert len(rows) == 5
    first = rows[0]
    assert list(first)[-6:] == ["sparkline_in_7d"] + [
        f"price_change_percentage_{p}_in_currency" for p in ("1h", "24h", "7d", "30d", "1y")]
    assert len(first["sparkline_in_7d"]["price"]) == 168
    assert first["current_price"] < 77671  # euros
    bad = client.get(url, params={"vs_currency": "usdt"})
    assert bad.status_code == 400
    assert bad.json() == {"error": "invalid vs_currency"}
    by_volume = client.get(url, params={"vs_currency": "usd", "order": "volume_desc",
                                        "per_page": 3}).json()
    assert [r["id"] for r in by_volume] == ["tether", "bitcoin", "ethereum"]


def test_coin_details(fake: FakeApis, client: httpx.Client) -> None:
    params = {"localization": "false", "tickers": "false", "community_data": "false",
              "developer_data": "false"}
    btc = client.get(cg(fake, "/coins/bitcoin"), params=params).json()
    assert btc["id"] == "bitcoin" and btc["symbol"] == "btc"
    assert "localization" not in btc and "tickers" not in btc
    assert btc["description"]["en"].startswith("Bitcoin is")
    assert btc["links"]["homepage"][0] == "http://www.bitcoin.org"
    md = btc["market_data"]
    for key in ("usd", "eur", "btc"):
        assert key in md["current_price"] and key in md["ath"] and key in md["atl_date"]
    assert md["current_price"]["usd"] == 77671
    assert md["circulating_supply"] == 19958731.0 and md["max_supply"] == 21000000.0
    sol = client.get(cg(fake, "/coins/solana")).json()
    assert sol["market_data"]["current_price"]["usd"] == 168.42
    assert "localization" in sol and sol["tickers"] == []
    missing = client.get(cg(fake, "/coins/not-a-coin"))
    assert missing.status_code == 404
    assert missing.json() == {"error": "coin not found"}


@pytest.mark.parametrize(("days", "points", "step_s"), [
    ("1", 289, 300), ("7", 169, 3600), ("90", 2161, 3600), ("365", 366, 86400)])
def test_market_chart_granularity(fake: FakeApis, client: httpx.Client, days: str,
                                  points: int, step_s: int) -> None:
    body = client.get(cg(fake, "/coins/ethereum/market_chart"),
                      params={"vs_currency": "usd", "days": days}).json()
    assert set(body) == {"prices", "market_caps", "total_volumes"}
    prices = body["prices"]
    assert len(prices) == points == len(body["market_caps"]) == len(body["total_volumes"])
    assert all(isinstance(t, int) and t > 10**12 for t, _ in prices)
    assert (prices[2][0] - prices[1][0]) // 1000 == step_s
    assert prices[-1][1] == pytest.approx(2071.43)


def test_market_chart_matches_the_markets_changes(fake: FakeApis, client: httpx.Client) -> None:
    row = next(r for r in load_fixture("coingecko_markets") if r["id"] == "solana")
    prices = client.get(cg(fake, "/coins/solana/market_chart"),
                        params={"vs_currency": "usd", "days": "7"}).json()["prices"]
    change = (prices[-1][1] / prices[0][1] - 1) * 100
    assert change == pytest.approx(row["price_change_percentage_7d_in_currency"], abs=1e-6)
    again = client.get(cg(fake, "/coins/solana/market_chart"),
                       params={"vs_currency": "usd", "days": "7"}).json()["prices"]
    assert again == prices  # deterministic


def test_market_chart_max_and_errors(fake: FakeApis, client: httpx.Client) -> None:
    url = cg(fake, "/coins/bitcoin/market_chart")
    prices = client.get(url, params={"vs_currency": "usd", "days": "max"}).json()["prices"]
    assert len(prices) > 4000
    assert prices[0][0] // 1000 % 86400 == 0
    in_btc = client.get(url, params={"vs_currency": "btc", "days": "30"}).json()["prices"]
    assert all(p == 1 for _, p in in_btc)
    assert client.get(url, params={"vs_currency": "usdt", "days": "1"}).status_code == 400
    missing = client.get(cg(fake, "/coins/nope/market_chart"),
                         params={"vs_currency": "usd", "days": "1"})
    assert missing.status_code == 404 and missing.json() == {"error": "coin not found"}


def test_trending_global_search(fake: FakeApis, client: httpx.Client) -> None:
    trending = client.get(cg(fake, "/search/trending")).json()
    item = trending["coins"][0]["item"]
    assert {"id", "coin_id", "name", "symbol", "market_cap_rank", "price_btc", "score",
            "data"} <= set(item)
    assert isinstance(item["data"]["price_btc"], str)
    assert item["data"]["market_cap"].startswith("$")
    assert set(trending) == {"coins", "nfts", "categories"}
    data = client.get(cg(fake, "/global")).json()["data"]
    assert data["market_cap_percentage"]["btc"] > 50
    assert isinstance(data["updated_at"], int)
    assert {"usd", "eur", "btc"} <= set(data["total_market_cap"])
    found = client.get(cg(fake, "/search"), params={"query": "ton"}).json()
    assert [c["id"] for c in found["coins"]][:2] == ["the-open-network", "tokamak-network"]
    assert found["coins"][0]["symbol"] == "TON"
    none = client.get(cg(fake, "/search"), params={"query": "zzzzzz"}).json()
    assert none == {"coins": [], "exchanges": [], "icos": [], "categories": [], "nfts": []}


# --- alternative.me, DeFiLlama -------------------------------------------------------


@pytest.mark.parametrize("path", ["/fng/", "/fng"])
def test_fng(fake: FakeApis, client: httpx.Client, path: str) -> None:
    url = fake.urls["MOBIUS_FNG_URL"] + path
    one = client.get(url).json()
    assert one["name"] == "Fear and Greed Index"
    assert one["metadata"] == {"error": None}
    assert len(one["data"]) == 1 and set(one["data"][0]) == {
        "value", "value_classification", "timestamp", "time_until_update"}
    month = client.get(url, params={"limit": 30}).json()["data"]
    assert len(month) == 30 and month == load_fixture("fng")["data"]
    everything = client.get(url, params={"limit": 0}).json()["data"]
    assert len(everything) > 3000
    assert everything[-1]["timestamp"] == "1517443200"  # 2018-02-01
    assert all(isinstance(d["value"], str) for d in everything)


def test_llama_coin_prices(fake: FakeApis, client: httpx.Client) -> None:
    usdc = "ethereum:0xA0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"
    keys = f"coingecko:bitcoin,coingecko:matic-network,{usdc}"
    body = client.get(fake.urls["MOBIUS_LLAMA_COINS_URL"] + "/prices/current/" + keys).json()
    assert set(body["coins"]) == {"coingecko:bitcoin", usdc}
    btc = body["coins"]["coingecko:bitcoin"]
    assert set(btc) == {"symbol", "price", "timestamp", "confidence"}
    assert btc["symbol"] == "BTC" and btc["price"] == 77671
    unknown = client.get(fake.urls["MOBIUS_LLAMA_COINS_URL"] + "/prices/current/coingecko:nope")
    assert unknown.status_code == 200 and unknown.json() == {"coins": {}}


def test_defillama(fake: FakeApis, client: httpx.Client) -> None:
    base = fake.urls["MOBIUS_DEFILLAMA_URL"]
    protocols = client.get(base + "/protocols").json()
    lido = next(p for p in protocols if p["slug"] == "lido")
    assert isinstance(lido["chainTvls"]["Ethereum"], float) and lido["id"] == "182"
    detail = client.get(base + "/protocol/lido").json()
    assert isinstance(detail["tvl"], list) and set(detail["tvl"][0]) == {
        "date", "totalLiquidityUSD"}
    assert set(detail["chainTvls"]["Ethereum"]) == {"tvl", "tokensInUsd", "tokens"}
    assert detail["tvl"][-1]["totalLiquidityUSD"] == lido["tvl"]
    assert client.get(base + "/tvl/lido").json() == lido["tvl"]
    missing = client.get(base + "/protocol/no-such-protocol")
    assert missing.status_code == 404 and missing.text == "Not found"
    assert missing.headers["content-type"].startswith("text/plain")
    chains = client.get(base + "/v2/chains").json()
    assert all(set(c) == {"gecko_id", "tvl", "tokenSymbol", "cmcId", "name", "chainId"}
               for c in chains)
    pools = client.get(fake.urls["MOBIUS_YIELDS_URL"] + "/pools").json()
    assert pools["status"] == "success" and pools["data"][0]["project"] == "lido"
    chart = client.get(fake.urls["MOBIUS_YIELDS_URL"] + "/chart/" + pools["data"][0]["pool"])
    assert chart.json()["status"] == "success" and chart.json()["data"][-1]["timestamp"]


# --- faults -------------------------------------------------------------------------


def test_rate_limit_once_then_normal(fake: FakeApis, client: httpx.Client) -> None:
    fake.fail("/simple/price", status=429, times=1, retry_after="7")
    url = cg(fake, "/simple/price")
    params = {"ids": "bitcoin", "vs_currencies": "usd"}
    first = client.get(url, params=params)
    assert first.status_code == 429
    assert first.headers["retry-after"] == "7"
    assert first.json()["status"]["error_code"] == 429
    assert first.json()["status"]["error_message"].startswith("You've exceeded the Rate Limit")
    assert client.get(url, params=params).json() == {"bitcoin": {"usd": 77671}}
    assert client.get(cg(fake, "/ping")).status_code == 200
    assert [r.fault for r in fake.requests] == ["status", None, None]


def test_fail_always_and_clear(fake: FakeApis, client: httpx.Client) -> None:
    fault = fake.fail("/llama", status=500, times=None)
    for _ in range(3):
        r = client.get(fake.urls["MOBIUS_DEFILLAMA_URL"] + "/protocols")
        assert r.status_code == 500 and r.text == "Internal Error"
    assert "retry-after" not in r.headers
    # a segment prefix: /llama does not cover /llama-coins
    ok = client.get(fake.urls["MOBIUS_LLAMA_COINS_URL"] + "/prices/current/coingecko:bitcoin")
    assert ok.status_code == 200
    assert fault.hits == 3
    fake.clear_faults()
    assert client.get(fake.urls["MOBIUS_DEFILLAMA_URL"] + "/protocols").status_code == 200


def test_custom_body_and_canned_response(fake: FakeApis, client: httpx.Client) -> None:
    fake.fail("/global", status=503, body="upstream sad", content_type="text/plain")
    r = client.get(cg(fake, "/global"))
    assert (r.status_code, r.text, r.headers["retry-after"]) == (503, "upstream sad", "1")
    fake.respond("/coins/markets", [])
    assert client.get(cg(fake, "/coins/markets"), params={"vs_currency": "usd"}).json() == []


@pytest.mark.parametrize("status", [502, 200])
def test_cloudflare_html(fake: FakeApis, client: httpx.Client, status: int) -> None:
    fake.fail_html("/cg", status=status)
    r = client.get(cg(fake, "/simple/price"), params={"ids": "bitcoin", "vs_currencies": "usd"})
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/html")
    assert "<!DOCTYPE html>" in r.text
    with pytest.raises(json.JSONDecodeError):
        r.json()


def test_truncated_json(fake: FakeApis, client: httpx.Client) -> None:
    fake.fail_truncated("/fng")
    r = client.get(fake.urls["MOBIUS_FNG_URL"] + "/fng/", params={"limit": 10})
    assert r.status_code == 200
    assert r.text.startswith('{"name":"Fear and Greed Index"')
    with pytest.raises(json.JSONDecodeError):
        r.json()


def test_delay_triggers_timeouts_without_blocking_others(fake: FakeApis) -> None:
    fake.delay("/coins/markets", seconds=2)
    results: dict[str, object] = {}

    def slow() -> None:
        try:
            httpx.get(cg(fake, "/coins/markets"), params={"vs_currency": "usd"}, timeout=0.3)
        except httpx.TimeoutException as exc:
            results["slow"] = exc

    thread = threading.Thread(target=slow)
    thread.start()
    started = time.monotonic()
    assert httpx.get(cg(fake, "/ping"), timeout=2).status_code == 200
    assert time.monotonic() - started < 1
    thread.join(5)
    assert isinstance(results.get("slow"), httpx.ReadTimeout)


def test_down_closes_the_connection(fake: FakeApis, client: httpx.Client) -> None:
    fake.down("/search/trending", times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(cg(fake, "/search/trending"))
    assert client.get(cg(fake, "/search/trending")).status_code == 200


# --- requests, keys, env ------------------------------------------------------------


def test_requests_are_recorded(fake: FakeApis, client: httpx.Client) -> None:
    client.get(cg(fake, "/simple/price"), params={"ids": "bitcoin", "vs_currencies": "usd"},
               headers={"x-cg-demo-api-key": "CG-demo"})
    client.get(cg(fake, "/ping"))
    client.get(fake.urls["MOBIUS_FNG_URL"] + "/fng/")
    assert fake.count() == 3
    assert fake.count("/cg/api/v3") == 2
    assert fake.count("/simple/price") == 1
    assert fake.count("/fng") == 1
    req = fake.last("/simple")
    assert req is not None
    assert req.method == "GET" and req.api == "coingecko" and req.api_path == "/simple/price"
    assert req.path == "/cg/api/v3/simple/price"
    assert req.query == {"ids": "bitcoin", "vs_currencies": "usd"}
    assert req.header("X-CG-Demo-API-Key") == "CG-demo"
    fake.reset_requests()
    assert fake.count() == 0


def test_required_api_key(fake: FakeApis, client: httpx.Client) -> None:
    fake.require_api_key("CG-secret")
    refused = client.get(cg(fake, "/ping"))
    assert refused.status_code == 401
    assert refused.json()["status"]["error_code"] == 10002
    assert client.get(cg(fake, "/ping"), headers={"x-cg-pro-api-key": "CG-secret"}).is_success
    assert client.get(cg(fake, "/ping"), params={"x_cg_demo_api_key": "CG-secret"}).is_success


def test_urls_and_env(fake: FakeApis) -> None:
    assert set(fake.urls) == set(ENV_VARS) | set(fake.rpc_urls)
    assert fake.rpc_urls["MOBIUS_RPC_URL"].endswith("/rpc/ethereum")
    assert fake.urls["MOBIUS_COINGECKO_URL"].endswith("/cg/api/v3")
    assert fake.urls["MOBIUS_FNG_URL"].startswith("http://127.0.0.1:")
    for var, url in fake.urls.items():
        assert os.environ[var] == url  # the fixture points this test's environment here
    env = fake.env({"PATH": "/bin"})
    assert env["PATH"] == "/bin" and env["MOBIUS_YIELDS_URL"] == fake.urls["MOBIUS_YIELDS_URL"]
    assert fake.env()["MOBIUS_HOME"] == os.environ["MOBIUS_HOME"]


def test_run_mobius_uses_the_installed_cli(fake: FakeApis) -> None:
    result = run_mobius("--help")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout


@pytest.mark.parametrize(("prefix", "path", "api_path", "expected"), [
    ("/simple/price", "/cg/api/v3/simple/price", "/simple/price", True),
    ("/simple", "/cg/api/v3/simple/price", "/simple/price", True),
    ("/simple/pri", "/cg/api/v3/simple/price", "/simple/price", False),
    ("/llama", "/llama-coins/prices/current/x", "/prices/current/x", False),
    ("/llama", "/llama/protocols", "/protocols", True),
    ("/fng/", "/fng-api/fng", "/fng", True),
    ("/", "/anything", None, True),
    (None, "/anything", None, True),
])
def test_path_matches(prefix: str | None, path: str, api_path: str | None,
                      expected: bool) -> None:
    assert path_matches(prefix, path, api_path) is expected


def test_context_manager_stops_cleanly() -> None:
    with FakeApis() as fake:
        url = fake.urls["MOBIUS_COINGECKO_URL"] + "/ping"
        assert httpx.get(url, timeout=2).status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=2)
