"""The disk cache stays small (expired rows dropped, a size bound) and URLs shown are masked."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from mobius_cli.providers import cache as cache_module
from mobius_cli.providers.cache import ResponseCache
from mobius_cli.providers.http import HttpClient, RetryPolicy
from mobius_cli.providers.urls import is_secret_header, mask_url

# --- pruning ---------------------------------------------------------------------------


def keys_in(path) -> set[str]:
    cache = ResponseCache(path)
    try:
        return {key for key, _, _ in cache.with_prefix("")}
    finally:
        cache._conn and cache._conn.close()


def test_prune_drops_rows_older_than_the_maximum_age(tmp_path):
    now = time.time()
    cache = ResponseCache(tmp_path / "c.sqlite3", max_age=86400)
    cache.put("old", [1], "[1]", now=now - 2 * 86400)
    cache.put("young", [2], "[2]", now=now - 3600)
    assert cache.prune(now=now) == 1
    assert cache.get("old") is None and cache.get("young")[1] == [2]
    assert cache.info()["entries"] == 1


def test_prune_evicts_the_oldest_rows_to_stay_under_the_size_bound(tmp_path):
    now = time.time()
    cache = ResponseCache(tmp_path / "c.sqlite3", max_bytes=20_000)
    body = json.dumps(["x" * 990])  # about 1 kB a row
    for n in range(50):
        cache.put(f"k{n:02d}", ["x"], body, now=now - 1000 + n)
    removed = cache.prune(now=now)
    kept = sorted(key for key, _, _ in cache.with_prefix("k"))
    total = sum(len(key) + len(body) for key in kept)
    assert total <= 0.8 * 20_000 and removed == 50 - len(kept)
    assert kept == [f"k{n:02d}" for n in range(50 - len(kept), 50)]  # the newest stay
    assert cache.info()["entries"] == len(kept)
    cache.close()


def test_the_database_file_shrinks_after_eviction(tmp_path):
    now = time.time()
    cache = ResponseCache(tmp_path / "c.sqlite3", max_bytes=50_000)
    for n in range(200):
        cache.put(f"k{n}", [n], json.dumps(["y" * 2000]), now=now - 1000 + n)
    before = cache.info()["bytes"]
    cache.prune(now=now)
    after = cache.info()["bytes"]
    assert after < before / 4 and after < 200_000
    cache.close()


def test_close_prunes_at_most_once_an_interval(tmp_path):
    path = tmp_path / "c.sqlite3"
    now = time.time()
    first = ResponseCache(path, max_age=86400)
    first.put("ancient", [0], "[0]", now=now - 10 * 86400)
    first.close()  # wrote, never pruned before: prunes
    assert keys_in(path) == set()
    second = ResponseCache(path, max_age=86400)
    second.put("ancient2", [0], "[0]", now=now - 10 * 86400)
    second.close()  # pruned less than an interval ago: left for later
    assert keys_in(path) == {"ancient2"}
    third = ResponseCache(path, max_age=86400)
    assert third.get("ancient2") is not None
    third.close()  # read only: never prunes
    assert keys_in(path) == {"ancient2"}


def test_close_prunes_early_when_the_file_passes_the_size_bound(tmp_path, monkeypatch):
    path = tmp_path / "c.sqlite3"
    now = time.time()
    first = ResponseCache(path)
    first.put("a", [0], "[0]", now=now)
    first.close()  # records the prune time
    second = ResponseCache(path, max_bytes=30_000)
    for n in range(60):
        second.put(f"k{n:02d}", [n], json.dumps(["z" * 1000]), now=now - 100 + n)
    second.close()
    kept = keys_in(path)
    assert "k59" in kept and "k00" not in kept and len(kept) < 30


def test_a_client_close_prunes_its_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_module, "MAX_AGE", 60.0)
    cache = ResponseCache(tmp_path / "c.sqlite3", max_age=60.0)
    cache.put("http://x/old", [0], "[0]", now=time.time() - 3600)
    client = HttpClient(cache, policy=RetryPolicy(), sleep=lambda s: None,
                        transport=httpx.MockTransport(lambda r: httpx.Response(200, json=[1])))
    client.get_json("S", "http://x/new", ttl=60)
    client.close()
    assert keys_in(tmp_path / "c.sqlite3") == {"http://x/new"}


def test_rate_limits_are_kept_apart_from_responses(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite3")
    cache.set_rate_limit("CoinGecko", 200.0, 100.0, 100.0)
    assert cache.rate_limit("CoinGecko") == (200.0, 100.0, 100.0)
    assert cache.rate_limit("DeFiLlama") is None
    assert cache.info()["entries"] == 0
    cache.clear_rate_limit("CoinGecko")
    assert cache.rate_limit("CoinGecko") is None
    cache.close()


def test_an_unusable_cache_location_is_skipped_not_fatal(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache folder should be")
    cache = ResponseCache(blocker / "cache.sqlite3")
    cache.put("k", [1], "[1]")  # kept in memory only
    assert cache.get("k")[1] == [1]
    assert cache.with_prefix("") == [] and cache.rate_limit("S") is None
    cache.set_rate_limit("S", 1.0, 0.0, None)
    assert cache.prune() == 0
    cache.close()


# --- masking URLs ----------------------------------------------------------------------


@pytest.mark.parametrize(("url", "shown"), [
    ("https://api.coingecko.com/api/v3", "https://api.coingecko.com/api/v3"),
    ("https://user:hunter2@rpc.example:8545/", "https://***:***@rpc.example:8545/"),
    ("https://token@rpc.example/", "https://***@rpc.example/"),
    ("https://mainnet.infura.io/v3/9aa3d95b3bc440fa88ea12eaa4456161",
     "https://mainnet.infura.io/v3/***"),
    ("https://eth-mainnet.g.alchemy.com/v2/abcDEF123ghiJKL456mnoPQR",
     "https://eth-mainnet.g.alchemy.com/v2/***"),
    ("https://pro-api.coingecko.com/api/v3/ping?x_cg_pro_api_key=CG-abcdefgh12",
     "https://pro-api.coingecko.com/api/v3/ping?x_cg_pro_api_key=***"),
    ("https://x.example/p?apiKey=s3cret&vs=usd&access_token=abc",
     "https://x.example/p?apiKey=***&vs=usd&access_token=***"),
    ("https://proxy.example/CG-abcdefgh1234/api/v3", "https://proxy.example/***/api/v3"),
    ("http://127.0.0.1:8080/cg/api/v3/coins/wrapped-bitcoin-1234",
     "http://127.0.0.1:8080/cg/api/v3/coins/wrapped-bitcoin-1234"),
    ("https://x.example/tokens/0x2260fac5e5542a773aa44fbcfedf7c193bc2c599",
     "https://x.example/tokens/0x2260fac5e5542a773aa44fbcfedf7c193bc2c599"),
    ("http://user:pw@[::1", "http://***@[::1"),
    ("https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX",
     "https://hooks.slack.com/services/T0000/B0000/***"),
    ("https://discord.com/api/webhooks/123456789/abcdefghijklmnop",
     "https://discord.com/api/webhooks/123456789/***"),
    ("https://api.telegram.org/bot123456:ABC-DEF_ghi/sendMessage",
     "https://api.telegram.org/bot***/sendMessage"),
    ("", ""),
])
def test_mask_url(url, shown):
    assert mask_url(url) == shown


def test_mask_url_is_also_importable_from_the_http_module():
    from mobius_cli.providers import http

    assert http.mask_url is mask_url


@pytest.mark.parametrize(("name", "secret"), [
    ("x-cg-demo-api-key", True), ("x-cg-pro-api-key", True), ("Authorization", True),
    ("Cookie", True), ("X-Auth-Token", True), ("Accept", False), ("User-Agent", False),
    ("Content-Type", False)])
def test_secret_headers(name, secret):
    assert is_secret_header(name) is secret


def _unwritable(monkeypatch):
    """Make opening the cache for writing fail the way a read-only home does."""
    import sqlite3

    def refuse(self):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(ResponseCache, "_db", refuse)


def test_info_reads_a_cache_it_cannot_write(tmp_path, monkeypatch):
    path = tmp_path / "c.sqlite3"
    cache = ResponseCache(path)
    cache.put("a", [1], "[1]")
    cache.put("b", [2], "[2]")
    cache.close()
    _unwritable(monkeypatch)
    assert ResponseCache(path).info()["entries"] == 2


def test_clear_on_a_cache_it_cannot_write_is_one_clear_error_and_deletes_nothing(tmp_path,
                                                                                 monkeypatch):
    from mobius_cli.errors import MobiusError

    path = tmp_path / "c.sqlite3"
    cache = ResponseCache(path)
    cache.put("a", [1], "[1]")
    cache.close()
    _unwritable(monkeypatch)
    with pytest.raises(MobiusError, match=r"cannot clear the cache file .*readonly"):
        ResponseCache(path).clear()
    assert path.exists()


def test_a_damaged_cache_is_reported_then_removed_by_clear_and_works_again(tmp_path):
    from mobius_cli.errors import MobiusError

    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"this is not a database, just some bytes" * 100)
    cache = ResponseCache(path)
    assert cache.get("a") is None  # a damaged file never fails a fetch
    with pytest.raises(MobiusError, match="is damaged"):
        cache.info()
    assert cache.clear() == 0 and not path.exists()
    cache.put("a", [1], "[1]")
    cache.close()
    assert ResponseCache(path).get("a")[1] == [1]
