"""The shared HTTP client: timeouts, bounded retries, Retry-After, and the disk cache.

GET (`get_json`, cached and validated), POST (`post_json`, never cached) and JSON-RPC 2.0
(`json_rpc`, single or batch) share one retry loop. Secret headers go only to the host a
request was made to; redirects are followed by hand so a cross-host hop drops them.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from mobius_cli import __version__
from mobius_cli.errors import SourceError, UsageError
from mobius_cli.providers.cache import ResponseCache
from mobius_cli.providers.urls import is_secret_header, mask_url

__all__ = ["BadResponse", "Fetched", "HttpClient", "HttpStatusError", "JsonRpcError",
           "RetryPolicy", "mask_url"]

if TYPE_CHECKING:
    import httpx

    from mobius_cli.settings import Settings

# Time-to-live by kind of data, in seconds.
TTL_PRICES = 60.0
TTL_LISTS = 24 * 3600.0
TTL_METADATA = 3600.0
TTL_GLOBAL = 300.0
# After a source stays unreachable through all retries, skip it for this long.
GIVE_UP_SECONDS = 60.0
# A 429 without Retry-After keeps the source paused (across processes) for this long, and
# a source that kept answering 429 through the retries at least this long.
RATE_LIMIT_PAUSE = 30.0
# A remembered rate limit ending within this many seconds is waited out, not failed.
SHORT_RATE_WAIT = 3.0
MAX_REDIRECTS = 5
# Sources that take an API key, and how to add one (named in rate-limit hints).
KEY_HINTS: dict[str, str] = {"CoinGecko": "mobius keys set coingecko"}


def join_url(base: str, path: str) -> str:
    """Join a base URL that may carry a path with an endpoint path."""
    return base.rstrip("/") + "/" + path.lstrip("/")


def _rpc_cache_key(url: str, payload: Any) -> str:
    """The cache key of a JSON-RPC call: a digest, since node URLs often hold an API key."""
    import hashlib

    text = url + "\n" + json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return "rpc:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _rpc_failed(reply: Any) -> bool:
    """True when a reply (one object or a batch) carries a node error: never cached."""
    items = reply if isinstance(reply, list) else [reply]
    return any(isinstance(item, dict) and item.get("error") is not None for item in items)


def cache_key(url: str, params: dict[str, Any] | None) -> str:
    """A stable key for a GET: the URL and its sorted query (never any header)."""
    if not params:
        return url
    return url + "?" + urlencode(sorted((k, str(v)) for k, v in params.items()))


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


@dataclass
class RetryPolicy:
    """How often and how long to retry.

    Rate limits (429) wait as long as the server asks, but never more than
    `max_rate_wait` seconds in total per client (one command), and at most `rate_retries`
    times per request; server errors and dropped connections are retried `retries` times
    with jittered exponential backoff. Each timed-out attempt costs the whole timeout, so
    timeouts are retried at most `timeout_retries` times. An empty, non-JSON or rejected
    body is retried `bad_body_retries` times.
    """

    retries: int = 3
    timeout_retries: int = 1
    max_rate_wait: float = 30.0
    rate_retries: int = 1
    bad_body_retries: int = 1
    base_delay: float = 0.5
    max_delay: float = 8.0
    rand: Callable[[], float] = field(default=random.random, repr=False)

    def backoff(self, attempt: int) -> float:
        """Delay before retry number `attempt` (0-based): full jitter in [d/2, d]."""
        delay = min(self.max_delay, self.base_delay * 2**attempt)
        return delay * (0.5 + self.rand() / 2)

    def rate_limit_delay(self, retry_after: float | None, waited: float,
                         attempt: int) -> float | None:
        """Delay before retrying a 429, or None when the total wait would exceed the bound."""
        delay = retry_after if retry_after is not None else self.backoff(attempt)
        if waited + delay > self.max_rate_wait:
            return None
        return delay


def _error_message(response: httpx.Response) -> str:
    """The message a source put in its error body, in any of its known shapes."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        status = body.get("status")
        if isinstance(status, dict) and status.get("error_message"):
            return str(status["error_message"])
        for key in ("error", "message"):
            if isinstance(body.get(key), str):
                return body[key]
    return ""


