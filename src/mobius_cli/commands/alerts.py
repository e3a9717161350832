"""`mobius alerts`: price alerts that cron can check. Each `show_*`/verb function is what
the subcommand, `ask` and the REPL run."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from mobius_cli.commands._common import CsvOpt, JsonOpt, VsOpt, app_context

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from mobius_cli.context import AppContext
    from mobius_cli.services.alerts import AlertOptions

alerts_app = typer.Typer(
    help="Price alerts: add, list, check from cron, notify.\n\n"
         "Examples: `mobius alerts add eth --below 2500`, `mobius alerts check --quiet`, "
         "`mobius alerts cron`.",
    no_args_is_help=True)
channels_app = typer.Typer(
    help="Notification channels: terminal, desktop, webhook, ntfy, command, apprise.\n\n"
         "Example: `mobius alerts channels add phone ntfy https://ntfy.sh/my-topic`.",
    no_args_is_help=True)
alerts_app.add_typer(channels_app, name="channels")

IdsArg = Annotated[list[int] | None, typer.Argument(metavar="ID...", help="Alert ids.")]


# --- settings ----------------------------------------------------------------------


def _setting(app: AppContext, key: str, default: Any) -> Any:
    try:
        return app.settings.get(key)
    except KeyError:
        return default


def alert_options(app: AppContext) -> AlertOptions:
    """Check settings from config: alerts_max_age, alerts_hysteresis, alerts_notify."""
    from mobius_cli.core import alerts as core
    from mobius_cli.services.alerts import AlertOptions, parse_notify

    names = parse_notify(str(_setting(app, "alerts_notify", "terminal") or "")) or ("terminal",)
    return AlertOptions(max_age=float(_setting(app, "alerts_max_age", core.DEFAULT_MAX_AGE)),
                        hysteresis=float(_setting(app, "alerts_hysteresis",
                                                  core.DEFAULT_HYSTERESIS)),
                        default_notify=names)


def _post_json(app: AppContext) -> Any:
    """The shared client's JSON POST, when this build has one."""
    return getattr(app.http, "post_json", None)


def _notes(app: AppContext, notes: list[str]) -> None:
    for note in notes:
        app.note(note)


# --- the answers, shared with `ask` and the REPL -------------------------------------


def show_alert_add(app: AppContext, symbol: str | None, condition: str, target: str | float,
                   *, coin_id: str | None = None, repeat: bool = False,
                   cooldown: str | None = None, notify: str | list[str] | None = None,
                   note: str | None = None, portfolio: str | None = None) -> None:
    """Add an alert: condition one of above, below, cross, change, change_up, change_down;
    target a price in the --vs currency (or a percentage for change conditions). With
    `portfolio` (and no symbol) the alert is on that portfolio's total value."""
    from mobius_cli.core import alerts as core
    from mobius_cli.errors import UsageError
    from mobius_cli.render import alerts as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import alerts as svc

    if condition not in core.CONDITIONS:
        raise UsageError(f"unknown condition {condition!r}",
                         hint=f"one of {', '.join(core.CONDITIONS)}")
    value = core.parse_target(target, condition) if isinstance(target, str) else \
        core.check_target(condition, target)
    seconds = core.parse_duration(cooldown, what="--cooldown") if cooldown is not None else None
    names = [notify] if isinstance(notify, str) else list(notify or [])
    if portfolio is not None:
        if symbol or coin_id:
            raise UsageError("give a coin or --portfolio, not both")
        currency = app.vs_currency if app.vs else None
        with app.spinner("Valuing the portfolio…"):
            added = svc.add_portfolio_alert(app.store, app.coingecko, portfolio, condition,
                                            value, currency, repeat=repeat, cooldown=seconds,
                                            notify_names=names, note=note)
        _notes(app, added.notes)
        emit(app, added.to_json(alert_options(app).default_notify),
             lambda: view.added_line(added))
        return
    currency = app.vs_currency
    with app.spinner("Adding the alert…"):
        added = svc.add_alert(app.store, app.coingecko, symbol, condition, value, currency,
                              coin_id=coin_id, repeat=repeat, cooldown=seconds,
                              notify_names=names, note=note, on_note=app.note)
    _notes(app, added.notes)
    emit(app, added.to_json(alert_options(app).default_notify),
         lambda: view.added_line(added))


