"""Faults that heal: bad bodies never cached, rate limits bounded per command and remembered,
secret headers kept on their host, bad base URLs as usage errors."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from mobius_cli.errors import ExitCode, SourceError, UsageError
from mobius_cli.providers import http
from mobius_cli.providers.cache import ResponseCache
from mobius_cli.providers.http import BadResponse, HttpClient, RetryPolicy
from tests.http_script import RATE_LIMITED, Script

PRICE_URL = "http://cg/api/v3/simple/price"




def make_client(tmp_path, script, *, retries=3, max_rate_wait=30.0, notes=None,
                settings=None, transport=True):
    slept: list[float] = []
    client = HttpClient(
        ResponseCache(tmp_path / "cache.sqlite3"), timeout=1.0,
        policy=RetryPolicy(retries=retries, max_rate_wait=max_rate_wait, rand=lambda: 1.0),
        on_note=(notes.append if notes is not None else None), sleep=slept.append,
        transport=httpx.MockTransport(script) if transport else None, settings=settings)
    return client, slept


def ok(body) -> httpx.Response:
    return httpx.Response(200, json=body)


def needs_prices(body) -> None:
    """A validator like the ones providers pass: a non-empty mapping of coin -> prices."""
    if not isinstance(body, dict) or not body:
        raise BadResponse("no prices in the reply")


def rows_in(tmp_path) -> int:
    cache = ResponseCache(tmp_path / "cache.sqlite3")
    try:
        return cache.info()["entries"]
    finally:
        cache.close()


# --- bad bodies: retried once, never cached --------------------------------------------


def test_bad_response_is_a_source_error_with_exit_1():
    err = BadResponse("no prices in the reply")
    assert isinstance(err, SourceError) and err.exit_code == ExitCode.SOURCE
    assert err.message == "no prices in the reply" and str(err) == "no prices in the reply"


def test_a_body_the_validator_rejects_is_retried_once_and_never_cached(tmp_path):
    script = Script(ok({}))
    client, slept = make_client(tmp_path, script)
    with pytest.raises(BadResponse) as err:
        client.get_json("CoinGecko", PRICE_URL, params={"ids": "bitcoin"}, ttl=60,
                        validate=needs_prices)
    assert err.value.message == ("CoinGecko: bad response (no prices in the reply); "
                                 "same after a retry")
    assert err.value.detail == "{}"
    assert len(script.requests) == 2 and len(slept) == 1
    client.close()
    assert rows_in(tmp_path) == 0


def test_a_rejected_body_then_a_good_one_recovers_and_only_the_good_one_is_cached(tmp_path):
    good = {"bitcoin": {"usd": 86000}}
    script = Script(ok({}), ok(good))
    client, _ = make_client(tmp_path, script)
    got = client.get_json("CoinGecko", PRICE_URL, ttl=60, validate=needs_prices)
    assert got.data == good and not got.from_cache
    assert client.get_json("CoinGecko", PRICE_URL, ttl=60, validate=needs_prices).from_cache
    assert len(script.requests) == 2
    client.close()
    cache = ResponseCache(tmp_path / "cache.sqlite3")
    assert cache.get(PRICE_URL)[1] == good


@pytest.mark.parametrize("bad", [
    httpx.Response(200, text=""),
    httpx.Response(200, text="<!DOCTYPE html><html>Just a moment...</html>"),
    httpx.Response(200, text='{"bitcoin": {"usd": 8'),
])
def test_an_empty_html_or_truncated_body_on_a_cold_cache_is_retried(tmp_path, bad):
    script = Script(bad, ok([1, 2]))
    client, _ = make_client(tmp_path, script)
    assert client.get_json("alternative.me", "http://fng/fng/", ttl=60).data == [1, 2]
    assert len(script.requests) == 2


def test_without_a_validator_an_empty_object_is_accepted(tmp_path):
    client, _ = make_client(tmp_path, Script(ok({})))
    assert client.get_json("S", "http://x/a", ttl=60).data == {}


def test_an_empty_reply_cached_before_validation_is_ignored_and_replaced(tmp_path):
    """An old `{}` in the cache (stored by an earlier version) must not answer for a day."""
    cache = ResponseCache(tmp_path / "cache.sqlite3")
    cache.put(PRICE_URL, {}, "{}")
    cache.close()
    good = {"bitcoin": {"usd": 1}}
    script = Script(ok(good))
    client, _ = make_client(tmp_path, script)
    assert client.get_json("CoinGecko", PRICE_URL, ttl=86400, validate=needs_prices).data == good
    assert len(script.requests) == 1


def test_a_rejected_cached_body_is_not_served_as_stale(tmp_path):
    cache = ResponseCache(tmp_path / "cache.sqlite3")
    cache.put(PRICE_URL, {}, "{}", now=time.time() - 3600)
    cache.close()
    client, _ = make_client(tmp_path, Script(httpx.Response(503)), retries=0)
    with pytest.raises(SourceError, match="HTTP 503"):
        client.get_json("CoinGecko", PRICE_URL, ttl=60, validate=needs_prices)
    assert client.stale(PRICE_URL, reason="down", validate=needs_prices) is None


def test_a_bad_body_falls_back_to_a_valid_stale_entry(tmp_path):
    cache = ResponseCache(tmp_path / "cache.sqlite3")
    cache.put(PRICE_URL, {"bitcoin": {"usd": 1}}, '{"bitcoin": {"usd": 1}}',
              now=time.time() - 600)
    cache.close()
    notes: list[str] = []
    client, _ = make_client(tmp_path, Script(ok({})), notes=notes)
    got = client.get_json("CoinGecko", PRICE_URL, ttl=60, validate=needs_prices)
    assert got.stale and got.data == {"bitcoin": {"usd": 1}}
    assert notes == ["CoinGecko: bad response (no prices in the reply); same after a retry; "
                     "showing cached data from 10 min ago (stale)"]


# --- rate limits: one budget per command, remembered across processes ------------------


def limited(retry_after: str | None = "5") -> httpx.Response:
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    return httpx.Response(429, json=RATE_LIMITED, headers=headers)


def test_the_wait_budget_is_shared_by_all_requests_of_a_command(tmp_path):
    script = Script(limited("12"), ok([1]), limited("12"), ok([2]), limited("12"), ok([3]))
    client, slept = make_client(tmp_path, script, max_rate_wait=30)
    assert client.get_json("CoinGecko", "http://cg/a", ttl=60).data == [1]
    assert client.get_json("CoinGecko", "http://cg/b", ttl=60).data == [2]
    with pytest.raises(SourceError) as err:
        client.get_json("CoinGecko", "http://cg/c", ttl=60)
    assert slept == [12.0, 12.0]  # a third 12 s wait would pass 30 s in total
    assert err.value.message == ("CoinGecko: rate limited (HTTP 429): it asks to wait 12 s, "
                                 "and this command already waited 24 s of max_retry_wait (30 s)")


def test_a_429_storm_on_price_btc_eth_is_bounded_per_command(tmp_path):
    """`price BTC ETH` under a steady `429, Retry-After: 5`: was 121 s and 28 requests."""
    script = Script(limited("5"))
    client, slept = make_client(tmp_path, script, max_rate_wait=30)
    base = "http://cg/api/v3"
    errors = []
    # What `price BTC ETH` asks for: the ranked list (once per coin resolved), the prices.
    for path, params in [("/coins/markets", {"page": 1}), ("/coins/markets", {"page": 1}),
                         ("/simple/price", {"ids": "bitcoin,ethereum"})]:
        with pytest.raises(SourceError) as err:
            client.get_json("CoinGecko", base + path, params=params, ttl=60)
        errors.append(err.value.message)
    assert sum(slept) <= 5 and len(script.requests) <= 2
    assert errors == ["CoinGecko: rate limited (HTTP 429) 2 times in a row "
                      "(it asked to wait 5 s each time)"] * 3
    assert err.value.hint == "try again later, or add an API key with `mobius keys set coingecko`"


def test_the_next_command_does_not_hammer_a_source_that_just_said_429(tmp_path):
    first, _ = make_client(tmp_path, Script(limited("30")), max_rate_wait=10)
    with pytest.raises(SourceError, match="asks to wait 30 s"):
        first.get_json("CoinGecko", "http://cg/a", ttl=60)
    first.close()
    # A new process: same cache file, a source that would answer now.
    script = Script(ok([1]))
    second, slept = make_client(tmp_path, script)
    with pytest.raises(SourceError) as err:
        second.get_json("CoinGecko", "http://cg/b", ttl=60)
    assert script.requests == [] and slept == []
    assert err.value.message.startswith(
        "CoinGecko: rate limited (HTTP 429) just now (it asked to wait 30 s); not asking "
        "again for ")
    assert "mobius keys set coingecko" in err.value.hint


def test_after_a_storm_the_source_stays_paused_longer_than_it_asked(tmp_path, monkeypatch):
    first, _ = make_client(tmp_path, Script(limited("5")))
    with pytest.raises(SourceError, match="2 times in a row"):
        first.get_json("CoinGecko", "http://cg/a", ttl=60)
    first.close()
    start = time.time()
    script = Script(ok([1]))
    monkeypatch.setattr(http.time, "time", lambda: start + 6)  # past the 5 s it asked
    second, slept = make_client(tmp_path, script)
    with pytest.raises(SourceError, match=r"\(it asked to wait 5 s\); not asking again"):
        second.get_json("CoinGecko", "http://cg/a", ttl=60)
    assert script.requests == [] and slept == []
    monkeypatch.setattr(http.time, "time", lambda: start + http.RATE_LIMIT_PAUSE + 1)
    assert second.get_json("CoinGecko", "http://cg/a", ttl=60).data == [1]


def test_a_remembered_rate_limit_serves_stale_data_when_there_is_some(tmp_path):
    cache = ResponseCache(tmp_path / "cache.sqlite3")
    cache.put("http://cg/a", [7], "[7]", now=time.time() - 120)
    cache.set_rate_limit("CoinGecko", time.time() + 60, time.time(), None)
    cache.close()
    notes: list[str] = []
    script = Script(ok([1]))
    client, _ = make_client(tmp_path, script, notes=notes)
    got = client.get_json("CoinGecko", "http://cg/a", ttl=60)
    assert got.stale and got.data == [7] and script.requests == []
    assert notes[0].startswith("CoinGecko: rate limited (HTTP 429) just now "
                               "(no Retry-After sent); not asking again for ")


def test_a_remembered_rate_limit_that_ends_soon_is_waited_out(tmp_path, monkeypatch):
    now = 1_800_000_000.0
    monkeypatch.setattr(http.time, "time", lambda: now)
    cache = ResponseCache(tmp_path / "cache.sqlite3")
    cache.set_rate_limit("CoinGecko", now + 2.5, now - 2.5, 5.0)
    cache.close()
    script = Script(ok([1]))
    client, slept = make_client(tmp_path, script)
    assert client.get_json("CoinGecko", "http://cg/a", ttl=60).data == [1]
    assert slept == [2.5] and len(script.requests) == 1
    assert client.cache.rate_limit("CoinGecko") is None  # answered: forgotten


def test_a_rate_limit_is_forgotten_once_it_ends_and_the_source_answers(tmp_path, monkeypatch):
    first, _ = make_client(tmp_path, Script(limited("60")), max_rate_wait=5)
    with pytest.raises(SourceError):
        first.get_json("CoinGecko", "http://cg/a", ttl=60)
    first.close()
    later = time.time() + 61
    monkeypatch.setattr(http.time, "time", lambda: later)
    script = Script(ok([1]))
    second, _ = make_client(tmp_path, script)
    assert second.get_json("CoinGecko", "http://cg/a", ttl=60).data == [1]
    assert second.cache.rate_limit("CoinGecko") is None


def test_rate_limits_are_remembered_per_source(tmp_path):
    first, _ = make_client(tmp_path, Script(limited("60")), max_rate_wait=5)
    with pytest.raises(SourceError):
        first.get_json("CoinGecko", "http://cg/a", ttl=60)
    first.close()
    script = Script(ok({"fine": True}))
    second, _ = make_client(tmp_path, script)
    assert second.get_json("DeFiLlama", "http://llama/a", ttl=60).data == {"fine": True}


def test_without_retry_after_the_messages_do_not_claim_the_server_asked(tmp_path):
    notes: list[str] = []
    script = Script(limited(None))
    client, _ = make_client(tmp_path, script, notes=notes)
    client.policy.base_delay = 2.0  # long enough to be announced
    with pytest.raises(SourceError) as err:
        client.get_json("DeFiLlama", "http://llama/a", ttl=60)
    assert err.value.message == ("DeFiLlama: rate limited (HTTP 429) 2 times in a row "
                                 "(no Retry-After sent)")
    assert err.value.hint == "try again later"  # DeFiLlama takes no API key
    assert notes == ["DeFiLlama is rate limiting (HTTP 429); waiting 2 s"]
    assert all("as it asks" not in note for note in notes)


def test_with_retry_after_the_note_says_the_server_asked(tmp_path):
    notes: list[str] = []
    client, _ = make_client(tmp_path, Script(limited("3"), ok([1])), notes=notes)
    client.get_json("CoinGecko", "http://cg/a", ttl=60)
    assert notes == ["CoinGecko is rate limiting (HTTP 429); waiting 3 s as it asks"]


# --- secret headers stay on their host ------------------------------------------------

SECRETS = {"x-cg-demo-api-key": "CG-secretdemo123", "Authorization": "Bearer t0ken"}


def redirecting(location: str, status: int = 302):
    """Redirect the first request, answer the second with the headers it got."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/start":
            return httpx.Response(status, headers={"location": location})
        return ok({"host": request.url.host, "path": request.url.path})

    return answer