class HttpStatusError(SourceError):
    """A source answered with an error status that retrying cannot fix (4xx)."""

    def __init__(self, source: str, status: int, message: str):
        super().__init__(source, f"HTTP {status}" + (f": {message}" if message else ""))
        self.status = status
        self.server_message = message


class BadResponse(SourceError):
    """A body that is empty, not JSON, or of the wrong shape: never cached, exit 1.

    Validators passed to `HttpClient.get_json(validate=...)` raise `BadResponse(reason)`
    with a short reason ("no prices in the reply"); the client retries once and then
    raises `<source>: bad response (<reason>); same after a retry`.
    """

    def __init__(self, message: str, *, source: str = "", hint: str | None = None,
                 detail: str | None = None):
        super().__init__(source, message, hint=hint, detail=detail)
        self.reason = message
        if not source:
            self.message = message
            self.args = (message,)


class JsonRpcError(SourceError):
    """A JSON-RPC node answered with an `error` object: its message and code, exit 1."""

    def __init__(self, source: str, code: int | None, message: str, data: Any = None):
        text = message or "error"
        super().__init__(source, text + (f" (code {code})" if code is not None else ""),
                         detail=None if data is None else str(data)[:200])
        self.code = code
        self.rpc_message = message
        self.data = data


class RateLimited(SourceError):
    """A source kept answering 429 (or still is, as remembered from an earlier command)."""


class _GaveUp(SourceError):
    """A source stayed unreachable (timeouts, dropped connections, 5xx) through all retries."""


@dataclass
class Fetched:
    """A JSON body and how old it is."""

    data: Any
    age: float = 0.0
    from_cache: bool = False
    stale: bool = False


def _rate_hint(source: str, headers: dict[str, str] | None) -> str:
    """Suggest an API key only to sources that take one, and only when none was sent."""
    how = KEY_HINTS.get(source)
    if how is None:
        return "try again later"
    if headers and any(is_secret_header(name) for name in headers):
        return "try again later (your API key's plan sets this limit)"
    return f"try again later, or add an API key with `{how}`"


def _same_site(origin: httpx.URL, target: httpx.URL) -> bool:
    """Whether a redirect stays on the host the request was made to (an upgrade to
    https on the same host counts; a downgrade or another port does not)."""
    if origin.host != target.host:
        return False
    if origin.scheme == target.scheme:
        return origin.port == target.port
    return origin.scheme == "http" and target.scheme == "https" and target.port is None


def _bad_body_reason(text: str) -> str:
    if not text.strip():
        return "an empty reply"
    if text.lstrip()[:1] == "<":
        return "an HTML page instead of JSON"
    return "truncated or malformed JSON"


