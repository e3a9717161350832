"""The HTTP client's fault handling seen from the CLI, in-process against the loopback fake."""

from __future__ import annotations

import json

import pytest

from mobius_cli.providers import http


@pytest.fixture
def slept(monkeypatch):
    """Record the client's waits instead of sleeping through them."""
    waits: list[float] = []
    original = http.HttpClient.from_settings

    def recording(settings, **kwargs):
        client = original(settings, **kwargs)
        client.sleep = waits.append
        return client

    monkeypatch.setattr(http.HttpClient, "from_settings", staticmethod(recording))
    return waits


def test_a_429_storm_on_price_btc_eth_is_bounded_and_remembered(fake_apis, slept):
    fake_apis.fail("/cg", status=429, times=None, retry_after="5")
    result = fake_apis.run_mobius("price", "BTC", "ETH")
    asked = len(fake_apis.requests_to("/cg"))
    assert asked <= 2 and sum(slept) <= 5  # was 28 requests and 121 s
    assert "Traceback" not in result.stderr
    # DeFiLlama stands in for the prices (its fallback), or the command fails in one line.
    assert result.returncode == 0 or "CoinGecko: rate limited (HTTP 429)" in result.stderr
    # The next command does not ask CoinGecko again while it said to wait.
    fake_apis.run_mobius("price", "BTC")
    assert len(fake_apis.requests_to("/cg")) == asked


def test_a_429_storm_on_every_source_stays_within_one_wait_budget(fake_apis, slept):
    fake_apis.fail("/", status=429, times=None, retry_after="5")
    result = fake_apis.run_mobius("price", "BTC", "ETH")
    assert result.returncode == 1
    assert "rate limited (HTTP 429)" in result.stderr and "Traceback" not in result.stderr
    assert sum(slept) <= 10 and len(fake_apis.requests_to()) <= 4


def test_one_empty_reply_is_not_cached_and_the_next_command_recovers(fake_apis, slept):
    fake_apis.respond("/cg/api/v3/simple/price", {}, times=2)
    first = fake_apis.run_mobius("price", "BTC", "--json")
    assert "CoinGecko: bad response (" in first.stderr
    assert len(fake_apis.requests_to("/cg/api/v3/simple/price")) == 2  # retried once
    again = fake_apis.run_mobius("price", "BTC", "--json")
    assert again.returncode == 0 and again.stderr == ""
    assert json.loads(again.stdout)[0]["id"] == "bitcoin"
    assert len(fake_apis.requests_to("/cg/api/v3/simple/price")) == 3
