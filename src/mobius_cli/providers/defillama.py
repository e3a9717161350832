"""DeFiLlama: coin prices (a fallback for CoinGecko), TVL, protocols, chains and yields.

The big bodies (/protocols ~8 MB, yields /pools ~15 MB) are fetched through the shared
HttpClient and kept, reduced to the fields Mobius uses, as compact column-wise files
in the cache directory (`defillama/`, private, written atomically): a warm command reads a
small file instead of parsing megabytes, and never imports httpx.
"""

from __future__ import annotations

import json
import os
import re
import time
import zlib
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext, suppress
from datetime import datetime, timedelta, timezone
from math import isnan
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from mobius_cli.core.models import CoinRef, Quote
from mobius_cli.errors import NotFoundError, SourceError

if TYPE_CHECKING:
    from mobius_cli.providers.http import HttpClient
    from mobius_cli.settings import Settings

# How long the TVL and yields data stay fresh (DeFiLlama refreshes them about hourly).
TTL_DEFI = 3600.0
Progress = Callable[[str], AbstractContextManager[Any]]

SOURCE = "DeFiLlama"


def check_current_prices(data: Any) -> None:
    """/prices/current: {coins: {key: {price, ...}}} (coins it does not know are left out,
    so an empty `coins` object is a valid answer)."""
    from mobius_cli.providers.http import BadResponse

    if not isinstance(data, dict) or not isinstance(data.get("coins"), dict):
        raise BadResponse("prices without a coins object")


