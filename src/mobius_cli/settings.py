"""Paths, the typed config file, and settings resolved from config and environment."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mobius_cli import env
from mobius_cli.errors import LocalStateError, UsageError, local_state_error

APP_NAME = "mobius"


@dataclass(frozen=True)
class Paths:
    """Where Mobius keeps its config, data and cache."""

    config_dir: Path
    data_dir: Path
    cache_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def cache_db(self) -> Path:
        return self.cache_dir / "http-cache.sqlite3"

    @property
    def history_file(self) -> Path:
        return self.data_dir / "repl-history"

    @classmethod
    def resolve(cls) -> Paths:
        """`MOBIUS_HOME` puts everything under one folder; otherwise platformdirs."""
        home = os.environ.get(env.HOME)
        if home:
            root = Path(home).expanduser()
            return cls(root / "config", root / "data", root / "cache")
        import platformdirs

        return cls(
            Path(platformdirs.user_config_dir(APP_NAME)),
            Path(platformdirs.user_data_dir(APP_NAME)),
            Path(platformdirs.user_cache_dir(APP_NAME)),
        )


def ensure_private_dir(path: Path) -> Path:
    """Create a directory readable only by the user (0700), and every missing folder above
    it (MOBIUS_HOME itself) the same way; a failure is one clear LocalStateError."""
    if path.is_dir():
        return path
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    try:
        for folder in reversed(missing):
            folder.mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        raise local_state_error(exc, "create", exc.filename or path) from None
    if not path.is_dir():
        raise LocalStateError(f"cannot use {path}: it is a file, not a folder",
                              hint="move it away, or point MOBIUS_HOME elsewhere")
    return path


def write_private_file(path: Path, data: bytes) -> None:
    """Write a user file atomically (temporary file, then rename), private to the user
    (0600); a read-only or full disk is one clear LocalStateError and leaves no debris."""
    ensure_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, IsADirectoryError) or path.is_dir():
            raise LocalStateError(f"cannot write {path}: it is a folder, not a file",
                                  hint="remove or rename that folder") from None
        raise local_state_error(exc, "write", path) from None


# --- typed config keys ---------------------------------------------------------------


def _url(value: Any) -> str:
    from urllib.parse import urlsplit

    text = str(value).strip()
    if not text.startswith(("http://", "https://")):
        raise ValueError("must be an http(s) URL")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as exc:
        raise ValueError(f"is not a valid URL ({exc})") from None
    if not parts.hostname or any(c.isspace() for c in text):
        raise ValueError("is not a valid URL (no host, or a space in it)")
    return text.rstrip("/")


def _seconds(most: float) -> Callable[[Any], float]:
    """A parser for a positive, finite number of seconds up to `most`."""

    def parse(value: Any) -> float:
        problem = f"must be a number of seconds above 0 and at most {most:g}"
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(problem) from None
        if isinstance(value, bool) or not 0 < number <= most:  # also refuses nan and inf
            raise ValueError(problem)
        return number

    return parse


def _whole(most: int) -> Callable[[Any], int]:
    """A parser for a whole number from 0 to `most`."""

    def parse(value: Any) -> int:
        if isinstance(value, bool) or not str(value).strip().lstrip("-").isdigit():
            raise ValueError("must be a whole number")
        number = int(str(value))
        if not 0 <= number <= most:
            raise ValueError(f"must be from 0 to {most}")
        return number

    return parse


def _currency(value: Any) -> str:
    text = str(value).strip().lower()
    if not text.isalpha() or not 2 <= len(text) <= 5:
        raise ValueError("must be a currency code such as usd, eur or btc")
    return text


# CoinGecko's quote currencies that are not fiat (its /simple/supported_vs_currencies).
CRYPTO_QUOTE_CODES = frozenset({"btc", "eth", "ltc", "bch", "bnb", "eos", "xrp", "xlm", "link",
                                "dot", "yfi", "sol", "bits", "sats"})


def builtin_currencies() -> frozenset[str]:
    """Quote currencies known without the network: fiat codes and CoinGecko's crypto ones."""
    from mobius_cli.core.coins import FIAT_CODES

    return FIAT_CODES | CRYPTO_QUOTE_CODES


def check_currency(code: str, supported: Callable[[], frozenset[str] | None],
                   where: str = "currency") -> str:
    """`code` when CoinGecko quotes in it, else a UsageError with a "did you mean".

    Codes in the built-in list pass without asking; others are checked against
    `supported()` (CoinGecko's list, cached a day), or against the built-in list alone
    when that returns None (offline, source down), so junk is refused without the network.
    """
    code = code.strip().lower()
    builtin = builtin_currencies()
    if code in builtin:
        return code
    known = supported() or builtin
    if code in known:
        return code
    from rapidfuzz import fuzz, process

    best = process.extractOne(code, sorted(known), scorer=fuzz.ratio, score_cutoff=60)
    hint = f"did you mean {best[0]}?" if best else "e.g. usd, eur, gbp, jpy or btc"
    raise UsageError(f"{where}: unsupported currency {code!r}", hint=hint)


