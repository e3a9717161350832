"""services.market as a library: providers built by hand against the loopback fake, no
Typer, no Rich, no AppContext; typed results that carry when their data was fetched."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

from mobius_cli.core.models import (
    CoinFacts,
    FearGreedPoint,
    GlobalMarket,
    PriceSeries,
    Quote,
    TrendingCoin,
)
from mobius_cli.errors import NotFoundError, SourceError
from mobius_cli.providers.cache import ResponseCache
from mobius_cli.providers.coingecko import CoinGecko
from mobius_cli.providers.feargreed import FearGreed
from mobius_cli.providers.http import TTL_PRICES, HttpClient, RetryPolicy
from mobius_cli.services import market
from tests.fakes import FakeApis


@pytest.fixture
def fake():
    with FakeApis() as server:
        yield server


def client(tmp_path, *, offline: bool = False, notes: list[str] | None = None) -> HttpClient:
    """An HttpClient with quick, sleepless retries and its own cache file."""
    return HttpClient(ResponseCache(tmp_path / "cache.sqlite3"), timeout=2.0,
                      policy=RetryPolicy(retries=1, max_rate_wait=2.0, rand=lambda: 0.0),
                      offline=offline, on_note=notes.append if notes is not None else None,
                      sleep=lambda seconds: None)


def gecko(fake: FakeApis, tmp_path, **kwargs) -> CoinGecko:
    return CoinGecko(client(tmp_path, **kwargs), base_url=fake.url("coingecko"))


def llama(fake: FakeApis, http: HttpClient, tmp_path):
    """DeFiLlama's coin prices on the fake (the `sealed` fixture restores the variable)."""
    from mobius_cli.providers.defillama import DefiLlama
    from mobius_cli.settings import Paths, Settings

    os.environ["MOBIUS_LLAMA_COINS_URL"] = fake.url("llama_coins")
    settings = Settings(Paths(tmp_path / "c", tmp_path / "d", tmp_path / "k"), {})
    return DefiLlama(http, settings)


def age_cache(tmp_path, seconds: float) -> None:
    with sqlite3.connect(tmp_path / "cache.sqlite3") as db:
        db.execute("UPDATE responses SET stored_at = stored_at - ?", (seconds,))


def near(moment: datetime | None, expected: datetime, slack: float = 30.0) -> bool:
    return moment is not None and abs((moment - expected).total_seconds()) < slack


# --- a Python caller ---------------------------------------------------------------------


