"""`mobius doctor` and `mobius cache`: the health of config, keyring, sources and cache."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import typer

from mobius_cli.commands._common import JsonOpt, app_context

if TYPE_CHECKING:
    from mobius_cli.context import AppContext
    from mobius_cli.providers.cache import ResponseCache
    from mobius_cli.providers.http import HttpClient
    from mobius_cli.settings import Paths, Settings

cache_app = typer.Typer(
    help="The shared response cache.\n\nExamples: `mobius cache info`, `mobius cache clear`.",
    no_args_is_help=True)

PROBE_POOL = "747c1d2a-c668-4682-b9f9-296708a3dd90"  # Lido stETH on DeFiLlama yields


def _probe(app: AppContext, http: HttpClient, name: str, url: str | Exception,
           headers: Mapping[str, str] | None = None, body: Any = None) -> dict[str, Any]:
    """Reachable or not, and how fast (not tried at all offline, nor with a bad URL)."""
    from mobius_cli.errors import MobiusError
    from mobius_cli.providers.urls import mask_url

    if isinstance(url, Exception):  # a malformed base URL, e.g. from the environment
        detail = url.message if isinstance(url, MobiusError) else str(url)
        return {"source": name, "url": None, "status": "error", "latency_ms": None,
                "detail": detail}
    shown = mask_url(url)
    if app.offline:
        return {"source": name, "url": shown, "status": "skipped", "latency_ms": None,
                "detail": "offline"}
    try:
        problem, seconds = http.probe(name, url, dict(headers) if headers else None, body)
    except Exception as exc:  # doctor reports, never dies
        problem, seconds = f"{type(exc).__name__}: {exc}", 0.0
    return {"source": name, "url": shown, "status": "error" if problem else "ok",
            "latency_ms": round(seconds * 1000, 1), "detail": problem or ""}


def _check_home(paths: Paths) -> dict[str, Any]:
    """Whether Mobius can create and write its folders (read-only or full disk, a file
    where a folder belongs): one line, never an exception."""
    import os

    from mobius_cli.errors import MobiusError
    from mobius_cli.settings import write_private_file

    for folder in (paths.config_dir, paths.data_dir, paths.cache_dir):
        probe = folder / f".doctor-{os.getpid()}"
        try:
            write_private_file(probe, b"mobius doctor\n")
        except MobiusError as exc:
            return {"status": "error", "detail": exc.message + (f" ({exc.hint})"
                                                                 if exc.hint else "")}
        finally:
            with contextlib.suppress(OSError):
                probe.unlink()
    return {"status": "ok", "detail": ""}


def _cache() -> ResponseCache:
    """The shared cache, found without reading config.toml (a broken one must not hide it)."""
    from mobius_cli.providers.cache import ResponseCache
    from mobius_cli.settings import Paths

    return ResponseCache(Paths.resolve().cache_db)


def cache_summary(cache: ResponseCache) -> dict[str, Any]:
    """The cache's path, entry count, size, and oldest/newest entries as ISO times."""
    from mobius_cli.core.models import iso_utc

    info = cache.info()
    return {"path": info["path"], "entries": info["entries"], "bytes": info["bytes"],
            "oldest": iso_utc(info.get("oldest")), "newest": iso_utc(info.get("newest"))}


