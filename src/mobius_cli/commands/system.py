"""`mobius doctor` and `mobius cache`: the health of config, keyring, sources and cache."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import typer

from mobius_cli.commands._common import JsonOpt, app_context

if TYPE_CHECKING:
    from mobius_cli.context import AppContext
    from mobius_cli.providers.cache import ResponseCache

cache_app = typer.Typer(help="The shared response cache.", no_args_is_help=True)


def _probe(app: AppContext, name: str, url: str, headers: dict[str, str] | None = None
           ) -> dict[str, Any]:
    """Reachable or not, and how fast (not tried at all offline)."""
    if app.offline:
        return {"source": name, "url": url, "status": "skipped", "latency_ms": None,
                "detail": "offline"}
    problem, seconds = app.http.probe(name, url, headers)
    return {"source": name, "url": url, "status": "error" if problem else "ok",
            "latency_ms": round(seconds * 1000, 1), "detail": problem or ""}


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
    """Config, keyring, each source's reachability and latency, and the cache."""
    from mobius_cli import env
    from mobius_cli.errors import MobiusError, UsageError
    from mobius_cli.providers.http import join_url
    from mobius_cli.secrets import backend_name, secret_source
    from mobius_cli.settings import Paths, Settings

    paths = Paths.resolve()
    config = {"file": str(paths.config_file), "status": "ok", "detail": ""}
    try:
        settings = app.settings
    except UsageError as exc:  # report a broken config.toml, and check the rest on defaults
        config.update(status="error", detail=exc.message + (f" ({exc.hint})" if exc.hint else ""))
        settings = app.settings = Settings(paths, {})
    cg = app.coingecko
    sources = [
        _probe(app, "CoinGecko", join_url(cg.base_url, "/ping"), cg.headers),
        _probe(app, "DeFiLlama coins",
               join_url(settings.get("llama_coins_url"), "/prices/current/coingecko:bitcoin")),
        _probe(app, "DeFiLlama", join_url(settings.get("defillama_url"), "/v2/chains")),
        _probe(app, "alternative.me", join_url(settings.get("fng_url"), "/fng/")),
    ]
    try:
        cache = {**cache_summary(app.http.cache), "status": "ok", "detail": ""}
    except MobiusError as exc:  # a damaged cache file
        cache = {"path": str(paths.cache_db), "entries": 0, "bytes": 0, "oldest": None,
                 "newest": None, "status": "error", "detail": f"{exc.message} ({exc.hint})"}
    backend = backend_name()
    return {
        "version": __import__("mobius_cli").__version__,
        "config": config,
        "paths": {"config_dir": str(paths.config_dir), "data_dir": str(paths.data_dir),
                  "cache_dir": str(paths.cache_dir)},
        "keyring": {"backend": backend, "available": backend is not None},
        "keys": {name: secret_source(name) is not None for name in env.SECRET_KEYS},
        "sources": sources,
        "cache": cache,
        "ok": config["status"] == cache["status"] == "ok"
        and all(s["status"] != "error" for s in sources),
    }


def register(app: typer.Typer) -> None:
    """Add doctor to the app."""

    @app.command("doctor")
    def doctor(ctx: typer.Context, json: JsonOpt = False) -> None:
        """Check config, keyring, each data source (reachability, latency) and the cache.

        Exits 1 when a check fails. Example: `mobius doctor --json | jq .sources`.
        """
        from mobius_cli.render.format import file_size
        from mobius_cli.render.output import emit, new_table

        obj = app_context(ctx, json=json)
        with obj.spinner("Checking…"):
            report = doctor_report(obj)

        def tables() -> list[Any]:
            t = new_table(f"mobius {report['version']}", "Field", "Value")
            t.columns[1].justify = "left"
            config = report["config"]
            t.add_row("Config", f"{config['file']} "
                      f"({config['status']}{': ' + config['detail'] if config['detail'] else ''})")
            t.add_row("Keyring", report["keyring"]["backend"] or
                      "none (use environment variables for keys)")
            t.add_row("Keys", ", ".join(f"{k}: {'set' if v else 'not set'}"
                                        for k, v in report["keys"].items()))
            cache = report["cache"]
            t.add_row("Cache", cache["detail"] if cache["status"] != "ok" else
                      f"{cache['entries']} entries, {file_size(cache['bytes'])} ({cache['path']})")
            s = new_table("Data sources", "Source", "Status", "Latency", "Detail")
            marks = {"ok": "[green]ok[/green]", "error": "[red]error[/red]",
                     "skipped": "[dim]skipped[/dim]"}
            for row in report["sources"]:
                latency = row["latency_ms"]
                s.add_row(row["source"], marks[row["status"]],
                          "—" if latency is None else f"{latency:.0f} ms",
                          row["detail"] or row["url"])
            return [t, s]

        emit(obj, report, tables)
        if not report["ok"]:
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
    cache = _cache()
    count = cache.clear()
    cache.close()
    typer.echo(f"cleared {count} cached responses", err=True)
