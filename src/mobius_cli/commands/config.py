"""`mobius config` and `mobius keys`: settings in config.toml, secrets in the keyring."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from mobius_cli.commands._common import JsonOpt, app_context

config_app = typer.Typer(
    help="Show and change settings (config.toml).\n\n"
    "Examples: `mobius config show`, `mobius config set vs_currency eur`, "
    "`mobius config unset timeout`.",
    no_args_is_help=True)
keys_app = typer.Typer(
    help="API keys in the OS keyring (environment variables override).\n\n"
    "Examples: `mobius keys set coingecko` (asks for it), `mobius keys list`.",
    no_args_is_help=True)

KeyArg = Annotated[str, typer.Argument(metavar="KEY", help="A config key, e.g. vs_currency.")]


@config_app.command("show")
def config_show(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Every setting, its value, and where it comes from (default, config, env).

    Example: `mobius config show --json`.
    """
    from mobius_cli.errors import MobiusError
    from mobius_cli.providers.urls import mask_url
    from mobius_cli.render.analysis import share_width
    from mobius_cli.render.output import emit, new_table
    from mobius_cli.settings import CONFIG_KEYS, configured_currency

    app = app_context(ctx, json=json)
    settings = app.settings

    def shown(key: str) -> object:  # URLs with credentials or keys in them are masked
        value = settings.get(key)
        return mask_url(value) if key.endswith("_url") and isinstance(value, str) else value

    rows = [{"key": k, "value": shown(k), "source": settings.source_of(k),
             "help": CONFIG_KEYS[k].help} for k in CONFIG_KEYS]
    try:  # shown all the same, so it can be seen and fixed; every other command refuses it
        configured_currency(settings, app.supported_currencies)
    except MobiusError as exc:
        app.note(f"{exc.message} ({exc.hint})" if exc.hint else exc.message)

    def table():
        t = new_table(f"Settings ({settings.paths.config_file})", "Key", "Value", "Source",
                      "Detail", drop_first=("Detail",))
        # Keys and variable names (MOBIUS_COINGECKO_URL) are never broken: a narrow
        # terminal folds a long value (a URL) first, then puts a source's variable under
        # its "env"; the description wraps, or goes when there is no room for it.
        t.columns[0].no_wrap = True
        t.columns[1].no_wrap, t.columns[1].overflow = False, "fold"
        t.columns[1].min_width = min(10, max(len(str(r["value"])) for r in rows))
        t.columns[2].no_wrap = False
        for r in rows:
            t.add_row(r["key"], str(r["value"]), r["source"], r["help"])
        return share_width(t, app.out.width)

    emit(app, {r["key"]: r["value"] for r in rows}, table)


@config_app.command("get")
def config_get(ctx: typer.Context, key: KeyArg) -> None:
    """Print the effective value of one key (config, environment or default).

    Examples: `mobius config get vs_currency`, `mobius config get timeout`.
    """
    from mobius_cli.render.format import printable
    from mobius_cli.settings import check_key

    app = app_context(ctx)
    check_key(key)
    typer.echo(printable(str(app.settings.get(key))))


@config_app.command("set", context_settings={"ignore_unknown_options": True})
def config_set(ctx: typer.Context, key: KeyArg,
               value: Annotated[str, typer.Argument(metavar="VALUE")]) -> None:
    """Validate a value and store it in config.toml.

    Examples: `mobius config set vs_currency eur`, `mobius config set cost_basis_method hifo`.
    """
    from mobius_cli.render.format import printable
    from mobius_cli.settings import (
        Paths,
        check_currency,
        parse_value,
        read_raw_config,
        write_config,
    )

    app = app_context(ctx)
    parsed = parse_value(key, value)
    if key == "vs_currency":
        parsed = check_currency(parsed, app.supported_currencies, where="config key vs_currency")
    path = Paths.resolve().config_file  # raw, so `set` can repair a broken file
    values = read_raw_config(path)
    values[key] = parsed
    write_config(path, values)
    typer.echo(printable(f"{key} = {parsed}"), err=True)