def show_alerts(app: AppContext, symbol: str | None = None, as_csv: bool = False) -> None:
    """Every alert: status, target, the price now and the distance to firing."""
    from mobius_cli.render import alerts as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import alerts as svc

    options = alert_options(app)
    live = not (app.json or as_csv)
    with app.spinner("Pricing alerts…"):
        result = svc.list_alerts(app.store, app.coingecko if live else None, symbol=symbol,
                                 default_notify=options.default_notify)
    _notes(app, result.notes)
    rows = result.to_json()
    csv_rows = [{**r, "notify": ",".join(r["notify"])} for r in rows]
    if symbol and not rows and svc.count_alerts(app.store):  # not "no alerts yet"
        emit(app, rows, lambda: f"No alerts on {symbol.strip().upper()} (see `mobius alerts "
             "list` for all).", csv_rows=csv_rows, as_csv=as_csv)
        return
    emit(app, rows, lambda: view.alerts_table(result, app.color), csv_rows=csv_rows,
         as_csv=as_csv)


def remove_alerts(app: AppContext, ids: list[int] | None = None, symbol: str | None = None,
                  all_: bool = False) -> None:
    """Remove alerts by id, every alert on one coin, or all of them."""
    from mobius_cli.render.output import emit
    from mobius_cli.services import alerts as svc

    gone = svc.remove_alerts(app.store, ids or [], symbol=symbol, all_=all_)
    ids_gone = [a.id for a in gone]
    text = (f"Removed alert{'s' if len(gone) != 1 else ''} "
            f"{', '.join(f'#{i}' for i in ids_gone)}." if gone else "There were no alerts.")
    emit(app, {"removed": ids_gone}, lambda: text)


def set_alerts_enabled(app: AppContext, ids: list[int] | None, enabled: bool,
                       symbol: str | None = None) -> None:
    """Enable (re-arming a fired one-shot alert, ending a snooze) or disable alerts, by id
    or every alert on one ticker."""
    from mobius_cli.render.output import emit
    from mobius_cli.services import alerts as svc

    changed = svc.set_enabled(app.store, ids or [], enabled, symbol=symbol)
    now = svc.utcnow()
    word = "Enabled" if enabled else "Disabled"
    emit(app, [svc.alert_json(a, now) for a in changed],
         lambda: f"{word} {', '.join(f'#{a.id}' for a in changed)}.")


def snooze_alert(app: AppContext, ids: list[int] | None = None, duration: str | float = "1d",
                 symbol: str | None = None) -> None:
    """Snooze alerts, by id or every alert on one ticker, for a while ('1h', '1d', '2w' or
    seconds; 0 ends a snooze)."""
    from mobius_cli.core import alerts as core
    from mobius_cli.render.alerts import when
    from mobius_cli.render.output import emit
    from mobius_cli.services import alerts as svc

    seconds = core.parse_duration(duration, what="--for")
    changed = svc.snooze_alerts(app.store, ids or [], seconds, symbol=symbol)
    now = svc.utcnow()
    which = ", ".join(f"#{a.id}" for a in changed)
    text = f"Snoozed {which} until {when(changed[0].snoozed_until)} UTC." if seconds else \
        f"{which} no longer snoozed."
    emit(app, [{**svc.alert_json(a, now), "snoozed_until": _iso(a.snoozed_until)}
               for a in changed], lambda: text)


def _iso(moment: Any) -> str | None:
    from mobius_cli.core.models import iso_utc

    return iso_utc(moment)


def show_alert_history(app: AppContext, alert_id: int | None = None,
                       symbol: str | None = None, limit: int = 50,
                       as_csv: bool = False) -> None:
    """Every firing, newest first, with its price and its delivery per channel."""
    from mobius_cli.render import alerts as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import alerts as svc

    result = svc.history(app.store, alert_id=alert_id, symbol=symbol, limit=limit)
    emit(app, result.to_json(), lambda: view.history_table(result, app.color),
         csv_rows=view.history_rows(result), as_csv=as_csv)


