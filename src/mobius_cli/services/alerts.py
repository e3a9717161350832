"""Price alerts as a library: add, list, change, check, deliver, history, import/export,
and notification channels. Functions take the store and the providers they need and
return typed results with `to_json()`; no Typer, no Rich, no AppContext."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from mobius_cli.core import alerts as core
from mobius_cli.core.alerts import Alert, Observation
from mobius_cli.core.models import CoinRef, Quote, iso_utc, parse_iso
from mobius_cli.errors import NotFoundError, SourceError, UsageError
from mobius_cli.providers import notify
from mobius_cli.settings import check_currency
from mobius_cli.store.alerts import AlertRepo, ChannelRepo, ChannelRow, Firing

if TYPE_CHECKING:
    from mobius_cli.providers.coingecko import CoinGecko
    from mobius_cli.store.db import Store

# The documented columns first, in order; then the optional ones (an old file
# without them still imports: the coin from the symbol, enabled, not snoozed).
DOCUMENTED_COLUMNS = ("symbol", "condition", "target", "currency", "repeat", "cooldown",
                      "notify", "note")
CSV_COLUMNS = (*DOCUMENTED_COLUMNS, "coin_id", "enabled", "snoozed_until", "status",
               "last_fired_at")
COLUMNS_HINT = (f"columns: {', '.join(DOCUMENTED_COLUMNS)} "
                f"(optional: {', '.join(CSV_COLUMNS[len(DOCUMENTED_COLUMNS):])})")
MAX_NOTE = 200


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class AlertOptions:
    """Check-time settings: max price age (s), hysteresis (%), default channels."""

    max_age: float = core.DEFAULT_MAX_AGE
    hysteresis: float = core.DEFAULT_HYSTERESIS
    default_notify: tuple[str, ...] = ("terminal",)
    command_timeout: float = notify.COMMAND_TIMEOUT


def alert_json(alert: Alert, now: datetime, default_notify: Sequence[str] = ()) -> dict[str, Any]:
    """{id, symbol, condition, target, currency, status, repeat, notify, note, created_at,
    last_fired_at} (product.md)."""
    return {"id": alert.id, "symbol": alert.symbol, "condition": alert.condition,
            "target": alert.target, "currency": alert.currency,
            "status": alert.display_status(now), "repeat": alert.repeat,
            "notify": list(alert.notify or default_notify), "note": alert.note,
            "created_at": iso_utc(alert.created_at), "last_fired_at": iso_utc(alert.last_fired_at)}


# --- pricing -------------------------------------------------------------------------


@dataclass
class Pricing:
    """Observations by (coin id, currency), and what could not be priced."""

    observations: dict[tuple[str, str], Observation] = field(default_factory=dict)
    quotes: dict[tuple[str, str], Quote] = field(default_factory=dict)
    errors: dict[tuple[str, str], str] = field(default_factory=dict)  # key -> message
    failure: SourceError | None = None


def observation(quote: Quote) -> Observation:
    """A quote as the state machine sees it: priced when CoinGecko last updated it (else
    when it was fetched), stale when the provider says so."""
    as_of = quote.last_updated or getattr(quote, "as_of", None)
    return Observation(quote.price, quote.change_24h_pct, as_of,
                       bool(getattr(quote, "stale", False)))


def price(cg: CoinGecko, wanted: Iterable[tuple[str, str, str]]) -> Pricing:
    """Quotes for (coin id, symbol, currency) triples: one request per currency.

    A coin CoinGecko no longer prices is an error for its alerts alone (costing one more
    request to find it); a source failure is an error for every alert in that currency.
    """
    by_currency: dict[str, dict[str, CoinRef]] = {}
    for coin_id, symbol, currency in wanted:
        by_currency.setdefault(currency, {})[coin_id] = CoinRef(coin_id, symbol, symbol)
    result = Pricing()
    for currency, coins in sorted(by_currency.items()):
        # Sorted ids: the same alerts make the same request, so every process (cron, the
        # REPL, watch) shares one cached answer.
        refs = [coins[k] for k in sorted(coins)]
        try:
            try:
                quotes = cg.quotes(refs, currency)
            except NotFoundError:
                present = cg.prices([c.id for c in refs], [currency])
                for c in refs:
                    if currency not in present.get(c.id, {}):
                        result.errors[(c.id, currency)] = \
                            f"CoinGecko has no {currency.upper()} price for {c.id}"
                refs = [c for c in refs if (c.id, currency) not in result.errors]
                quotes = cg.quotes(refs, currency) if refs else []
        except (SourceError, UsageError) as exc:
            if isinstance(exc, SourceError):
                result.failure = exc
            for c in refs:
                result.errors[(c.id, currency)] = exc.message
            continue
        for q in quotes:
            key = (q.coin.id, currency)
            result.quotes[key] = q
            result.observations[key] = observation(q)
    return result


PORTFOLIO = "portfolio:"  # coin_id (and symbol) of an alert on a portfolio's total value


def is_portfolio(coin_id: str) -> bool:
    return coin_id.startswith(PORTFOLIO)


def _holdings(store: Store, name: str) -> list[tuple[str, str, Any]] | None:
    """(coin id, symbol, amount) of a portfolio's open positions; None when it is gone."""
    from mobius_cli.services import portfolio as pf

    book = pf.repos(store)[0].get(name)
    if book is None:
        return None
    return [(p.coin_id, p.symbol, p.amount) for p in pf.snapshot(store, book, "fifo").positions
            if p.amount]


