"""Repositories for alerts, their firings, channels and deliveries (migration 2's tables).

Every change is one write transaction (BEGIN IMMEDIATE). A check evaluates and records
its firings inside one such transaction, re-reading each alert's state after taking the
write lock, so two checks running at once can never record the same event twice; a
delivery is claimed (pending → sending) inside a transaction before it is sent, so two
checks never send the same one either.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from mobius_cli.core.alerts import Alert, Observation, Step, plain_number
from mobius_cli.core.models import iso_utc
from mobius_cli.errors import UsageError

if TYPE_CHECKING:
    from mobius_cli.store.db import Store

MAX_ATTEMPTS = 10  # a delivery that failed this often is given up (the record stays)
LEASE_SECONDS = 120.0  # a claimed delivery whose sender died is retried after this
REMOVED = "the alert was removed"  # why a removed alert's waiting deliveries were skipped

_ALERT_COLUMNS = ("id, symbol, coin_id, condition, target, currency, side, repeat, cooldown, "
                  "notify, note, status, enabled, reset, snoozed_until, created_at, "
                  "last_fired_at, fire_count")


def db_time(moment: datetime) -> str:
    """A UTC time as fixed-width text (microseconds always), so text order is time order."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_FAST_ISO = sys.version_info >= (3, 11)


def from_db_time(text: str | None) -> datetime | None:
    """The inverse of db_time (fromisoformat: strptime is 20x slower on 10k alerts)."""
    if not text:
        return None
    if _FAST_ISO:
        return datetime.fromisoformat(text)  # 3.11+ reads the Z as UTC
    return datetime.fromisoformat(text.rstrip("Z")).replace(tzinfo=timezone.utc)


def _alert(row: Sequence[Any]) -> Alert:
    # Positional and without keyword overhead: a check builds one per alert.
    return Alert(row[1], row[2], row[3], float(row[4]), row[5], row[0], row[6], bool(row[7]),
                 float(row[8]), tuple(row[9].split(",")) if row[9] else (), row[10], row[11],
                 bool(row[12]), bool(row[13]), from_db_time(row[14]), from_db_time(row[15]),
                 from_db_time(row[16]), row[17])


def _state(alert: Alert) -> tuple[Any, ...]:
    """The mutable columns of an alert, in UPDATE order."""
    return (alert.side, alert.status, int(alert.enabled), int(alert.reset),
            db_time(alert.snoozed_until) if alert.snoozed_until else None,
            db_time(alert.last_fired_at) if alert.last_fired_at else None, alert.fire_count)


_UPDATE_STATE = ("UPDATE alerts SET side = ?, status = ?, enabled = ?, reset = ?, "
                 "snoozed_until = ?, last_fired_at = ?, fire_count = ? WHERE id = ?")


@dataclass
class Firing:
    """One recorded firing, as `alerts check --json` and a webhook show it."""

    id: int  # the firing's own id
    alert_id: int
    symbol: str
    condition: str
    target: float
    price: float
    currency: str
    fired_at: datetime
    note: str = ""
    change_24h_pct: float | None = None
    deliveries: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """{id, symbol, condition, target, price, currency, fired_at} (product.md)."""
        return {"id": self.alert_id, "symbol": self.symbol, "condition": self.condition,
                "target": self.target, "price": self.price, "currency": self.currency,
                "fired_at": iso_utc(self.fired_at)}

    def history_json(self) -> dict[str, Any]:
        return {**self.to_json(), "firing_id": self.id, "note": self.note,
                "change_24h_pct": self.change_24h_pct, "deliveries": self.deliveries}


@dataclass
class Job:
    """A claimed delivery: send `firing` through `channel`, then report back."""

    firing: Firing
    channel: str
    attempts: int


@dataclass
class Evaluation:
    """What one check did: the steps by alert id and the firings it recorded."""

    steps: dict[int, Step] = field(default_factory=dict)
    firings: list[Firing] = field(default_factory=list)


