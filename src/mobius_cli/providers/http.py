"""The shared HTTP client: timeouts, bounded retries, Retry-After, and the disk cache."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx

from mobius_cli import __version__
from mobius_cli.errors import SourceError
from mobius_cli.providers.cache import ResponseCache

if TYPE_CHECKING:
    from mobius_cli.settings import Settings

# Time-to-live by kind of data, in seconds.
TTL_PRICES = 60.0
TTL_LISTS = 24 * 3600.0
TTL_METADATA = 3600.0
TTL_GLOBAL = 300.0
# After a source stays unreachable through all retries, skip it for this long.
GIVE_UP_SECONDS = 60.0


def join_url(base: str, path: str) -> str:
    """Join a base URL that may carry a path with an endpoint path."""
    return base.rstrip("/") + "/" + path.lstrip("/")


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
    `max_rate_wait` seconds in total; server errors and dropped connections are retried
    `retries` times with jittered exponential backoff. Each timed-out attempt costs the
    whole timeout, so timeouts are retried at most `timeout_retries` times.
    """

    retries: int = 3
    timeout_retries: int = 1
    max_rate_wait: float = 30.0
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


class _GaveUp(SourceError):
    """A source stayed unreachable (timeouts, dropped connections, 5xx) through all retries."""


@dataclass
class Fetched:
    """A JSON body and how old it is."""

    data: Any
    age: float = 0.0
    from_cache: bool = False
    stale: bool = False