def configured_currency(settings: Settings,
                        supported: Callable[[], frozenset[str] | None]) -> str:
    """The vs_currency of config.toml (or the default) when CoinGecko quotes in it; else a
    UsageError naming the file and the key, as for any other bad config value. Only a code
    outside the built-in list asks `supported()` (CoinGecko's list, cached a day)."""
    code = settings.get("vs_currency")
    if settings.source_of("vs_currency") != "config":
        return code
    try:
        return check_currency(code, supported, where="config key vs_currency")
    except UsageError as exc:
        fix = ("`mobius config set vs_currency VALUE` fixes it, "
               "`mobius config unset vs_currency` removes it")
        hint = f"{exc.hint}; {fix}" if exc.hint and exc.hint.startswith("did you mean") \
            else fix
        raise UsageError(f"{settings.paths.config_file}: {exc.message}", hint=hint) from None


def _fraction(value: Any) -> float:
    """A number from 0 to 1."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError("must be a number from 0 to 1") from None
    if isinstance(value, bool) or not 0 <= number <= 1:  # also refuses nan
        raise ValueError("must be a number from 0 to 1")
    return number


def _rate(value: Any) -> float:
    """A fraction from 0 to 1, or a percentage from 0% to 100%: 0.05 or 5%."""
    problem = "must be a fraction from 0 to 1 or a percentage (0.04 or 4%)"
    text = str(value).strip()
    if isinstance(value, str) and text.endswith("%"):
        try:
            number = float(text[:-1].strip()) / 100
        except ValueError:
            raise ValueError(problem) from None
    else:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(problem) from None
    if isinstance(value, bool) or not 0 <= number <= 1:  # also refuses nan
        raise ValueError(problem)
    return number


def _percent(most: float) -> Callable[[Any], float]:
    """A parser for a percentage from 0 to `most`."""

    def parse(value: Any) -> float:
        problem = f"must be a percentage from 0 to {most:g}"
        try:
            number = float(str(value).strip().rstrip("%"))
        except (TypeError, ValueError):
            raise ValueError(problem) from None
        if isinstance(value, bool) or not 0 <= number <= most:  # also refuses nan
            raise ValueError(problem)
        return number

    return parse


def _text(value: Any) -> str:
    return str(value).strip()


def _choice(*choices: str) -> Callable[[Any], str]:
    """A parser for one of `choices` (case-insensitive)."""

    def parse(value: Any) -> str:
        text = str(value).strip().lower()
        if text not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return text

    return parse


@dataclass(frozen=True)
class Key:
    """One config key: its parser, default and help."""

    parse: Callable[[Any], Any]
    default: Any
    help: str


CONFIG_KEYS: dict[str, Key] = {
    "vs_currency": Key(_currency, "usd", "currency prices are quoted in"),
    "timeout": Key(_seconds(300), 10.0, "seconds to wait for a data source"),
    "retries": Key(_whole(10), 3, "retries after a 5xx, timeout or dropped connection"),
    "max_retry_wait": Key(_seconds(3600), 30.0,
                          "most seconds to wait in total for rate limits (429)"),
    "coingecko_url": Key(_url, "https://api.coingecko.com/api/v3", "CoinGecko base URL"),
    "defillama_url": Key(_url, "https://api.llama.fi", "DeFiLlama base URL"),
    "llama_coins_url": Key(_url, "https://coins.llama.fi", "DeFiLlama coin prices base URL"),
    "yields_url": Key(_url, "https://yields.llama.fi", "DeFiLlama yields base URL"),
    "fng_url": Key(_url, "https://api.alternative.me", "Fear & Greed index base URL"),
    "rpc_url": Key(_url, "https://ethereum-rpc.publicnode.com", "Ethereum JSON-RPC URL"),
    "rpc_url_arbitrum": Key(_url, "https://arbitrum-one-rpc.publicnode.com",
                            "Arbitrum One JSON-RPC URL"),
    "rpc_url_optimism": Key(_url, "https://optimism-rpc.publicnode.com",
                            "OP Mainnet JSON-RPC URL"),
    "rpc_url_base": Key(_url, "https://base-rpc.publicnode.com", "Base JSON-RPC URL"),
    "rpc_url_polygon": Key(_url, "https://polygon-bor-rpc.publicnode.com",
                           "Polygon PoS JSON-RPC URL"),
    "rpc_url_bsc": Key(_url, "https://bsc-rpc.publicnode.com", "BNB Smart Chain JSON-RPC URL"),
    "rpc_url_avalanche": Key(_url, "https://avalanche-c-chain-rpc.publicnode.com",
                             "Avalanche C-Chain JSON-RPC URL"),
    "llm_url": Key(_url, "", "OpenAI-compatible LLM base URL (off when empty)"),
    "llm_model": Key(_text, "", "LLM model name"),
    "llm_threshold": Key(_fraction, 0.5, "rules' confidence below which the LLM is asked "
                         "(when one is configured)"),
    "cost_basis_method": Key(_choice("fifo", "lifo", "hifo", "avg"), "fifo",
                             "portfolio cost basis method: fifo, lifo, hifo or avg"),
    "risk_free_rate": Key(_rate, 0.0, "annual risk-free rate for Sharpe, Sortino and "
                          "max-sharpe, a fraction or a percent (0.04 or 4%)"),
    "alerts_max_age": Key(_seconds(86400), 300.0,
                          "seconds after which a price is too old to fire an alert"),
    "alerts_hysteresis": Key(_percent(50), 0.5, "percent a repeating alert's condition "
                             "must be false by before it re-arms"),
    "alerts_notify": Key(_text, "terminal", "channels for alerts without --notify "
                         "(comma-separated)"),
}
COINGECKO_PRO_URL = "https://pro-api.coingecko.com/api/v3"


def check_key(key: str) -> Key:
    """The spec of a known key; an unknown key is a usage error with a suggestion."""
    spec = CONFIG_KEYS.get(key)
    if spec is None:
        from difflib import get_close_matches

        close = get_close_matches(key, CONFIG_KEYS, n=1)
        hint = f"did you mean {close[0]}?" if close else "see `mobius config show`"
        raise UsageError(f"unknown config key {key!r}", hint=hint)
    return spec


def parse_value(key: str, value: Any) -> Any:
    """Validate one value for `key`; the error names the key."""
    spec = check_key(key)
    try:
        return spec.parse(value)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"config key {key}: {_shown(spec, value)!r} {exc}") from None


def _shown(spec: Key, value: Any) -> Any:
    """A value as an error may show it: URLs with credentials and keys masked."""
    if spec.parse is _url and isinstance(value, str):
        from mobius_cli.providers.urls import mask_url

        return mask_url(value)
    return value


def read_raw_config(path: Path) -> dict[str, Any]:
    """config.toml as written, unvalidated (so a broken file can be repaired)."""
    return _load_toml(path)


def _load_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    repair = "fix it or remove it and run `mobius config set`"
    try:
        with path.open("rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return {}
    except IsADirectoryError:
        raise LocalStateError(f"{path}: is a folder, not a config file",
                              hint="remove or rename that folder") from None
    except NotADirectoryError:
        raise LocalStateError(f"{path}: a folder above it is a file",
                              hint="move that file away, or point MOBIUS_HOME elsewhere")\
            from None
    except OSError as exc:
        raise local_state_error(exc, "read", path) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LocalStateError(f"{path}: not UTF-8 text (byte {exc.start + 1})",
                              hint=repair) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML ({exc})", hint=repair) from None


def read_config(path: Path) -> dict[str, Any]:
    """The validated contents of config.toml (unknown or bad keys are errors naming the
    file, the key, and the command that repairs it)."""
    values = {}
    for key, value in _load_toml(path).items():
        try:
            values[key] = parse_value(key, value)
        except UsageError as exc:
            fix = f"`mobius config unset {key}` removes it"
            if key in CONFIG_KEYS:
                fix = f"`mobius config set {key} VALUE` fixes it, {fix}"
            elif exc.hint and exc.hint.startswith("did you mean"):
                fix = f"{exc.hint} {fix}"
            raise UsageError(f"{path}: {exc.message}", hint=fix) from None
    return values


def write_config(path: Path, values: dict[str, Any]) -> None:
    """Write config.toml atomically, private to the user."""
    import tomli_w

    write_private_file(path, tomli_w.dumps(values).encode("utf-8"))


@dataclass
class Settings:
    """Effective settings: defaults, then config.toml, then the environment."""

    paths: Paths
    file_values: dict[str, Any]

    @classmethod
    def load(cls, paths: Paths | None = None) -> Settings:
        paths = paths or Paths.resolve()
        return cls(paths, read_config(paths.config_file))

    def get(self, key: str) -> Any:
        """The effective value of `key` and where it came from is `source_of`.

        A bad value from an environment variable is an error naming the variable.
        """
        env_name = env.SOURCE_URLS.get(key) or (env.LLM_MODEL if key == "llm_model" else None)
        if env_name and os.environ.get(env_name):
            value = os.environ[env_name]
            try:
                return CONFIG_KEYS[key].parse(value)
            except (TypeError, ValueError) as exc:
                shown = _shown(CONFIG_KEYS[key], value)
                raise LocalStateError(f"environment variable {env_name}: {shown!r} {exc}",
                                      hint=f"fix it or unset {env_name}") from None
        if key in self.file_values:
            return self.file_values[key]
        return CONFIG_KEYS[key].default

    def source_of(self, key: str) -> str:
        env_name = env.SOURCE_URLS.get(key) or (env.LLM_MODEL if key == "llm_model" else None)
        if env_name and os.environ.get(env_name):
            return f"env {env_name}"
        return "config" if key in self.file_values else "default"

    def as_dict(self) -> dict[str, Any]:
        return {key: self.get(key) for key in CONFIG_KEYS}