def price_all(store: Store, cg: CoinGecko, keys: Iterable[tuple[str, str, str]],
              now: datetime | None = None) -> Pricing:
    """`price`, where a portfolio's holdings join the same batch (still one request per
    currency) and its total value becomes one observation: as old as its oldest price,
    stale when any of them is."""
    keys = list(keys)
    books: dict[tuple[str, str], list[tuple[str, str, Any]] | None] = {}
    wanted = set()
    for coin_id, symbol, currency in keys:
        if is_portfolio(coin_id):
            held = books[(coin_id, currency)] = _holdings(store, coin_id[len(PORTFOLIO):])
            wanted.update((c, sym, currency) for c, sym, _ in held or ())
        else:
            wanted.add((coin_id, symbol, currency))
    pricing = price(cg, wanted) if wanted else Pricing()
    for (pid, currency), held in books.items():
        key = (pid, currency)
        if held is None:
            pricing.errors[key] = f"there is no portfolio named {pid[len(PORTFOLIO):]!r}"
            continue
        failed = [pricing.errors[(c, currency)] for c, _, _ in held
                  if (c, currency) in pricing.errors]
        if failed:
            pricing.errors[key] = failed[0]
            continue
        seen = [pricing.observations[(c, currency)] for c, _, _ in held]
        value = sum(float(amount) * o.price for (_, _, amount), o in zip(held, seen, strict=True))
        stamps = [o.as_of for o in seen]
        as_of = (now or utcnow()) if not seen else \
            (None if any(t is None for t in stamps) else min(stamps))  # type: ignore[type-var]
        pricing.observations[key] = Observation(value, None, as_of, any(o.stale for o in seen))
    return pricing


# --- adding --------------------------------------------------------------------------


@dataclass
class Added:
    """A new alert, the price it was made against, and remarks for the user."""

    alert: Alert
    quote: Quote | None
    notes: list[str] = field(default_factory=list)

    def to_json(self, default_notify: Sequence[str] = ()) -> dict[str, Any]:
        data = alert_json(self.alert, utcnow(), default_notify)
        data["price"] = self.quote.price if self.quote else None
        return data


def clean_note(note: str | None) -> str:
    """A note as one line of printable text, at most MAX_NOTE characters."""
    import re

    text = re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", note or "").strip()
    if len(text) > MAX_NOTE:
        raise UsageError(f"the note is longer than {MAX_NOTE} characters")
    return text


