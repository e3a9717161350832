"""A loopback fake of CoinGecko, DeFiLlama and alternative.me for end-to-end tests.

One ThreadingHTTPServer on 127.0.0.1 serves every API under its own path prefix (see
`PREFIXES`); response bodies follow /work/shared/reference/api/*.md and come from the
recorded-style JSON files in tests/fixtures/, or from deterministic generators (charts,
protocol and pool histories). Tests program faults per path prefix and read back every
request. Use the `fake_apis` fixture, or `with FakeApis() as fake:`.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import itertools
import json
import math
import os
import socket
import threading
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from tests.runner import MOBIUS_BIN, run_cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# 2026-11-21T12:49:21Z: the moment the fixtures were "recorded"; generated data ends here.
SNAPSHOT = 1795265361
DAY = 86400

# API name -> path prefix on the fake server.
PREFIXES = {
    "coingecko": "/cg/api/v3",
    "llama_coins": "/llama-coins",
    "defillama": "/llama",
    "yields": "/yields",
    "fng": "/fng-api",
    "rpc": "/rpc",  # JSON-RPC nodes, one per chain: /rpc/<chain>
}
# Environment variable -> API name.
ENV_VARS = {
    "MOBIUS_COINGECKO_URL": "coingecko",
    "MOBIUS_LLAMA_COINS_URL": "llama_coins",
    "MOBIUS_DEFILLAMA_URL": "defillama",
    "MOBIUS_YIELDS_URL": "yields",
    "MOBIUS_FNG_URL": "fng",
}
# EVM chains the JSON-RPC fake serves: name -> (chain id, base fee gwei, p10/p50/p90 tip gwei).
RPC_CHAINS = {
    "ethereum": (1, 10.63, (0.05, 0.5, 2.0)),
    "arbitrum": (42161, 0.01, (0.0, 0.0, 0.0)),
    "optimism": (10, 0.0012, (0.0001, 0.001, 0.01)),
    "base": (8453, 0.005, (0.001, 0.01, 0.05)),
    "polygon": (137, 30.0, (25.0, 30.0, 45.0)),
    "bsc": (56, 0.0, (0.1, 0.1, 1.0)),
    "avalanche": (43114, 1.2, (0.0, 0.5, 1.5)),
}

CG_JSON = "application/json; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
HTML = "text/html; charset=UTF-8"

RATE_LIMIT_BODY = {"status": {
    "error_code": 429,
    "error_message": "You've exceeded the Rate Limit. Please visit "
                     "https://www.coingecko.com/en/api/pricing to subscribe to our API plans "
                     "for higher rate limits."}}
MISSING_KEY_BODY = {"status": {
    "timestamp": "2026-11-21T12:49:21.599+00:00", "error_code": 10002,
    "error_message": "API Key Missing. Please make sure you're using the right authentication "
                     "method. For Pro API, please visit: "
                     "https://docs.coingecko.com/reference/authentication."}}

CLOUDFLARE_HTML = """<!DOCTYPE html>
<!--[if lt IE 7]> <html class="no-js ie6 oldie" lang="en-US"> <![endif]-->
<html class="no-js" lang="en-US">
<head>
<title>api.coingecko.com | 502: Bad gateway</title>
<meta charset="UTF-8" />
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<meta name="robots" content="noindex, nofollow" />
</head>
<body>
<div id="cf-wrapper">
  <div id="cf-error-details" class="p-0">
    <header class="mx-auto pt-10 lg:pt-6 lg:px-8 w-240 lg:w-full mb-8">
      <h1 class="inline-block sm:block sm:mb-2 font-light text-60 lg:text-4xl">
        <span class="inline-block">Bad gateway</span>
        <span class="code-label">Error code 502</span>
      </h1>
      <div>Visit <a href="https://www.cloudflare.com/5xx-error-landing">cloudflare.com</a>
        for more information.</div>
      <div class="mt-3">2026-11-21 12:49:21 UTC</div>
    </header>
  </div>
  <div class="cf-error-footer cf-wrapper">
    <p>Cloudflare Ray ID: <strong class="font-semibold">8e1f2a3b4c5d6e7f</strong></p>
  </div>