def run_alert_check(app: AppContext, quiet: bool = False) -> int:
    """Check every alert now; returns the exit code (0 nothing fired, 3 fired, 1 failed)."""
    from mobius_cli.errors import set_exit_if_output_lost
    from mobius_cli.render import alerts as view
    from mobius_cli.render.output import print_json
    from mobius_cli.services import alerts as svc

    quiet = quiet or bool(getattr(app, "quiet", False))  # `mobius -q alerts check` too
    with app.spinner("Checking alerts…"):
        result = svc.check(app.store, app.coingecko, alert_options(app),
                           post_json=_post_json(app))
    code = result.exit_code
    # The firing is news even when stdout's reader has gone (`... | head -0`): keep 3 (or 1).
    set_exit_if_output_lost(code)
    try:
        if app.json:
            print_json(result.to_json(), app.out.file)
        elif not (quiet and code == 0):
            lines = view.check_lines(result)
            if quiet:
                lines = lines[:-1]  # the fired lines without the summary
            if lines:
                app.out.print("\n".join(lines), markup=False, highlight=False,
                              soft_wrap=True, emoji=False)
    finally:  # what could not be checked is said on stderr even if stdout is gone
        if not (quiet and code == 0):
            for error in result.errors:
                app.err.print(f"mobius: {view.error_line(error)}", markup=False,
                              highlight=False, soft_wrap=True)
            _notes(app, result.notes)
    return code


def watch_alerts(app: AppContext, every: float = 60.0, rounds: int | None = None) -> int:
    """Check alerts every `every` seconds and show them as a live table; returns the exit
    code: 0 after `rounds` checks, 130 when Ctrl-C stops it (product.md: interrupted)."""
    import time

    from mobius_cli.errors import ExitCode, SourceError, UsageError
    from mobius_cli.render import alerts as view
    from mobius_cli.services import alerts as svc

    if not 5 <= every <= 86400:
        raise UsageError("--every must be between 5 and 86400 seconds")
    options = alert_options(app)
    done = 0
    recent: list[str] = []  # firings since watching began, the latest 10

    def frame() -> Any:
        stamp = svc.utcnow()
        try:
            check = svc.check(app.store, app.coingecko, options, post_json=_post_json(app))
        except SourceError as exc:
            check = svc.CheckResult(errors=[{"kind": "price", "id": None, "symbol": None,
                                             "message": exc.message}])
        recent.extend(view.fired_line(f) for f in check.fired)
        del recent[:-10]
        listed = svc.list_alerts(app.store, app.coingecko, default_notify=options.default_notify)
        return view.watch_table(listed, check, stamp, app.color, recent=recent,
                                console=app.out)

    live_view = app.out.is_terminal and not app.json
    try:
        if live_view:
            from rich.live import Live

            with Live(frame(), console=app.out, auto_refresh=False) as live:
                done += 1
                while rounds is None or done < rounds:
                    time.sleep(every)
                    live.update(frame(), refresh=True)
                    done += 1
        else:
            while rounds is None or done < rounds:
                if done:
                    time.sleep(every)
                app.out.print(frame())
                done += 1
    except KeyboardInterrupt:
        if not live_view:  # Live ends its own last line; here the ^C is left on one
            app.err.line()
        return ExitCode.INTERRUPTED
    return 0