def doctor_report(app: AppContext) -> dict[str, Any]:
    """Config, home folders, keyring, each source's reachability and latency (checked in
    parallel), and the cache. Every problem is reported in the result, none raised."""
    from concurrent.futures import ThreadPoolExecutor

    from mobius_cli import env
    from mobius_cli.errors import MobiusError
    from mobius_cli.providers.http import HttpClient, RetryPolicy, join_url
    from mobius_cli.secrets import backend_name, secret_source
    from mobius_cli.settings import Paths, Settings

    paths = Paths.resolve()
    config = {"file": str(paths.config_file), "status": "ok", "detail": ""}
    try:
        settings = app.settings
    except MobiusError as exc:  # report a broken config.toml, and check the rest on defaults
        config.update(status="error", detail=exc.message + (f" ({exc.hint})" if exc.hint else ""))
        settings = app.settings = Settings(paths, {})
    else:
        config.update(_check_config_values(app, settings))
    home = {"path": str(paths.config_dir.parent) if os.environ.get(env.HOME) else None,
            **_check_home(paths)}

    def base(key: str) -> str | Exception:
        try:
            return str(settings.get(key))
        except MobiusError as exc:  # a bad URL in the environment, named as such
            return exc

    def problem_of(fn: Any) -> Any:
        try:
            return fn()
        except MobiusError as exc:
            return exc

    http = problem_of(lambda: app.http)
    if isinstance(http, Exception):  # an unusable cache folder must not stop the probes
        http = app.http = HttpClient.from_settings(settings, offline=app.offline)
    cg = problem_of(lambda: app.coingecko)
    checks: list[tuple[str, str | Exception, Mapping[str, str] | None, Any]] = [
        ("CoinGecko", cg if isinstance(cg, Exception) else join_url(cg.base_url, "/ping"),
         None if isinstance(cg, Exception) else cg.headers, None),
        ("DeFiLlama coins", _join(base("llama_coins_url"), "/prices/current/coingecko:bitcoin"),
         None, None),
        ("DeFiLlama", _join(base("defillama_url"), "/v2/chains"), None, None),
        # One small pool's chart, not the 15 MB pool list.
        ("DeFiLlama yields", _join(base("yields_url"), f"/chart/{PROBE_POOL}"), None, None),
        ("alternative.me", _join(base("fng_url"), "/fng/"), None, None),
        ("Ethereum node", base("rpc_url"), None,
         {"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []}),
    ]
    # One probe each at once, without retries: all timing out costs one timeout, not four.
    saved, http.policy = http.policy, RetryPolicy(retries=0, max_rate_wait=0)
    if not app.offline:
        # One client (and its TLS set-up) built before the clocks start, not one per thread:
        # each latency is then the source's, not ~0.3 s of set-up.
        _ = http.client
    try:
        with ThreadPoolExecutor(max_workers=len(checks)) as pool:
            sources = list(pool.map(lambda c: _probe(app, http, *c), checks))
        for row in sources:  # the pool id is public, not a key to mask
            if (row["url"] or "").endswith("/chart/***"):
                row["url"] = row["url"][:-3] + PROBE_POOL
    finally:
        http.policy = saved
    try:
        cache = {**cache_summary(http.cache), "status": "ok", "detail": ""}
    except (MobiusError, OSError) as exc:  # a damaged or unreadable cache file
        detail = f"{exc.message} ({exc.hint})" if isinstance(exc, MobiusError) else str(exc)
        cache = {"path": str(paths.cache_db), "entries": 0, "bytes": 0, "oldest": None,
                 "newest": None, "status": "error", "detail": detail}
    backend = backend_name()
    from mobius_cli.commands.llm import status as llm_status

    llm = problem_of(lambda: llm_status(app, probe=not app.offline))
    if isinstance(llm, Exception):
        llm = {"configured": False, "error": llm.message}
    return {
        "version": __import__("mobius_cli").__version__,
        "config": config,
        "home": home,
        "paths": {"config_dir": str(paths.config_dir), "data_dir": str(paths.data_dir),
                  "cache_dir": str(paths.cache_dir)},
        "keyring": {"backend": backend, "available": backend is not None},
        "keys": {name: secret_source(name) is not None for name in env.SECRET_KEYS},
        "sources": sources,
        "cache": cache,
        "llm": llm,
        "ok": config["status"] == cache["status"] == home["status"] == "ok"
        and all(s["status"] != "error" for s in sources),
    }


def _check_config_values(app: AppContext, settings: Settings) -> dict[str, str]:
    """What reading config.toml cannot tell alone: a vs_currency CoinGecko does not quote
    in (checked against its list, cached a day; the built-in list offline)."""
    from mobius_cli.errors import MobiusError
    from mobius_cli.settings import configured_currency

    try:
        configured_currency(settings, app.supported_currencies)
    except MobiusError as exc:
        return {"status": "error",
                "detail": exc.message + (f" ({exc.hint})" if exc.hint else "")}
    return {}


def _join(base: str | Exception, path: str) -> str | Exception:
    from mobius_cli.providers.http import join_url

    return base if isinstance(base, Exception) else join_url(base, path)


def show_doctor(app: AppContext) -> bool:
    """Run every check and print the report (JSON with app.json); True when all passed."""
    from rich.text import Text

    from mobius_cli.render.format import file_size
    from mobius_cli.render.output import emit, new_table

    with app.spinner("Checking…"):
        report = doctor_report(app)

    def tables() -> list[Any]:
        t = new_table(f"mobius {report['version']}", "Field", "Value")
        t.columns[1].justify, t.columns[1].overflow = "left", "fold"  # long paths fold
        config = report["config"]
        t.add_row("Config", f"{config['file']} "
                  f"({config['status']}{': ' + config['detail'] if config['detail'] else ''})")
        home = report["home"]
        if home["status"] != "ok":
            t.add_row("Home", Text(f"error: {home['detail']}", style="red"))
        t.add_row("Keyring", report["keyring"]["backend"] or
                  "none (use environment variables for keys)")
        t.add_row("Keys", ", ".join(f"{k}: {'set' if v else 'not set'}"
                                    for k, v in report["keys"].items()))
        cache = report["cache"]
        t.add_row("Cache", cache["detail"] if cache["status"] != "ok" else
                  f"{cache['entries']} entries, {file_size(cache['bytes'])} ({cache['path']})")
        llm = report["llm"]
        if llm.get("configured"):
            tools = {True: "takes tools", False: "no tools (JSON mode, then the rules)",
                     None: "tools unknown"}[llm.get("tools")]
            t.add_row("LLM", f"{llm['model']} at {llm['base_url']}: "
                      + (f"error: {llm['error']}" if llm.get("error") else tools))
        else:
            t.add_row("LLM", llm.get("error") or "off (optional: `mobius llm use`)")
        s = new_table("Data sources", "Source", "Status", "Latency", "Detail")
        s.columns[0].no_wrap = True
        s.columns[3].overflow = "fold"  # a long URL or error folds; it is never cut with …
        marks = {"ok": Text("ok", style="green"), "error": Text("error", style="red"),
                 "skipped": Text("skipped", style="dim")}
        for row in report["sources"]:
            latency = row["latency_ms"]
            s.add_row(row["source"], marks[row["status"]],
                      "—" if latency is None else f"{latency:.0f} ms",
                      row["detail"] or row["url"] or "")
        return [t, s]

    emit(app, report, tables)
    return bool(report["ok"])


def register(app: typer.Typer) -> None:
    """Add doctor to the app."""

    @app.command("doctor")
    def doctor(ctx: typer.Context, json: JsonOpt = False) -> None:
        """Check config, keyring, each data source (reachability, latency) and the cache.

        Exits 1 when a check fails. Example: `mobius doctor --json | jq .sources`.
        """
        if not show_doctor(app_context(ctx, json=json)):
            raise typer.Exit(1)


@cache_app.command("info")
def cache_info(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Where the cache is, how many responses it holds, and its size.

    Example: `mobius cache info --json`.
    """
    from mobius_cli.core.models import parse_iso
    from mobius_cli.providers.http import describe_age
    from mobius_cli.render.format import file_size
    from mobius_cli.render.output import emit

    app = app_context(ctx, json=json)
    cache = _cache()
    info = cache_summary(cache)
    cache.close()

    def text() -> str:
        line = f"{info['path']}: {info['entries']} responses, {file_size(info['bytes'])}"
        oldest = parse_iso(info["oldest"])
        if oldest:
            line += f"; oldest {describe_age(time.time() - oldest.timestamp())} old"
        return line

    emit(app, info, text)


@cache_app.command("clear")
def cache_clear() -> None:
    """Forget every cached response (the next commands fetch afresh).

    Example: `mobius cache clear`.
    """
    from mobius_cli.settings import Paths

    cache = _cache()
    count = cache.clear()
    cache.close()
    kept = _clear_kept_files(Paths.resolve().cache_dir)
    typer.echo(f"cleared {count} cached responses"
               + (f" and {kept} kept files (DeFi lists, daily closes, ledger snapshots)"
                  if kept else ""), err=True)


# Folders of the cache directory that hold derived copies, rebuilt on the next use.
KEPT_FOLDERS = ("defillama", "closes", "ledger")


def _clear_kept_files(cache_dir: Any) -> int:
    """Remove the compact DeFi lists, kept daily closes and ledger snapshots."""
    removed = 0
    for name in KEPT_FOLDERS:
        folder = cache_dir / name
        for file in folder.rglob("*") if folder.is_dir() else ():
            if file.is_file():
                try:
                    file.unlink()
                    removed += 1
                except OSError:
                    pass
    return removed