def parse_notify(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """'hook, phone' / ['hook', 'phone'] → ('hook', 'phone'), checked as names."""
    if text is None:
        return ()
    parts = text.replace(";", ",").split(",") if isinstance(text, str) else \
        [p for item in text for p in item.replace(";", ",").split(",")]
    names = [notify.check_name(p) for p in (x.strip() for x in parts) if p]
    return tuple(dict.fromkeys(names))


def check_channels(store: Store, names: Sequence[str]) -> None:
    """Every name is a built-in channel (terminal, desktop) or one added by the user."""
    channels = ChannelRepo(store)
    unknown = [n for n in names if n not in notify.BUILTIN and channels.get(n) is None]
    if unknown:
        known = sorted({*notify.BUILTIN, *(c.name for c in channels.list())})
        raise UsageError(f"no channel named {', '.join(unknown)}",
                         hint=f"channels: {', '.join(known)}; add one with "
                              "`mobius alerts channels add NAME KIND [TARGET]`")


def build_alert(coin: CoinRef, condition: str, target: float, currency: str, *,
                repeat: bool = False, cooldown: float | None = None,
                notify_names: Sequence[str] = (), note: str = "",
                price_now: float | None = None) -> Alert:
    """A checked, armed alert (a cross alert's side from `price_now`)."""
    target = core.check_target(condition, target)
    if cooldown is not None and not repeat:
        raise UsageError("--cooldown applies only to a repeating alert", hint="add --repeat")
    side = None
    if condition == "cross":
        if price_now is None:
            raise UsageError("a cross alert needs the live price to know its direction")
        side = core.side_for(price_now, target)
    return Alert(coin.symbol, coin.id, condition, target, currency, side=side,
                 repeat=repeat,
                 cooldown=(core.DEFAULT_COOLDOWN if cooldown is None else cooldown)
                 if repeat else 0.0,
                 notify=tuple(notify_names), note=note)


def add_alert(store: Store, cg: CoinGecko, symbol: str | None, condition: str, target: float,
              currency: str, *, coin_id: str | None = None, repeat: bool = False,
              cooldown: float | None = None, notify_names: Sequence[str] = (),
              note: str | None = None, on_note: Callable[[str], None] | None = None) -> Added:
    """Validate, price (one request) and store a new alert."""
    core.check_target(condition, target)
    text = clean_note(note)
    names = parse_notify(list(notify_names))
    check_channels(store, names)
    if cooldown is not None and not repeat:
        raise UsageError("--cooldown applies only to a repeating alert", hint="add --repeat")
    if coin_id:
        coin = cg.coin_by_id(coin_id)
    elif symbol:
        found = cg.resolve(symbol)
        if found.note and on_note:
            on_note(found.note)
        coin = found.coin
    else:
        raise UsageError("name a coin", hint="e.g. `mobius alerts add eth --below 2500`")
    notes: list[str] = []
    quote: Quote | None = None
    try:
        quote = cg.quotes([coin], currency)[0]
    except SourceError as exc:
        if condition == "cross":
            raise
        notes.append(f"could not check the price now ({exc.message})")
    alert = build_alert(coin, condition, target, currency, repeat=repeat, cooldown=cooldown,
                        notify_names=names, note=text,
                        price_now=quote.price if quote else None)
    if quote is not None and getattr(quote, "stale", False) and condition == "cross":
        notes.append("the price is stale: the cross direction was taken from it")
    if quote is not None:
        met = core.is_met(alert, observation(quote))
        if met:
            notes.append(f"{core.describe(alert)} holds already: it fires on the next check")
    return Added(AlertRepo(store).add(alert), quote, notes)


def add_portfolio_alert(store: Store, cg: CoinGecko, name: str, condition: str,
                        target: float, currency: str | None = None, *, repeat: bool = False,
                        cooldown: float | None = None, notify_names: Sequence[str] = (),
                        note: str | None = None) -> Added:
    """An alert on a portfolio's total value (above, below or cross), in its currency
    unless another is given."""
    from mobius_cli.services import portfolio as pf

    if condition not in ("above", "below", "cross"):
        raise UsageError("a portfolio alert takes --above, --below or --cross",
                         hint="24h moves are for coins")
    core.check_target(condition, target)
    text = clean_note(note)
    names = parse_notify(list(notify_names))
    check_channels(store, names)
    book = pf.repos(store)[0].get(name.strip())
    if book is None:
        raise UsageError(f"there is no portfolio named {name!r}",
                         hint="see `mobius portfolio list`")
    currency = (currency or book.currency).lower()
    key = PORTFOLIO + book.name
    coin = CoinRef(key, key, book.name)
    notes: list[str] = []
    pricing = price_all(store, cg, [(key, key, currency)])
    obs = pricing.observations.get((key, currency))
    if obs is None:
        problem = pricing.errors.get((key, currency), "no value")
        if condition == "cross" or pricing.failure is None:
            raise pricing.failure or UsageError(problem)
        notes.append(f"could not value the portfolio now ({problem})")
    alert = build_alert(coin, condition, target, currency, repeat=repeat, cooldown=cooldown,
                        notify_names=names, note=text, price_now=obs.price if obs else None)
    if obs is not None and core.is_met(alert, obs):
        notes.append(f"{core.describe(alert)} holds already: it fires on the next check")
    quote = Quote(coin, obs.price, currency) if obs else None
    return Added(AlertRepo(store).add(alert), quote, notes)


# --- listing and changing ------------------------------------------------------------


@dataclass
class AlertRow:
    """An alert with its price now and how far it is from firing."""

    alert: Alert
    status: str
    price: float | None = None
    change_24h_pct: float | None = None
    distance_pct: float | None = None
    met: bool | None = None  # the condition holds on the price now
    cooling_until: datetime | None = None  # a repeating alert's cooldown ends then


@dataclass
class AlertList:
    rows: list[AlertRow]
    default_notify: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    as_of: datetime | None = None  # when the statuses were worked out

    def to_json(self) -> list[dict[str, Any]]:
        now = utcnow()
        return [alert_json(r.alert, now, self.default_notify) for r in self.rows]


def list_alerts(store: Store, cg: CoinGecko | None, *, symbol: str | None = None,
                default_notify: Sequence[str] = (), now: datetime | None = None) -> AlertList:
    """Every alert with its status; with `cg`, its price now and the distance to firing."""
    now = now or utcnow()
    alerts = AlertRepo(store).list(symbol=symbol)
    result = AlertList([AlertRow(a, a.display_status(now),
                                 cooling_until=core.cooling_until(a, now)) for a in alerts],
                       tuple(default_notify), as_of=now)
    if cg is None or not alerts:
        return result
    pricing = price_all(store, cg, {(a.coin_id, a.symbol, a.currency) for a in alerts})
    if pricing.errors:
        result.notes.append(f"no price for some alerts: {next(iter(pricing.errors.values()))}")
    for row in result.rows:
        obs = pricing.observations.get((row.alert.coin_id, row.alert.currency))
        if obs is not None:
            row.price, row.change_24h_pct = obs.price, obs.change_24h_pct
            row.distance_pct = core.distance(row.alert, obs.price, obs.change_24h_pct)
            row.met = core.is_met(row.alert, obs)
    return result


def newest_alert(store: Store) -> tuple[int, str] | None:
    """(id, symbol) of the alert added last, or None when there is none."""
    last = AlertRepo(store).newest()
    return None if last is None or last.id is None else (last.id, last.symbol)


def count_alerts(store: Store) -> int:
    """How many alerts are kept."""
    return len(AlertRepo(store).list())


def remove_alerts(store: Store, ids: Sequence[int] = (), *, symbol: str | None = None,
                  all_: bool = False) -> list[Alert]:
    """Remove alerts by id, by ticker, or all of them (exactly one way)."""
    ways = sum((bool(ids), bool(symbol), bool(all_)))
    if ways != 1:
        raise UsageError("name alert ids, or --symbol S, or --all (exactly one of them)",
                         hint="see `mobius alerts list` for ids")
    repo = AlertRepo(store)
    if symbol:
        ids = [a.id for a in repo.list(symbol=symbol) if a.id is not None]
        if not ids:
            raise UsageError(f"no alerts on {symbol.upper()}")
    elif all_:
        ids = [a.id for a in repo.list() if a.id is not None]
        if not ids:
            return []
    return repo.remove(list(ids))


def pick_ids(store: Store, ids: Sequence[int] = (), symbol: str | None = None) -> list[int]:
    """Alert ids named directly, or every alert on one ticker (exactly one way)."""
    if ids and symbol:
        raise UsageError("name alert ids or --symbol, not both")
    if symbol:
        found = [a.id for a in AlertRepo(store).list(symbol=symbol) if a.id is not None]
        if not found:
            raise UsageError(f"no alerts on {symbol.upper()}", hint="see `mobius alerts list`")
        return found
    if not ids:
        raise UsageError("name at least one alert id, or --symbol S",
                         hint="see `mobius alerts list` for ids")
    return list(ids)


def set_enabled(store: Store, ids: Sequence[int], enabled: bool, *,
                symbol: str | None = None) -> list[Alert]:
    """Enable (clearing any snooze; re-arming a fired one-shot alert) or disable alerts."""
    ids = pick_ids(store, ids, symbol)

    def change(a: Alert) -> Alert:
        if not enabled:
            return replace(a, enabled=False)
        if a.status == core.FIRED and not a.repeat:
            return replace(a, enabled=True, snoozed_until=None, status=core.ARMED, reset=False)
        return replace(a, enabled=True, snoozed_until=None)

    return AlertRepo(store).update(change, list(ids))


def snooze_alerts(store: Store, ids: Sequence[int], seconds: float,
                  now: datetime | None = None, *, symbol: str | None = None) -> list[Alert]:
    """Snooze alerts for `seconds` (0 ends a snooze)."""
    ids = pick_ids(store, ids, symbol)
    until = None if seconds <= 0 else (now or utcnow()) + timedelta(seconds=seconds)
    return AlertRepo(store).update(lambda a: replace(a, snoozed_until=until), list(ids))


# --- channels ------------------------------------------------------------------------


def resolve_channel(row: ChannelRow | None, name: str) -> notify.Channel | None:
    """A usable channel (its secret target loaded) for `name`, or None when unknown."""
    if row is None:
        kind = notify.BUILTIN.get(name)
        return notify.Channel(name, kind) if kind else None
    target = row.target
    if row.kind in notify.SECRET_KINDS or (row.kind in notify.NEEDS_TARGET and not target):
        target = notify.load_secret(row.name)
    return notify.Channel(row.name, row.kind, target)


def add_channel(store: Store, name: str, kind: str, target: str | None) -> ChannelRow:
    """Add a named channel; a secret-bearing target goes to the keyring, never the store."""
    name = notify.check_name(name)
    kind = kind.strip().lower()
    target = notify.check_target(kind, target)
    if name in notify.BUILTIN and kind != notify.BUILTIN[name]:
        raise UsageError(f"{name!r} is the built-in {notify.BUILTIN[name]} channel",
                         hint="pick another name")
    channels = ChannelRepo(store)
    secret = kind in notify.SECRET_KINDS
    existing = channels.get(name)
    if existing is not None:
        if not (target is not None and existing.kind == kind and not own_target(existing)):
            raise UsageError(f"a channel named {name!r} exists",
                             hint=f"remove it first: `mobius alerts channels remove {name}`")
        # Its target came only from MOBIUS_CHANNEL_<NAME>: keep it now (cron sees it).
        if secret and not notify.keyring_available():
            raise UsageError("no keyring backend is available to hold the channel's URL",
                             hint=f"channel {name} takes it from {notify.env_var(name)}; for "
                                  "cron, define that variable in the crontab")
        if secret:
            notify.store_secret(name, target)
        with store.transaction():
            channels.remove(name)
            return channels.add(name, kind, None if secret else target,
                                notify.redact(kind, target))
    if target is None and kind in notify.NEEDS_TARGET:
        import os

        if not os.environ.get(notify.env_var(name)):
            var = notify.env_var(name)
            raise UsageError(f"a {kind} channel needs a target",
                             hint=f"give it: `mobius alerts channels add {name} {kind} TARGET`, "
                                  f"or export {var}=TARGET first, then run this again")
    if secret and target is not None:
        notify.store_secret(name, target, kind)
    display = notify.redact(kind, target)
    return channels.add(name, kind, None if secret else target, display)


def get_channel(store: Store, name: str) -> ChannelRow | None:
    """A named channel (None for a built-in or unknown name)."""
    return ChannelRepo(store).get(notify.check_name(name))


def own_target(row: ChannelRow) -> bool:
    """Whether a channel keeps its target itself (the keyring, or the store for a command),
    rather than only in MOBIUS_CHANNEL_<NAME>; True for a kind that takes none."""
    if row.kind not in notify.NEEDS_TARGET:
        return True
    if row.kind in notify.SECRET_KINDS:
        return notify.stored_secret(row.name) is not None
    return bool(row.target)


@dataclass(frozen=True)
class EnvOnly:
    """A channel whose target only MOBIUS_CHANNEL_<NAME> in this environment holds."""

    name: str
    kind: str
    variable: str


def env_only_channels(store: Store, environ: Mapping[str, str]) -> list[EnvOnly]:
    """Channels that work here only through MOBIUS_CHANNEL_<NAME> (which cron, starting
    with an almost empty environment, will not see)."""
    found = []
    for row in ChannelRepo(store).list():
        var = notify.env_var(row.name)
        if row.kind in notify.NEEDS_TARGET and environ.get(var) and not own_target(row):
            found.append(EnvOnly(row.name, row.kind, var))
    return found


def remove_channel(store: Store, name: str) -> list[int]:
    """Remove a channel (and its keyring entry); returns the alerts that still name it."""
    name = notify.check_name(name)
    channels = ChannelRepo(store)
    row = channels.get(name)
    if row is None and name in notify.BUILTIN:
        raise UsageError(f"{name!r} is a built-in channel and cannot be removed",
                         hint="leave it out of --notify or the alerts_notify setting")
    if row is None:
        raise UsageError(f"no channel named {name!r}", hint="see `mobius alerts channels list`")
    channels.remove(name)
    if row.kind in notify.SECRET_KINDS:
        notify.forget_secret(name)
    return channels.users(name)


@dataclass
class ChannelList:
    rows: list[dict[str, Any]]

    def to_json(self) -> list[dict[str, Any]]:
        return self.rows


def list_channels(store: Store) -> ChannelList:
    """Built-in and named channels, targets redacted, with where a secret comes from."""
    import os

    rows: list[dict[str, Any]] = []
    named = {c.name: c for c in ChannelRepo(store).list()}
    for name, kind in notify.BUILTIN.items():
        if name not in named:
            rows.append({"name": name, "kind": kind, "target": None, "builtin": True})
    for c in named.values():
        data = {**c.to_json(), "builtin": False}
        if c.kind in notify.NEEDS_TARGET:
            if os.environ.get(notify.env_var(c.name)):
                data["target"] = notify.redact(c.kind, os.environ[notify.env_var(c.name)])
                data["target_source"] = f"env {notify.env_var(c.name)}"
            elif c.kind in notify.SECRET_KINDS:
                data["target_source"] = "keyring"
            else:
                data["target_source"] = "store"
        rows.append(data)
    return ChannelList(rows)


def test_channel(store: Store, name: str, *, post_json: Callable[..., Any] | None = None,
                 echo: Callable[[str], None] | None = None,
                 timeout: float = notify.COMMAND_TIMEOUT) -> None:
    """Send a sample firing through one channel; a failure is a SourceError (exit 1)."""
    name = notify.check_name(name)
    channel = resolve_channel(ChannelRepo(store).get(name), name)
    if channel is None:
        raise UsageError(f"no channel named {name!r}", hint="see `mobius alerts channels list`")
    sample = {"id": 0, "symbol": "BTC", "condition": "above", "target": 100000.0,
              "price": 100001.0, "currency": "usd", "fired_at": iso_utc(utcnow()),
              "note": "a test from `mobius alerts channels test`"}
    try:
        _send(channel, sample, post_json=post_json, echo=echo, timeout=timeout)
    except notify.DeliveryError as exc:
        raise SourceError(f"channel {name}", str(exc)) from None


FIRED_KEYS = ("id", "symbol", "condition", "target", "price", "currency", "fired_at")


def _send(channel: notify.Channel, fired: dict[str, Any], *,
          post_json: Callable[..., Any] | None, echo: Callable[[str], None] | None,
          timeout: float) -> None:
    """Deliver one firing; a webhook gets exactly the documented fired object, through the
    shared HTTP client when there is one."""
    if channel.kind != "webhook":
        notify.deliver(channel, fired, timeout=timeout, echo=echo)
        return
    body = {k: fired[k] for k in FIRED_KEYS}
    if post_json is None or not channel.target:
        notify.deliver(channel, body, timeout=timeout)
        return
    try:
        post_json(f"channel {channel.name}", channel.target, body)
    except SourceError as exc:
        # The message names the channel and the failure, never the (secret) URL.
        raise notify.DeliveryError(exc.message.split(": ", 1)[-1]) from None


# --- checking ------------------------------------------------------------------------


@dataclass
class CheckResult:
    """What `alerts check` did (product.md: {checked, fired, errors})."""

    checked: int = 0
    fired: list[Firing] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)  # this run's attempts
    notes: list[str] = field(default_factory=list)
    requests: int = 0

    @property
    def price_errors(self) -> list[dict[str, Any]]:
        return [e for e in self.errors if e.get("kind") == "price"]

    @property
    def exit_code(self) -> int:
        """3 when something fired, 1 when an alert could not be checked, else 0."""
        if self.fired:
            return 3
        return 1 if self.price_errors else 0

    def to_json(self) -> dict[str, Any]:
        return {"checked": self.checked, "fired": [f.to_json() for f in self.fired],
                "errors": self.errors}