class DefiLlama:
    """The free DeFiLlama APIs."""

    def __init__(self, http: HttpClient | Callable[[], HttpClient], settings: Settings, *,
                 offline: bool = False, on_note: Callable[[str], None] | None = None):
        # `http` may be a getter, so a command answered from the compact files never
        # builds the HTTP client (nor imports httpx).
        self._http = http
        self.coins_url = settings.get("llama_coins_url")
        self.api_url = settings.get("defillama_url")
        self.yields_url = settings.get("yields_url")
        self.compact_dir = settings.paths.cache_dir / "defillama"
        self.offline = offline
        self.on_note = on_note or (lambda message: None)
        self._noted_offline = False

    @property
    def http(self) -> HttpClient:
        if callable(self._http) and not hasattr(self._http, "get_json"):
            self._http = self._http()
        return self._http  # type: ignore[return-value]

    def quotes(self, coins: Sequence[CoinRef]) -> list[Quote]:
        """USD prices by CoinGecko id, in one request; coins it does not know are left out."""
        from mobius_cli.providers.http import TTL_PRICES, join_url

        keys = ",".join(f"coingecko:{c.id}" for c in coins)
        url = join_url(self.coins_url, f"/prices/current/{keys}")
        fetched = self.http.get_json(SOURCE, url, ttl=TTL_PRICES, allow_stale=False,
                                     validate=check_current_prices)
        found = fetched.data["coins"]
        as_of = datetime.now(timezone.utc) - timedelta(seconds=fetched.age)
        quotes = []
        for coin in coins:
            row = found.get(f"coingecko:{coin.id}")
            if isinstance(row, dict) and isinstance(row.get("price"), (int, float)) \
                    and not isinstance(row.get("price"), bool):
                stamp = row.get("timestamp")
                quotes.append(Quote(coin, float(row["price"]), "usd", last_updated=(
                    datetime.fromtimestamp(stamp, tz=timezone.utc)
                    if isinstance(stamp, (int, float)) and stamp else None),
                    as_of=as_of, stale=fetched.stale))
        return quotes

    # --- TVL and yields: big bodies kept in compact files --------------------------------

    def protocols(self, progress: Progress | None = None) -> Mapping[str, list[Any]]:
        """/protocols, column-wise: slug, name, category, chains, tvls (the flat chainTvls,
        numbers only), change_1d, change_7d, parent, symbol, url."""
        url = _join(self.api_url, "/protocols")
        return self._compact("protocols", url, _compact_protocols, _check_list,
                             "the protocol list (~8 MB, kept for an hour)", progress)[1]

    def pools(self, progress: Progress | None = None) -> Mapping[str, list[Any]]:
        """Yields /pools, column-wise (core.defi.POOL_FIELDS)."""
        url = _join(self.yields_url, "/pools")
        return self._compact("pools", url, _compact_pools, _check_pools,
                             "every yield pool (~15 MB, kept for an hour)", progress)[1]

    def chains(self, progress: Progress | None = None) -> list[dict[str, Any]]:
        """/v2/chains: [{name, tvl, tokenSymbol, gecko_id, chainId}]."""
        url = _join(self.api_url, "/v2/chains")
        return self._compact("chains", url, _compact_chains, _check_list, "the chain list",
                             progress)[1]

    def chain_history(self, chain: str | None,
                      progress: Progress | None = None) -> list[tuple[int, float]]:
        """Daily TVL of one chain (a /v2/chains name) or of all DeFi, oldest first."""
        path = "/v2/historicalChainTvl" + (f"/{quote(chain, safe='')}" if chain else "")
        url = _join(self.api_url, path)
        try:
            rows = self._compact(f"chain-{chain or 'all'}", url, _compact_chain_series,
                                 _check_list, f"the TVL history of {chain or 'DeFi'}",
                                 progress)[1]
        except SourceError as exc:
            if getattr(exc, "status", None) == 404:
                raise NotFoundError(f"DeFiLlama has no TVL history for {chain!r}") from None
            raise
        return [(int(t), float(v)) for t, v in rows]

    def protocol_history(self, slug: str,
                         progress: Progress | None = None) -> list[tuple[int, float]] | None:
        """Daily TVL of a protocol or parent slug (/protocol/{slug} `tvl`), oldest first;
        None when DeFiLlama does not know the slug (404)."""
        url = _join(self.api_url, f"/protocol/{quote(slug, safe='')}")
        try:
            rows = self._compact(f"protocol-{slug}", url, _compact_protocol_series, _check_dict,
                                 f"the TVL history of {slug}", progress)[1]
        except SourceError as exc:
            if getattr(exc, "status", None) == 404:
                return None
            raise
        return [(int(t), float(v)) for t, v in rows]

    def _compact(self, name: str, url: str, reduce: Callable[[Any], Any],
                 check: Callable[[Any], None], label: str,
                 progress: Progress | None) -> tuple[float, Any]:
        """(stored_at, compact data) of `url`: the compact file while fresh (or offline, or
        when the source fails), else a download through the shared client, reduced and
        stored."""
        # The name only helps a person reading the folder; the URL's hash tells files apart.
        safe = re.sub(r"[^0-9A-Za-z_-]+", "_", name)[:60]
        path = self.compact_dir / f"{safe}-{zlib.crc32(url.encode()):08x}.cols"
        entry = read_compact(path, url)
        now = time.time()
        if entry is not None:
            age = max(0.0, now - entry[0])
            if self.offline:
                if not self._noted_offline:
                    self._noted_offline = True
                    self.on_note(f"offline: {SOURCE} data from the cache, {_age(age)} old")
                return entry
            if age < TTL_DEFI:
                return entry
        if self.offline:
            raise SourceError(SOURCE, f"no cached copy of {label.split(' (')[0]} (offline)",
                              hint="run it once online first")
        try:
            with progress(f"Downloading {label} from {SOURCE}…") if progress else nullcontext():
                # The compact file is the cache: megabytes of raw JSON stay out of the
                # shared response cache, where they would push out everything else.
                fetched = self.http.get_json(SOURCE, url, ttl=TTL_DEFI, allow_stale=False,
                                             validate=check, store=False)
                data = reduce(fetched.data)
        except SourceError as exc:
            if entry is None or getattr(exc, "status", 0) == 404:
                raise
            self.on_note(f"{exc.message}; showing cached data from {_age(now - entry[0])} "
                         "ago (stale)")
            return entry
        stored_at = now - fetched.age
        write_compact(path, url, stored_at, data)
        return stored_at, data


def _join(base: str, path: str) -> str:
    return base.rstrip("/") + "/" + path.lstrip("/")


def _age(seconds: float) -> str:
    from mobius_cli.providers.http import describe_age

    return describe_age(seconds)


# --- the compact files ------------------------------------------------------------------


