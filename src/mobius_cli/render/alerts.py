"""Rich renderings of alerts, checks, firing history and channels."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from mobius_cli.render.format import money, printable
from mobius_cli.render.output import new_table

if TYPE_CHECKING:
    from mobius_cli.core.alerts import Alert
    from mobius_cli.services.alerts import (
        Added,
        AlertList,
        AlertRow,
        ChannelList,
        CheckResult,
        History,
    )
    from mobius_cli.store.alerts import Firing

STATUS_STYLE = {"armed": "green", "fired": "yellow", "cooldown": "blue", "snoozed": "cyan",
                "disabled": "dim"}


def when(moment: datetime | None) -> str:
    """'2026-12-01 12:00' (UTC) or '—'."""
    if moment is None:
        return "—"
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")


def target_text(alert: Alert | Firing) -> str:
    from mobius_cli.core.alerts import PCT_CONDITIONS, plain_number

    if alert.condition in PCT_CONDITIONS:
        return f"{plain_number(alert.target)}%"
    return money(alert.target, alert.currency)


HUMAN_CONDITIONS = {"change": "24h move ±", "change_up": "24h up",
                    "change_down": "24h down"}  # tables only: JSON and CSV keep the names


def condition_text(alert: Alert) -> str:
    """'below', 'cross ↑' (waiting to cross upwards), '24h move ±', '24h up'."""
    c = alert.condition
    if c == "cross":
        return "cross ↑" if alert.side == "below" else "cross ↓"
    return HUMAN_CONDITIONS.get(c, c)


def firing_text(f: Firing) -> str:
    """A firing's alert in the words `alerts list` uses: 'below $2,500.00', 'cross ↑
    $100,000.00' (the way it crossed), '24h down 3%'."""
    c = f.condition
    if c == "cross":
        words = "cross ↑" if f.price >= f.target else "cross ↓"
    else:
        words = HUMAN_CONDITIONS.get(c, c)
    return f"{words} {target_text(f)}"


def _styled(text: str, style: str | None, color: bool) -> Any:
    from rich.text import Text

    return Text(text, style=style or "") if color and style else text


def _tune(table: Any, *, keep: tuple[str, ...], left: tuple[str, ...]) -> Any:
    """Columns in `keep` never wrap or shrink; columns in `left` are left-aligned text."""
    for column in table.columns:
        if column.header in keep:
            column.no_wrap = True
            column.min_width = len(str(column.header))
        if column.header in left:
            column.justify = "left"
            column.no_wrap = False
            column.min_width = 12
    return table


def alert_text(alert: Alert) -> str:
    """'below $2,500.00', 'cross ↑ $100,000.00 ↻ 1h', '24h up 10%'."""
    text = f"{condition_text(alert)} {target_text(alert)}"
    if alert.repeat:
        from mobius_cli.core.alerts import format_duration

        text += f" ↻ {format_duration(alert.cooldown)}" if alert.cooldown else " ↻"
    return text


def soon(moment: datetime, now: datetime | None) -> str:
    """'12-03 01:39' (UTC) for a time in the current year, else as `when`."""
    if now is None or moment.astimezone(timezone.utc).year != now.astimezone(timezone.utc).year:
        return when(moment)
    return moment.astimezone(timezone.utc).strftime("%m-%d %H:%M")


def status_cell(row: AlertRow, now: datetime | None = None) -> tuple[str, str]:
    """The Status cell and its style key: a snoozed alert with when it wakes, a repeating
    one in its cooldown with when that ends (in the table only: the JSON keeps the
    documented statuses, where such an alert is `fired`). Two short lines, not one long."""
    a = row.alert
    if row.status == "snoozed" and a.snoozed_until:
        return f"snoozed until\n{soon(a.snoozed_until, now)}", "snoozed"
    if row.status == "fired" and row.cooling_until is not None:
        return f"cooldown until\n{soon(row.cooling_until, now)}", "cooldown"
    return row.status, row.status


def alerts_table(result: AlertList, color: bool = True) -> Any:
    """Every alert, one line of alert text each; at a narrow width the note, channels,
    last firing, distance and price columns give way (in that order), never the figures."""
    from rich.text import Text

    from mobius_cli.core.alerts import PCT_CONDITIONS

    if not result.rows:
        return "No alerts yet. Add one: mobius alerts add eth --below 2500"
    own_notify = any(r.alert.notify for r in result.rows)
    notes = any(r.alert.note for r in result.rows)
    columns = ["Id", "Symbol", "Alert", "Now", "To go", "Status", "Last fired"]
    columns += ["Notify"] if own_notify else []
    columns += ["Note"] if notes else []
    table = new_table(None, *columns,
                      caption="↻ repeats (cooldown); To go: the move still needed to fire; "
                              "times in UTC",
                      drop_first=("Note", "Notify", "Last fired", "To go", "Now"))
    for row in result.rows:
        a = row.alert
        if a.condition in PCT_CONDITIONS:
            now = "—" if row.change_24h_pct is None else f"{row.change_24h_pct:+.2f}%"
            to_go = "—" if row.distance_pct is None else f"{row.distance_pct:+.2f} pts"
        else:
            now = money(row.price, a.currency) if row.price is not None else "—"
            to_go = "—" if row.distance_pct is None else f"{row.distance_pct:+.2f}%"
        if row.met:
            to_go = "met now"
        status, style = status_cell(row, result.as_of)
        cells = [str(a.id), a.symbol, alert_text(a), now, to_go,
                 _styled(status, STATUS_STYLE.get(style), color), when(a.last_fired_at)]
        if own_notify:
            cells.append(", ".join(a.notify or result.default_notify))
        if notes:  # one line: a long note gives way (…), never the figures
            cells.append(Text(printable(a.note), no_wrap=True, overflow="ellipsis"))
        table.add_row(*cells)
    _tune(table, keep=("Id", "Symbol", "Alert", "Status"), left=("Notify", "Note"))
    table.columns[2].justify = "left"  # the Alert: one line, never wrapped
    if notes:
        table.columns[-1].max_width = 24
    return table