def cron_line(every: int = 5, environ: Mapping[str, str] | None = None,
              on_note: Callable[[str], None] | None = None) -> str:
    """A crontab line that checks alerts every `every` minutes with this install, carrying
    MOBIUS_HOME and the source URLs set in `environ` (os.environ by default) but never a
    credential: a URL holding one is left out, said through `on_note`."""
    import os
    import shlex
    import sys
    from pathlib import Path

    from mobius_cli import env
    from mobius_cli.core.alerts import cron_env, cron_schedule

    schedule = cron_schedule(every)
    environ = os.environ if environ is None else environ
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    beside = Path(sys.executable).parent / "mobius"
    if argv0 is not None and argv0.name == "mobius" and argv0.exists():
        command = [str(argv0.absolute())]
    elif beside.exists():
        command = [str(beside)]
    else:
        command = [sys.executable, "-m", "mobius_cli"]
    home = environ.get(env.HOME)
    assign = [(env.HOME, str(Path(home).expanduser().absolute()))] if home else []
    urls, secret = cron_env(environ)
    if secret and on_note is not None:
        on_note(f"left out of the line: {', '.join(secret)} (the URL holds a credential, which "
                "a crontab must not show); add it to the crontab by hand if the check needs it")
    prefix = "".join(f"{name}={shlex.quote(value)} " for name, value in assign + urls)
    line = f"{prefix}{' '.join(shlex.quote(c) for c in command)} alerts check --quiet"
    return f"{schedule} {line.replace('%', chr(92) + '%')}"  # cron reads a bare % as a newline


def show_alert_cron(app: AppContext, every: int = 5) -> None:
    """Print a crontab line that checks alerts every `every` minutes with this install."""
    import os

    from mobius_cli.providers import notify
    from mobius_cli.services import alerts as svc

    line = cron_line(every, on_note=app.note)
    if app.json:
        from mobius_cli.render.output import print_json

        print_json({"line": line}, app.out.file)
    else:
        app.out.print(line, markup=False, highlight=False, soft_wrap=True)
    # A channel's target only in this shell's environment is a secret: named, never shown.
    keyring = notify.keyring_available()
    for channel in svc.env_only_channels(app.store, os.environ):
        secret = channel.kind in notify.SECRET_KINDS
        what = "URL" if secret else "command"
        add = f"`mobius alerts channels add {channel.name} {channel.kind} {what.upper()}`"
        keep = f"keep it in the keyring with {add}, or " if secret and keyring else \
            "" if secret else f"keep it with the channel with {add}, or "
        app.note(f"cron will not see {channel.variable}, where channel {channel.name}'s "
                 f"{what} comes from (not shown: it can hold a secret); {keep}define "
                 f"{channel.variable}=... on its own line at the top of the crontab")
    if not app.json:
        app.note("add it with `crontab -e`; channels whose URL is in a desktop keyring may "
                 "need MOBIUS_CHANNEL_<NAME> in the crontab when cron cannot open the keyring")


def show_alert_export(app: AppContext, fmt: str | None = None,
                      output: str | None = None) -> None:
    """Every alert as CSV (or JSON: `fmt` "json", or --json) that `alerts import` reads
    back, on stdout or written to `output` (atomically, private to the user)."""
    from mobius_cli.errors import UsageError
    from mobius_cli.services import alerts as svc

    chosen = (fmt or "").strip().lower() or None
    if app.json:
        if chosen not in (None, "json"):
            raise UsageError(f"--json and --format {chosen} disagree", hint="give one of them")
        chosen = "json"
    text = svc.export_text(app.store, chosen or "csv")
    if output and output != "-":
        from pathlib import Path

        from mobius_cli.settings import write_private_file

        write_private_file(Path(output).expanduser(), text.encode("utf-8"))
        app.note(f"wrote {output}")
    else:
        app.out.file.write(text)