class HttpClient:
    """One per command: every source fetches through `get_json`, `post_json`, `json_rpc`."""

    def __init__(self, cache: ResponseCache, *, timeout: float = 10.0,
                 policy: RetryPolicy | None = None, offline: bool = False,
                 on_note: Callable[[str], None] | None = None,
                 sleep: Callable[[float], None] | None = None,
                 transport: httpx.BaseTransport | None = None,
                 settings: Settings | None = None):
        self.cache = cache
        self.timeout = timeout
        self.policy = policy or RetryPolicy()
        self.offline = offline
        self.on_note = on_note or (lambda message: None)
        self.sleep = sleep or time.sleep
        self._transport = transport
        self._settings = settings
        self._client: httpx.Client | None = None
        # source -> (when it gave up, the error): later requests to it fail fast for a while
        self._gave_up: dict[str, tuple[float, SourceError]] = {}
        # seconds spent waiting on 429s by this client, across all its requests
        self.rate_waited = 0.0
        # source -> remembered rate limit (loaded from the cache db on first request)
        self._limits: dict[str, tuple[float, float, float | None] | None] = {}
        # source -> the rate-limit error this client gave up with (repeated until it ends)
        self._rate_gave_up: dict[str, RateLimited] = {}
        # sources whose "offline: ... from the cache" note this command has already shown
        self._offline_noted: set[str] = set()

    @classmethod
    def from_settings(cls, settings: Settings, *, offline: bool = False,
                      on_note: Callable[[str], None] | None = None) -> HttpClient:
        policy = RetryPolicy(retries=settings.get("retries"),
                             max_rate_wait=settings.get("max_retry_wait"))
        return cls(ResponseCache(settings.paths.cache_db), timeout=settings.get("timeout"),
                   policy=policy, offline=offline, on_note=on_note, settings=settings)

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            import httpx  # only when a request goes out: cached answers never load it

            self._client = httpx.Client(
                timeout=self.timeout,
                headers={"User-Agent": f"mobius/{__version__}", "Accept": "application/json"},
                follow_redirects=False,  # followed by hand in `_send`
                transport=self._transport,
            )
        return self._client

    def new_command(self) -> None:
        """Start a new command on a long-lived client (a REPL turn): a fresh 429 wait budget.
        Rate limits still in force (remembered in the cache db) keep applying."""
        self.rate_waited = 0.0
        self._rate_gave_up.clear()
        self._offline_noted.clear()

    def note_offline(self, source: str, age: float) -> None:
        """'offline: X data from the cache, N old', once per source and command (`market`
        reads two cached responses: one note, not two)."""
        if source not in self._offline_noted:
            self._offline_noted.add(source)
            self.on_note(f"offline: {source} data from the cache, {describe_age(age)} old")

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        self.cache.close()

    def probe(self, source: str, url: str, headers: dict[str, str] | None = None,
              json_body: Any = None) -> tuple[str | None, float]:
        """One uncached GET (a POST of `json_body` when given, e.g. a JSON-RPC call) with
        no retries: (the problem or None, seconds taken).

        Safe to run from several threads at once (doctor checks sources in parallel)."""
        policy = RetryPolicy(retries=0, max_rate_wait=0, rate_retries=0, bad_body_retries=0)
        started = time.perf_counter()
        try:
            self._attempts(source, "GET" if json_body is None else "POST", url, params=None,
                           headers=headers, json_body=json_body, policy=policy)
            problem = None
        except SourceError as exc:
            problem = exc.message
        return problem, time.perf_counter() - started

    # --- GET, cached -----------------------------------------------------------------

    def get_json(self, source: str, url: str, *, params: dict[str, Any] | None = None,
                 ttl: float, headers: dict[str, str] | None = None,
                 allow_stale: bool = True, note_age: bool = True,
                 validate: Callable[[Any], None] | None = None,
                 store: bool = True) -> Fetched:
        """GET a JSON body: fresh from the cache, else from the source, else stale.

        `store=False` leaves the body out of the response cache (a caller that keeps its
        own compact copy of a multi-megabyte list).

        `validate(body)` raises `BadResponse` for a body of the wrong shape: such a body
        (like an empty or non-JSON one) is retried once and never cached, and a cached body
        it rejects is ignored. Offline, any cached body answers and a note says how old it
        is (`note_age=False` keeps quiet about reference data such as the coin index).
        """
        key = cache_key(url, params)
        cached = self._valid(self.cache.get(key), validate) if store else None
        now = time.time()
        if cached is not None:
            age = max(0.0, now - cached[0])
            if self.offline:
                if note_age:
                    self.note_offline(source, age)
                return Fetched(cached[1], age, from_cache=True, stale=age >= ttl)
            if age < ttl:
                return Fetched(cached[1], age, from_cache=True)
        if self.offline:
            raise SourceError(source, "no cached data for this request (offline)",
                              hint="run it once online first")
        try:
            data, body = self._fetch(source, "GET", url, params=params, headers=headers,
                                     validate=validate)
        except HttpStatusError:
            raise
        except SourceError as exc:
            if cached is None or not allow_stale:
                raise
            return self._stale(cached, exc.message, now)
        if store:
            self.cache.put(key, data, body)
        return Fetched(data)

    @staticmethod
    def _valid(entry: tuple[float, Any] | None, validate: Callable[[Any], None] | None
               ) -> tuple[float, Any] | None:
        """A cached entry, or None when the validator rejects it (stored before checks)."""
        if entry is None or validate is None:
            return entry
        try:
            validate(entry[1])
        except BadResponse:
            return None
        return entry

    def cached_variants(self, url: str) -> list[tuple[dict[str, str], float, Any]]:
        """(query, stored_at, body) of every cached GET of `url`, newest first: what offline
        use can assemble an answer from when the exact request was never made."""
        from urllib.parse import parse_qsl

        found = [(dict(parse_qsl(key[len(url) + 1:])), stored_at, data)
                 for key, stored_at, data in self.cache.with_prefix(url + "?")]
        return sorted(found, key=lambda entry: entry[1], reverse=True)

    def stale(self, url: str, *, params: dict[str, Any] | None = None,
              reason: str, validate: Callable[[Any], None] | None = None) -> Fetched | None:
        """The cached body whatever its age, noted as stale, or None: a last resort."""
        cached = self._valid(self.cache.get(cache_key(url, params)), validate)
        return None if cached is None else self._stale(cached, reason, time.time())

    def _stale(self, cached: tuple[float, Any], reason: str, now: float) -> Fetched:
        age = max(0.0, now - cached[0])
        self.on_note(f"{reason}; showing cached data from {describe_age(age)} ago (stale)")
        return Fetched(cached[1], age, from_cache=True, stale=True)

    # --- POST and JSON-RPC, never cached ---------------------------------------------

    def post_json(self, source: str, url: str, body: Any, *,
                  headers: dict[str, str] | None = None, retry: bool = False) -> Any:
        """POST `body` as JSON; returns the parsed JSON reply, None for an empty one, or
        the text of a non-JSON one (webhooks often answer 'ok' or 204).

        Without `retry` only failures where nothing reached the server (refused
        connection, connect timeout, 429) are retried; with it, 5xx and dropped
        connections too. 4xx is `HttpStatusError`. Never cached; refused offline.
        """
        self._refuse_offline(source)
        return self._fetch(source, "POST", url, headers=headers, json_body=body,
                           retry=retry, parse=_lenient_json)[0]

    def json_rpc(self, source: str, url: str, method: str | None = None,
                 params: list[Any] | dict[str, Any] | None = None, *,
                 batch: Sequence[tuple[str, list[Any] | dict[str, Any] | None]] | None = None,
                 headers: dict[str, str] | None = None, ttl: float | None = None) -> Any:
        """A JSON-RPC 2.0 call: `json_rpc(src, url, "eth_gasPrice", [])` returns its
        `result`; `json_rpc(src, url, batch=[(method, params), ...])` sends one batch and
        returns the results in the order asked. An `error` object from the node is a
        `JsonRpcError` ("<source>: execution reverted (code -32000)"). Reads are safe to
        repeat, so failures are retried.

        With `ttl` the reply is cached (keyed by a hash of the URL and the calls, so a key
        in the node's URL is not written down) and answers offline, with a note of its
        age; without it the call is never cached and refused offline.
        """
        if batch is None:
            if not method:
                raise ValueError("json_rpc needs a method or a batch")
            payload: Any = _rpc_call(1, method, params)
        else:
            if not batch:
                return []
            payload = [_rpc_call(i, m, p) for i, (m, p) in enumerate(batch)]
        expected = None if batch is None else len(batch)

        def check(data: Any) -> None:
            _check_rpc(data, expected)

        reply = None
        key = _rpc_cache_key(url, payload) if ttl is not None else None
        if key is not None:
            cached = self._valid(self.cache.get(key), check)
            age = None if cached is None else max(0.0, time.time() - cached[0])
            if cached is not None and age is not None and (self.offline or age < ttl):
                if self.offline:
                    self.note_offline(source, age)
                reply = cached[1]
            elif self.offline:
                raise SourceError(source, "no cached data for this request (offline)",
                                  hint="run it once online first")
        else:
            self._refuse_offline(source)
        if reply is None:
            reply, body = self._fetch(source, "POST", url, headers=headers, json_body=payload,
                                      retry=True, validate=check, rpc=True)
            if key is not None and not _rpc_failed(reply):
                self.cache.put(key, reply, body)
        if batch is None or isinstance(reply, dict):  # a batch refused as a whole
            return _rpc_result(source, reply)
        by_id = {item["id"]: item for item in reply}
        return [_rpc_result(source, by_id[i]) for i in range(len(batch))]

    def _refuse_offline(self, source: str) -> None:
        if self.offline:
            raise SourceError(source, "not sent: offline mode makes no network requests",
                              hint="run it without --offline")

    # --- the retry loop --------------------------------------------------------------

    def _fetch(self, source: str, method: str, url: str, *,
               params: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
               json_body: Any = None, retry: bool = True,
               validate: Callable[[Any], None] | None = None,
               parse: Callable[[str], Any] | None = None, rpc: bool = False
               ) -> tuple[Any, str]:
        """One logical request with the retry policy; returns (parsed, text).

        When a source is unreachable after all retries (or keeps rate limiting), further
        requests to it in the next `GIVE_UP_SECONDS` fail at once instead of waiting
        through the retries again; after a rate limit, until the time it asked for.
        """
        gave_up = self._gave_up.get(source)
        if gave_up is not None and time.monotonic() - gave_up[0] < GIVE_UP_SECONDS:
            raise gave_up[1]
        self._check_rate_limit(source, headers)
        try:
            return self._attempts(source, method, url, params=params, headers=headers,
                                  json_body=json_body, retry=retry, validate=validate,
                                  parse=parse, rpc=rpc)
        except _GaveUp as exc:
            self._gave_up[source] = (time.monotonic(), exc)
            raise
        except RateLimited as exc:
            self._rate_gave_up[source] = exc
            raise

    def _attempts(self, source: str, method: str, url: str, *,
                  params: dict[str, Any] | None, headers: dict[str, str] | None,
                  json_body: Any = None, retry: bool = True,
                  validate: Callable[[Any], None] | None = None,
                  parse: Callable[[str], Any] | None = None, rpc: bool = False,
                  policy: RetryPolicy | None = None) -> tuple[Any, str]:
        import httpx

        policy = policy or self.policy
        failures = timeouts = rate_limited = bad_bodies = 0
        asked_each: set[float | None] = set()
        while True:
            problem: str
            sent = True  # False when the request surely never reached the server
            try:
                response = self._send(source, method, url, params, headers, json_body)
            except httpx.TimeoutException as exc:
                problem = f"timed out after {self.timeout:g} s"
                timeouts += 1
                sent = not isinstance(exc, httpx.ConnectTimeout)
            except httpx.TransportError as exc:
                problem = f"cannot connect ({type(exc).__name__})"
                sent = not isinstance(exc, httpx.ConnectError)
            else:
                status = response.status_code
                if status == 429:
                    asked = parse_retry_after(response.headers.get("retry-after"))
                    asked_each.add(asked)
                    delay = (None if rate_limited >= policy.rate_retries else
                             policy.rate_limit_delay(asked, self.rate_waited, rate_limited))
                    # Remembered for other requests and processes. On giving up, the source
                    # stays paused a while even if it asked for less, so the next commands
                    # do not start the same storm again.
                    self._remember_rate_limit(
                        source, asked,
                        pause=None if delay is not None else max(asked or 0.0, RATE_LIMIT_PAUSE))
                    if delay is None:
                        message = _rate_limit_message(policy, asked, rate_limited, asked_each,
                                                      self.rate_waited)
                        raise RateLimited(source, message, hint=_rate_hint(source, headers))
                    rate_limited += 1
                    if delay >= 2:
                        self.on_note(f"{source} is rate limiting (HTTP 429); waiting "
                                     f"{delay:.0f} s" + (" as it asks" if asked is not None
                                                         else ""))
                    self.sleep(delay)
                    self.rate_waited += delay
                    continue
                self._forget_rate_limit(source)
                if status >= 500:
                    problem = f"server error (HTTP {status})"
                elif status >= 400:
                    if rpc:
                        _raise_rpc_error_body(source, response)
                    raise HttpStatusError(source, status, _error_message(response))
                else:
                    try:
                        return self._decode(source, response, validate, parse)
                    except BadResponse as exc:
                        if bad_bodies >= policy.bad_body_retries or not retry:
                            if bad_bodies:
                                exc.message += "; same after a retry"
                                exc.args = (exc.message,)
                            raise
                        bad_bodies += 1
                        self.sleep(policy.backoff(0))
                        continue
            allowed = retry or not sent
            if (not allowed or failures >= policy.retries
                    or timeouts > policy.timeout_retries):
                attempts = failures + 1
                raise _GaveUp(source, f"{problem}; gave up after {attempts} attempt"
                                  f"{'s' if attempts > 1 else ''}",
                                  hint="check your connection or try again later")
            delay = policy.backoff(failures)
            failures += 1
            self.sleep(delay)

    def _send(self, source: str, method: str, url: str, params: dict[str, Any] | None,
              headers: dict[str, str] | None, json_body: Any) -> httpx.Response:
        """Send one request, following redirects by hand: secret headers (keys, tokens,
        Authorization, cookies) never leave the host the request was made to."""
        import httpx


        try:
            request = self.client.build_request(
                method, url, params=params, headers=headers,
                json=json_body if method != "GET" else None)
        except httpx.InvalidURL as exc:
            raise self._bad_url(source, url, str(exc)) from None
        origin = request.url
        target = url
        for _ in range(MAX_REDIRECTS + 1):
            try:
                response = self.client.send(request)
            except httpx.UnsupportedProtocol as exc:
                if target != url:  # the source redirected somewhere unusable
                    raise SourceError(source, f"redirected to an unusable URL "
                                      f"{mask_url(target)!r}") from None
                raise self._bad_url(source, target, str(exc)) from None
            nxt = response.next_request
            if nxt is None:
                return response
            response.close()
            if not _same_site(origin, nxt.url):
                for name in [n for n in nxt.headers if is_secret_header(n)]:
                    del nxt.headers[name]
            request, target = nxt, str(nxt.url)
        raise SourceError(source, f"too many redirects (more than {MAX_REDIRECTS})",
                          detail=mask_url(str(request.url)))

    def _bad_url(self, source: str, url: str, problem: str) -> UsageError:
        """A URL httpx cannot use, named by the setting (and env var) it came from."""
        shown = mask_url(url)
        setting = self._setting_for(url)
        if setting is None:
            return UsageError(f"{source}: invalid URL {shown!r} ({problem})")
        key, origin = setting
        if origin.startswith("env "):
            var = origin[4:]
            return UsageError(f"{source}: invalid URL {shown!r} in environment variable {var} "
                              f"(for {key}): {problem}",
                              hint=f"fix or unset {var}")
        return UsageError(f"{source}: invalid URL {shown!r} in config key {key}: {problem}",
                          hint=f"fix it with `mobius config set {key} URL`")

    def _setting_for(self, url: str) -> tuple[str, str] | None:
        """(config key, where its value came from) of the base URL `url` starts with."""
        if self._settings is None:
            return None
        from mobius_cli import env

        best: tuple[int, str, str] | None = None
        for key in env.SOURCE_URLS:
            try:
                base = str(self._settings.get(key))
                origin = self._settings.source_of(key)
            except Exception:
                continue
            if base and url.startswith(base) and (best is None or len(base) > best[0]):
                best = (len(base), key, origin)
        return None if best is None else (best[1], best[2])

    @staticmethod
    def _decode(source: str, response: httpx.Response,
                validate: Callable[[Any], None] | None,
                parse: Callable[[str], Any] | None) -> tuple[Any, str]:
        text = response.text
        if parse is not None:
            return parse(text), text
        try:
            data = json.loads(text)
        except ValueError:
            raise BadResponse(f"bad response ({_bad_body_reason(text)})", source=source,
                              hint="the service may be down; try again later",
                              detail=text[:200] or None) from None
        if validate is not None:
            try:
                validate(data)
            except BadResponse as exc:
                raise BadResponse(f"bad response ({exc.reason})", source=source,
                                  hint="the service may be having trouble; try again later",
                                  detail=text[:200]) from None
        return data, text

    # --- rate limits remembered across requests and processes ------------------------

    def _rate_limit(self, source: str) -> tuple[float, float, float | None] | None:
        """(until, when noted, Retry-After asked or None) of a remembered 429, or None."""
        if source not in self._limits:
            self._limits[source] = self.cache.rate_limit(source)
        return self._limits[source]

    def _check_rate_limit(self, source: str, headers: dict[str, str] | None) -> None:
        """Before a request: wait out a short remembered 429, or fail fast on a long one
        (or on any, once this client has given up on the source's rate limit)."""
        limit = self._rate_limit(source)
        if limit is None:
            return
        until, noted, asked = limit
        now = time.time()
        remaining = until - now
        if remaining <= 0:
            return
        if source in self._rate_gave_up:
            raise self._rate_gave_up[source]
        budget = self.policy.max_rate_wait - self.rate_waited
        if remaining <= min(SHORT_RATE_WAIT, budget):
            if remaining >= 2:
                self.on_note(f"{source} is rate limiting (HTTP 429); waiting {remaining:.0f} s")
            self.sleep(remaining)
            self.rate_waited += remaining
            return
        said = (f"it asked to wait {asked:.0f} s" if asked is not None
                else "no Retry-After sent")
        ago = "just now" if now - noted < 1 else f"{describe_age(now - noted)} ago"
        raise RateLimited(source, f"rate limited (HTTP 429) {ago} ({said}); not asking "
                          f"again for {describe_age(remaining)}",
                          hint=_rate_hint(source, headers))

    def _remember_rate_limit(self, source: str, asked: float | None, *,
                             pause: float | None = None) -> None:
        """Note a 429 (in the cache db, for other processes too): the source is paused for
        `pause` seconds, by default what it asked, or `RATE_LIMIT_PAUSE` without Retry-After."""
        now = time.time()
        if pause is None:
            pause = asked if asked is not None else RATE_LIMIT_PAUSE
        entry = (now + pause, now, asked)
        self._limits[source] = entry
        self.cache.set_rate_limit(source, *entry)

    def _forget_rate_limit(self, source: str) -> None:
        if self._limits.get(source) is not None:
            self._limits[source] = None
            self.cache.clear_rate_limit(source)