</div>
</body>
</html>
"""

# Crypto vs_currencies that are coins: code -> (coin id, units per coin).
QUOTE_COINS = {
    "btc": ("bitcoin", 1.0), "eth": ("ethereum", 1.0), "ltc": ("litecoin", 1.0),
    "bch": ("bitcoin-cash", 1.0), "bnb": ("binancecoin", 1.0), "xrp": ("ripple", 1.0),
    "xlm": ("stellar", 1.0), "link": ("chainlink", 1.0), "dot": ("polkadot", 1.0),
    "sol": ("solana", 1.0), "bits": ("bitcoin", 1e6), "sats": ("bitcoin", 1e8),
}
PERIODS = ("1h", "24h", "7d", "14d", "30d", "200d", "1y")
PERIOD_SECONDS = {"1h": 3600, "24h": DAY, "7d": 7 * DAY, "14d": 14 * DAY, "30d": 30 * DAY,
                  "200d": 200 * DAY, "1y": 365 * DAY}
STABLES = {"usdt", "usdc", "usde", "dai"}
MARKET_ORDERS = ("market_cap_desc", "market_cap_asc", "volume_desc", "volume_asc",
                 "id_asc", "id_desc")
PLATFORMS = {
    "tether": {"ethereum": "0xdac17f958d2ee523a2206206994597c13d831ec7",
               "tron": "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"},
    "usd-coin": {"ethereum": "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48",
                 "solana": "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"},
    "chainlink": {"ethereum": "0x514910771af9ca656af840dff83e8264ecf986ca"},
    "uniswap": {"ethereum": "0x1f9840a85d5af5bf1d1762f925bdaddc4201f984"},
    "aave": {"ethereum": "0x7fc66500c84a76ad7e9c93437bfc5ac33e2ddae9"},
    "shiba-inu": {"ethereum": "0x95ad61b0a150d79219dcf64e1e6cc01f0b64c4ce"},
    "pepe": {"ethereum": "0x6982508145454ce325ddbe47a25d4ec3d2311933"},
    "dai": {"ethereum": "0x6b175474e89094c44da98b954eedeac495271d0f"},
    "ethena-usde": {"ethereum": "0x4c9edd5852cd905f086c759e8383e09bff1e68b3"},
    "arbitrum": {"arbitrum-one": "0x912ce59144191c1204e64559fe8253a0e49e6548"},
    "optimism": {"optimistic-ethereum": "0x4200000000000000000000000000000000000042"},
    "bonk": {"solana": "DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263"},
    "pudgy-penguins": {"solana": "2zMMhcVQEXDtdE6vsFS7S7D5oUodfJHE8vd1gnBouauv"},
    "floki": {"ethereum": "0xcf0c122c6b73ff809c693db761e7baebe62b6a2e"},
    "polygon-ecosystem-token": {"ethereum": "0x455e53cbb86018ac2b8092fdcd39d8444affc3f6"},
    "tokamak-network": {"ethereum": "0x2be5e8c109e2197d077d13a82daead6a9b3433c5"},
    "ethereum-wormhole": {"solana": "7vfCXTUXx5WJV5JADk17DUJ4ksgau7utNKj4b963voxs"},
    "uniswap-wormhole": {"solana": "8FU95xFJhUUkyyCLU13HSzDLs7oC4QZdXQHL6SCeab36"},
    "batcat": {"ethereum": "0x52a8845df664d76c69d2eea607cd793565af42b8"},
    "render-token": {"solana": "rndrizKT3MK1iimdxRdWabcF7Zg7AR5T4nud4EkHBof"},
}
GENESIS = {"bitcoin": "2009-01-03", "ethereum": "2015-07-30", "litecoin": "2011-10-07",
           "dogecoin": "2013-12-08", "monero": "2014-04-18", "bitcoin-cash": "2017-08-01",
           "cardano": "2017-09-23", "solana": "2020-03-16", "polkadot": "2020-05-26"}
DESCRIPTIONS = {
    "ethereum": "Ethereum is a global, open-source platform for decentralized applications.",
    "solana": "Solana is a Layer 1 blockchain built for fast, low-cost transactions.",
    "tether": "Tether (USDT) is a stablecoin pegged 1:1 to the US dollar.",
    "usd-coin": "USDC is a fully collateralized US dollar stablecoin issued by Circle.",
    "dogecoin": "Dogecoin is a cryptocurrency based on the popular \"Doge\" Internet meme.",
    "pepe": "PEPE is a deflationary memecoin launched on Ethereum.",
    "uniswap": "UNI is the governance token for Uniswap, an automated market maker DEX.",
    "the-open-network": "The Open Network (TON) is a Layer 1 blockchain designed by Telegram.",
    "tokamak-network": "Tokamak Network is a Layer 2 platform for Ethereum (ticker TON).",
}


@functools.cache
def _load(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def load_fixture(name: str) -> Any:
    """A fresh copy of tests/fixtures/<name> (the `.json` suffix is optional)."""
    if not name.endswith(".json"):
        name += ".json"
    return json.loads(_load(name))  # parsing again is twice as fast as a deep copy


def sig(value: float, digits: int = 6) -> float | int:
    """Round like CoinGecko: ~6 significant digits; large whole values become integers."""
    if value == 0 or not math.isfinite(value):
        return 0 if value == 0 else value
    rounded = round(value, digits - 1 - math.floor(math.log10(abs(value))))
    return round(rounded) if abs(rounded) >= 10000 else rounded


def iso_ms(ts: float) -> str:
    """ISO-8601 with milliseconds and Z, as CoinGecko writes dates."""
    dt = datetime.fromtimestamp(ts, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> int:
    """Unix seconds of an ISO-8601 date or date-time."""
    if len(text) == 10:
        text += "T00:00:00Z"
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def path_matches(prefix: str | None, path: str, api_path: str | None = None) -> bool:
    """Segment-wise prefix match against the full path or the path inside its API.

    `/simple` matches `/cg/api/v3/simple/price`; `/llama` does not match `/llama-coins/...`.
    """
    if prefix is None or prefix in ("", "/"):
        return True
    prefix = prefix.split("?", 1)[0]
    stem = prefix if prefix.endswith("/") else prefix + "/"
    for candidate in (path, api_path):
        if candidate is not None and (candidate == prefix or candidate.startswith(stem)
                                      or candidate + "/" == prefix):
            return True
    return False


@dataclass
class Request:
    """One request the fake received."""

    method: str
    path: str
    api: str | None
    api_path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""
    raw_query: str = ""
    time: float = 0.0
    fault: str | None = None

    def header(self, name: str) -> str | None:
        """A request header, case-insensitively."""
        return self.headers.get(name.lower())


@dataclass
class Fault:
    """A programmed misbehaviour for requests under `prefix`; `times=None` means forever."""

    kind: str
    prefix: str
    times: int | None = 1
    status: int = 200
    body: Any = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    hits: int = 0

    @property
    def active(self) -> bool:
        """True while the fault has uses left."""
        return self.times is None or self.hits < self.times


@dataclass
class Reply:
    """An HTTP response to send."""

    status: int
    body: bytes
    content_type: str = CG_JSON
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(obj: Any, status: int = 200, content_type: str = CG_JSON,
               headers: dict[str, str] | None = None) -> Reply:
    """Compact JSON, as the real servers send it."""
    body = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return Reply(status, body, content_type, dict(headers or {}))


def text_reply(text: str, status: int = 200, content_type: str = TEXT) -> Reply:
    """A plain-text body (DeFiLlama errors)."""
    return Reply(status, text.encode("utf-8"), content_type)


_AUTO: Any = object()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    fake: FakeApis

    def shutdown(self) -> None:
        """Stop at once: serve_forever only looks at the stop flag between requests or
        every poll interval (25 ms on average at every test's end), so set the flag and
        wake it with a connection."""
        self._BaseServer__shutdown_request = True  # type: ignore[attr-defined]
        with contextlib.suppress(OSError):
            socket.create_connection(self.server_address[:2], timeout=1).close()
        super().shutdown()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 60
    # Headers and body go out as two writes: with Nagle's algorithm the body waits for the
    # client's delayed ACK of the headers (13 ms a request on average, most of a test's time).
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    def do_HEAD(self) -> None:
        self.server.fake._handle(self)

    def do_POST(self) -> None:
        self.server.fake._handle(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeApis:
    """The loopback fake of every data source Mobius reads."""

    def __init__(self, *, now: int = SNAPSHOT, host: str = "127.0.0.1") -> None:
        self.now = now
        self.host = host
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self.api_key: str | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        # Mutable copies of the recorded data, so a test can change what the fake serves.
        rows = load_fixture("coingecko_markets") + load_fixture("coingecko_markets_more")
        self.markets: dict[str, dict[str, Any]] = {r["id"]: r for r in rows}
        self.coins_list: list[dict[str, Any]] = load_fixture("coingecko_coins_list")
        self.supported: list[str] = load_fixture("coingecko_supported_vs_currencies")
        self.rates: dict[str, dict[str, Any]] = load_fixture("coingecko_exchange_rates")["rates"]
        self.global_data: dict[str, Any] = load_fixture("coingecko_global")
        self.trending: dict[str, Any] = load_fixture("coingecko_trending")
        self.fng: dict[str, Any] = load_fixture("fng")
        self.llama_prices: dict[str, Any] = load_fixture("llama_coins_prices")["coins"]
        # DeFi: recorded items, then more shaped alike (parents, non-chain keys, outliers).
        self.protocols: list[dict[str, Any]] = (load_fixture("llama_protocols")
                                                + load_fixture("llama_protocols_more"))
        self.chains: list[dict[str, Any]] = load_fixture("llama_chains")
        self.pools: dict[str, Any] = load_fixture("yields_pools")
        self.pools["data"] += load_fixture("yields_pools_more")
        # JSON-RPC chains: name -> {"chain_id", "head", "base_fees" (wei, one per block and
        # the next block's last), "rewards" ([p10, p50, p90] wei per block)}; see set_fee_history.
        self.rpc_chains: dict[str, dict[str, Any]] = {
            name: _fee_chain(name, *spec) for name, spec in RPC_CHAINS.items()}
        self.rpc_errors: list[dict[str, Any]] = []

    def stamp_fresh(self, when: float | None = None) -> None:
        """Every coin priced now (or at `when`): the fixtures were recorded days ago, and
        alerts and staleness checks judge a price by its age."""
        stamp = iso_ms(time.time() if when is None else when)
        for row in self.markets.values():
            row["last_updated"] = stamp

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> FakeApis:
        """Listen on a free loopback port in a daemon thread."""
        server = _Server((self.host, 0), _Handler)
        server.fake = self
        self._server = server
        self._stop.clear()
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-apis", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port; slow (delayed) handlers are woken."""
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeApis:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- addresses -------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:<port> of the running server."""
        if self._server is None:
            raise RuntimeError("FakeApis is not running")
        return f"http://{self.host}:{self._server.server_address[1]}"

    def url(self, api: str, path: str = "") -> str:
        """Full URL of `path` inside `api` (a key of PREFIXES)."""
        return self.base_url + PREFIXES[api] + path

    @property
    def urls(self) -> dict[str, str]:
        """The MOBIUS_*_URL variables pointing every source at the fake."""
        urls = {var: self.base_url + PREFIXES[api] for var, api in ENV_VARS.items()}
        urls.update(self.rpc_urls)
        return urls

    @property
    def rpc_urls(self) -> dict[str, str]:
        """MOBIUS_RPC_URL (Ethereum) and MOBIUS_RPC_URL_<CHAIN> for every fake chain."""
        return {("MOBIUS_RPC_URL" if chain == "ethereum" else f"MOBIUS_RPC_URL_{chain.upper()}"):
                self.url("rpc", f"/{chain}") for chain in self.rpc_chains}

    def env(self, base_env: Mapping[str, str] | None = None) -> dict[str, str]:
        """A copy of `base_env` (default os.environ) with the fake's URLs set."""
        env = dict(os.environ if base_env is None else base_env)
        env.update(self.urls)
        return env

    def run_mobius(self, *args: str, env: Mapping[str, str] | None = None,
                   input: str | bytes | None = None, timeout: float = 30,
                   subprocess: bool = False) -> CompletedProcess[str]:
        """Run the CLI against this fake; `env` adds or overrides variables.

        In-process by default (tests/runner.py); `subprocess=True` runs the installed
        script as a real process (start-up, signals, pipes, terminals).
        """
        full = self.env()
        full.update(env or {})
        return run_cli(args, full, input, timeout, subprocess=subprocess)

    # --- requests --------------------------------------------------------------------

    def requests_to(self, path_prefix: str | None = None) -> list[Request]:
        """Requests whose path matches `path_prefix` (see `path_matches`)."""
        with self._lock:
            return [r for r in self.requests if path_matches(path_prefix, r.path, r.api_path)]

    def count(self, path_prefix: str | None = None) -> int:
        """How many requests matched `path_prefix` (all when None)."""
        return len(self.requests_to(path_prefix))

    def last(self, path_prefix: str | None = None) -> Request | None:
        """The latest matching request, if any."""
        found = self.requests_to(path_prefix)
        return found[-1] if found else None

    def reset_requests(self) -> None:
        """Forget the recorded requests."""
        with self._lock:
            self.requests.clear()

    # --- faults ----------------------------------------------------------------------

    def _add(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def fail(self, path_prefix: str = "/", status: int = 429, times: int | None = 1,
             retry_after: str | int | None = _AUTO, body: Any = None,
             content_type: str | None = None, headers: Mapping[str, str] | None = None) -> Fault:
        """Answer the next `times` matching requests with `status` (None = always).

        The default body is the real one for that API and status (CoinGecko's 429 JSON,
        DeFiLlama's plain text...). `retry_after` defaults to "1" for 429 and 503.
        """
        extra = dict(headers or {})
        if retry_after is _AUTO:
            retry_after = "1" if status in (429, 503) else None
        if retry_after is not None:
            extra["retry-after"] = str(retry_after)
        return self._add(Fault("status", path_prefix, times, status, body, content_type, extra))

    def respond(self, path_prefix: str, body: Any, status: int = 200, times: int | None = None,
                content_type: str | None = None,
                headers: Mapping[str, str] | None = None) -> Fault:
        """Serve a canned body for matching requests (dict/list → JSON, str/bytes → as is)."""
        return self._add(Fault("status", path_prefix, times, status, body, content_type,
                               dict(headers or {})))

    def fail_html(self, path_prefix: str = "/", status: int = 502,
                  times: int | None = None) -> Fault:
        """A Cloudflare-style HTML error page (status 502, or 200 to fool a JSON parser)."""
        return self._add(Fault("status", path_prefix, times, status, CLOUDFLARE_HTML, HTML,
                               {"server": "cloudflare", "cf-ray": "8e1f2a3b4c5d6e7f-FRA"}))

    def fail_truncated(self, path_prefix: str = "/", times: int | None = None) -> Fault:
        """200 with the normal JSON body cut in half (Content-Length matches the cut)."""
        return self._add(Fault("truncated", path_prefix, times))

    def delay(self, path_prefix: str = "/", seconds: float = 1.0,
              times: int | None = None) -> Fault:
        """Wait `seconds` before the normal response (to trigger client timeouts)."""
        return self._add(Fault("delay", path_prefix, times, seconds=seconds))

    def down(self, path_prefix: str = "/", times: int | None = None) -> Fault:
        """Close the connection without sending any response."""
        return self._add(Fault("down", path_prefix, times))

    def clear_faults(self) -> None:
        """Remove every programmed fault."""
        with self._lock:
            self.faults.clear()

    def require_api_key(self, key: str | None) -> None:
        """Make CoinGecko answer 401 (code 10002) unless the request carries `key`."""
        self.api_key = key

    # --- data helpers ----------------------------------------------------------------

    def set_price(self, coin_id: str, usd: float) -> None:
        """Change a coin's USD price everywhere the fake serves it."""
        row = self.markets[coin_id]
        row["current_price"] = usd
        row["market_cap"] = round(usd * (row["circulating_supply"] or 0))
        llama = self.llama_prices.get(f"coingecko:{coin_id}")
        if llama is not None:
            llama["price"] = usd

    def set_fee_history(self, chain: str, base_fees_wei: list[int],
                        rewards_wei: list[list[int]], head: int = 21_000_000,
                        chain_id: int | None = None) -> None:
        """Serve exactly these blocks for `chain`: `rewards_wei` holds the 10th/50th/90th
        percentile tips of each block, `base_fees_wei` one base fee per block plus the
        projected one of the next block. The newest block is `head`."""
        assert len(base_fees_wei) == len(rewards_wei) + 1
        old = self.rpc_chains.get(chain, {})
        self.rpc_chains[chain] = {"chain_id": chain_id or old.get("chain_id") or 1,
                                  "head": head, "base_fees": list(base_fees_wei),
                                  "rewards": [list(r) for r in rewards_wei]}

    def rpc_error(self, chain: str | None, code: int, message: str, *,
                  method: str | None = None, times: int | None = None,
                  status: int = 200) -> None:
        """Answer JSON-RPC calls of `method` (any when None) on `chain` (any when None)
        with `{"error": {code, message}}` (HTTP `status`), `times` times (None = always)."""
        self.rpc_errors.append({"chain": chain, "code": code, "message": message,
                                "method": method, "times": times, "status": status})

    def use_bulk_defi(self, protocols: int = 3000, pools: int = 20000, seed: int = 7) -> None:
        """Serve generated DeFi data of real size (for benches): `protocols` /protocols
        items and `pools` yield pools shaped like the fixtures, with parents, non-chain
        keys, ~2% outliers, small pools and display-name chains; the fixtures stay first."""
        self.protocols = self.protocols[:] + generate_protocols(protocols - len(self.protocols),
                                                                seed)
        data = self.pools["data"]
        self.pools = {"status": "success",
                      "data": data + generate_pools(pools - len(data), seed)}

    # --- dispatch --------------------------------------------------------------------

    def _split(self, path: str) -> tuple[str | None, str]:
        best: tuple[str | None, str] = (None, path)
        best_len = -1
        for api, prefix in PREFIXES.items():
            if (path == prefix or path.startswith(prefix + "/")) and len(prefix) > best_len:
                best, best_len = (api, path[len(prefix):] or "/"), len(prefix)
        return best

    def _take_fault(self, req: Request) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.active and path_matches(fault.prefix, req.path, req.api_path):
                    fault.hits += 1
                    req.fault = fault.kind
                    return fault
        return None

    def _handle(self, h: _Handler) -> None:
        parts = urlsplit(h.path)
        path = unquote(parts.path)
        api, api_path = self._split(path)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        req = Request(h.command, path, api, api_path, dict(parse_qsl(parts.query, True)),
                      {k.lower(): v for k, v in h.headers.items()}, body, parts.query,
                      time.time())
        with self._lock:
            self.requests.append(req)
        fault = self._take_fault(req)
        if fault is not None and fault.kind == "down":
            h.close_connection = True
            return
        if fault is not None and fault.kind == "delay" and self._stop.wait(fault.seconds):
            h.close_connection = True
            return
        if fault is not None and fault.kind == "status":
            reply = self._fault_reply(fault, api)
        else:
            try:
                reply = self._route(req)
            except Exception as exc:  # a bug in the fake: make it loud, not a hang
                reply = text_reply(f"fake server error: {exc!r}", 500)
            if fault is not None and fault.kind == "truncated":
                reply = Reply(200, reply.body[: max(1, len(reply.body) // 2)],
                              reply.content_type, reply.headers)
        self._send(h, reply)

    def _fault_reply(self, fault: Fault, api: str | None) -> Reply:
        body = fault.body
        if body is None:
            reply = default_error(api, fault.status)
        elif isinstance(body, (bytes, str)):
            raw = body.encode("utf-8") if isinstance(body, str) else body
            reply = Reply(fault.status, raw, fault.content_type or TEXT)
        else:
            reply = json_reply(body, fault.status)
        if fault.content_type:
            reply.content_type = fault.content_type
        reply.headers.update(fault.headers)
        return reply

    def _send(self, h: _Handler, reply: Reply) -> None:
        try:
            h.send_response(reply.status)
            h.send_header("Content-Type", reply.content_type)
            h.send_header("Content-Length", str(len(reply.body)))
            h.send_header("Access-Control-Allow-Origin", "*")
            for name, value in reply.headers.items():
                h.send_header(name, value)
            h.end_headers()
            if h.command != "HEAD":
                h.wfile.write(reply.body)
            h.wfile.flush()
        except OSError:  # the client gave up (timeout) before we answered
            h.close_connection = True

    def _route(self, req: Request) -> Reply:
        if req.api == "coingecko":
            return self._coingecko(req)
        if req.api == "llama_coins":
            return self._llama_coins(req)
        if req.api == "defillama":
            return self._defillama(req)
        if req.api == "yields":
            return self._yields(req)
        if req.api == "fng":
            return self._fng(req)
        if req.api == "rpc":
            return self._rpc(req)
        return text_reply("Not found", 404)

    # --- CoinGecko -------------------------------------------------------------------

    def _coingecko(self, req: Request) -> Reply:
        if self.api_key is not None:
            sent = {req.header("x-cg-demo-api-key"), req.header("x-cg-pro-api-key"),
                    req.query.get("x_cg_demo_api_key"), req.query.get("x_cg_pro_api_key")}
            if self.api_key not in sent:
                return json_reply(MISSING_KEY_BODY, 401)
        path, q = req.api_path.rstrip("/") or "/", req.query
        simple = {
            "/ping": lambda: json_reply({"gecko_says": "(V3) To the Moon!"}),
            "/simple/price": lambda: self._simple_price(q),
            "/simple/supported_vs_currencies": lambda: json_reply(self.supported),
            "/coins/list": lambda: self._coins_list(q),
            "/coins/markets": lambda: self._markets(q),
            "/search/trending": lambda: json_reply(
                self.trending, headers={"cache-control": "public, max-age=120"}),
            "/search": lambda: self._search(q),
            "/global": lambda: json_reply(self.global_data,
                                          headers={"cache-control": "public, max-age=300"}),
            "/exchange_rates": lambda: json_reply({"rates": self.rates}),
        }
        if path in simple:
            return simple[path]()
        parts = path.strip("/").split("/")
        if parts[0] == "coins" and len(parts) in (2, 3):
            row = self.markets.get(parts[1])
            if row is None:
                return json_reply({"error": "coin not found"}, 404)
            if len(parts) == 2:
                return self._coin(row, q)
            if parts[2] == "market_chart":
                return self._market_chart(row, q)
            if parts[2] == "ohlc":
                return self._ohlc(row, q)
        return json_reply({"error": "Incorrect path. Please check https://www.coingecko.com/api/"},
                          404)

    def _factor(self, cur: str) -> float | None:
        """USD → `cur` multiplier, or None when `cur` is not a vs_currency."""
        if cur not in self.supported:
            return None
        if cur in QUOTE_COINS and QUOTE_COINS[cur][0] in self.markets:
            coin_id, units = QUOTE_COINS[cur]
            return units / float(self.markets[coin_id]["current_price"])
        usd = self.rates["usd"]["value"]
        rate = self.rates.get(cur)
        return rate["value"] / usd if rate else None

    def _change(self, row: dict[str, Any], period: str, cur: str) -> float | None:
        """Price change in percent over `period`, measured in `cur`."""
        change = row.get(f"price_change_percentage_{period}_in_currency")
        if change is None and period == "24h":
            change = row.get("price_change_percentage_24h")
        if change is None:
            return None
        if cur in QUOTE_COINS and QUOTE_COINS[cur][0] in self.markets:
            quote = self.markets[QUOTE_COINS[cur][0]]
            if quote["id"] == row["id"]:
                return 0.0
            qc = quote.get(f"price_change_percentage_{period}_in_currency") or 0.0
            return ((1 + change / 100) / (1 + qc / 100) - 1) * 100
        return change

    def _pick(self, q: dict[str, str]) -> list[str] | None:
        """Coin ids named by `ids`, `names` or `symbols` (in that priority); None if none."""
        if "ids" in q:
            return [i.strip() for i in q["ids"].split(",") if i.strip()]
        if "names" in q:
            wanted = {n.strip().lower() for n in q["names"].split(",")}
            return [r["id"] for r in self.markets.values() if r["name"].lower() in wanted]
        if "symbols" in q:
            everything = q.get("include_tokens") == "all"
            found: list[str] = []
            for sym in (s.strip().lower() for s in q["symbols"].split(",")):
                same = sorted((r for r in self.markets.values() if r["symbol"] == sym),
                              key=_rank_key)
                found.extend(r["id"] for r in (same if everything else same[:1]))
            return found
        return None

    def _simple_price(self, q: dict[str, str]) -> Reply:
        vs = [c.strip().lower() for c in q.get("vs_currencies", "").split(",") if c.strip()]
        if not vs:
            return json_reply({"error": "Missing parameter vs_currencies"}, 400)
        ids = self._pick(q)
        if ids is None:
            return json_reply({"error": "Missing parameter ids"}, 400)
        flag = {k: q.get(k, "false").lower() == "true" for k in (
            "include_market_cap", "include_24hr_vol", "include_24hr_change",
            "include_last_updated_at")}
        precision = q.get("precision")
        out: dict[str, Any] = {}
        for coin_id in sorted(set(ids)):
            row = self.markets.get(coin_id)
            if row is None:
                continue
            entry: dict[str, Any] = {}
            for cur in vs:
                factor = self._factor(cur)
                if factor is None:
                    continue
                price = float(row["current_price"]) * factor
                if precision == "full":
                    entry[cur] = price
                elif precision is not None and precision.isdigit():
                    entry[cur] = round(price, int(precision))
                else:
                    entry[cur] = sig(price)
                if flag["include_market_cap"]:
                    entry[f"{cur}_market_cap"] = float(row["market_cap"] or 0) * factor
                if flag["include_24hr_vol"]:
                    entry[f"{cur}_24h_vol"] = float(row["total_volume"] or 0) * factor
                if flag["include_24hr_change"]:
                    entry[f"{cur}_24h_change"] = self._change(row, "24h", cur)
            if entry and flag["include_last_updated_at"]:
                entry["last_updated_at"] = parse_iso(row["last_updated"])
            out[coin_id] = entry
        return json_reply(out)

    def _coins_list(self, q: dict[str, str]) -> Reply:
        if q.get("status") == "inactive":
            return json_reply([])
        rows = copy.deepcopy(self.coins_list)
        if q.get("include_platform", "false").lower() == "true":
            for r in rows:
                r["platforms"] = PLATFORMS.get(r["id"], {})
        return json_reply(rows)

    def _markets(self, q: dict[str, str]) -> Reply:
        vs = q.get("vs_currency", "").strip().lower()
        if not vs:
            return json_reply({"error": "Missing parameter vs_currency"}, 400)
        factor = self._factor(vs)
        if factor is None:
            return json_reply({"error": "invalid vs_currency"}, 400)
        order = q.get("order", "market_cap_desc")
        if order not in MARKET_ORDERS:
            return json_reply({"error": "invalid order"}, 400)
        periods = [p.strip() for p in q.get("price_change_percentage", "").split(",") if p.strip()]
        if any(p not in PERIODS for p in periods):
            return json_reply({"error": "invalid price_change_percentage"}, 400)
        try:
            per_page = min(max(int(q.get("per_page", 100)), 1), 250)
            page = max(int(q.get("page", 1)), 1)
        except ValueError:
            return json_reply({"error": "invalid per_page or page"}, 400)
        picked = self._pick(q)
        rows = list(self.markets.values())
        if picked is not None:
            rows = [r for r in rows if r["id"] in set(picked)]
        if order.startswith("market_cap"):
            rows.sort(key=_rank_key, reverse=order.endswith("asc"))
        elif order.startswith("volume"):
            rows.sort(key=lambda r: r["total_volume"] or 0, reverse=order.endswith("desc"))
        else:
            rows.sort(key=lambda r: r["id"], reverse=order.endswith("desc"))
        lo, hi = (page - 1) * per_page, page * per_page
        if picked is None and order == "market_cap_desc":
            # Positions are ranks: with ~17k real coins, rank 1841 is not on page 1 of 250.
            rows = [r for r in rows if r["market_cap_rank"] and lo < r["market_cap_rank"] <= hi]
        else:
            rows = rows[lo:hi]
        sparkline = q.get("sparkline", "false").lower() == "true"
        out = [self._market_row(r, vs, factor, periods, sparkline) for r in rows]
        return json_reply(out, headers={"per-page": str(per_page), "total": str(len(self.markets))})

    def _market_row(self, row: dict[str, Any], vs: str, factor: float, periods: list[str],
                    sparkline: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        money = ("current_price", "high_24h", "low_24h", "ath", "atl")
        big = ("market_cap", "fully_diluted_valuation", "total_volume")
        for key, value in row.items():
            if key.endswith("_in_currency"):
                continue
            if value is not None and key in money:
                value = sig(float(value) * factor)
            elif value is not None and key in big:
                value = value * factor
                value = round(value) if abs(value) >= 1000 else value
            elif value is not None and key in ("price_change_24h", "market_cap_change_24h"):
                value = value * factor
            elif key == "price_change_percentage_24h" and vs != "usd":
                value = self._change(row, "24h", vs)
                value = None if value is None else round(value, 5)
            out[key] = value
        if sparkline:
            points = self._chart_points(row, vs, 7 * DAY, 3600)
            out["sparkline_in_7d"] = {"price": [p for _, p, _, _ in points][-168:]}
        for p in periods:
            out[f"price_change_percentage_{p}_in_currency"] = self._change(row, p, vs)
        return out

    def _search(self, q: dict[str, str]) -> Reply:
        if "query" not in q:
            return json_reply({"error": "Missing parameter query"}, 400)
        needle = q["query"].strip().lower()
        hits = [r for r in self.markets.values() if needle and (
            needle in r["id"] or needle in r["name"].lower() or needle in r["symbol"])]
        hits.sort(key=lambda r: (needle not in (r["id"], r["symbol"], r["name"].lower()),
                                 *_rank_key(r)))
        coins = [{"id": r["id"], "name": r["name"], "api_symbol": r["id"],
                  "symbol": r["symbol"].upper(), "market_cap_rank": r["market_cap_rank"],
                  "thumb": r["image"].replace("/large/", "/thumb/"), "large": r["image"]}
                 for r in hits]
        return json_reply({"coins": coins, "exchanges": [], "icos": [], "categories": [],
                           "nfts": []})

    def coin_detail(self, coin_id: str) -> dict[str, Any]:
        """The /coins/{id} body (localization=false, tickers=false, all else default)."""
        recorded = FIXTURES / f"coingecko_coin_{coin_id}.json"
        if recorded.exists():
            return load_fixture(recorded.name)
        row = self.markets[coin_id]
        now = self.now
        curs = sorted(self.supported)

        def each(fn: Any) -> dict[str, Any]:
            result = {}
            for cur in curs:
                f = self._factor(cur)
                if f is not None:
                    result[cur] = fn(cur, f)
            return result

        same = {c for c, (cid, _) in QUOTE_COINS.items() if cid == coin_id}
        price = float(row["current_price"])

        def chg(period: str) -> dict[str, Any]:
            return each(lambda c, f: round(self._change(row, period, c) or 0.0, 5))

        def pct(period: str) -> float | None:
            value = row.get(f"price_change_percentage_{period}_in_currency")
            return None if value is None else round(value, 5)

        p30, p200 = pct("30d") or 0.0, pct("200d") or 0.0
        md: dict[str, Any] = {
            "current_price": each(lambda c, f: sig(price * f)),
            "total_value_locked": None, "mcap_to_tvl_ratio": None, "fdv_to_tvl_ratio": None,
            "roi": row.get("roi"),
            "ath": each(lambda c, f: 1.0 if c in same else sig(row["ath"] * f)),
            "ath_change_percentage": each(lambda c, f: 0.0 if c in same
                                          else row["ath_change_percentage"]),
            "ath_date": each(lambda c, f: row["ath_date"]),
            "atl": each(lambda c, f: 1.0 if c in same else sig(row["atl"] * f)),
            "atl_change_percentage": each(lambda c, f: 0.0 if c in same
                                          else row["atl_change_percentage"]),
            "atl_date": each(lambda c, f: row["atl_date"]),
            "market_cap": each(lambda c, f: round((row["market_cap"] or 0) * f)),
            "market_cap_rank": row["market_cap_rank"],
            "fully_diluted_valuation": each(
                lambda c, f: round((row["fully_diluted_valuation"] or 0) * f)),
            "market_cap_fdv_ratio": round((row["market_cap"] or 0)
                                          / (row["fully_diluted_valuation"] or 1), 2),
            "outstanding_token_value_usd": None,
            "total_volume": each(lambda c, f: round((row["total_volume"] or 0) * f)),
            "high_24h": each(lambda c, f: sig(row["high_24h"] * f)),
            "low_24h": each(lambda c, f: sig(row["low_24h"] * f)),
            "price_change_24h": row["price_change_24h"],
            "price_change_percentage_24h": row["price_change_percentage_24h"],
            "price_change_percentage_7d": pct("7d"),
            "price_change_percentage_14d": pct("14d"),
            "price_change_percentage_30d": p30,
            "price_change_percentage_60d": round(p30 + (p200 - p30) * 30 / 170, 5),
            "price_change_percentage_200d": p200,
            "price_change_percentage_1y": pct("1y"),
            "market_cap_change_24h": row["market_cap_change_24h"],
            "market_cap_change_percentage_24h": row["market_cap_change_percentage_24h"],
            "price_change_24h_in_currency": each(
                lambda c, f: 0 if c in same else row["price_change_24h"] * f),
        }
        for period in ("1h", "24h", "7d", "14d", "30d", "200d", "1y"):
            md[f"price_change_percentage_{period}_in_currency"] = chg(period)
        md["market_cap_change_24h_in_currency"] = each(
            lambda c, f: (row["market_cap_change_24h"] or 0) * f)
        md["market_cap_change_percentage_24h_in_currency"] = chg("24h")
        md.update({"total_supply": row["total_supply"], "max_supply": row["max_supply"],
                   "max_supply_infinite": row["max_supply"] is None,
                   "circulating_supply": row["circulating_supply"], "outstanding_supply": None,
                   "last_updated": row["last_updated"]})
        img = row["image"]
        return {
            "id": coin_id, "symbol": row["symbol"], "name": row["name"], "web_slug": coin_id,
            "asset_platform_id": next(iter(PLATFORMS.get(coin_id, {})), None),
            "platforms": PLATFORMS.get(coin_id, {"": ""}),
            "detail_platforms": {k: {"decimal_place": 18, "contract_address": v}
                                 for k, v in PLATFORMS.get(coin_id, {}).items()}
            or {"": {"decimal_place": None, "contract_address": ""}},
            "block_time_in_minutes": 0, "hashing_algorithm": None,
            "categories": ["Cryptocurrency"], "preview_listing": False, "public_notice": None,
            "additional_notices": [], "has_supply_breakdown": False,
            "description": {"en": DESCRIPTIONS.get(coin_id, "")},
            "links": {"homepage": [f"https://{coin_id}.example.org", "", ""], "whitepaper": "",
                      "blockchain_site": [""], "official_forum_url": [""], "chat_url": [""],
                      "announcement_url": ["", ""], "snapshot_url": None,
                      "twitter_screen_name": coin_id.replace("-", ""), "facebook_username": "",
                      "bitcointalk_thread_identifier": None, "telegram_channel_identifier": "",
                      "subreddit_url": "", "repos_url": {"github": [], "bitbucket": []}},
            "image": {"thumb": img.replace("/large/", "/thumb/"),
                      "small": img.replace("/large/", "/small/"), "large": img},
            "country_origin": "", "genesis_date": GENESIS.get(coin_id),
            "sentiment_votes_up_percentage": 71.2, "sentiment_votes_down_percentage": 28.8,
            "watchlist_portfolio_users": 112334, "market_cap_rank": row["market_cap_rank"],
            "status_updates": [], "last_updated": iso_ms(now), "market_data": md,
        }

    def _coin(self, row: dict[str, Any], q: dict[str, str]) -> Reply:
        def on(name: str, default: bool = True) -> bool:
            return q.get(name, str(default)).lower() == "true"

        body = self.coin_detail(row["id"])
        if on("localization"):
            name = row["name"]
            body = {**{k: v for k, v in body.items() if k != "description"},
                    "localization": {lang: name for lang in ("en", "de", "es", "fr", "it", "ja")},
                    "description": body.get("description")}
        if not on("market_data"):
            body.pop("market_data", None)
        elif on("sparkline", False):
            points = self._chart_points(row, "usd", 7 * DAY, 3600)
            body["market_data"]["sparkline_7d"] = {"price": [p for _, p, _, _ in points][-168:]}
        if on("community_data"):
            body["community_data"] = {"facebook_likes": None, "reddit_average_posts_48h": 0.0,
                                      "reddit_average_comments_48h": 0.0,
                                      "reddit_subscribers": 0, "reddit_accounts_active_48h": 0,
                                      "telegram_channel_user_count": None}
        if on("developer_data"):
            body["developer_data"] = {"forks": 0, "stars": 0, "subscribers": 0,
                                      "total_issues": 0, "closed_issues": 0,
                                      "pull_requests_merged": 0,
                                      "pull_request_contributors": 0,
                                      "code_additions_deletions_4_weeks": {
                                          "additions": None, "deletions": None},
                                      "commit_count_4_weeks": 0,
                                      "last_4_weeks_commit_activity_series": []}
        if on("tickers"):
            body["tickers"] = []
        return json_reply(body)

    # synthetic history: log-linear through the recorded period changes, plus a wiggle that
    # vanishes at each anchor, so a chart's first-to-last change equals the markets figure.

    def _anchors(self, row: dict[str, Any]) -> list[tuple[int, float]]:
        price = float(row["current_price"])
        anchors = [(self.now, price)]
        for period in PERIODS:
            change = row.get(f"price_change_percentage_{period}_in_currency")
            if change is not None:
                anchors.append((self.now - PERIOD_SECONDS[period], price / (1 + change / 100)))
        start = self._genesis(row)
        if start < anchors[-1][0]:
            anchors.append((start, float(row["atl"]) * 1.3))
        return sorted(anchors)

    def _genesis(self, row: dict[str, Any]) -> int:
        if row["id"] in GENESIS:
            return max(parse_iso(GENESIS[row["id"]]), parse_iso("2013-04-28"))
        return min(parse_iso(row["atl_date"]), parse_iso(row["ath_date"]),
                   self.now - 400 * DAY)

    def _usd_at(self, row: dict[str, Any], anchors: list[tuple[int, float]], t: float) -> float:
        if t <= anchors[0][0]:
            return anchors[0][1]
        for (t0, p0), (t1, p1) in itertools.pairwise(anchors):
            if t0 <= t <= t1:
                frac = (t - t0) / (t1 - t0) if t1 > t0 else 1.0
                seed = zlib.crc32(row["id"].encode())
                ph1, ph2, ph3 = seed % 628 / 100, seed // 628 % 628 / 100, seed // 394384 % 628
                wiggle = (0.5 * math.sin(t / 17000 + ph1) + 0.3 * math.sin(t / 61000 + ph2)
                          + 0.2 * math.sin(t / 3100 + ph3 / 100))
                span_days = (t1 - t0) / DAY
                amp = min(0.25, 0.02 * math.sqrt(max(span_days, 0.04)))
                if row["symbol"] in STABLES:
                    amp *= 0.02
                log_p = math.log(p0) + (math.log(p1) - math.log(p0)) * frac
                return math.exp(log_p + amp * wiggle * math.sin(math.pi * frac))
        return anchors[-1][1]

    def _chart_points(self, row: dict[str, Any], vs: str, seconds: float | None,
                      step: int | None) -> list[tuple[int, float, float, float]]:
        """[(ms, price, market_cap, volume)] in `vs`; seconds=None means since genesis."""
        anchors = self._anchors(row)
        start = self._genesis(row) if seconds is None else max(self.now - seconds,
                                                                self._genesis(row))
        if step is None:  # daily at 00:00 UTC, then the current point
            first = int(start // DAY * DAY + (DAY if start % DAY else 0))
            times = [*range(first, self.now, DAY), self.now]
        else:
            times = []
            t = float(self.now - seconds) if seconds is not None else float(start)
            while t < self.now - 1e-6:
                times.append(t)
                t += step
            times.append(self.now)
        quote = None
        if vs in QUOTE_COINS and QUOTE_COINS[vs][0] in self.markets:
            quote = (self.markets[QUOTE_COINS[vs][0]], QUOTE_COINS[vs][1])
            quote_anchors = self._anchors(quote[0])
        factor = self._factor(vs) or 1.0
        seed = zlib.crc32(row["id"].encode()) % 1000 / 100
        out = []
        circ = float(row["circulating_supply"] or 0)
        volume = float(row["total_volume"] or 0)
        for t in times:
            usd = self._usd_at(row, anchors, t)
            if quote is None:
                price = usd * factor
                unit = factor
            elif quote[0]["id"] == row["id"]:
                price, unit = quote[1], quote[1] / usd
            else:
                q_usd = self._usd_at(quote[0], quote_anchors, t)
                price, unit = usd / q_usd * quote[1], quote[1] / q_usd
            vol = volume * (1 + 0.3 * math.sin(t / 50000 + seed)) * unit
            out.append((int(t * 1000) + (599 if t == self.now else 0), price, usd * circ * unit,
                        vol))
        return out

    def _days(self, q: dict[str, str]) -> tuple[float | None, Reply | None]:
        vs = q.get("vs_currency", "").strip().lower()
        if not vs:
            return None, json_reply({"error": "Missing parameter vs_currency"}, 400)
        if self._factor(vs) is None:
            return None, json_reply({"error": "invalid vs_currency"}, 400)
        days = q.get("days", "").strip().lower()
        if not days:
            return None, json_reply({"error": "Missing parameter days"}, 400)
        if days == "max":
            return None, None
        try:
            value = float(days)
        except ValueError:
            return None, json_reply({"error": "invalid days"}, 400)
        if value <= 0:
            return None, json_reply({"error": "invalid days"}, 400)
        return value, None

    def _market_chart(self, row: dict[str, Any], q: dict[str, str]) -> Reply:
        days, error = self._days(q)
        if error is not None:
            return error
        interval = q.get("interval", "")
        if interval == "daily" or ((days is None or days > 90) and interval != "hourly"):
            step = None
        elif interval == "hourly" or (days is not None and days > 1):
            step = 3600
        else:
            step = 300
        seconds = None if days is None else days * DAY
        points = self._chart_points(row, q["vs_currency"].strip().lower(), seconds, step)
        return json_reply({"prices": [[t, p] for t, p, _, _ in points],
                           "market_caps": [[t, m] for t, _, m, _ in points],
                           "total_volumes": [[t, v] for t, _, _, v in points]})

    def _ohlc(self, row: dict[str, Any], q: dict[str, str]) -> Reply:
        days, error = self._days(q)
        if error is not None:
            return error
        size = 1800 if days is not None and days <= 2 else \
            4 * 3600 if days is not None and days <= 30 else 4 * DAY
        span = (days * DAY) if days is not None else self.now - self._genesis(row)
        vs = q["vs_currency"].strip().lower()
        points = self._chart_points(row, vs, span + size, size // 6)
        buckets: dict[int, list[float]] = {}
        for t, price, _, _ in points:
            close_t = -(-(t // 1000) // size) * size
            if close_t > self.now - span:
                buckets.setdefault(close_t, []).append(price)
        candles = [[t * 1000, sig(w[0]), sig(max(w)), sig(min(w)), sig(w[-1])]
                   for t, w in sorted(buckets.items()) if len(w) >= 2]
        return json_reply(candles)

    # --- DeFiLlama coins -------------------------------------------------------------

    def _llama_coins(self, req: Request) -> Reply:
        prefix = "/prices/current/"
        if not req.api_path.startswith(prefix):
            return text_reply("Not found", 404)
        lookup = {k.lower(): v for k, v in self.llama_prices.items()}
        coins = {}
        for key in (k.strip() for k in req.api_path[len(prefix):].split(",")):
            found = lookup.get(key.lower())
            if key and found is not None:
                coins[key] = found
        return json_reply({"coins": coins})

    # --- DeFiLlama TVL ---------------------------------------------------------------

    def _protocol(self, slug: str) -> dict[str, Any] | None:
        return next((p for p in self.protocols if p["slug"] == slug), None)

    def _tvl_series(self, current: float, seed_text: str, days: int = 365) -> list[dict]:
        seed = zlib.crc32(seed_text.encode()) % 628 / 100
        end = self.now // DAY * DAY
        out = []
        for i in range(days, 0, -1):
            t = end - i * DAY
            drift = 0.12 * (math.sin(i / 40 + seed) - math.sin(seed)) + 0.0004 * i
            out.append({"date": t, "totalLiquidityUSD": current * (1 - drift)})
        out.append({"date": self.now - self.now % 3600, "totalLiquidityUSD": current})
        return out

    def parent_protocol(self, slug: str) -> dict[str, Any] | None:
        """A parent (`aave`) as /protocols would list it: its versions summed, or None."""
        children = [p for p in self.protocols if p.get("parentProtocol") == f"parent#{slug}"]
        if not children:
            return None
        tvls: dict[str, float] = {}
        for child in children:
            for key, value in child["chainTvls"].items():
                tvls[key] = tvls.get(key, 0.0) + value
        first = {k: v for k, v in children[0].items() if k != "parentProtocol"}
        return {**first, "id": f"parent#{slug}", "name": slug.replace("-", " ").title(),
                "slug": slug, "tvl": sum(c["tvl"] for c in children), "chainTvls": tvls,
                "chains": list(dict.fromkeys(ch for c in children for ch in c["chains"])),
                "isParentProtocol": True, "otherProtocols": [c["name"] for c in children]}

    def protocol_detail(self, slug: str) -> dict[str, Any] | None:
        """The /protocol/{slug} body (a parent slug sums its versions), or None."""
        proto = self._protocol(slug) or self.parent_protocol(slug)
        if proto is None:
            return None
        skip = {"slug", "tvl", "chainTvls", "change_1h", "change_1d", "change_7d",
                "tokenBreakdowns", "mcap", "staking", "borrowed", "pool2"}
        body = {k: v for k, v in proto.items() if k not in skip}
        body["chainTvls"] = {chain: {"tvl": self._tvl_series(value, slug + chain),
                                     "tokensInUsd": [], "tokens": []}
                             for chain, value in proto["chainTvls"].items()}
        body["tvl"] = self._tvl_series(proto["tvl"], slug)
        body["tokensInUsd"] = []
        body["tokens"] = []
        body["currentChainTvls"] = dict(proto["chainTvls"])
        body["raises"] = []
        body["metrics"] = {}
        body["mcap"] = proto["mcap"]
        body["methodology"] = f"TVL of {proto['name']} is the value of assets it holds."
        return body

    def _defillama(self, req: Request) -> Reply:
        path = req.api_path.rstrip("/") or "/"
        parts = path.strip("/").split("/")
        if path == "/protocols":
            return json_reply(self.protocols)
        if path == "/v2/chains":
            return json_reply(self.chains)
        if len(parts) == 2 and parts[0] in ("protocol", "tvl"):
            detail = self.protocol_detail(parts[1])
            if detail is None:
                return text_reply("Not found", 404)
            if parts[0] == "tvl":
                return json_reply((self._protocol(parts[1])
                                   or self.parent_protocol(parts[1]))["tvl"])  # type: ignore[index]
            return json_reply(detail)
        if parts[:2] == ["v2", "historicalChainTvl"] and len(parts) <= 3:
            if len(parts) == 2:
                total = sum(c["tvl"] for c in self.chains)
                series = self._tvl_series(total, "all")
            else:
                chain = next((c for c in self.chains if c["name"].lower() == parts[2].lower()),
                             None)
                if chain is None:
                    return text_reply("Not found", 404)
                series = self._tvl_series(chain["tvl"], chain["name"])
            return json_reply([{"date": p["date"], "tvl": p["totalLiquidityUSD"]}
                               for p in series[:-1]])
        return text_reply("Not found", 404)

    # --- DeFiLlama yields ------------------------------------------------------------

    def _yields(self, req: Request) -> Reply:
        path = req.api_path.rstrip("/") or "/"
        if path == "/pools":
            return json_reply(self.pools)
        if path in ("/poolsBorrow", "/lsdRates"):
            return text_reply("Upgrade to the paid API plan", 402)
        if path.startswith("/chart/"):
            pool_id = path[len("/chart/"):]
            pool = next((p for p in self.pools["data"] if p["pool"] == pool_id), None)
            if pool is None:
                return json_reply({"status": "success", "data": []})
            seed = zlib.crc32(pool_id.encode()) % 628 / 100
            end = self.now // DAY * DAY - DAY + 23 * 3600 + 70
            data = []
            for i in range(89, -1, -1):
                wave = math.sin(i / 9 + seed)
                base = pool["apyBase"]
                base = None if base is None else round(base * (1 + 0.1 * wave), 5)
                reward = pool["apyReward"]
                data.append({"timestamp": iso_ms(end - i * DAY + 0.331),
                             "tvlUsd": int(pool["tvlUsd"] * (1 - 0.05 * wave)),
                             "apy": round((base or 0) + (reward or 0), 5), "apyBase": base,
                             "apyReward": reward, "il7d": None, "apyBase7d": None,
                             "pricePerShare": None})
            return json_reply({"status": "success", "data": data})
        return text_reply("Not found", 404)

    # --- JSON-RPC nodes ---------------------------------------------------------------

    def _rpc(self, req: Request) -> Reply:
        chain = req.api_path.strip("/")
        if chain not in self.rpc_chains:
            return text_reply("Not found", 404)
        if req.method != "POST":
            return text_reply("Method Not Allowed", 405)
        try:
            body = json.loads(req.body or b"")
        except ValueError:
            return json_reply({"jsonrpc": "2.0", "id": None,
                               "error": {"code": -32700, "message": "parse error"}},
                              content_type="application/json")
        if isinstance(body, list):
            if not body:
                return json_reply({"jsonrpc": "2.0", "id": None, "error": {
                    "code": -32600, "message": "empty batch"}}, content_type="application/json")
            # Nodes may answer a batch in any order: the client must match ids.
            replies = [self._rpc_call(chain, call) for call in reversed(body)]
            status = max((s for s, _ in replies), default=200)
            return json_reply([r for _, r in replies], status,
                              content_type="application/json")
        status, reply = self._rpc_call(chain, body)
        return json_reply(reply, status, content_type="application/json")

    def _rpc_call(self, chain: str, call: Any) -> tuple[int, dict[str, Any]]:
        if not isinstance(call, dict) or not isinstance(call.get("method"), str):
            return 200, {"jsonrpc": "2.0", "id": None,
                         "error": {"code": -32600, "message": "invalid request"}}
        call_id, method = call.get("id"), call["method"]
        params = call.get("params") or []

        def error(code: int, message: str, status: int = 200) -> tuple[int, dict[str, Any]]:
            return status, {"jsonrpc": "2.0", "id": call_id,
                            "error": {"code": code, "message": message}}

        with self._lock:
            for rule in self.rpc_errors:
                if rule["times"] is not None and rule["times"] <= 0:
                    continue
                if rule["chain"] not in (None, chain) or rule["method"] not in (None, method):
                    continue
                if rule["times"] is not None:
                    rule["times"] -= 1
                return error(rule["code"], rule["message"], rule["status"])
        node = self.rpc_chains[chain]
        if method == "eth_chainId":
            result: Any = hex(node["chain_id"])
        elif method == "eth_blockNumber":
            result = hex(node["head"])
        elif method == "eth_gasPrice":
            result = hex(node["base_fees"][-1] + node["rewards"][-1][1])
        elif method == "eth_feeHistory":
            if not isinstance(params, list) or len(params) < 2:
                return error(-32602, "missing value for required argument 1")
            try:
                count = int(params[0], 16) if isinstance(params[0], str) else int(params[0])
            except ValueError:
                return error(-32602, "invalid argument 0: hex string without 0x prefix")
            if params[1] not in ("latest", "pending"):
                return error(-32602, "invalid argument 1: only latest is served by the fake")
            percentiles = params[2] if len(params) > 2 else []
            if any(not isinstance(p, (int, float)) or not 0 <= p <= 100 for p in percentiles) \
                    or any(a > b for a, b in itertools.pairwise(percentiles)):
                return error(-32602, f"invalid reward percentile: {percentiles}")
            result = _fee_history(node, count, percentiles)
        else:
            return error(-32601, f"the method {method} does not exist/is not available")
        return 200, {"jsonrpc": "2.0", "id": call_id, "result": result}

    # --- alternative.me --------------------------------------------------------------

    def fng_history(self) -> list[dict[str, str]]:
        """Every daily point, newest first: the recorded 30, then synthetic back to 2018-02-01."""
        data = [dict(d) for d in self.fng["data"]]
        oldest = int(data[-1]["timestamp"])
        first = parse_iso("2018-02-01")
        for i, t in enumerate(range(oldest - DAY, first - 1, -DAY), start=1):
            value = int(50 + 28 * math.sin(i / 23) + 12 * math.sin(i / 5.3))
            value = min(max(value, 5), 95)
            data.append({"value": str(value), "value_classification": fng_label(value),
                         "timestamp": str(t)})
        return data

    def _fng(self, req: Request) -> Reply:
        if req.api_path.rstrip("/") != "/fng":
            return text_reply("Not found", 404)
        raw = req.query.get("limit", "1")
        try:
            limit = int(raw)
        except ValueError:
            return json_reply({"name": "Fear and Greed Index", "data": [],
                               "metadata": {"error": f"Invalid limit: {raw}"}},
                              content_type="application/json")
        data = self.fng["data"] if 0 < limit <= len(self.fng["data"]) else self.fng_history()
        data = data if limit <= 0 else data[:limit]
        fmt = {"us": "%m-%d-%Y", "cn": "%Y-%m-%d", "kr": "%Y-%m-%d", "world": "%d-%m-%Y"}.get(
            req.query.get("date_format", ""))
        if fmt:
            data = [{**d, "timestamp": datetime.fromtimestamp(int(d["timestamp"]), timezone.utc)
                     .strftime(fmt)} for d in data]
        return json_reply({"name": self.fng["name"], "data": data, "metadata": {"error": None}},
                          content_type="application/json")


def _fee_chain(name: str, chain_id: int, base_gwei: float,
               tips_gwei: tuple[float, float, float]) -> dict[str, Any]:
    """30 blocks of plausible fees around `base_gwei` and `tips_gwei` for a fake chain."""
    seed = zlib.crc32(name.encode())
    base, rewards = [], []
    for i in range(31):
        wobble = 1 + 0.08 * math.sin(i / 3 + seed % 7)
        base.append(round(base_gwei * 1e9 * wobble))
        if i < 30:
            rewards.append([round(t * 1e9 * (1 + 0.2 * math.sin(i + k + seed % 5)))
                            for k, t in enumerate(tips_gwei)])
    return {"chain_id": chain_id, "head": 21_000_000 + seed % 1_000_000, "base_fees": base,
            "rewards": rewards}


def _fee_history(node: dict[str, Any], count: int, percentiles: list[float]) -> dict[str, Any]:
    """An eth_feeHistory result (eth_rpc.md) for the newest `count` blocks of `node`."""
    blocks = len(node["rewards"])
    count = max(0, min(count, blocks, 1024))
    first = blocks - count
    out: dict[str, Any] = {"oldestBlock": hex(node["head"] - count + 1)}
    if percentiles:
        rows = []
        for tips in node["rewards"][first:]:
            points = [(0.0, 0), (10.0, tips[0]), (50.0, tips[1]), (90.0, tips[2]),
                      (100.0, tips[2])]
            row = []
            for p in percentiles:
                for (x0, y0), (x1, y1) in itertools.pairwise(points):
                    if x0 <= p <= x1:
                        row.append(hex(round(y0 + (y1 - y0) * (p - x0) / (x1 - x0))))
                        break
            rows.append(row)
        out["reward"] = rows
    out["baseFeePerGas"] = [hex(v) for v in node["base_fees"][first:]]
    out["gasUsedRatio"] = [round(0.5 + 0.45 * math.sin(i), 10) for i in range(count)]
    return out


_CHAIN_MIX = (("Ethereum", 30), ("Arbitrum", 12), ("Base", 10), ("BSC", 8), ("Solana", 8),
              ("Polygon", 6), ("OP Mainnet", 5), ("Avalanche", 4), ("Tron", 2),
              ("Hyperliquid L1", 2), ("Sonic", 2), ("Gnosis", 1), ("Linea", 2), ("Blast", 1),
              ("Mantle", 2), ("Scroll", 1), ("zkSync Era", 2), ("Sui", 2))
_CATEGORIES = ("Dexs", "Lending", "Yield", "Liquid Staking", "Derivatives", "CDP", "Bridge",
               "Yield Aggregator", "Restaking", "RWA", "Farm", "Services")
_SYLLABLES = ("ae", "ba", "cor", "del", "fi", "gan", "hel", "ix", "jo", "ka", "lu", "mo",
              "nex", "or", "pa", "qu", "ra", "so", "ta", "ur", "ve", "wa", "xo", "yi", "ze")
_TOKENS = ("USDC", "USDT", "DAI", "USDE", "FRAX", "USDC.E", "WETH", "WBTC", "STETH", "ETH",
           "SOL", "ARB", "OP", "CRV", "GMX", "LINK", "AAVE", "PENDLE", "CAKE", "BNB")
_STABLE = {"USDC", "USDT", "DAI", "USDE", "FRAX", "USDC.E"}


def _weighted_chain(rng: Any) -> str:
    names, weights = zip(*_CHAIN_MIX, strict=True)
    return rng.choices(names, weights)[0]


def generate_protocols(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """`count` /protocols items (full item shape), ~1 in 5 in a parent family of 2-3
    versions, some with `<Chain>-borrowed`/`staking`/`pool2` keys; sizes roughly Zipf."""
    import random

    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    i = 0
    while len(out) < max(0, count):
        i += 1
        base = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        versions = rng.choice((1, 1, 1, 1, 2, 3))
        category = rng.choice(_CATEGORIES)
        for v in range(versions, 0, -1):
            name = f"{base} {i}" + (f" V{v}" if versions > 1 else "")
            slug = "-".join(name.lower().split())
            chains = list(dict.fromkeys(_weighted_chain(rng) for _ in range(rng.randint(1, 5))))
            size = 2e9 / (len(out) + 5) ** 1.1 * rng.uniform(0.3, 3)
            tvls: dict[str, float] = {}
            for chain in chains:
                tvls[chain] = round(size * rng.uniform(0.05, 1), 2)
                if category == "Lending":
                    tvls[f"{chain}-borrowed"] = round(tvls[chain] * 0.4, 2)
            if category == "Lending":
                tvls["borrowed"] = round(sum(v for k, v in tvls.items() if k.endswith(
                    "-borrowed")), 2)
            if rng.random() < 0.15:
                tvls[f"{chains[0]}-staking"] = tvls["staking"] = round(size * 0.1, 2)
            if rng.random() < 0.05:
                tvls[f"{chains[0]}-pool2"] = tvls["pool2"] = round(size * 0.02, 2)
            item = {
                "id": str(10000 + len(out)), "name": name, "address": None,
                "symbol": base[:4].upper(), "url": f"https://{slug}.example",
                "description": f"{name} is a generated protocol.",
                "chain": chains[0] if len(chains) == 1 else "Multi-Chain",
                "logo": f"https://icons.llamao.fi/icons/protocols/{slug}", "audits": "0",
                "audit_note": None, "gecko_id": None, "cmcId": None, "category": category,
                "chains": chains, "module": f"{slug}/index.js", "twitter": None,
                "oracles": [], "forkedFrom": [], "audit_links": [], "github": [],
                "listedAt": 1600000000 + len(out) * 3600}
            if versions > 1:
                item["parentProtocol"] = f"parent#{base.lower()}-{i}"
            item.update({
                "slug": slug, "tvl": round(sum(v for k, v in tvls.items() if k in chains), 2),
                "chainTvls": tvls, "change_1h": round(rng.gauss(0, 0.5), 4),
                "change_1d": round(rng.gauss(0, 3), 4) if rng.random() > 0.03 else None,
                "change_7d": round(rng.gauss(0, 8), 4) if rng.random() > 0.05 else None,
                "tokenBreakdowns": {}, "mcap": None})
            out.append(item)
    return out[:max(0, count)]


def generate_pools(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """`count` yield pools shaped like /pools items: ~2% outliers, ~10% under $10k TVL,
    display-name chains, LP symbols joined with '-'."""
    import random
    import uuid

    rng = random.Random(seed + 1)
    out = []
    for n in range(max(0, count)):
        chain = _weighted_chain(rng)
        lp = rng.random() < 0.35
        symbols = rng.sample(_TOKENS, 2) if lp else [rng.choice(_TOKENS)]
        stable = all(s in _STABLE for s in symbols)
        small = rng.random() < 0.10
        tvl = rng.randint(100, 9999) if small else int(10 ** rng.uniform(4, 9.5))
        outlier = rng.random() < 0.02
        base = round(rng.uniform(0, 12), 5) if rng.random() > 0.1 else None
        reward = round(rng.uniform(0, 20), 5) if rng.random() < 0.3 else None
        if outlier:
            reward = round(rng.uniform(500, 50000), 5)
        apy = round((base or 0) + (reward or 0), 5)
        out.append({
            "chain": chain, "project": f"project-{n % 1500}", "symbol": "-".join(symbols),
            "tvlUsd": tvl, "apyBase": base, "apyReward": reward, "apy": apy,
            "rewardTokens": None if reward is None else [f"0x{n:040x}"],
            "pool": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "apyPct1D": round(rng.gauss(0, 0.2), 5), "apyPct7D": round(rng.gauss(0, 0.5), 5),
            "apyPct30D": round(rng.gauss(0, 1), 5), "stablecoin": stable,
            "ilRisk": "yes" if lp and not stable else "no",
            "exposure": "multi" if lp else "single",
            "predictions": {"predictedClass": rng.choice(("Stable/Up", "Down")),
                            "predictedProbability": rng.randint(50, 95),
                            "binnedConfidence": rng.randint(1, 3)},
            "poolMeta": None, "mu": round(apy * 0.9, 5), "sigma": round(rng.uniform(0, 2), 5),
            "count": rng.randint(1, 1500), "outlier": outlier, "underlyingTokens": None,
            "il7d": None, "apyBase7d": None, "apyMean30d": round(apy * rng.uniform(0.8, 1.2), 5),
            "volumeUsd1d": None, "volumeUsd7d": None, "apyBaseInception": None})
    return out


def fng_label(value: int) -> str:
    """alternative.me's classification of an index value."""
    if value <= 25:
        return "Extreme Fear"
    if value <= 46:
        return "Fear"
    if value <= 54:
        return "Neutral"
    return "Greed" if value <= 74 else "Extreme Greed"


def _rank_key(row: dict[str, Any]) -> tuple[bool, int, float]:
    rank = row.get("market_cap_rank")
    return (rank is None, rank or 0, -(row.get("market_cap") or 0))


def default_error(api: str | None, status: int) -> Reply:
    """The body the real API sends with `status`, as far as the reference records it."""
    if api == "coingecko":
        if status == 429:
            return json_reply(RATE_LIMIT_BODY, 429, "application/json")
        if status == 401:
            return json_reply(MISSING_KEY_BODY, 401)
        if status == 404:
            return json_reply({"error": "coin not found"}, 404)
        if status == 400:
            return json_reply({"error": "invalid vs_currency"}, 400)
        message = "Internal Server Error" if status == 500 else f"HTTP {status}"
        return json_reply({"status": {"error_code": status, "error_message": message}}, status)
    text = {404: "Not found", 429: "Too Many Requests", 500: "Internal Error",
            502: "Bad Gateway", 503: "Service Unavailable"}.get(status, f"HTTP {status}")
    return text_reply(text, status)


# --- running the CLI -----------------------------------------------------------------

_ACTIVE: FakeApis | None = None


def mobius_bin() -> str:
    """Path of the installed `mobius` script (conftest.MOBIUS_BIN)."""
    return MOBIUS_BIN


def run_mobius(*args: str, env: Mapping[str, str] | None = None,
               input: str | bytes | None = None, timeout: float = 30,
               subprocess: bool = False) -> CompletedProcess[str]:
    """Run the CLI (text mode) against the active `fake_apis`, if any.

    The environment is os.environ (already sealed by conftest) plus the fake's URLs;
    `env` adds or overrides variables. In-process unless `subprocess=True`.
    """
    full = _ACTIVE.env() if _ACTIVE is not None else dict(os.environ)
    full.update(env or {})
    return run_cli(args, full, input, timeout, subprocess=subprocess)


@pytest.fixture
def fake_apis(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeApis]:
    """A running FakeApis; the MOBIUS_*_URL variables of this test point at it."""
    global _ACTIVE
    fake = FakeApis().start()
    for var, url in fake.urls.items():
        monkeypatch.setenv(var, url)
    _ACTIVE = fake
    try:
        yield fake
    finally:
        _ACTIVE = None
        fake.stop()


@pytest.fixture(name="fake")
def fresh_fake(fake_apis: FakeApis) -> FakeApis:
    """The running fake with every price stamped now (see FakeApis.stamp_fresh)."""
    fake_apis.stamp_fresh()
    return fake_apis


def ok(done: CompletedProcess[str]) -> str:
    """The stdout of a run that must have succeeded."""
    assert done.returncode == 0, done.stderr
    return done.stdout


def terminal_app(fake: FakeApis, monkeypatch: pytest.MonkeyPatch,
                 **flags: Any) -> tuple[Any, Any, Any]:
    """(app, err, out): an AppContext against `fake` whose stderr is a terminal (Rich
    consoles writing to buffers), for spinners and progress bars."""
    import io
    import sys

    from rich.console import Console

    from mobius_cli.context import AppContext

    for var, value in fake.urls.items():
        monkeypatch.setenv(var, value)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    app = AppContext(**flags)
    err, out = io.StringIO(), io.StringIO()
    app.__dict__["err"] = Console(file=err, force_terminal=True, width=100)
    app.__dict__["out"] = Console(file=out, force_terminal=False, width=100)
    return app, err, out


__all__ = ["ENV_VARS", "PREFIXES", "SNAPSHOT", "FakeApis", "Fault", "Request", "fake_apis",
           "fresh_fake", "load_fixture", "ok", "path_matches", "run_mobius", "terminal_app"]