class AlertRepo:
    """Alerts, their firings and deliveries."""

    def __init__(self, store: Store):
        self.store = store

    @property
    def conn(self) -> sqlite3.Connection:
        return self.store.conn

    # --- alerts ----------------------------------------------------------------------

    def add(self, alert: Alert) -> Alert:
        return self.add_many([alert])[0]

    def add_many(self, alerts: Iterable[Alert]) -> list[Alert]:
        """Insert alerts in one transaction (all or nothing); returns them with ids."""
        added = []
        now = datetime.now(timezone.utc)
        with self.store.transaction() as conn:
            for a in alerts:
                created = a.created_at or now
                cur = conn.execute(
                    "INSERT INTO alerts (symbol, coin_id, condition, target, currency, side, "
                    "repeat, cooldown, notify, note, status, enabled, reset, snoozed_until, "
                    "created_at, last_fired_at, fire_count) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (a.symbol, a.coin_id, a.condition, plain_number(a.target), a.currency,
                     a.side, int(a.repeat), a.cooldown, ",".join(a.notify), a.note, a.status,
                     int(a.enabled), int(a.reset),
                     db_time(a.snoozed_until) if a.snoozed_until else None, db_time(created),
                     db_time(a.last_fired_at) if a.last_fired_at else None, a.fire_count))
                added.append(replace(a, id=cur.lastrowid, created_at=created))
        return added

    def get(self, alert_id: int) -> Alert | None:
        row = self.conn.execute(f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE id = ?",
                                (alert_id,)).fetchone()
        return _alert(row) if row else None

    def list(self, *, symbol: str | None = None) -> list[Alert]:
        """Every alert (of one ticker), oldest first."""
        if symbol:
            rows = self.conn.execute(f"SELECT {_ALERT_COLUMNS} FROM alerts "
                                     "WHERE symbol = ? COLLATE NOCASE ORDER BY id",
                                     (symbol.strip(),))
        else:
            rows = self.conn.execute(f"SELECT {_ALERT_COLUMNS} FROM alerts ORDER BY id")
        return [_alert(r) for r in rows]

    def newest(self) -> Alert | None:
        """The alert added last."""
        row = self.conn.execute(f"SELECT {_ALERT_COLUMNS} FROM alerts ORDER BY id DESC "
                                "LIMIT 1").fetchone()
        return _alert(row) if row else None

    def due(self, now: datetime) -> tuple[int, list[tuple[str, str, str]]]:
        """What a check must price: the highest alert id now (alerts added later wait for the
        next check) and the (coin id, symbol, currency) of every alert that is enabled, not
        snoozed, and armed or repeating."""
        top = self.conn.execute("SELECT coalesce(max(id), 0) FROM alerts").fetchone()[0]
        keys = self.conn.execute(
            "SELECT DISTINCT coin_id, symbol, currency FROM alerts WHERE enabled = 1 "
            "AND (status = 'armed' OR repeat = 1) "
            "AND (snoozed_until IS NULL OR snoozed_until <= ?)", (db_time(now),)).fetchall()
        return top, keys

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM alerts").fetchone()[0]

    def require(self, ids: Sequence[int]) -> list[Alert]:
        """The alerts with these ids; any unknown id is a usage error naming it."""
        found = {a.id: a for a in (self.get(i) for i in dict.fromkeys(ids)) if a}
        missing = [str(i) for i in ids if i not in found]
        if missing:
            known = [str(a.id) for a in self.list()][-10:]
            hint = f"alert ids: {', '.join(known)}" if known else "there are no alerts"
            raise UsageError(f"no alert with id {', '.join(missing)}", hint=hint)
        return [found[i] for i in dict.fromkeys(ids)]

    def remove(self, ids: Sequence[int]) -> list[Alert]:
        """Remove these alerts (all must exist); their firings stay in the history, and
        their deliveries still waiting to be sent or retried stop (skipped)."""
        with self.store.transaction() as conn:
            gone = self.require(ids)
            conn.executemany("DELETE FROM alerts WHERE id = ?", [(a.id,) for a in gone])
            stamp = db_time(datetime.now(timezone.utc))
            conn.executemany(
                "UPDATE alert_deliveries SET status = 'skipped', last_error = ?, "
                "claimed_until = NULL, updated_at = ? WHERE status IN ('pending', 'failed') "
                "AND firing_id IN (SELECT id FROM alert_firings WHERE alert_id = ?)",
                [(REMOVED, stamp, a.id) for a in gone])
        return gone

    def update(self, changed: Callable[[Alert], Alert], ids: Sequence[int]) -> list[Alert]:
        """Apply `changed` to each alert's state in one transaction; returns the new ones."""
        with self.store.transaction() as conn:
            result = []
            for a in self.require(ids):
                new = changed(a)
                conn.execute(_UPDATE_STATE, (*_state(new), a.id))
                result.append(new)
        return result

    # --- checking --------------------------------------------------------------------

    def evaluate(self, decide: Callable[[Alert], Step], now: datetime,
                 channels_for: Callable[[Alert], Sequence[str]],
                 sent_now: Callable[[str], bool],
                 observations: dict[tuple[str, str], Observation],
                 upto: int | None = None) -> Evaluation:
        """Step every alert under the write lock; record firings and their deliveries.

        The alerts are read after BEGIN IMMEDIATE, so a concurrent check that fired first
        is seen here and the same event is not recorded twice. `sent_now(channel)` says
        which channels this check delivers itself (the terminal); those are recorded as
        sent.
        """
        result = Evaluation()
        stamp = db_time(now)
        # created_at is not needed to step an alert (and never written here): not parsed.
        columns = _ALERT_COLUMNS.replace("created_at", "NULL")
        with self.store.transaction() as conn:
            rows = conn.execute(f"SELECT {columns} FROM alerts WHERE enabled = 1 "
                                "AND (status = 'armed' OR repeat = 1) AND id <= ?",
                                (upto if upto is not None else 2**62,))
            state_updates = []
            for row in rows.fetchall():
                alert = _alert(row)
                s = decide(alert)
                result.steps[alert.id] = s  # type: ignore[index]
                if s.alert is not alert:
                    state_updates.append((*_state(s.alert), alert.id))
                if not s.fired:
                    continue
                obs = observations.get((alert.coin_id, alert.currency))
                price = obs.price if obs else float("nan")
                change = obs.change_24h_pct if obs else None
                cur = conn.execute(
                    "INSERT INTO alert_firings (alert_id, seq, symbol, coin_id, condition, "
                    "target, price, currency, change_24h_pct, note, fired_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (alert.id, s.alert.fire_count, alert.symbol, alert.coin_id,
                     alert.condition, plain_number(alert.target), price, alert.currency,
                     change, alert.note, stamp))
                firing = Firing(cur.lastrowid or 0, alert.id or 0, alert.symbol,
                                alert.condition, alert.target, price, alert.currency, now,
                                alert.note, change)
                for channel in dict.fromkeys(channels_for(alert)):
                    status = "sent" if sent_now(channel) else "pending"
                    conn.execute("INSERT INTO alert_deliveries (firing_id, channel, status, "
                                 "attempts, updated_at) VALUES (?, ?, ?, ?, ?)",
                                 (firing.id, channel, status, int(status == "sent"), stamp))
                    firing.deliveries.append({"channel": channel, "status": status,
                                              "attempts": int(status == "sent"), "error": None})
                result.firings.append(firing)
            conn.executemany(_UPDATE_STATE, state_updates)
        return result

    def claim_deliveries(self, now: datetime, *, lease: float = LEASE_SECONDS,
                         max_attempts: int = MAX_ATTEMPTS) -> list[Job]:
        """Take every due delivery (pending, failed, or an abandoned claim) for this run."""
        stamp = db_time(now)
        until = db_time(now + timedelta(seconds=lease))
        jobs = []
        with self.store.transaction() as conn:
            rows = conn.execute(
                "SELECT d.firing_id, d.channel, d.status, d.attempts, f.alert_id, f.symbol, "
                "f.condition, f.target, f.price, f.currency, f.fired_at, f.note, "
                "f.change_24h_pct FROM alert_deliveries d "
                "JOIN alert_firings f ON f.id = d.firing_id "
                "WHERE (d.status IN ('pending', 'failed') AND d.attempts < ?) "
                "OR (d.status = 'sending' AND d.claimed_until < ?) "
                "ORDER BY d.firing_id, d.channel", (max_attempts, stamp)).fetchall()
            alive = {r[0] for r in conn.execute(
                "SELECT id FROM alerts WHERE id IN (SELECT alert_id FROM alert_firings "
                "WHERE id IN (SELECT firing_id FROM alert_deliveries WHERE status IN "
                "('pending', 'failed', 'sending')))")}
            for r in rows:
                if r[4] not in alive:  # removed (ids are never reused): stop, keep the record
                    conn.execute("UPDATE alert_deliveries SET status = 'skipped', "
                                 "last_error = ?, claimed_until = NULL, updated_at = ? "
                                 "WHERE firing_id = ? AND channel = ?",
                                 (REMOVED, stamp, r[0], r[1]))
                    continue
                if r[2] == "sending" and r[3] >= max_attempts:
                    conn.execute("UPDATE alert_deliveries SET status = 'gave_up', "
                                 "updated_at = ? WHERE firing_id = ? AND channel = ?",
                                 (stamp, r[0], r[1]))
                    continue
                claimed = conn.execute(
                    "UPDATE alert_deliveries SET status = 'sending', claimed_until = ?, "
                    "attempts = attempts + 1, updated_at = ? "
                    "WHERE firing_id = ? AND channel = ? AND status = ?",
                    (until, stamp, r[0], r[1], r[2])).rowcount
                if claimed != 1:
                    continue
                firing = Firing(r[0], r[4], r[5], r[6], float(r[7]), r[8], r[9],
                                from_db_time(r[10]) or now, r[11], r[12])
                jobs.append(Job(firing, r[1], r[3] + 1))
        return jobs

    def finish_delivery(self, job: Job, status: str, error: str | None,
                        now: datetime | None = None, *,
                        max_attempts: int = MAX_ATTEMPTS) -> str:
        """Record how a claimed delivery went: sent, failed (retried), skipped or gave_up."""
        if status == "failed" and job.attempts >= max_attempts:
            status = "gave_up"
        stamp = db_time(now or datetime.now(timezone.utc))
        with self.store.transaction() as conn:
            conn.execute("UPDATE alert_deliveries SET status = ?, last_error = ?, "
                         "claimed_until = NULL, updated_at = ? "
                         "WHERE firing_id = ? AND channel = ? AND status = 'sending'",
                         (status, error, stamp, job.firing.id, job.channel))
        return status

    def release(self, job: Job) -> None:
        """Give back a claimed delivery untried (as it was before the claim)."""
        with self.store.transaction() as conn:
            conn.execute("UPDATE alert_deliveries SET attempts = attempts - 1, "
                         "status = CASE WHEN attempts - 1 = 0 THEN 'pending' ELSE 'failed' END, "
                         "claimed_until = NULL WHERE firing_id = ? AND channel = ? "
                         "AND status = 'sending'", (job.firing.id, job.channel))

    def history(self, *, alert_id: int | None = None, symbol: str | None = None,
                limit: int | None = None) -> list[Firing]:
        """Firings newest first, each with its deliveries per channel."""
        where, args = [], []
        if alert_id is not None:
            where.append("alert_id = ?")
            args.append(alert_id)
        if symbol:
            where.append("symbol = ?")
            args.append(symbol.upper())
        sql = ("SELECT id, alert_id, symbol, condition, target, price, currency, fired_at, "
               "note, change_24h_pct FROM alert_firings"
               + (" WHERE " + " AND ".join(where) if where else "")
               + " ORDER BY id DESC" + (" LIMIT ?" if limit else ""))
        if limit:
            args.append(limit)
        firings = [Firing(r[0], r[1], r[2], r[3], float(r[4]), r[5], r[6],
                          from_db_time(r[7]) or datetime.now(timezone.utc), r[8], r[9])
                   for r in self.conn.execute(sql, args)]
        by_id = {f.id: f for f in firings}
        if by_id:
            marks = ",".join("?" * len(by_id))
            for r in self.conn.execute(
                    "SELECT firing_id, channel, status, attempts, last_error, updated_at "
                    f"FROM alert_deliveries WHERE firing_id IN ({marks}) "
                    "ORDER BY firing_id, channel", list(by_id)):
                by_id[r[0]].deliveries.append({"channel": r[1], "status": r[2],
                                               "attempts": r[3], "error": r[4],
                                               "updated_at": iso_utc(from_db_time(r[5]))})
        return firings