def _channel_names(alert: Alert, options: AlertOptions) -> tuple[str, ...]:
    return alert.notify or options.default_notify


def check(store: Store, cg: CoinGecko, options: AlertOptions | None = None, *,
          now: Callable[[], datetime] = utcnow, deliver: bool = True,
          post_json: Callable[..., Any] | None = None) -> CheckResult:
    """Price every alert with one request per currency, fire what holds on fresh prices
    (each firing recorded with the alert's new state in one transaction), then deliver
    every due notification (this run's and earlier failures)."""
    options = options or AlertOptions()
    repo = AlertRepo(store)
    result = CheckResult()
    upto, keys = repo.due(now())
    pricing = price_all(store, cg, keys)
    channel_rows = {c.name: c for c in ChannelRepo(store).list()}

    def kind_of(name: str) -> str | None:
        row = channel_rows.get(name)
        return row.kind if row else notify.BUILTIN.get(name)

    moment = now()
    errors: dict[int, str] = {}

    def decide(alert: Alert) -> core.Step:
        key = (alert.coin_id, alert.currency)
        if key in pricing.errors:
            if not alert.snoozed(moment):
                errors[alert.id or 0] = pricing.errors[key]
                return core.Step(alert, error=pricing.errors[key])
            return core.Step(alert, skipped=True)
        obs = pricing.observations.get(key)
        if obs is None:  # enabled or woken while this check ran: the next check has it
            return core.Step(alert, skipped=True)
        s = core.step(alert, obs, moment, max_age=options.max_age,
                      hysteresis=options.hysteresis)
        if s.error:
            errors[alert.id or 0] = s.error
        return s

    import sqlite3

    try:
        evaluation = repo.evaluate(decide, moment, lambda a: _channel_names(a, options),
                                   lambda name: kind_of(name) == "terminal",
                                   pricing.observations, upto)
    except sqlite3.OperationalError as exc:  # locked past the busy timeout: nothing written
        raise SourceError("alerts", f"could not check: the database is busy ({exc})",
                          hint="another process holds it; the next check will run") from None
    result.fired = evaluation.firings
    result.checked = sum(1 for s in evaluation.steps.values() if not s.skipped and not s.error)
    for alert_id, message in sorted(errors.items()):
        a = evaluation.steps[alert_id].alert
        result.errors.append({"kind": "price", "id": alert_id, "symbol": a.symbol,
                              "currency": a.currency, "message": message})
    if deliver:
        deliver_due(store, options, result, now=now, post_json=post_json,
                    channel_rows=channel_rows)
    return result


