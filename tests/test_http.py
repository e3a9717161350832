"""The shared HTTP client: retry policy, Retry-After, cache expiry, offline, stale data."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from mobius_cli.errors import SourceError
from mobius_cli.providers import http
from mobius_cli.providers.cache import ResponseCache
from mobius_cli.providers.http import (
    HttpClient,
    HttpStatusError,
    RetryPolicy,
    cache_key,
    join_url,
    parse_retry_after,
)
from tests.http_script import RATE_LIMITED, Script

DAYS_AGO = time.time() - 3 * 86400  # older than any TTL, younger than the cache's MAX_AGE




def make_client(tmp_path, script, *, retries=3, max_rate_wait=30.0, offline=False, notes=None):
    slept: list[float] = []
    client = HttpClient(
        ResponseCache(tmp_path / "cache.sqlite3"), timeout=1.0,
        policy=RetryPolicy(retries=retries, max_rate_wait=max_rate_wait, rand=lambda: 1.0),
        offline=offline, on_note=(notes.append if notes is not None else None),
        sleep=slept.append, transport=httpx.MockTransport(script))
    return client, slept


def ok(body) -> httpx.Response:
    return httpx.Response(200, json=body)


@pytest.mark.parametrize(("base", "path", "expected"), [
    ("https://api.coingecko.com/api/v3", "/ping", "https://api.coingecko.com/api/v3/ping"),
    ("https://api.coingecko.com/api/v3/", "ping", "https://api.coingecko.com/api/v3/ping"),
    ("http://127.0.0.1:8080/cg/api/v3", "/coins/list",
     "http://127.0.0.1:8080/cg/api/v3/coins/list"),
    ("https://api.alternative.me", "/fng/", "https://api.alternative.me/fng/"),
])
def test_join_url_keeps_the_base_path(base, path, expected):
    assert join_url(base, path) == expected


def test_cache_key_sorts_params_and_ignores_headers():
    assert cache_key("u", {"b": 1, "a": "x"}) == cache_key("u", {"a": "x", "b": 1}) == "u?a=x&b=1"


@pytest.mark.parametrize(("header", "expected"), [
    ("119", 119.0), ("7", 7.0), (" 0 ", 0.0), ("1.5", 1.5), ("", None), (None, None),
    ("soon", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
])
def test_parse_retry_after(header, expected):
    assert parse_retry_after(header) == expected


def test_retry_after_http_date_in_the_future():
    assert parse_retry_after("Thu, 01 Jan 1970 00:01:40 GMT", now=40.0) == 60.0


def test_backoff_grows_and_is_capped():
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0, rand=lambda: 1.0)
    assert [policy.backoff(n) for n in range(5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    low = RetryPolicy(base_delay=0.5, rand=lambda: 0.0)
    assert low.backoff(0) == 0.25  # jitter keeps at least half the delay


def test_429_waits_for_retry_after_then_succeeds(tmp_path):
    script = Script(httpx.Response(429, json=RATE_LIMITED, headers={"retry-after": "7"}),
                    ok({"bitcoin": {"usd": 1}}))
    client, slept = make_client(tmp_path, script)
    assert client.get_json("CoinGecko", "http://x/simple/price", ttl=60).data == {
        "bitcoin": {"usd": 1}}
    assert slept == [7.0]
    assert len(script.requests) == 2


def test_a_second_429_after_waiting_as_asked_gives_up(tmp_path):
    script = Script(httpx.Response(429, json=RATE_LIMITED, headers={"retry-after": "20"}))
    client, slept = make_client(tmp_path, script, max_rate_wait=30)
    with pytest.raises(SourceError) as err:
        client.get_json("CoinGecko", "http://x/a", ttl=60)
    assert err.value.message == ("CoinGecko: rate limited (HTTP 429) 2 times in a row "
                                 "(it asked to wait 20 s each time)")
    assert slept == [20.0]  # one wait as asked, then no more
    assert len(script.requests) == 2


def test_429_gives_up_when_the_total_wait_would_pass_the_bound(tmp_path):
    script = Script(httpx.Response(429, json=RATE_LIMITED, headers={"retry-after": "20"}),
                    ok([1]), httpx.Response(429, json=RATE_LIMITED, headers={"retry-after": "20"}))
    client, slept = make_client(tmp_path, script, max_rate_wait=30)
    assert client.get_json("CoinGecko", "http://x/a", ttl=60).data == [1]
    with pytest.raises(SourceError, match=r"rate limited .*max_retry_wait \(30 s\)"):
        client.get_json("CoinGecko", "http://x/b", ttl=60)
    assert slept == [20.0]  # the first wait fits, a second (40 s in total) does not
    assert len(script.requests) == 3


def test_429_beyond_the_bound_says_how_long_the_server_asked(tmp_path):
    script = Script(httpx.Response(429, json=RATE_LIMITED, headers={"retry-after": "119"}))
    client, slept = make_client(tmp_path, script, max_rate_wait=30)
    with pytest.raises(SourceError) as err:
        client.get_json("CoinGecko", "http://x/a", ttl=60)
    assert err.value.message == ("CoinGecko: rate limited (HTTP 429): it asks to wait 119 s, "
                                 "more than max_retry_wait (30 s)")
    assert slept == [] and len(script.requests) == 1


def test_a_long_rate_limit_wait_is_announced(tmp_path):
    notes: list[str] = []
    script = Script(httpx.Response(429, json=RATE_LIMITED, headers={"retry-after": "7"}), ok([1]))
    client, slept = make_client(tmp_path, script, notes=notes)
    client.get_json("CoinGecko", "http://x/a", ttl=60)
    assert slept == [7.0]
    assert notes == ["CoinGecko is rate limiting (HTTP 429); waiting 7 s as it asks"]


def test_429_without_retry_after_backs_off(tmp_path):
    script = Script(httpx.Response(429, text="<html>Cloudflare</html>"), ok([1]))
    client, slept = make_client(tmp_path, script)
    assert client.get_json("CoinGecko", "http://x/a", ttl=60).data == [1]
    assert slept == [0.5]


def test_5xx_is_retried_with_backoff_then_fails_in_one_line(tmp_path):
    script = Script(httpx.Response(500, text="Internal Error"))
    client, slept = make_client(tmp_path, script, retries=3)
    with pytest.raises(SourceError) as err:
        client.get_json("DeFiLlama", "http://x/a", ttl=60)
    assert err.value.message == "DeFiLlama: server error (HTTP 500); gave up after 4 attempts"
    assert slept == [0.5, 1.0, 2.0]


def test_timeouts_and_dropped_connections_are_retried(tmp_path):
    script = Script(httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped"), ok({"a": 1}))
    client, slept = make_client(tmp_path, script)
    assert client.get_json("CoinGecko", "http://x/a", ttl=60).data == {"a": 1}
    assert len(slept) == 2


def test_timeout_after_all_retries(tmp_path):
    client, _ = make_client(tmp_path, Script(httpx.ConnectTimeout("slow")), retries=1)
    with pytest.raises(SourceError, match="timed out after 1 s; gave up after 2 attempts"):
        client.get_json("CoinGecko", "http://x/a", ttl=60)


def test_a_timeout_is_retried_once_however_many_retries_are_allowed(tmp_path):
    script = Script(httpx.ReadTimeout("slow"))
    client, slept = make_client(tmp_path, script, retries=3)
    with pytest.raises(SourceError, match="timed out after 1 s; gave up after 2 attempts"):
        client.get_json("CoinGecko", "http://x/a", ttl=60)
    assert len(script.requests) == 2 and len(slept) == 1


def test_a_source_that_gave_up_fails_fast_for_the_rest_of_the_run(tmp_path):
    script = Script(httpx.ConnectError("refused"))
    client, _ = make_client(tmp_path, script, retries=2)
    with pytest.raises(SourceError, match="gave up after 3 attempts"):
        client.get_json("CoinGecko", "http://x/a", ttl=60)
    with pytest.raises(SourceError, match="gave up after 3 attempts"):
        client.get_json("CoinGecko", "http://x/b", ttl=60)
    assert len(script.requests) == 3  # the second request never went out
    script.responses = [ok({"fine": True})]
    assert client.get_json("DeFiLlama", "http://y/a", ttl=60).data == {"fine": True}


def test_a_source_is_tried_again_after_the_give_up_window(tmp_path, monkeypatch):
    script = Script(httpx.ConnectError("refused"), ok({"back": True}))
    client, _ = make_client(tmp_path, script, retries=0)
    with pytest.raises(SourceError):
        client.get_json("CoinGecko", "http://x/a", ttl=60)
    later = time.monotonic() + http.GIVE_UP_SECONDS + 1
    monkeypatch.setattr(http.time, "monotonic", lambda: later)
    assert client.get_json("CoinGecko", "http://x/a", ttl=60).data == {"back": True}


def test_4xx_is_not_retried_and_carries_the_server_message(tmp_path):
    script = Script(httpx.Response(404, json={"error": "coin not found"}))
    client, slept = make_client(tmp_path, script)
    with pytest.raises(HttpStatusError) as err:
        client.get_json("CoinGecko", "http://x/coins/nope", ttl=60)
    assert (err.value.status, err.value.server_message) == (404, "coin not found")
    assert slept == [] and len(script.requests) == 1


@pytest.mark.parametrize(("body", "message"), [
    ("<!DOCTYPE html><html><title>502 Bad gateway</title></html>",
     "CoinGecko: bad response (an HTML page instead of JSON); same after a retry"),
    ('{"bitcoin": {"usd": 634',
     "CoinGecko: bad response (truncated or malformed JSON); same after a retry"),
    ("", "CoinGecko: bad response (an empty reply); same after a retry"),
])
def test_non_json_bodies_are_retried_once_then_a_clear_source_error(tmp_path, body, message):
    script = Script(httpx.Response(200, text=body))
    client, _ = make_client(tmp_path, script)
    with pytest.raises(http.BadResponse) as err:
        client.get_json("CoinGecko", "http://x/a", ttl=60)
    assert err.value.message == message and err.value.exit_code == 1
    assert len(script.requests) == 2


def test_fresh_cache_answers_without_a_request(tmp_path):
    script = Script(ok({"n": 1}))
    client, _ = make_client(tmp_path, script)
    client.get_json("S", "http://x/a", params={"q": 1}, ttl=60)
    again = client.get_json("S", "http://x/a", params={"q": 1}, ttl=60)
    assert again.from_cache and again.data == {"n": 1}
    assert len(script.requests) == 1


def test_cache_is_shared_between_clients_and_expires_by_ttl(tmp_path):
    first, _ = make_client(tmp_path, Script(ok({"n": 1})))
    first.get_json("S", "http://x/a", ttl=60)
    first.close()
    # Another process: the same file, an older entry.
    cache = ResponseCache(tmp_path / "cache.sqlite3")
    cache.put("http://x/a", {"n": 1}, json.dumps({"n": 1}), now=DAYS_AGO)
    cache.close()
    script = Script(ok({"n": 2}))
    second, _ = make_client(tmp_path, script)
    assert second.get_json("S", "http://x/a", ttl=3600 * 24 * 365 * 100).data == {"n": 1}
    assert second.get_json("S", "http://x/a", ttl=60).data == {"n": 2}
    assert len(script.requests) == 1


def test_offline_answers_from_cache_and_says_how_old(tmp_path):
    cache = ResponseCache(tmp_path / "cache.sqlite3")
    import time

    cache.put("http://x/a", [1], "[1]", now=time.time() - 600)
    cache.close()
    notes: list[str] = []
    script = Script(ok([2]))
    client, _ = make_client(tmp_path, script, offline=True, notes=notes)
    got = client.get_json("CoinGecko", "http://x/a", ttl=60)
    assert got.data == [1] and got.stale
    assert notes == ["offline: CoinGecko data from the cache, 10 min old"]
    assert script.requests == []
    with pytest.raises(SourceError, match="no cached data"):
        client.get_json("CoinGecko", "http://x/other", ttl=60)


def test_offline_says_how_old_even_fresh_data_is_but_not_for_reference_lists(tmp_path):
    cache = ResponseCache(tmp_path / "cache.sqlite3")
    import time

    cache.put("http://x/price", [1], "[1]", now=time.time() - 20)
    cache.put("http://x/list", [2], "[2]", now=time.time() - 7200)
    cache.close()
    notes: list[str] = []
    client, _ = make_client(tmp_path, Script(ok([0])), offline=True, notes=notes)
    got = client.get_json("CoinGecko", "http://x/price", ttl=60)
    assert got.data == [1] and not got.stale
    assert client.get_json("CoinGecko", "http://x/list", ttl=86400, note_age=False).data == [2]
    assert notes == ["offline: CoinGecko data from the cache, 20 s old"]


def test_stale_is_the_cached_body_whatever_its_age(tmp_path):
    cache = ResponseCache(tmp_path / "cache.sqlite3")
    cache.put("http://x/a?ids=b", [1], "[1]", now=DAYS_AGO)
    cache.close()
    notes: list[str] = []
    client, _ = make_client(tmp_path, Script(ok([0])), notes=notes)
    got = client.stale("http://x/a", params={"ids": "b"}, reason="CoinGecko: down")
    assert got is not None and got.stale and got.data == [1]
    assert notes[0].startswith("CoinGecko: down; showing cached data from ")
    assert notes[0].endswith("ago (stale)")
    assert client.stale("http://x/a", params={"ids": "c"}, reason="x") is None


def test_failed_source_falls_back_to_stale_cache_with_a_note(tmp_path):
    cache = ResponseCache(tmp_path / "cache.sqlite3")
    cache.put("http://x/a", [1], "[1]", now=DAYS_AGO)
    cache.close()
    notes: list[str] = []
    client, _ = make_client(tmp_path, Script(httpx.Response(503)), retries=0, notes=notes)
    got = client.get_json("CoinGecko", "http://x/a", ttl=60)
    assert got.stale and got.data == [1]
    assert "(stale)" in notes[0] and "HTTP 503" in notes[0]
    with pytest.raises(SourceError):
        client.get_json("CoinGecko", "http://x/a", ttl=60, allow_stale=False)


def test_cache_files_are_private(tmp_path):
    client, _ = make_client(tmp_path, Script(ok([1])))
    client.get_json("S", "http://x/a", ttl=60)
    files = list(tmp_path.glob("cache.sqlite3*"))  # with the WAL and shared-memory files
    assert len(files) == 3 and all(f.stat().st_mode & 0o077 == 0 for f in files)


def test_cached_variants_of_a_url_newest_first(tmp_path):
    cache = ResponseCache(tmp_path / "cache.sqlite3")
    cache.put("http://x/p?ids=a&vs=usd", {"a": 1}, '{"a": 1}', now=DAYS_AGO + 10)
    cache.put("http://x/p?ids=b&vs=usd", {"b": 2}, '{"b": 2}', now=DAYS_AGO + 20)
    cache.put("http://x/pp?ids=c", {"c": 3}, '{"c": 3}', now=DAYS_AGO + 30)
    cache.close()
    client, _ = make_client(tmp_path, Script(ok([0])))
    assert client.cached_variants("http://x/p") == [
        ({"ids": "b", "vs": "usd"}, DAYS_AGO + 20, {"b": 2}),
        ({"ids": "a", "vs": "usd"}, DAYS_AGO + 10, {"a": 1})]