@dataclass(frozen=True)
class ChannelRow:
    """A named channel as stored: its kind, a target without secrets, what may be shown."""

    name: str
    kind: str
    target: str | None
    display: str
    created_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "target": self.display or None,
                "created_at": iso_utc(self.created_at)}


class ChannelRepo:
    """Named notification channels."""

    def __init__(self, store: Store):
        self.store = store

    def add(self, name: str, kind: str, target: str | None, display: str) -> ChannelRow:
        now = datetime.now(timezone.utc)
        with self.store.transaction() as conn:
            if conn.execute("SELECT 1 FROM alert_channels WHERE name = ?", (name,)).fetchone():
                raise UsageError(f"a channel named {name!r} exists",
                                 hint=f"remove it first: `mobius alerts channels remove {name}`")
            conn.execute("INSERT INTO alert_channels (name, kind, target, display, created_at) "
                         "VALUES (?, ?, ?, ?, ?)", (name, kind, target, display, db_time(now)))
        return ChannelRow(name, kind, target, display, now)

    def get(self, name: str) -> ChannelRow | None:
        row = self.store.conn.execute("SELECT name, kind, target, display, created_at FROM "
                                      "alert_channels WHERE name = ?", (name,)).fetchone()
        return ChannelRow(row[0], row[1], row[2], row[3], from_db_time(row[4])) if row else None

    def list(self) -> list[ChannelRow]:
        return [ChannelRow(r[0], r[1], r[2], r[3], from_db_time(r[4])) for r in
                self.store.conn.execute("SELECT name, kind, target, display, created_at "
                                        "FROM alert_channels ORDER BY name")]

    def remove(self, name: str) -> bool:
        with self.store.transaction() as conn:
            return conn.execute("DELETE FROM alert_channels WHERE name = ?",
                                (name,)).rowcount == 1

    def users(self, name: str) -> list[int]:
        """Ids of the alerts that notify `name`."""
        return [r[0] for r in self.store.conn.execute(
            "SELECT id FROM alerts WHERE ',' || notify || ',' LIKE ? ORDER BY id",
            (f"%,{name},%",))]