@pytest.mark.parametrize(("start", "target", "keeps"), [
    ("https://api.coingecko.com/start", "https://evil.example/next", False),
    ("https://api.coingecko.com/start", "https://api.coingecko.com.evil.example/next", False),
    ("https://api.coingecko.com/start", "http://api.coingecko.com/next", False),  # downgrade
    ("https://api.coingecko.com/start", "https://api.coingecko.com:8443/next", False),
    ("https://api.coingecko.com/start", "/next", True),
    ("https://api.coingecko.com/start", "https://api.coingecko.com/next", True),
    ("http://api.coingecko.com/start", "https://api.coingecko.com/next", True),  # upgrade
])
def test_secret_headers_are_dropped_on_a_redirect_to_another_host(tmp_path, start, target,
                                                                  keeps):
    script = Script(redirecting(target))
    client, _ = make_client(tmp_path, script)
    got = client.get_json("CoinGecko", start, ttl=60, headers=dict(SECRETS))
    assert got.data["path"] == "/next"
    first, second = script.requests
    assert first.headers["x-cg-demo-api-key"] == "CG-secretdemo123"
    assert ("x-cg-demo-api-key" in second.headers) is keeps
    assert ("authorization" in second.headers) is keeps
    assert second.headers["user-agent"].startswith("mobius/")
    assert client.cache.get(http.cache_key(start, None)) is not None  # cached under the asked URL