class HttpClient:
    """One per process: every source fetches JSON through `get_json`."""

    def __init__(self, cache: ResponseCache, *, timeout: float = 10.0,
                 policy: RetryPolicy | None = None, offline: bool = False,
                 on_note: Callable[[str], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 transport: httpx.BaseTransport | None = None):
        self.cache = cache
        self.timeout = timeout
        self.policy = policy or RetryPolicy()
        self.offline = offline
        self.on_note = on_note or (lambda message: None)
        self.sleep = sleep
        self._transport = transport
        self._client: httpx.Client | None = None
        # source -> (when it gave up, the error): later requests to it fail fast for a while
        self._gave_up: dict[str, tuple[float, SourceError]] = {}

    @classmethod
    def from_settings(cls, settings: Settings, *, offline: bool = False,
                      on_note: Callable[[str], None] | None = None) -> HttpClient:
        policy = RetryPolicy(retries=settings.get("retries"),
                             max_rate_wait=settings.get("max_retry_wait"))
        return cls(ResponseCache(settings.paths.cache_db), timeout=settings.get("timeout"),
                   policy=policy, offline=offline, on_note=on_note)

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=self.timeout,
                headers={"User-Agent": f"mobius/{__version__}", "Accept": "application/json"},
                follow_redirects=True,
                transport=self._transport,
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        self.cache.close()

    def probe(self, source: str, url: str, headers: dict[str, str] | None = None
              ) -> tuple[str | None, float]:
        """One uncached GET with no retries: (the problem or None, seconds taken)."""
        policy, self.policy = self.policy, RetryPolicy(retries=0, max_rate_wait=0)
        started = time.perf_counter()
        try:
            self._fetch_with_retries(source, url, None, headers)
            problem = None
        except SourceError as exc:
            problem = exc.message
        finally:
            self.policy = policy
        return problem, time.perf_counter() - started

    def get_json(self, source: str, url: str, *, params: dict[str, Any] | None = None,
                 ttl: float, headers: dict[str, str] | None = None,
                 allow_stale: bool = True, note_age: bool = True) -> Fetched:
        """GET a JSON body: fresh from the cache, else from the source, else stale.

        Offline, any cached body answers and a note says how old it is (`note_age=False`
        keeps quiet about reference data such as the coin index).
        """
        key = cache_key(url, params)
        cached = self.cache.get(key)
        now = time.time()
        if cached is not None:
            age = max(0.0, now - cached[0])
            if self.offline:
                if note_age:
                    self.on_note(f"offline: {source} data from the cache, "
                                 f"{describe_age(age)} old")
                return Fetched(cached[1], age, from_cache=True, stale=age >= ttl)
            if age < ttl:
                return Fetched(cached[1], age, from_cache=True)
        if self.offline:
            raise SourceError(source, "no cached data for this request (offline)",
                              hint="run it once online first")
        try:
            data, body = self._fetch(source, url, params, headers)
        except HttpStatusError:
            raise
        except SourceError as exc:
            if cached is None or not allow_stale:
                raise
            return self._stale(cached, exc.message, now)
        self.cache.put(key, data, body)
        return Fetched(data)

    def cached_variants(self, url: str) -> list[tuple[dict[str, str], float, Any]]:
        """(query, stored_at, body) of every cached GET of `url`, newest first: what offline
        use can assemble an answer from when the exact request was never made."""
        from urllib.parse import parse_qsl

        found = [(dict(parse_qsl(key[len(url) + 1:])), stored_at, data)
                 for key, stored_at, data in self.cache.with_prefix(url + "?")]
        return sorted(found, key=lambda entry: entry[1], reverse=True)

    def stale(self, url: str, *, params: dict[str, Any] | None = None,
              reason: str) -> Fetched | None:
        """The cached body whatever its age, noted as stale, or None: a last resort."""
        cached = self.cache.get(cache_key(url, params))
        return None if cached is None else self._stale(cached, reason, time.time())

    def _stale(self, cached: tuple[float, Any], reason: str, now: float) -> Fetched:
        age = max(0.0, now - cached[0])
        self.on_note(f"{reason}; showing cached data from {describe_age(age)} ago (stale)")
        return Fetched(cached[1], age, from_cache=True, stale=True)

    def _fetch(self, source: str, url: str, params: dict[str, Any] | None,
               headers: dict[str, str] | None) -> tuple[Any, str]:
        """One logical request with the retry policy; returns (parsed, text).

        When a source is unreachable after all retries, further requests to it in the
        next `GIVE_UP_SECONDS` fail at once instead of waiting through the retries again.
        """
        gave_up = self._gave_up.get(source)
        if gave_up is not None and time.monotonic() - gave_up[0] < GIVE_UP_SECONDS:
            raise gave_up[1]
        try:
            return self._fetch_with_retries(source, url, params, headers)
        except _GaveUp as exc:
            self._gave_up[source] = (time.monotonic(), exc)
            raise

    def _fetch_with_retries(self, source: str, url: str, params: dict[str, Any] | None,
                            headers: dict[str, str] | None) -> tuple[Any, str]:
        policy = self.policy
        waited = 0.0
        failures = 0
        timeouts = 0
        rate_limited = 0
        while True:
            problem: str
            try:
                response = self.client.get(url, params=params, headers=headers)
            except httpx.TimeoutException:
                problem = f"timed out after {self.timeout:g} s"
                timeouts += 1
            except httpx.TransportError as exc:
                problem = f"cannot connect ({type(exc).__name__})"
            else:
                status = response.status_code
                if status == 429:
                    asked = parse_retry_after(response.headers.get("retry-after"))
                    delay = policy.rate_limit_delay(asked, waited, rate_limited)
                    rate_limited += 1
                    if delay is None:
                        raise SourceError(source, _rate_limit_message(asked, policy),
                                          hint="try again later, or add an API key with "
                                          "`mobius keys set`")
                    if delay >= 2:
                        self.on_note(f"{source} is rate limiting (HTTP 429); "
                                     f"waiting {delay:.0f} s as it asks")
                    self.sleep(delay)
                    waited += delay
                    continue
                if status >= 500:
                    problem = f"server error (HTTP {status})"
                elif status >= 400:
                    raise HttpStatusError(source, status, _error_message(response))
                else:
                    return self._decode(source, response)
            if failures >= policy.retries or timeouts > policy.timeout_retries:
                attempts = failures + 1
                raise _GaveUp(source, f"{problem}; gave up after {attempts} attempt"
                                  f"{'s' if attempts > 1 else ''}",
                                  hint="check your connection or try again later")
            delay = policy.backoff(failures)
            failures += 1
            self.sleep(delay)

    @staticmethod
    def _decode(source: str, response: httpx.Response) -> tuple[Any, str]:
        text = response.text
        try:
            return json.loads(text), text
        except ValueError:
            kind = ("an HTML page instead of JSON" if text.lstrip()[:1] == "<"
                    else "truncated or malformed JSON")
            raise SourceError(source, f"bad response ({kind})",
                              hint="the service may be down; try again later",
                              detail=text[:200]) from None


def _rate_limit_message(asked: float | None, policy: RetryPolicy) -> str:
    bound = f"max_retry_wait ({policy.max_rate_wait:g} s)"
    if asked is not None and asked > policy.max_rate_wait:
        return f"rate limited (HTTP 429): it asks to wait {asked:.0f} s, more than {bound}"
    return f"rate limited (HTTP 429) for longer than {bound}"


def describe_age(seconds: float) -> str:
    """'42 s', '3 min', '5 h', '2 days'."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"