# A compact file: MAGIC, a 4-byte little-endian header length, a JSON header
# {url, stored_at, columns: [[name, type, bytes], ...]} and then each column's bytes:
#   "f" float64 array (NaN for none), "b" one byte each (0 false, 1 true, 2 none),
#   "s" UTF-8 strings joined by \x1f (\x1e for none), "j" JSON text.
# Non-columnar data is one "j" column named "" (data = that value).
MAGIC = b"MOBIUS-COMPACT\x01\n"
_SEP, _NONE = "\x1f", "\x1e"


class Columns(Mapping[str, list[Any]]):
    """Columns decoded on first use (a warm `defi yields` decodes only what it filters on
    and the few rows it shows)."""

    def __init__(self, raw: dict[str, tuple[str, bytes]]):
        self._raw = raw
        self._done: dict[str, list[Any]] = {}

    def __getitem__(self, name: str) -> list[Any]:
        found = self._done.get(name)
        if found is None:
            kind, blob = self._raw[name]
            found = self._done[name] = _decode_column(kind, blob)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def _column_kind(values: list[Any]) -> str:
    present = [v for v in values if v is not None]
    if all(isinstance(v, bool) for v in present):
        return "b"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return "f"
    if all(isinstance(v, str) and _SEP not in v and v != _NONE for v in present):
        return "s"
    return "j"


def _encode_column(kind: str, values: Any) -> bytes:
    if kind == "f":
        return array("d", [float("nan") if v is None else float(v) for v in values]).tobytes()
    if kind == "b":
        return bytes(2 if v is None else int(v) for v in values)
    if kind == "s":  # "S" first, so [""] and [] differ
        return b"" if not values else ("S" + _SEP.join(
            _NONE if v is None else v for v in values)).encode("utf-8")
    return json.dumps(values, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _decode_column(kind: str, blob: bytes) -> Any:
    if kind == "f":
        numbers = array("d")
        numbers.frombytes(blob)
        out = numbers.tolist()
        return [None if v != v else v for v in out] if any(map(isnan, out)) else out
    if kind == "b":
        return [None if b == 2 else b == 1 for b in blob] if 2 in blob else list(
            map(bool, blob))
    if kind == "s":
        parts = blob[1:].decode("utf-8").split(_SEP) if blob else []
        return [None if v == _NONE else v for v in parts] if _NONE.encode() in blob else parts
    return json.loads(blob)


def read_compact(path: Path, url: str) -> tuple[float, Any] | None:
    """(stored_at, data) of a compact file made from `url`, or None (missing, damaged,
    another URL or format). Columnar data comes back as lazily decoded `Columns`."""
    try:
        raw = path.read_bytes()
        if not raw.startswith(MAGIC):
            return None
        start = len(MAGIC) + 4
        size = int.from_bytes(raw[len(MAGIC):start], "little")
        header = json.loads(raw[start:start + size])
        if header.get("url") != url or not isinstance(header.get("stored_at"), (int, float)):
            return None
        offset = start + size
        columns: dict[str, tuple[str, bytes]] = {}
        for name, kind, length in header["columns"]:
            columns[name] = (kind, raw[offset:offset + length])
            offset += length
        if offset != len(raw):
            return None
        if list(columns) == [""]:
            return float(header["stored_at"]), _decode_column(*columns[""])
        return float(header["stored_at"]), Columns(columns)
    except (OSError, ValueError, TypeError, KeyError):
        return None


def write_compact(path: Path, url: str, stored_at: float, data: Any) -> None:
    """Write a compact file atomically (a temporary file renamed over it), private (0600);
    a full or read-only disk only costs the next run a download. A dict of equal-length
    lists is stored column by column, anything else as one JSON column."""
    if isinstance(data, Mapping) and data and all(isinstance(v, list) for v in data.values()):
        parts = [(name, kind, _encode_column(kind, values))
                 for name, values in data.items() for kind in [_column_kind(values)]]
    else:
        parts = [("", "j", _encode_column("j", data))]
    header = json.dumps({"url": url, "stored_at": stored_at,
                         "columns": [[n, k, len(b)] for n, k, b in parts]}).encode("utf-8")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC + len(header).to_bytes(4, "little") + header)
            for _, _, blob in parts:
                fh.write(blob)
        os.replace(tmp, path)
    except OSError:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)


def clear_compact(directory: Path) -> int:
    """Remove every compact file under `directory`; returns how many."""
    removed = 0
    for file in directory.glob("*.cols") if directory.is_dir() else ():
        try:
            file.unlink()
            removed += 1
        except OSError:
            pass
    return removed