def test_a_post_redirected_to_another_host_keeps_its_body_but_not_its_key(tmp_path):
    script = Script(redirecting("https://other.example/next", status=307))
    client, _ = make_client(tmp_path, script)
    client.post_json("webhook", "https://hooks.example/start", {"text": "hi"},
                     headers={"Authorization": "Bearer t0ken"})
    first, second = script.requests
    assert second.method == "POST" and json.loads(second.content) == {"text": "hi"}
    assert "authorization" not in second.headers and first.headers["authorization"]


def test_too_many_redirects_is_a_source_error(tmp_path):
    script = Script(lambda request: httpx.Response(302, headers={"location": "/start"}))
    client, _ = make_client(tmp_path, script)
    with pytest.raises(SourceError, match="too many redirects"):
        client.get_json("CoinGecko", "http://cg/start", ttl=60)
    assert len(script.requests) == http.MAX_REDIRECTS + 1


class _Recorder(BaseHTTPRequestHandler):
    """A loopback server: /start redirects to `target`, anything else records headers."""

    target = ""
    seen: list[dict[str, str]]

    def do_GET(self):
        if self.path.startswith("/start"):
            self.send_response(302)
            self.send_header("Location", self.target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.seen.append({k.lower(): v for k, v in self.headers.items()})
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _serve(seen: list, target: str = "") -> ThreadingHTTPServer:
    handler = type("Handler", (_Recorder,), {"seen": seen, "target": target})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                     daemon=True).start()
    return server