def deliver_due(store: Store, options: AlertOptions, result: CheckResult, *,
                now: Callable[[], datetime] = utcnow,
                post_json: Callable[..., Any] | None = None,
                channel_rows: dict[str, ChannelRow] | None = None) -> None:
    """Claim and send every due delivery; a failing channel never stops the others."""
    repo = AlertRepo(store)
    rows = channel_rows if channel_rows is not None else \
        {c.name: c for c in ChannelRepo(store).list()}
    resolved: dict[str, notify.Channel | None] = {}
    broken: dict[str, str] = {}  # channel -> why it failed in this run
    for job in repo.claim_deliveries(now()):
        if job.channel in broken:
            # Bounded: a dead channel costs one timeout per check, not one per firing.
            repo.release(job)
            result.errors.append({"kind": "delivery", "id": job.firing.alert_id,
                                  "symbol": job.firing.symbol, "channel": job.channel,
                                  "status": "failed",
                                  "message": f"not tried: it just failed ({broken[job.channel]})"})
            continue
        if job.channel not in resolved:
            resolved[job.channel] = resolve_channel(rows.get(job.channel), job.channel)
        channel = resolved[job.channel]
        fired = {**job.firing.to_json(), "note": job.firing.note}
        status, error = "sent", None
        if channel is None:
            status, error = "skipped", f"no channel named {job.channel!r}"
        elif channel.kind == "terminal":
            status = "sent"  # an earlier check printed it
        else:
            try:
                _send(channel, fired, post_json=post_json, echo=None,
                      timeout=options.command_timeout)
            except notify.DeliveryError as exc:
                status = "failed" if exc.retry else "skipped"
                error = str(exc)
            except Exception as exc:  # a channel's bug must not lose the others
                status, error = "failed", f"{type(exc).__name__}: {exc}"
        if status == "failed" and error:
            broken[job.channel] = error
        final = repo.finish_delivery(job, status, error, now())
        result.deliveries.append({"id": job.firing.alert_id, "firing_id": job.firing.id,
                                  "channel": job.channel, "status": final, "error": error})
        if final != "sent":
            result.errors.append({"kind": "delivery", "id": job.firing.alert_id,
                                  "symbol": job.firing.symbol, "channel": job.channel,
                                  "status": final, "message": error})
        if channel is not None and channel.kind == "desktop" and final == "skipped":
            note = f"desktop notifications need notify-send or osascript ({error})"
            if note not in result.notes:
                result.notes.append(note)