def added_line(added: Added) -> str:
    from mobius_cli.core.alerts import describe

    text = f"Alert #{added.alert.id}: {describe(added.alert)}"
    if added.quote is not None:
        text += f" (now {money(added.quote.price, added.alert.currency)})"
    if added.alert.repeat:
        from mobius_cli.core.alerts import format_duration

        text += f", repeating, cooldown {format_duration(added.alert.cooldown)}"
    return text


def fired_line(f: Firing) -> str:
    """'🔔 #3 ETH below $2,500.00: $2,480.12 at 2026-12-01 12:00 UTC'."""
    words = {"above": "above", "below": "below", "cross": "crossed", "change": "moved",
             "change_up": "up", "change_down": "down"}[f.condition]
    price = money(f.price, f.currency)
    text = f"#{f.alert_id} {f.symbol} {words} {target_text(f)}: now {price}"
    if f.condition in ("change", "change_up", "change_down") and f.change_24h_pct is not None:
        text = f"#{f.alert_id} {f.symbol} {words} {target_text(f)} in 24h " \
               f"({f.change_24h_pct:+.2f}%): now {price}"
    if f.note:
        text += f" — {f.note}"
    return text


def check_lines(result: CheckResult) -> list[str]:
    lines = [fired_line(f) for f in result.fired]
    fired = len(result.fired)
    lines.append(f"Checked {result.checked} alert{'s' if result.checked != 1 else ''}: "
                 f"{fired} fired." if fired else
                 f"Checked {result.checked} alert{'s' if result.checked != 1 else ''}: "
                 "nothing fired.")
    unpriced = len({e["id"] for e in result.errors
                    if e.get("kind") != "delivery" and e.get("id") is not None})
    if unpriced:  # "Checked 0 alerts" alone read as if there were none
        lines[-1] = lines[-1][:-1] + (f"; {unpriced} could not be checked." if unpriced > 1
                                      else "; 1 could not be checked.")
    return lines


def error_line(error: dict[str, Any]) -> str:
    if error.get("kind") == "delivery":
        return (f"alert #{error['id']} ({error.get('symbol')}): channel {error['channel']} "
                f"{error['status']}: {error.get('message')}")
    return f"alert #{error['id']} ({error.get('symbol')}): {error.get('message')}"


def history_table(result: History, color: bool = True, now: datetime | None = None) -> Any:
    """Every firing, newest first; at a narrow width the alert and the deliveries wrap at
    words (each delivery on its own line), never a time, a price or a channel's name."""
    if not result.firings:
        return "No alert has fired yet."
    now = now or datetime.now(timezone.utc)
    table = new_table(None, "Time", "Id", "Symbol", "Alert", "Price", "Delivery",
                      caption="Times in UTC")
    for f in result.firings:
        delivery = "\n".join(
            f"{d['channel']}: {d['status']}" + (f" ({d['attempts']}×)" if d['attempts'] > 1
                                                 else "")
            for d in f.deliveries) or "—"
        table.add_row(soon(f.fired_at, now), str(f.alert_id), f.symbol,
                      firing_text(f), money(f.price, f.currency), delivery)
    _tune(table, keep=("Id", "Symbol", "Price"), left=("Time", "Alert", "Delivery"))
    for column in table.columns:  # the least each can take: a day, "24h up 3%", "terminal:"
        column.min_width = {"Time": 5, "Alert": 9, "Delivery": 9}.get(str(column.header),
                                                                      column.min_width)
    return table


def history_rows(result: History) -> list[dict[str, Any]]:
    """Flat rows for --csv: one per firing and channel."""
    rows = []
    for f in result.firings:
        base = f.to_json()
        for d in f.deliveries or [{"channel": "", "status": "", "attempts": 0, "error": None}]:
            rows.append({**base, "channel": d["channel"], "delivery": d["status"],
                         "attempts": d["attempts"], "error": d["error"]})
    return rows


def channels_table(result: ChannelList, color: bool = True) -> Any:
    table = new_table(None, "Name", "Kind", "Target", "Source")
    for row in result.rows:
        table.add_row(row["name"], row["kind"], row.get("target") or "—",
                      "built-in" if row.get("builtin") else row.get("target_source", "—"))
    return _tune(table, keep=("Name", "Kind"), left=("Kind", "Target", "Source"))


def watch_table(result: AlertList, check: CheckResult | None, stamp: datetime,
                color: bool = True, recent: Sequence[str] | None = None,
                console: Any = None) -> Any:
    """The live view; `recent` (the firings seen since watching began) stays on screen, so a
    firing is not gone with the next refresh. With `console`, the table is fitted to its
    width as `alerts list` is (less important columns give way; no figure is cut)."""
    from rich.console import Group

    from mobius_cli.render.output import fit_to_width

    table = alerts_table(result, color)
    if console is not None:
        fit_to_width(table, console)
    parts: list[Any] = [f"Alerts at {when(stamp)} UTC (Ctrl-C to stop)", table]
    if recent:
        parts.extend(["Fired while watching:", *recent])
    if check is not None:
        parts.extend(check_lines(check)[-1:] if recent is not None else check_lines(check))
        parts.extend(error_line(e) for e in check.errors)
    from rich.text import Text

    return Group(*(Text(p) if isinstance(p, str) else p for p in parts))