def test_secret_headers_do_not_follow_a_redirect_between_two_loopback_servers(tmp_path):
    seen_a: list = []
    seen_b: list = []
    other = _serve(seen_b)
    first = _serve(seen_a, target=f"http://127.0.0.1:{other.server_port}/next")
    try:
        client, _ = make_client(tmp_path, None, transport=False)
        got = client.get_json("CoinGecko", f"http://127.0.0.1:{first.server_port}/start",
                              ttl=60, headers={"x-cg-pro-api-key": "CG-prokey999"})
        assert got.data == {"ok": True}
        assert seen_a == [] and len(seen_b) == 1
        assert "x-cg-pro-api-key" not in seen_b[0]
        client.close()
    finally:
        first.shutdown()
        other.shutdown()


# --- a malformed base URL is a usage error naming where it came from -------------------


class StubSettings:
    """Just what the client asks of Settings to name a bad URL."""

    def __init__(self, values: dict[str, str], origin: str):
        self.values = values
        self.origin = origin

    def get(self, key):
        return self.values.get(key, "https://default.example")

    def source_of(self, key):
        return self.origin if key in self.values else "default"


def test_a_malformed_url_from_the_environment_names_the_variable(tmp_path):
    settings = StubSettings({"coingecko_url": "http://[::1"}, "env MOBIUS_COINGECKO_URL")
    client, _ = make_client(tmp_path, Script(ok([1])), settings=settings)
    with pytest.raises(UsageError) as err:
        client.get_json("CoinGecko", "http://[::1/simple/price", ttl=60)
    assert err.value.exit_code == ExitCode.USAGE
    assert err.value.message.startswith(
        "CoinGecko: invalid URL 'http://[::1/simple/price' in environment variable "
        "MOBIUS_COINGECKO_URL (for coingecko_url): ")
    assert err.value.hint == "fix or unset MOBIUS_COINGECKO_URL"