# --- history -------------------------------------------------------------------------


@dataclass
class History:
    firings: list[Firing]

    def to_json(self) -> list[dict[str, Any]]:
        return [f.history_json() for f in self.firings]


def history(store: Store, *, alert_id: int | None = None, symbol: str | None = None,
            limit: int | None = 100) -> History:
    if limit is not None and limit < 1:
        raise UsageError("--limit must be at least 1")
    return History(AlertRepo(store).history(alert_id=alert_id, symbol=symbol, limit=limit))


# --- export and import ---------------------------------------------------------------


def export_rows(store: Store, now: datetime | None = None) -> list[dict[str, Any]]:
    """Each alert as an export row (CSV_COLUMNS): a snooze still running is kept as its end
    (ISO 8601 UTC), an ended one as empty; a one-shot alert that fired stays `fired` (done)
    with its time, so an import does not arm it again."""
    now = now or utcnow()
    return [{"symbol": a.symbol, "condition": a.condition, "target": core.plain_number(a.target),
             "currency": a.currency, "repeat": "true" if a.repeat else "false",
             "cooldown": core.format_duration(a.cooldown) if a.repeat else "",
             "notify": ",".join(a.notify), "note": a.note, "coin_id": a.coin_id,
             "enabled": "true" if a.enabled else "false",
             "snoozed_until": iso_utc(a.snoozed_until) if a.snoozed(now) else "",
             "status": a.status,
             "last_fired_at": iso_utc(a.last_fired_at) if a.last_fired_at else ""}
            for a in AlertRepo(store).list()]