def _rate_limit_message(policy: RetryPolicy, asked: float | None, retried: int,
                        asked_each: set[float | None], waited: float) -> str:
    """Why a command gave up on a 429, saying only what the server actually sent."""
    said = f"it asks to wait {asked:.0f} s" if asked is not None else "no Retry-After sent"
    if policy.rate_retries == 0:  # a probe: one attempt, nothing waited
        return f"rate limited (HTTP 429): {said}"
    bound = f"max_retry_wait ({policy.max_rate_wait:g} s)"
    if asked is not None and asked > policy.max_rate_wait:
        return f"rate limited (HTTP 429): {said}, more than {bound}"
    if retried >= policy.rate_retries:
        if asked_each == {None}:
            each = "no Retry-After sent"
        elif len(asked_each) == 1:
            each = f"it asked to wait {asked:.0f} s each time"
        else:
            each = "it asked to wait each time"
        return f"rate limited (HTTP 429) {retried + 1} times in a row ({each})"
    if asked is not None:
        return f"rate limited (HTTP 429): {said}, and this command already waited " \
               f"{waited:.0f} s of {bound}"
    return f"rate limited (HTTP 429) for longer than {bound}"


def _lenient_json(text: str) -> Any:
    """JSON when the body is JSON, None when empty, else the text itself."""
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _rpc_call(call_id: int, method: str, params: list[Any] | dict[str, Any] | None
              ) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": call_id, "method": method,
            "params": [] if params is None else params}