@config_app.command("unset")
def config_unset(key: KeyArg) -> None:
    """Remove a key from config.toml, back to its default.

    Also removes a key Mobius does not know, to repair a broken file.

    Examples: `mobius config unset timeout`, `mobius config unset vs_currency`.
    """
    from mobius_cli.settings import CONFIG_KEYS, Paths, check_key, read_raw_config, write_config

    path = Paths.resolve().config_file  # raw, so `unset` can repair a broken file
    values = read_raw_config(path)
    if key not in values:
        check_key(key)
        typer.echo(f"{key} was not set (default: {CONFIG_KEYS[key].default!r})", err=True)
        return
    del values[key]
    write_config(path, values)
    default = f" (default: {CONFIG_KEYS[key].default!r})" if key in CONFIG_KEYS else ""
    typer.echo(f"removed {key}{default}", err=True)


@config_app.command("path")
def config_path(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Where config, data and cache live (MOBIUS_HOME moves all three).

    Examples: `mobius config path`, `mobius config path --json`.
    """
    from mobius_cli.settings import Paths

    app = app_context(ctx, json=json)
    paths = Paths.resolve()  # not app.settings: a broken config.toml must not hide its path
    data = {"config_file": str(paths.config_file), "data_dir": str(paths.data_dir),
            "cache_dir": str(paths.cache_dir)}
    if app.json:
        from mobius_cli.render.output import print_json

        print_json(data)
    else:
        typer.echo(f"config: {paths.config_file}\ndata:   {paths.data_dir}\n"
                   f"cache:  {paths.cache_dir}")


NameArg = Annotated[str, typer.Argument(metavar="NAME", help="coingecko, coingecko-pro, llm.")]


@keys_app.command("set")
def keys_set(name: NameArg,
             value: Annotated[str | None, typer.Option(
                 "--value", help="The key. Left out: asked for (hidden), or read from a pipe.",
                 show_default=False)] = None) -> None:
    """Store an API key in the OS keyring.

    Examples: `mobius keys set coingecko` (asks for it), `pass cg | mobius keys set coingecko`.
    """
    from mobius_cli.errors import UsageError
    from mobius_cli.secrets import check_name, require_backend, set_secret

    check_name(name)
    require_backend(name)  # before asking for a key there is nowhere to keep
    if value is None:
        value = typer.prompt(f"{name} key", hide_input=True) if sys.stdin.isatty() \
            else sys.stdin.readline()
    if not value.strip():
        raise UsageError("the key is empty")
    set_secret(name, value.strip())
    typer.echo(f"stored {name} in the keyring", err=True)


@keys_app.command("remove")
def keys_remove(name: NameArg) -> None:
    """Remove a stored API key from the keyring.

    Examples: `mobius keys remove coingecko`, `mobius keys remove llm`.
    """
    from mobius_cli.secrets import check_name, remove_secret

    check_name(name)
    removed = remove_secret(name)
    typer.echo(f"removed {name}" if removed else f"{name} was not stored", err=True)


@keys_app.command("list")
def keys_list(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Which keys are set and where from (values are never shown).

    Examples: `mobius keys list`, `mobius keys list --json`.
    """
    from mobius_cli import env
    from mobius_cli.render.output import emit, new_table
    from mobius_cli.secrets import backend_name, secret_source

    app = app_context(ctx, json=json)
    rows = [{"name": n, "set": secret_source(n) is not None, "source": secret_source(n),
             "env": var} for n, var in env.SECRET_KEYS.items()]

    def table():
        t = new_table(f"Keys (keyring: {backend_name() or 'none'})", "Name", "Status", "Source",
                      "Detail")
        for r in rows:
            t.add_row(r["name"], "set" if r["set"] else "not set", r["source"] or "—",
                      f"override with {r['env']}")
        return t

    emit(app, rows, table)