def test_a_python_caller_gets_a_quote_without_typer_or_rich(fake, tmp_path):
    """The library path in a fresh interpreter: providers by hand, services, a Quote."""
    script = f"""
import sys
from pathlib import Path
from mobius_cli.providers.cache import ResponseCache
from mobius_cli.providers.coingecko import CoinGecko
from mobius_cli.providers.http import HttpClient
from mobius_cli.services import market

cg = CoinGecko(HttpClient(ResponseCache(Path({str(tmp_path / 'lib.sqlite3')!r}))),
               base_url={fake.url('coingecko')!r})
[btc] = market.quotes(cg, market.resolve(cg, ["btc"]), "usd")
print(btc.coin.id, btc.price, btc.stale, btc.as_of.isoformat())
print(sorted(m for m in ("typer", "rich", "click") if m in sys.modules))
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOBIUS_")}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    first, loaded = done.stdout.splitlines()
    coin_id, price, stale, as_of = first.split()
    assert (coin_id, float(price), stale) == ("bitcoin", 77671.0, "False")
    assert near(datetime.fromisoformat(as_of), datetime.now(timezone.utc))
    assert loaded == "[]"  # no CLI machinery on the library path
    assert [r.api_path for r in fake.requests] == ["/coins/markets", "/simple/price"]


def test_quotes_are_models_with_freshness(fake, tmp_path):
    cg = gecko(fake, tmp_path)
    coins = market.resolve(cg, ["btc", "eth"])
    quotes = market.quotes(cg, coins, "eur")
    assert all(isinstance(q, Quote) for q in quotes)
    assert [q.coin.id for q in quotes] == ["bitcoin", "ethereum"]
    assert all(q.currency == "eur" and not q.stale for q in quotes)
    assert all(near(q.as_of, datetime.now(timezone.utc)) for q in quotes)
    # Answered from the cache a minute later: as_of is when it was fetched, still fresh.
    age_cache(tmp_path, 40)
    again = market.quotes(CoinGecko(client(tmp_path), base_url=fake.url("coingecko")),
                          coins, "eur")
    assert fake.count("/simple/price") == 1
    assert not again[0].stale
    assert near(again[0].as_of, datetime.now(timezone.utc) - timedelta(seconds=40))


def test_a_stale_quote_stays_stale_up_through_the_service(fake, tmp_path):
    cg = gecko(fake, tmp_path)
    coins = market.resolve(cg, ["btc"])
    market.quotes(cg, coins, "usd")
    age_cache(tmp_path, 3600)
    fake.fail("/cg", status=503, times=None)
    fake.fail("/llama-coins", status=500, times=None)
    notes: list[str] = []
    later = CoinGecko(client(tmp_path, notes=notes), base_url=fake.url("coingecko"))
    [quote] = market.quotes(later, coins, "usd",
                            fallback=llama(fake, later.http, tmp_path), on_note=notes.append)
    assert quote.stale is True and quote.price == 77671
    assert near(quote.as_of, datetime.now(timezone.utc) - timedelta(hours=1))
    assert quote.to_json()["stale"] is True
    assert any("(stale)" in n for n in notes)


def test_defillama_fallback_quotes_are_fresh_and_say_so(fake, tmp_path):
    cg = gecko(fake, tmp_path)
    coins = market.resolve(cg, ["btc", "eth"])
    fake.fail("/cg", status=503, times=None)
    notes: list[str] = []
    quotes = market.quotes(cg, coins, "usd", fallback=llama(fake, cg.http, tmp_path),
                           on_note=notes.append)
    assert [q.coin.id for q in quotes] == ["bitcoin", "ethereum"]
    assert all(not q.stale and q.change_24h_pct is None for q in quotes)
    assert all(near(q.as_of, datetime.now(timezone.utc)) for q in quotes)
    assert any("prices from DeFiLlama instead" in n for n in notes)


def test_without_a_fallback_a_failure_is_raised(fake, tmp_path):
    cg = gecko(fake, tmp_path)
    coins = market.resolve(cg, ["btc"])
    fake.fail("/cg", status=503, times=None)
    with pytest.raises(SourceError, match="CoinGecko"):
        market.quotes(cg, coins, "usd")


@pytest.mark.parametrize(("age", "stale"), [(10, False), (TTL_PRICES + 600, True)])
def test_offline_quotes_are_stale_only_past_their_time_to_live(fake, tmp_path, age, stale):
    cg = gecko(fake, tmp_path)
    coins = market.resolve(cg, ["btc", "eth"])
    market.quotes(cg, coins, "usd")
    age_cache(tmp_path, age)
    offline = gecko(fake, tmp_path, offline=True)
    quotes = market.quotes(offline, coins, "usd", offline=True)
    assert [q.stale for q in quotes] == [stale, stale]
    assert near(quotes[0].as_of, datetime.now(timezone.utc) - timedelta(seconds=age))


def test_offline_quotes_assembled_from_other_requests_carry_the_oldest_age(fake, tmp_path):
    cg = gecko(fake, tmp_path)
    btc, eth = market.resolve(cg, ["btc", "eth"])
    market.quotes(cg, [btc], "usd")
    age_cache(tmp_path, 7200)
    market.quotes(cg, [eth], "usd")
    offline = gecko(fake, tmp_path, offline=True)
    quotes = market.quotes(offline, [eth, btc], "usd", offline=True)
    assert [q.coin.id for q in quotes] == ["ethereum", "bitcoin"]
    assert all(q.stale for q in quotes)
    assert near(quotes[0].as_of, datetime.now(timezone.utc) - timedelta(hours=2))


def test_history_is_a_series_with_freshness(fake, tmp_path):
    cg = gecko(fake, tmp_path)
    [eth] = market.resolve(cg, ["eth"])
    series = cg.history(eth, "usd", 7)
    assert isinstance(series, PriceSeries) and not series.stale
    assert len(series) > 100 and series[-1].price == pytest.approx(2071.43)
    assert next(iter(series)) is series.points[0]  # reads as a list of points
    result = market.history(cg, eth, "usd", 7)
    data = result.to_json()
    assert data["stale"] is False and data["as_of"].endswith("Z")
    assert fake.last("/coins/ethereum/market_chart").query == {"vs_currency": "usd",
                                                              "days": "7"}
    daily = cg.history(eth, "usd", 30, interval="daily")
    assert fake.last("/coins/ethereum/market_chart").query["interval"] == "daily"
    assert daily.days == 30


def test_a_stale_history_says_so(fake, tmp_path):
    cg = gecko(fake, tmp_path)
    [eth] = market.resolve(cg, ["eth"])
    market.history(cg, eth, "usd", 7)
    age_cache(tmp_path, 3 * 3600)
    fake.fail("/cg", status=500, times=None)
    result = market.history(gecko(fake, tmp_path), eth, "usd", 7)
    assert result.stale is True and result.to_json()["stale"] is True
    assert near(result.as_of, datetime.now(timezone.utc) - timedelta(hours=3))


def test_overview_reads_the_global_model(fake, tmp_path):
    cg = gecko(fake, tmp_path)
    world = cg.global_market()
    assert isinstance(world, GlobalMarket) and not world.stale
    raw = fake.global_data["data"]
    assert world.total_market_cap["usd"] == pytest.approx(raw["total_market_cap"]["usd"])
    assert world.dominance["btc"] == pytest.approx(raw["market_cap_percentage"]["btc"])
    assert world.updated_at == datetime.fromtimestamp(raw["updated_at"], tz=timezone.utc)
    view = market.overview(cg, "eur", 3)
    data = view.to_json()
    assert data["total_market_cap"] == pytest.approx(raw["total_market_cap"]["eur"])
    assert [c["symbol"] for c in data["coins"]] == ["BTC", "ETH", "USDT"]
    assert data["updated_at"].endswith("Z")


def test_coin_facts_are_a_model_in_the_asked_currency(fake, tmp_path):
    cg = gecko(fake, tmp_path)
    [sol] = market.resolve(cg, ["sol"])
    facts = market.coin_facts(cg, sol, "eur")
    assert isinstance(facts, CoinFacts)
    assert facts.coin.id == "solana" and facts.currency == "eur"
    assert facts.rank == fake.markets["solana"]["market_cap_rank"]
    assert facts.ath_date == datetime.fromisoformat(
        fake.markets["solana"]["ath_date"].replace("Z", "+00:00"))
    assert facts.links.homepage == "https://solana.example.org"
    assert facts.links.twitter == "https://x.com/solana" and facts.links.reddit is None
    assert facts.description.startswith("Solana is a Layer 1")
    assert facts.to_json()["ath_date"] == fake.markets["solana"]["ath_date"]


def test_trending_and_fear_greed_are_models(fake, tmp_path):
    cg = gecko(fake, tmp_path)
    found = market.trending(cg)
    assert all(isinstance(t, TrendingCoin) for t in found.coins)
    assert found.to_json()[0] == {"rank": 1, "symbol": "BONK", "id": "bonk", "name": "Bonk",
                                  "market_cap_rank": 63, "price": pytest.approx(0.0000127),
                                  "currency": "usd", "change_24h_pct": pytest.approx(-5.7932)}
    fg = FearGreed(client(tmp_path), base_url=fake.url("fng"))
    index = market.fear_greed(fg, 3)
    assert all(isinstance(p, FearGreedPoint) for p in index.points)
    first = fake.fng["data"][0]
    assert (index.now.value, index.now.classification) == (int(first["value"]),
                                                            first["value_classification"])
    assert index.now.time == datetime.fromtimestamp(int(first["timestamp"]), tz=timezone.utc)
    assert len(index.to_json()["history"]) == 3


def test_convert_and_movers_and_compare(fake, tmp_path):
    cg = gecko(fake, tmp_path)
    rates = cg.exchange_rates()
    assert rates["btc"].value == 1.0 and rates["usd"].kind == "fiat"
    usd_eur = market.convert(cg, 100, "usd", "eur")
    assert usd_eur.rate == pytest.approx(rates["eur"].value / rates["usd"].value)
    eth_btc = market.convert(cg, 1, "eth", "btc")
    expected = fake.markets["ethereum"]["current_price"] / fake.markets["bitcoin"][
        "current_price"]
    assert eth_btc.result == pytest.approx(expected, rel=1e-3)
    movers = market.movers(cg, "usd", universe=50, limit=3)
    assert len(movers.gainers) == 3 and all(r.change_pct["24h"] > 0 for r in movers.gainers)
    assert list(movers.to_json(["losers"])) == ["losers"]
    rows = market.compare(cg, market.resolve(cg, ["btc", "eth"]), "usd", 30).to_json()
    assert [r["symbol"] for r in rows] == ["BTC", "ETH"]


def test_supported_currencies_are_cached_for_a_day(fake, tmp_path):
    cg = gecko(fake, tmp_path)
    codes = cg.supported_currencies()
    assert isinstance(codes, frozenset)
    assert codes == frozenset(fake.supported) and {"usd", "eur", "sats"} <= codes
    again = gecko(fake, tmp_path)
    age_cache(tmp_path, 23 * 3600)
    assert again.supported_currencies() == codes
    assert fake.count("/simple/supported_vs_currencies") == 1


@pytest.mark.parametrize("body", [{}, [], ["usd", 5], {"error": "x"}])
def test_a_bad_currency_list_is_retried_and_never_cached(fake, tmp_path, body):
    fake.respond("/simple/supported_vs_currencies", body, times=1)
    assert "usd" in gecko(fake, tmp_path).supported_currencies()
    assert fake.count("/simple/supported_vs_currencies") == 2
    fake.respond("/simple/supported_vs_currencies", body, times=2)
    fresh = tmp_path / "other"
    fresh.mkdir()
    with pytest.raises(SourceError, match="bad response"):
        gecko(fake, fresh).supported_currencies()
    assert "usd" in gecko(fake, fresh).supported_currencies()  # nothing bad was cached


def test_an_empty_coin_list_is_never_cached(fake, tmp_path):
    """One `{}` from /coins/list must not make coins unknown for a day."""
    fake.respond("/coins/list", {}, times=2)
    with pytest.raises(SourceError, match="bad response"):
        gecko(fake, tmp_path).coin_by_id("ethereum-wormhole")
    assert gecko(fake, tmp_path).coin_by_id("ethereum-wormhole").id == "ethereum-wormhole"
    with sqlite3.connect(tmp_path / "cache.sqlite3") as db:
        bodies = [json.loads(b) for (b,) in db.execute("SELECT body FROM responses")]
    assert {} not in bodies


def test_an_unknown_coin_is_still_a_usage_error(fake, tmp_path):
    with pytest.raises(NotFoundError, match="unknown coin 'btcc'"):
        market.resolve(gecko(fake, tmp_path), ["btcc"])


def test_the_app_context_only_wires_providers(fake, tmp_path, monkeypatch):
    """The context builds the providers; the services take those, never the context."""
    from mobius_cli.context import AppContext

    for var, url in fake.urls.items():
        monkeypatch.setenv(var, url)
    app = AppContext()
    try:
        coins = market.resolve(app.coingecko, ["btc"])
        [btc] = market.quotes(app.coingecko, coins, "usd", fallback=app.defillama)
    finally:
        app.close()
    assert btc.coin.id == "bitcoin" and not btc.stale


def test_as_of_is_close_to_the_fetch_time(fake, tmp_path):
    before = time.time()
    cg = gecko(fake, tmp_path)
    [q] = market.quotes(cg, market.resolve(cg, ["doge"]), "usd")
    assert before - 1 <= q.as_of.timestamp() <= time.time() + 1


def test_as_of_is_when_the_cache_stored_the_answer_the_same_for_every_reader(fake, tmp_path):
    cg = gecko(fake, tmp_path)
    [eth] = market.resolve(cg, ["eth"])
    first = market.history(cg, eth, "usd", 7).as_of
    time.sleep(0.01)
    again = market.history(gecko(fake, tmp_path), eth, "usd", 7).as_of  # another process
    assert again == first and fake.count("/coins/ethereum/market_chart") == 1