def export_text(store: Store, fmt: str = "csv", now: datetime | None = None) -> str:
    """Every alert as CSV (CSV_COLUMNS) or a JSON list with the same keys, for import."""
    rows = export_rows(store, now)
    if fmt == "json":
        out = [{**r, "target": float(r["target"]), "repeat": r["repeat"] == "true",
                "enabled": r["enabled"] == "true", "snoozed_until": r["snoozed_until"] or None,
                "last_fired_at": r["last_fired_at"] or None}
               for r in rows]
        return json.dumps(out, indent=2, ensure_ascii=False) + "\n"
    if fmt != "csv":
        raise UsageError(f"unknown format {fmt!r}", hint="csv or json")
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def _bool(value: Any, what: str = "repeat", empty: bool = False) -> bool:
    """true/false (1/0, yes/no) from a cell or a JSON boolean; `empty` for a blank cell."""
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    if text in ("1", "true", "yes", "y"):
        return True
    if text in ("0", "false", "no", "n"):
        return False
    if text == "":
        return empty
    raise UsageError(f"{what} must be true or false, not {value!r}")


def _snoozed_until(value: Any, now: datetime) -> datetime | None:
    """An ISO 8601 time (UTC unless it names an offset) from an import; None when empty or
    already past (a snooze that ended is no snooze)."""
    moment = _iso_time(value, "snoozed_until")
    return moment if moment is not None and moment > now else None