def show_alert_import(app: AppContext, path: str) -> None:
    """Import alerts from a CSV (or JSON) file, '-' for stdin: all or nothing."""
    import sys
    from pathlib import Path

    from mobius_cli.errors import UsageError
    from mobius_cli.render.output import emit
    from mobius_cli.services import alerts as svc

    not_text = "is not a text CSV/JSON file (it is not UTF-8)"
    if path == "-":
        try:
            text = sys.stdin.read()
        except UnicodeDecodeError:
            raise UsageError(f"the input {not_text}") from None
    elif not path.strip():
        raise UsageError("the file name is empty", hint="e.g. `mobius alerts import "
                         "alerts.csv`, or - to read stdin")
    else:
        file = Path(path).expanduser()
        try:
            data = file.read_bytes()
        except FileNotFoundError:
            raise UsageError(f"no such file: {path}") from None
        except IsADirectoryError:
            raise UsageError(f"{path} is a directory, not a CSV/JSON file") from None
        except PermissionError:
            raise UsageError(f"cannot read {path}: permission denied") from None
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror or type(exc).__name__}"
                             ) from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UsageError(f"{path} {not_text}") from None
        if "\x00" in text:
            raise UsageError(f"{path} is not a text CSV/JSON file (it holds binary data)")
    if not text.strip():
        where = "the input" if path == "-" else path
        raise UsageError(f"{where} is empty: nothing to import",
                         hint="`mobius alerts export` writes a file this reads")
    with app.spinner("Importing alerts…"):
        added = svc.import_alerts(app.store, app.coingecko, text,
                                  default_currency=app.vs_currency, on_note=app.note)
    now = svc.utcnow()
    emit(app, [svc.alert_json(a, now) for a in added],
         lambda: (f"Imported 1 alert (#{added[0].id})." if len(added) == 1 else
                  f"Imported {len(added)} alerts (#{added[0].id}–#{added[-1].id}).") if added else
                 "No new alerts in the file: nothing imported.")


def show_channels(app: AppContext) -> None:
    from mobius_cli.render import alerts as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import alerts as svc

    result = svc.list_channels(app.store)
    emit(app, result.to_json(), lambda: view.channels_table(result, app.color))


def add_channel(app: AppContext, name: str, kind: str, target: str | None = None) -> None:
    from mobius_cli.providers import notify
    from mobius_cli.render.output import emit
    from mobius_cli.services import alerts as svc

    before = svc.get_channel(app.store, name)
    row = svc.add_channel(app.store, name, kind, target)
    where = ""
    if row.kind in notify.SECRET_KINDS:
        where = " (its URL is in the keyring)" if target else \
            f" (its URL comes from {notify.env_var(row.name)})"
    if row.kind == "apprise" and not notify.apprise_installed():
        app.note("Apprise is not installed: pip install 'mobius-cli[notify]'")
    if before is not None:  # it took its target from the environment alone until now
        kept = "its URL is in the keyring" if row.kind in notify.SECRET_KINDS else \
            "it keeps its command"
        text = f"Channel {row.name} ({row.kind}): {kept} now, so cron can use it " \
               f"without {notify.env_var(row.name)}."
    else:
        text = f"Added channel {row.name} ({row.kind}){where}."
    emit(app, row.to_json(), lambda: text)


def remove_channel(app: AppContext, name: str) -> None:
    from mobius_cli.render.output import emit
    from mobius_cli.services import alerts as svc

    users = svc.remove_channel(app.store, name)
    if users:
        app.note(f"alerts {', '.join(f'#{i}' for i in users)} still name {name}; "
                 "their deliveries to it are skipped")
    emit(app, {"removed": name}, lambda: f"Removed channel {name}.")


def test_channel(app: AppContext, name: str) -> None:
    from mobius_cli.render.output import emit
    from mobius_cli.services import alerts as svc

    printed: list[str] = []
    with app.spinner(f"Sending a test through {name}…"):
        svc.test_channel(app.store, name, post_json=_post_json(app), echo=printed.append)
    for line in printed:
        app.out.print(line, markup=False, highlight=False, soft_wrap=True)
    emit(app, {"channel": name, "sent": True}, lambda: f"Sent a test through {name}.")


# --- the subcommands ---------------------------------------------------------------