def _check_rpc(data: Any, expected: int | None) -> None:
    """A JSON-RPC reply's shape: one response object, or one per call of a batch."""
    def one(item: Any) -> None:
        if not isinstance(item, dict) or not ("result" in item or "error" in item):
            raise BadResponse("not a JSON-RPC response")

    if expected is None or (isinstance(data, dict) and "error" in data):
        one(data)  # a single call, or a batch refused as a whole
        return
    if not isinstance(data, list) or len(data) != expected:
        raise BadResponse(f"expected {expected} JSON-RPC responses")
    for item in data:
        one(item)
    if sorted(item.get("id") for item in data if isinstance(item.get("id"), int)) != list(
            range(expected)):
        raise BadResponse("JSON-RPC response ids do not match the calls")


def _rpc_result(source: str, item: Any) -> Any:
    error = item.get("error") if isinstance(item, dict) else None
    if error is not None:
        if isinstance(error, dict):
            code = error.get("code")
            raise JsonRpcError(source, code if isinstance(code, int) else None,
                               str(error.get("message") or ""), error.get("data"))
        raise JsonRpcError(source, None, str(error))
    return item.get("result")


def _raise_rpc_error_body(source: str, response: httpx.Response) -> None:
    """Nodes often send a JSON-RPC error with HTTP 4xx: raise it with the node's words."""
    try:
        body = response.json()
    except ValueError:
        return
    if isinstance(body, list) and body:
        body = body[0]
    if isinstance(body, dict) and body.get("error") is not None:
        _rpc_result(source, body)


def describe_age(seconds: float) -> str:
    """'42 s', '3 min', '5 h', '2 days'."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"