def _iso_time(value: Any, what: str) -> datetime | None:
    """An ISO 8601 time cell (UTC unless it names an offset); None when empty."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    moment = parse_iso(text.replace("z", "Z"))
    if moment is None:
        raise UsageError(f"{what} {text!r} is not an ISO 8601 time",
                         hint="e.g. 2026-12-31T12:00:00Z, or empty")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _read_rows(text: str) -> list[tuple[int, dict[str, Any]]]:
    """(line number, row) from CSV with a header, or a JSON list of objects."""
    stripped = text.lstrip("\ufeff").strip()
    if stripped.startswith("["):
        try:
            data = json.loads(stripped)
        except ValueError as exc:
            raise UsageError(f"not valid JSON: {exc}") from None
        if not all(isinstance(r, dict) for r in data):
            raise UsageError("a JSON import is a list of objects")
        return [(i, r) for i, r in enumerate(data, start=1)]
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("symbol", "condition", "target") if c not in header]
    if missing:
        raise UsageError(f"line 1: the header lacks {', '.join(missing)}", hint=COLUMNS_HINT)
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        raise UsageError(f"line 1: unknown column {', '.join(unknown)}", hint=COLUMNS_HINT)
    reader.fieldnames = header
    rows = []
    for row in reader:
        if None in row:
            raise UsageError(f"line {reader.line_num}: more fields than columns")
        if not any((v or "").strip() for v in row.values()):
            continue
        rows.append((reader.line_num, row))
    return rows


def import_alerts(store: Store, cg: CoinGecko, text: str, *, default_currency: str = "usd",
                  on_note: Callable[[str], None] | None = None) -> list[Alert]:
    """Import alerts from CSV (or a JSON list): every row checked first, then all stored in
    one transaction; any bad row is an error naming its line, and nothing is stored. A row
    equal to an alert already kept is skipped (said through `on_note`), so a second import
    of the same file adds nothing."""
    rows = _read_rows(text)
    if not rows:
        return []  # an export of no alerts imports as nothing
    problems: list[str] = []
    parsed: list[tuple[int, dict[str, Any], CoinRef]] = []
    now = utcnow()
    known_channels = {*notify.BUILTIN, *(c.name for c in ChannelRepo(store).list())}
    for line, row in rows:
        try:
            item = _parse_row(row, default_currency, now)
            # an alert in a currency CoinGecko does not quote would fail every check
            item["currency"] = check_currency(item["currency"], lambda: _quoted(cg),
                                              where="currency")
            unknown = [n for n in item["notify"] if n not in known_channels]
            if unknown:
                raise UsageError(f"no channel named {', '.join(unknown)}")
            pid = item["coin_id"] or item["symbol"]
            if is_portfolio(pid):
                if item["condition"] not in ("above", "below", "cross"):
                    raise UsageError("a portfolio alert takes above, below or cross")
                if _holdings(store, pid[len(PORTFOLIO):]) is None:
                    raise UsageError(f"there is no portfolio named {pid[len(PORTFOLIO):]!r}")
                coin = CoinRef(pid, pid, pid[len(PORTFOLIO):])
            else:
                coin = cg.coin_by_id(item["coin_id"]) if item["coin_id"] else \
                    cg.resolve(item["symbol"]).coin
            parsed.append((line, item, coin))
        except UsageError as exc:
            problems.append(f"line {line}: {exc.message}")
    _raise_problems(problems)
    need = {(coin.id, coin.symbol, item["currency"]) for _, item, coin in parsed
            if item["condition"] == "cross"}
    pricing = price_all(store, cg, need) if need else Pricing()
    if pricing.failure is not None:
        raise pricing.failure
    alerts = []
    for line, item, coin in parsed:
        try:
            q = pricing.observations.get((coin.id, item["currency"]))
            if item["condition"] == "cross" and q is None:
                raise UsageError(pricing.errors.get((coin.id, item["currency"]),
                                                    "no price for a cross alert"))
            alert = build_alert(coin, item["condition"], item["target"], item["currency"],
                                repeat=item["repeat"], cooldown=item["cooldown"],
                                notify_names=item["notify"], note=item["note"],
                                price_now=q.price if q else None)
            alerts.append(replace(alert, enabled=item["enabled"],
                                  snoozed_until=item["snoozed_until"], status=item["status"],
                                  last_fired_at=item["last_fired_at"]))
        except UsageError as exc:
            problems.append(f"line {line}: {exc.message}")
    _raise_problems(problems)
    repo = AlertRepo(store)
    held = Counter(_same(a) for a in repo.list())
    fresh = []
    for a in alerts:  # an alert already there (same coin, condition, target...) is skipped
        if held[_same(a)] > 0:
            held[_same(a)] -= 1
        else:
            fresh.append(a)
    if len(fresh) < len(alerts) and on_note is not None:
        skipped = len(alerts) - len(fresh)
        on_note(f"{skipped} alert{'s' if skipped != 1 else ''} already there, skipped")
    return repo.add_many(fresh)


def _quoted(cg: CoinGecko) -> frozenset[str] | None:
    """CoinGecko's quote currencies, or None when it cannot say now (the built-in list
    decides then)."""
    try:
        return cg.supported_currencies()
    except (SourceError, UsageError):
        return None


def _same(a: Alert) -> tuple:
    """What makes an imported alert the same as one already kept."""
    return (a.coin_id, a.condition, a.target, a.currency, a.repeat,
            a.cooldown if a.repeat else 0.0, tuple(a.notify), a.note)


def _raise_problems(problems: list[str]) -> None:
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise UsageError("; ".join(problems[:3]) + more + "; nothing imported")


def _parse_row(row: dict[str, Any], default_currency: str,
               now: datetime | None = None) -> dict[str, Any]:
    def get(key: str) -> str:
        value = row.get(key)
        return "" if value is None else str(value).strip()

    symbol, condition = get("symbol"), get("condition").lower()
    if not symbol and not get("coin_id"):
        raise UsageError("the symbol is empty")
    if condition not in core.CONDITIONS:
        raise UsageError(f"unknown condition {condition!r}",
                         hint=f"one of {', '.join(core.CONDITIONS)}")
    target = core.parse_target(get("target"), condition) if not isinstance(
        row.get("target"), (int, float)) else core.check_target(condition, row["target"])
    currency = (get("currency") or default_currency).lower()
    if not currency.isalpha() or not 2 <= len(currency) <= 5:
        raise UsageError(f"not a currency code: {currency!r}")
    repeat = _bool(row.get("repeat"))
    enabled = _bool(row.get("enabled"), "enabled", empty=True)  # no column: enabled
    snoozed = _snoozed_until(row.get("snoozed_until"), now or utcnow())
    status = get("status").lower() or core.ARMED
    if status not in (core.ARMED, core.FIRED):
        raise UsageError(f"status must be {core.ARMED} or {core.FIRED}, not {status!r}")
    fired_at = _iso_time(row.get("last_fired_at"), "last_fired_at")
    cooldown = core.parse_duration(get("cooldown"), what="cooldown") if get("cooldown") \
        else None
    if cooldown is not None and not repeat:
        cooldown = None if cooldown == 0 else cooldown
    return {"symbol": symbol, "condition": condition, "target": target, "currency": currency,
            "repeat": repeat, "cooldown": cooldown, "notify": parse_notify(get("notify")),
            "note": clean_note(get("note")), "coin_id": get("coin_id"), "enabled": enabled,
            "snoozed_until": snoozed, "status": status, "last_fired_at": fired_at}