@alerts_app.command("add")
def add_cmd(
    ctx: typer.Context,
    symbol: Annotated[str | None, typer.Argument(metavar="SYMBOL",
                                                 help="Ticker, name or id: eth.")] = None,
    above: Annotated[str | None, typer.Option("--above", metavar="PRICE",
                                              help="Fire when the price is at or above.")] = None,
    below: Annotated[str | None, typer.Option("--below", metavar="PRICE",
                                              help="Fire when the price is at or below.")] = None,
    cross: Annotated[str | None, typer.Option(
        "--cross", metavar="PRICE", help="Fire when the price crosses, from where it is now.")
    ] = None,
    change: Annotated[str | None, typer.Option(
        "--change", metavar="PCT", help="Fire when the 24h change is at least PCT either way "
        "(PCT up to 1000).")
    ] = None,
    up: Annotated[str | None, typer.Option("--up", metavar="PCT",
                                           help="Fire when up PCT in 24h (up to 1000).")
                  ] = None,
    down: Annotated[str | None, typer.Option("--down", metavar="PCT",
                                             help="Fire when down PCT in 24h (under 100).")
                    ] = None,
    coin_id: Annotated[str | None, typer.Option("--id", metavar="ID",
                                                help="A CoinGecko id.")] = None,
    repeat: Annotated[bool, typer.Option("--repeat", help="Re-arm after firing.")] = False,
    cooldown: Annotated[str | None, typer.Option(
        "--cooldown", metavar="DURATION", help="With --repeat: least time between firings "
        "(default 1h).")] = None,
    notify: Annotated[str | None, typer.Option(
        "--notify", metavar="CHANNELS", help="Channel names, comma-separated.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="A note shown when it fires.")
                    ] = None,
    portfolio: Annotated[str | None, typer.Option(
        "--portfolio", "-p", metavar="NAME", help="Alert on a portfolio's total value "
        "instead of a coin.")] = None,
    vs: VsOpt = None, json: JsonOpt = False,
) -> None:
    """Add a price or 24h-move alert, or one on a portfolio's value.

    A price (--above, --below, --cross) is any positive amount in the --vs currency; a
    24h move (--change, --up) is a percentage up to 1000, --down under 100.

    Examples: `mobius alerts add eth --below 2500`, `mobius alerts add btc --cross 100k
    --repeat --notify phone`, `mobius alerts add sol --up 10`,
    `mobius alerts add --portfolio main --above 50k`.
    """
    from mobius_cli.errors import UsageError

    given = {name: value for name, value in (("above", above), ("below", below),
                                              ("cross", cross), ("change", change),
                                              ("change_up", up), ("change_down", down))
             if value is not None}
    if len(given) != 1:
        raise UsageError("give exactly one of --above, --below, --cross, --change, --up, --down"
                         if given else "say when to fire: --above, --below, --cross PRICE "
                         "or --change, --up, --down PCT",
                         hint="e.g. `mobius alerts add eth --below 2500`")
    if symbol and coin_id:
        raise UsageError("give a SYMBOL or --id, not both")
    (condition, target), = given.items()
    show_alert_add(app_context(ctx, json=json, vs=vs), symbol, condition, target,
                   coin_id=coin_id, repeat=repeat, cooldown=cooldown, notify=notify,
                   note=note, portfolio=portfolio)


@alerts_app.command("list")
def list_cmd(ctx: typer.Context,
             symbol: Annotated[str | None, typer.Option("--symbol", metavar="SYMBOL",
                                                        help="Only this ticker.")] = None,
             json: JsonOpt = False, csv: CsvOpt = False) -> None:
    """Every alert: status (armed, fired, snoozed, disabled), last firing, distance now.

    In the table a repeating alert in its cooldown shows when that ends (its JSON status
    stays `fired`).

    Examples: `mobius alerts list`, `mobius alerts list --json`.
    """
    show_alerts(app_context(ctx, json=json), symbol, csv)


@alerts_app.command("remove")
def remove_cmd(ctx: typer.Context, ids: IdsArg = None,
               symbol: Annotated[str | None, typer.Option("--symbol", metavar="SYMBOL",
                                                          help="Every alert on a ticker.")
                                 ] = None,
               all_: Annotated[bool, typer.Option("--all", help="Every alert (asks first, "
                                                  "or give --yes).")] = False,
               yes: Annotated[bool, typer.Option("--yes", "-y", help="With --all: do not ask "
                                                 "for confirmation.")] = False,
               json: JsonOpt = False) -> None:
    """Remove alerts (their firing history stays).

    Examples: `mobius alerts remove 3 4`, `mobius alerts remove --symbol eth`,
    `mobius alerts remove --all --yes`.
    """
    app = app_context(ctx, json=json)
    if all_ and not yes and not (ids or symbol):
        confirm_remove_all(app)
    remove_alerts(app, ids or [], symbol, all_)


def confirm_remove_all(app: AppContext) -> None:
    """`remove --all` deletes every alert: a yes on a terminal, else --yes (as `portfolio
    delete`); nothing to remove needs no yes."""
    import sys

    from mobius_cli.errors import Cancelled, UsageError
    from mobius_cli.services import alerts as svc

    count = svc.count_alerts(app.store)
    if not count:
        return
    what = f"all {count} alerts" if count > 1 else "the only alert"
    if not sys.stdin.isatty():
        raise UsageError(f"removing {what} needs --yes: `mobius alerts remove --all --yes`")
    if not typer.confirm(f"Remove {what}?", default=False, err=True):
        raise Cancelled("cancelled: nothing changed")


SymbolOpt = Annotated[str | None, typer.Option("--symbol", metavar="SYMBOL",
                                               help="Every alert on a ticker.")]


@alerts_app.command("enable")
def enable_cmd(ctx: typer.Context, ids: IdsArg = None, symbol: SymbolOpt = None,
               json: JsonOpt = False) -> None:
    """Enable alerts: ends a snooze and re-arms a fired one-shot alert.

    Examples: `mobius alerts enable 3`, `mobius alerts enable --symbol btc`.
    """
    set_alerts_enabled(app_context(ctx, json=json), ids or [], True, symbol)


@alerts_app.command("disable")
def disable_cmd(ctx: typer.Context, ids: IdsArg = None, symbol: SymbolOpt = None,
                json: JsonOpt = False) -> None:
    """Disable alerts until enabled again.

    Example: `mobius alerts disable 3`.
    """
    set_alerts_enabled(app_context(ctx, json=json), ids or [], False, symbol)


@alerts_app.command("snooze")
def snooze_cmd(ctx: typer.Context, ids: IdsArg = None, symbol: SymbolOpt = None,
               for_: Annotated[str, typer.Option("--for", metavar="DURATION",
                                                 help="How long: 30m, 1h, 1d, 2w; 0 ends it.")
                               ] = "1d",
               json: JsonOpt = False) -> None:
    """Snooze alerts for a while (default a day).

    Examples: `mobius alerts snooze 3 --for 1d`, `mobius alerts snooze --symbol btc`.
    """
    snooze_alert(app_context(ctx, json=json), ids or [], for_, symbol)


@alerts_app.command("history")
def history_cmd(ctx: typer.Context,
                alert_id: Annotated[int | None, typer.Option("--id", metavar="ID",
                                                             help="One alert's firings.")
                                    ] = None,
                symbol: Annotated[str | None, typer.Option("--symbol", metavar="SYMBOL",
                                                           help="Only this ticker.")] = None,
                limit: Annotated[int, typer.Option("--limit", "-n", help="Most recent N.")
                                 ] = 50,
                json: JsonOpt = False, csv: CsvOpt = False) -> None:
    """Every firing with its price and where it was delivered.

    Examples: `mobius alerts history`, `mobius alerts history --id 3 --json`.
    """
    show_alert_history(app_context(ctx, json=json), alert_id, symbol, limit, csv)


@alerts_app.command("export")
def export_cmd(ctx: typer.Context,
               fmt: Annotated[str | None, typer.Option(
                   "--format", "-f", metavar="FMT", help="csv (default) or json.")] = None,
               output: Annotated[str | None, typer.Option(
                   "--output", "-o", metavar="FILE", help="Write here (default stdout).")]
               = None,
               json: Annotated[bool, typer.Option("--json", help="JSON (as --format json).")
                               ] = False) -> None:
    """Print every alert as CSV (or JSON) that `alerts import` reads back.

    Columns: symbol, condition, target, currency, repeat, cooldown, notify, note, then
    coin_id, enabled, snoozed_until, status, last_fired_at.

    Examples: `mobius alerts export > alerts.csv`, `mobius alerts export --json -o
    alerts.json`.
    """
    show_alert_export(app_context(ctx, json=json), fmt, output)


@alerts_app.command("import")
def import_cmd(ctx: typer.Context,
               path: Annotated[str, typer.Argument(metavar="FILE", help="CSV or JSON; - reads "
                                                   "stdin.")],
               json: JsonOpt = False) -> None:
    """Import alerts from CSV or JSON: all or nothing, bad lines named.

    Columns: symbol, condition, target, currency, repeat, cooldown, notify, note; optional
    coin_id, enabled (true/false, default true), snoozed_until (ISO 8601 UTC; a past one
    is ignored), status (armed or fired: a one-shot alert that fired stays done) and
    last_fired_at. Example: `mobius alerts import alerts.csv`.
    """
    show_alert_import(app_context(ctx, json=json), path)


@alerts_app.command("check")
def check_cmd(ctx: typer.Context,
              quiet: Annotated[bool, typer.Option("--quiet", "-q",
                                                  help="Print nothing when nothing fired.")
                               ] = False,
              json: JsonOpt = False) -> None:
    """Check every alert now (for cron): exit 0 nothing fired, 3 fired, 1 could not check.

    Examples: `mobius alerts check`, `mobius alerts check --json`; in a crontab:
    `*/5 * * * * mobius alerts check --quiet`.
    """
    code = run_alert_check(app_context(ctx, json=json), quiet)
    if code:
        raise typer.Exit(code)


@alerts_app.command("watch")
def watch_cmd(ctx: typer.Context,
              every: Annotated[float, typer.Option("--every", metavar="SECONDS",
                                                   help="Seconds between checks.")] = 60.0
              ) -> None:
    """Check alerts every minute and show them live (for machines without cron).

    Ctrl-C stops it (exit 130). Example: `mobius alerts watch --every 30`.
    """
    code = watch_alerts(app_context(ctx), every)
    if code:
        raise typer.Exit(code)


@alerts_app.command("cron")
def cron_cmd(ctx: typer.Context,
             every: Annotated[int, typer.Option(
                 "--every", metavar="MINUTES",
                 help="Minutes between checks: 1-6, 10, 12, 15, 20, 30, or whole hours "
                      "that divide a day (60 ... 1440).")] = 5,
             json: JsonOpt = False) -> None:
    """Print a crontab line that checks alerts with this install.

    Examples: `mobius alerts cron --every 10`, `(crontab -l; mobius alerts cron) | crontab -`.
    """
    show_alert_cron(app_context(ctx, json=json), every)


@channels_app.command("add")
def channels_add_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name for --notify.")],
    kind: Annotated[str, typer.Argument(help="terminal, desktop, webhook, ntfy, command, "
                                        "apprise.")],
    target: Annotated[str | None, typer.Argument(
        metavar="[TARGET]", help="URL or command (URLs are kept in the keyring).")] = None,
    json: JsonOpt = False,
) -> None:
    """Add a notification channel.

    Examples: `mobius alerts channels add hook webhook https://example.com/hook`,
    `mobius alerts channels add log command 'echo $MOBIUS_ALERT_SYMBOL >> alerts.log'`.
    """
    add_channel(app_context(ctx, json=json), name, kind, target)


@channels_app.command("list")
def channels_list_cmd(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Every channel (URLs shown only as scheme and host).

    Example: `mobius alerts channels list`.
    """
    show_channels(app_context(ctx, json=json))


@channels_app.command("remove")
def channels_remove_cmd(ctx: typer.Context,
                        name: Annotated[str, typer.Argument(help="The channel.")],
                        json: JsonOpt = False) -> None:
    """Remove a channel (and its URL from the keyring).

    Example: `mobius alerts channels remove hook`.
    """
    remove_channel(app_context(ctx, json=json), name)


@channels_app.command("test")
def channels_test_cmd(ctx: typer.Context,
                      name: Annotated[str, typer.Argument(help="The channel.")],
                      json: JsonOpt = False) -> None:
    """Send a sample alert through a channel.

    Example: `mobius alerts channels test hook`.
    """
    test_channel(app_context(ctx, json=json), name)