def test_a_malformed_url_from_the_config_names_the_key(tmp_path):
    settings = StubSettings({"rpc_url": "http://user:pw@[::1"}, "config")
    client, _ = make_client(tmp_path, Script(ok([1])), settings=settings)
    with pytest.raises(UsageError) as err:
        client.json_rpc("ethereum node", "http://user:pw@[::1", "eth_gasPrice", [])
    assert "in config key rpc_url" in err.value.message
    assert "user:pw" not in err.value.message and "***" in err.value.message
    assert err.value.hint == "fix it with `mobius config set rpc_url URL`"


def test_a_url_without_a_host_is_a_usage_error_not_a_retried_connection(tmp_path):
    client, slept = make_client(tmp_path, None, transport=False)
    with pytest.raises(UsageError, match="invalid URL 'http:///path'"):
        client.get_json("S", "http:///path", ttl=60)
    assert slept == []


def test_a_redirect_to_an_unusable_url_is_the_source_s_fault(tmp_path):
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "ftp":  # what httpx's real transport does
            raise httpx.UnsupportedProtocol("Request URL has an unsupported protocol 'ftp://'.")
        return redirecting("ftp://files.example/next")(request)

    client, _ = make_client(tmp_path, Script(answer))
    with pytest.raises(SourceError, match="redirected to an unusable URL") as err:
        client.get_json("CoinGecko", "http://cg/start", ttl=60)
    assert not isinstance(err.value, UsageError)


def test_a_new_command_on_a_long_lived_client_gets_a_fresh_wait_budget(tmp_path):
    script = Script(limited("20"), ok([1]), limited("20"), ok([2]))
    client, slept = make_client(tmp_path, script, max_rate_wait=30)
    assert client.get_json("CoinGecko", "http://cg/a", ttl=60).data == [1]
    client.new_command()  # e.g. the next REPL turn
    assert client.get_json("CoinGecko", "http://cg/b", ttl=60).data == [2]
    assert slept == [20.0, 20.0]


def test_probes_in_parallel_neither_retry_nor_change_the_client_policy(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    def answer(request: httpx.Request) -> httpx.Response:
        time.sleep(0.01)
        if request.url.host == "limited":
            return limited("5")
        return httpx.Response(503) if request.url.host == "down" else ok({"gecko_says": "hi"})

    script = Script(answer)
    client, slept = make_client(tmp_path, script)
    policy = client.policy
    urls = ["http://limited/ping", "http://down/ping", "http://up/ping"] * 4
    with ThreadPoolExecutor(max_workers=6) as pool:
        problems = list(pool.map(lambda url: client.probe("S", url)[0], urls))
    assert problems[:3] == ["S: rate limited (HTTP 429): it asks to wait 5 s",
                            "S: server error (HTTP 503); gave up after 1 attempt", None]
    assert problems == problems[:3] * 4
    assert len(script.requests) == len(urls) and slept == []
    assert client.policy is policy and client.policy.retries == 3


def test_a_key_holder_is_not_told_to_add_a_key(tmp_path):
    client, _ = make_client(tmp_path, Script(limited("120")))
    with pytest.raises(SourceError) as err:
        client.get_json("CoinGecko", "http://cg/a", ttl=60,
                        headers={"x-cg-demo-api-key": "CG-abcdefgh12"})
    assert err.value.hint == "try again later (your API key's plan sets this limit)"