def _bad(reason: str) -> None:
    from mobius_cli.providers.http import BadResponse

    raise BadResponse(reason)


def _check_list(data: Any) -> None:
    if not isinstance(data, list):
        _bad("expected a JSON list")


def _check_dict(data: Any) -> None:
    if not isinstance(data, dict):
        _bad("expected a JSON object")


def _check_pools(data: Any) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        _bad("pools without a data list")


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return None
    return float(value)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _compact_protocols(data: list[Any]) -> dict[str, list[Any]]:
    cols: dict[str, list[Any]] = {k: [] for k in (
        "slug", "name", "category", "chains", "tvls", "change_1d", "change_7d", "parent",
        "symbol", "url")}
    for item in data:
        if not isinstance(item, dict) or not _str(item.get("name")):
            continue
        name = item["name"]
        raw = item.get("chainTvls")
        tvls = {str(k): float(v) for k, v in raw.items() if _num(v) is not None} \
            if isinstance(raw, dict) else {}
        parent = _str(item.get("parentProtocol"))
        chains = item.get("chains")
        cols["slug"].append(_str(item.get("slug")) or "-".join(name.lower().split()))
        cols["name"].append(name)
        cols["category"].append(_str(item.get("category")))
        cols["chains"].append([c for c in chains if isinstance(c, str)]
                              if isinstance(chains, list) else [])
        cols["tvls"].append(tvls)
        cols["change_1d"].append(_num(item.get("change_1d")))
        cols["change_7d"].append(_num(item.get("change_7d")))
        cols["parent"].append(parent.split("#", 1)[-1] if parent else None)
        cols["symbol"].append(_str(item.get("symbol")))
        cols["url"].append(_str(item.get("url")))
    return cols


# Column name in the compact table -> key in a /pools item.
POOL_KEYS = {"pool": "pool", "project": "project", "chain": "chain", "symbol": "symbol",
             "tvl": "tvlUsd", "apy": "apy", "apy_base": "apyBase", "apy_reward": "apyReward",
             "apy_mean_30d": "apyMean30d", "stablecoin": "stablecoin", "il_risk": "ilRisk",
             "exposure": "exposure", "outlier": "outlier", "pool_meta": "poolMeta"}
_POOL_NUMBERS = frozenset({"tvl", "apy", "apy_base", "apy_reward", "apy_mean_30d"})
_POOL_FLAGS = frozenset({"stablecoin", "outlier"})


def _compact_pools(data: dict[str, Any]) -> dict[str, list[Any]]:
    items = [p for p in data["data"] if isinstance(p, dict) and _str(p.get("pool"))]
    cols: dict[str, list[Any]] = {}
    for col, key in POOL_KEYS.items():
        if col in _POOL_NUMBERS:
            values = [_num(p.get(key)) for p in items]
            if col == "tvl":
                values = [v or 0.0 for v in values]
        elif col in _POOL_FLAGS:
            values = [p.get(key) is True for p in items]
        else:
            values = [_str(p.get(key)) for p in items]
            if col in ("project", "chain", "symbol"):
                values = [v or "" for v in values]
        cols[col] = values
    return cols


def _compact_chains(data: list[Any]) -> list[dict[str, Any]]:
    return [{"name": c["name"], "tvl": _num(c.get("tvl")) or 0.0,
             "tokenSymbol": _str(c.get("tokenSymbol")), "gecko_id": _str(c.get("gecko_id")),
             "chainId": c.get("chainId") if isinstance(c.get("chainId"), int) else None}
            for c in data if isinstance(c, dict) and _str(c.get("name"))]


def _series(points: Any, value_key: str) -> list[list[float]]:
    out = []
    for p in points if isinstance(points, list) else ():
        if not isinstance(p, dict):
            continue
        try:
            t = int(float(p.get("date")))
        except (TypeError, ValueError):
            continue
        v = _num(p.get(value_key))
        if v is not None:
            out.append([t, v])
    out.sort(key=lambda p: p[0])
    return out


def _compact_chain_series(data: list[Any]) -> list[list[float]]:
    return _series(data, "tvl")


def _compact_protocol_series(data: dict[str, Any]) -> list[list[float]]:
    return _series(data.get("tvl"), "totalLiquidityUSD")
