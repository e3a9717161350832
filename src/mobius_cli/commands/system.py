"""`mobius doctor` and `mobius cache`: the health of config, keyring, sources and cache."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import typer

from mobius_cli.commands._common import JsonOpt, app_context

if TYPE_CHECKING:
    from mobius_cli.context import AppContext

cache_app = typer.Typer(help="The shared response cache.", no_args_is_help=True)


def _probe(app: AppContext, name: str, url: str, headers: dict[str, str] | None = None
           ) -> dict[str, Any]:
    """Reachable or not, and how fast."""
    problem, seconds = app.http.probe(name, url, headers)
    return {"source": name, "url": url, "status": "error" if problem else "ok",
            "latency_ms": round(seconds * 1000, 1), "detail": problem or ""}


def doctor_report(app: AppContext) -> dict[str, Any]:
    """Config, keyring, each source's reachability and latency, and the cache."""
    from mobius_cli import env
    from mobius_cli.providers.http import join_url
    from mobius_cli.secrets import backend_name, secret_source

    settings = app.settings
    problems: list[str] = []
    try:
        settings.as_dict()
        config = {"file": str(settings.paths.config_file), "status": "ok"}
    except Exception as exc:  # pragma: no cover - load already validated
        config = {"file": str(settings.paths.config_file), "status": f"error: {exc}"}
    cg = app.coingecko
    sources = [
        _probe(app, "CoinGecko", join_url(cg.base_url, "/ping"), cg.headers),
        _probe(app, "DeFiLlama coins",
               join_url(settings.get("llama_coins_url"), "/prices/current/coingecko:bitcoin")),
        _probe(app, "DeFiLlama", join_url(settings.get("defillama_url"), "/v2/chains")),
        _probe(app, "alternative.me", join_url(settings.get("fng_url"), "/fng/")),
    ]
    problems += [f"{s['source']}: {s['detail']}" for s in sources if s["status"] != "ok"]
    backend = backend_name()
    return {
        "version": __import__("mobius_cli").__version__,
        "config": config,
        "paths": {"config_dir": str(settings.paths.config_dir),
                  "data_dir": str(settings.paths.data_dir),
                  "cache_dir": str(settings.paths.cache_dir)},
        "keyring": {"backend": backend, "available": backend is not None},
        "keys": {name: secret_source(name) is not None for name in env.SECRET_KEYS},
        "sources": sources,
        "cache": app.http.cache.info(),
        "ok": not problems,
    }


def register(app: typer.Typer) -> None:
    """Add doctor to the app."""

    @app.command("doctor")
    def doctor(ctx: typer.Context, json: JsonOpt = False) -> None:
        """Check config, keyring, each data source (reachability, latency) and the cache."""
        from mobius_cli.render.format import compact
        from mobius_cli.render.output import emit, new_table

        obj = app_context(ctx, json=json)
        with obj.spinner("Checking…"):
            report = doctor_report(obj)

        def tables() -> list[Any]:
            t = new_table(f"mobius {report['version']}", "Field", "Value")
            t.columns[1].justify = "left"
            t.add_row("Config", f"{report['config']['file']} ({report['config']['status']})")
            t.add_row("Keyring", report["keyring"]["backend"] or
                      "none (use environment variables for keys)")
            t.add_row("Keys", ", ".join(f"{k}: {'set' if v else 'not set'}"
                                        for k, v in report["keys"].items()))
            cache = report["cache"]
            t.add_row("Cache", f"{cache['entries']} entries, {compact(cache['bytes'])}B "
                      f"({cache['path']})")
            s = new_table("Data sources", "Source", "Status", "Latency", "Detail")
            for row in report["sources"]:
                mark = "[green]ok[/green]" if row["status"] == "ok" else "[red]error[/red]"
                s.add_row(row["source"], mark, f"{row['latency_ms']:.0f} ms",
                          row["detail"] or row["url"])
            return [t, s]

        emit(obj, report, tables)


@cache_app.command("info")
def cache_info(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Where the cache is, how many responses it holds, and its size."""
    from mobius_cli.providers.http import describe_age
    from mobius_cli.render.output import emit

    app = app_context(ctx, json=json)
    info = app.http.cache.info()
    now = time.time()

    def text() -> str:
        line = f"{info['path']}: {info['entries']} responses, {info['bytes']:,} bytes"
        if info.get("oldest"):
            line += f"; oldest {describe_age(now - info['oldest'])} old"
        return line

    emit(app, info, text)


@cache_app.command("clear")
def cache_clear(ctx: typer.Context) -> None:
    """Forget every cached response."""
    app = app_context(ctx)
    count = app.http.cache.clear()
    typer.echo(f"cleared {count} cached responses", err=True)
