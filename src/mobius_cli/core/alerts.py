"""Price alerts: conditions, the state machine, and parsing of targets and durations.

Pure: no I/O, no clock (every function takes `now`), no printing.

An alert is `armed` until its condition holds on a fresh price; then it fires and becomes
`fired`. A one-shot alert stays fired (done). A repeating alert re-arms only once its
condition has been false again by the hysteresis margin *and* its cooldown has passed
since it last fired. A `cross` alert remembers the side of the target the price was on
(fixed at creation from the live price) and fires when the price reaches the other side;
it then waits on the side it crossed to, so a repeating cross alert fires on every
crossing in alternate directions. Disabled and snoozed alerts are skipped untouched. A
stale price (older than `max_age`, or marked stale) never fires anything: it is an error.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from mobius_cli.core.ledger import COMMA_HINT, scaled_number
from mobius_cli.errors import UsageError

CONDITIONS = ("above", "below", "cross", "change", "change_up", "change_down")
PCT_CONDITIONS = frozenset({"change", "change_up", "change_down"})
ARMED, FIRED = "armed", "fired"
STATUSES = ("armed", "fired", "snoozed", "disabled")

DEFAULT_MAX_AGE = 300.0  # seconds: a price older than this never fires
DEFAULT_HYSTERESIS = 0.5  # percent of the target (percentage points for change conditions)
DEFAULT_COOLDOWN = 3600.0  # seconds between firings of a repeating alert
MAX_PRICE_TARGET = 1e15
MAX_PCT_TARGET = 1_000.0  # a 24h move beyond 1000% (an 11x day) is a typo, not an alert


@dataclass(frozen=True)
class Observation:
    """A price as seen by a check: the price, its 24h change, and when it was true."""

    price: float
    change_24h_pct: float | None = None
    as_of: datetime | None = None
    stale: bool = False


@dataclass(eq=True)
class Alert:
    """One alert and its state (times are aware UTC datetimes).

    Treated as immutable: every change is a `dataclasses.replace` copy. (Not frozen only
    because a frozen dataclass is five times slower to build, and a check builds 10,000.)
    """

    symbol: str
    coin_id: str
    condition: str
    target: float
    currency: str
    id: int | None = None
    side: str | None = None  # cross: "below"/"above", the side the price is waiting on
    repeat: bool = False
    cooldown: float = 0.0  # seconds
    notify: tuple[str, ...] = ()
    note: str = ""
    status: str = ARMED  # armed | fired
    enabled: bool = True
    reset: bool = False  # repeat: false again by the margin since it last fired
    snoozed_until: datetime | None = None
    created_at: datetime | None = None
    last_fired_at: datetime | None = None
    fire_count: int = 0

    def snoozed(self, now: datetime) -> bool:
        return self.snoozed_until is not None and now < self.snoozed_until

    def display_status(self, now: datetime) -> str:
        """armed, fired, snoozed or disabled."""
        if not self.enabled:
            return "disabled"
        if self.snoozed(now):
            return "snoozed"
        return self.status


@dataclass
class Step:
    """What one check did to one alert: its new state, whether it fired, or why not."""

    alert: Alert
    fired: bool = False
    error: str | None = None
    skipped: bool = False  # disabled or snoozed: not checked at all


def is_met(alert: Alert, obs: Observation) -> bool | None:
    """Whether the condition holds on `obs`; None when the data it needs is missing."""
    t = alert.target
    c = alert.condition
    if c == "above":
        return obs.price >= t
    if c == "below":
        return obs.price <= t
    if c == "cross":
        return obs.price >= t if alert.side == "below" else obs.price <= t
    change = obs.change_24h_pct
    if change is None or not math.isfinite(change):
        return None
    if c == "change":
        return abs(change) >= t
    if c == "change_up":
        return change >= t
    if c == "change_down":
        return change <= -t
    raise ValueError(f"unknown condition {c!r}")


def is_clear(alert: Alert, obs: Observation, hysteresis: float) -> bool:
    """Whether the condition is false by at least the hysteresis margin (re-arming)."""
    t = alert.target
    c = alert.condition
    low, high = t * (1 - hysteresis / 100), t * (1 + hysteresis / 100)
    if c == "above" or (c == "cross" and alert.side == "below"):
        return obs.price < low
    if c == "below" or (c == "cross" and alert.side == "above"):
        return obs.price > high
    change = obs.change_24h_pct
    if change is None or not math.isfinite(change):
        return False
    margin = t - hysteresis
    if c == "change":
        return abs(change) < margin
    if c == "change_up":
        return change < margin
    return change > -margin  # change_down


def freshness_error(obs: Observation, now: datetime, max_age: float) -> str | None:
    """Why `obs` is too old to act on, or None when it is fresh."""
    if obs.stale:
        return "the price is stale (served from an old cache)"
    if obs.as_of is None:
        return "the price has no time stamp"
    age = (now - obs.as_of).total_seconds()
    if age > max_age:
        return (f"the price is {rough_age(age)} old (more than "
                f"{format_duration(max_age)}); nothing fires on a stale price")
    return None


def fire(alert: Alert, now: datetime) -> Alert:
    """The alert's state right after it fires (a cross alert now waits on the other side)."""
    side = alert.side
    if alert.condition == "cross":
        side = "above" if alert.side == "below" else "below"
    return replace(alert, status=FIRED, reset=False, side=side, last_fired_at=now,
                   fire_count=alert.fire_count + 1)


def cooling_until(alert: Alert, now: datetime) -> datetime | None:
    """When a repeating alert that fired comes out of its cooldown (it re-arms then, once
    its condition has also been false by the margin); None when it is not cooling down."""
    if not (alert.repeat and alert.status == FIRED and alert.last_fired_at and alert.cooldown):
        return None
    until = alert.last_fired_at + timedelta(seconds=alert.cooldown)
    return until if now < until else None


def cooled(alert: Alert, now: datetime) -> bool:
    """Whether the cooldown since the last firing has passed."""
    if alert.last_fired_at is None:
        return True
    return now >= alert.last_fired_at + timedelta(seconds=alert.cooldown)


def step(alert: Alert, obs: Observation | None, now: datetime, *,
         max_age: float = DEFAULT_MAX_AGE, hysteresis: float = DEFAULT_HYSTERESIS) -> Step:
    """Advance `alert` by one check that saw `obs` at `now`."""
    if not alert.enabled or alert.snoozed(now):
        return Step(alert, skipped=True)
    if obs is None:
        return Step(alert, error="no price")
    problem = freshness_error(obs, now, max_age)
    if problem:
        return Step(alert, error=problem)
    met = is_met(alert, obs)
    if met is None:
        return Step(alert, error="no 24h change in the price data")
    current = alert
    if current.status == FIRED:
        if not current.repeat:
            return Step(current)
        if not current.reset and is_clear(current, obs, hysteresis):
            current = replace(current, reset=True)
        if not (current.reset and cooled(current, now)):
            return Step(current)
        current = replace(current, status=ARMED, reset=False)
        met = is_met(current, obs)
    if met:
        return Step(fire(current, now), fired=True)
    return Step(current)


def side_for(price: float, target: float) -> str:
    """The side of `target` the price is on now, for a new cross alert."""
    if price < target:
        return "below"
    if price > target:
        return "above"
    raise UsageError(f"the price is exactly {target:g} now, so a cross has no direction",
                     hint="use --above or --below")


def distance(alert: Alert, price: float | None, change_24h_pct: float | None) -> float | None:
    """How far from firing: percent the price must move (price conditions) or percentage
    points the 24h change must move (change conditions); None when unknown."""
    if alert.condition in PCT_CONDITIONS:
        if change_24h_pct is None:
            return None
        if alert.condition == "change":
            return alert.target - abs(change_24h_pct)
        if alert.condition == "change_up":
            return alert.target - change_24h_pct
        return -alert.target - change_24h_pct
    if not price:
        return None
    return (alert.target - price) / price * 100


def check_target(condition: str, target: float) -> float:
    """A target that makes sense for `condition` (positive, finite, not absurd)."""
    if condition not in CONDITIONS:
        raise UsageError(f"unknown condition {condition!r}",
                         hint=f"one of {', '.join(CONDITIONS)}")
    if isinstance(target, bool) or not isinstance(target, (int, float)) or math.isnan(target):
        raise UsageError(f"the target must be a number, not {target!r}")
    if math.isinf(target) and target > 0:  # '1e400' reads as infinity
        raise _too_large(condition)
    if target <= 0:
        what = "percentage" if condition in PCT_CONDITIONS else "price"
        raise UsageError(f"the target {what} must be above 0, not {target:g}")
    if condition in PCT_CONDITIONS and target > MAX_PCT_TARGET:
        raise _too_large(condition)
    if condition == "change_down" and target >= 100:
        raise UsageError(f"a price cannot fall {target:g}% (it would be zero or less)",
                         hint="use less than 100%")
    if condition not in PCT_CONDITIONS and target > MAX_PRICE_TARGET:
        raise _too_large(condition)
    return float(target)


def _too_large(condition: str, text: str | None = None) -> UsageError:
    """The error for a target beyond what an alert can sensibly wait for (`text`: as the
    user wrote it)."""
    written = f" {text}" if text else ""
    if condition in PCT_CONDITIONS:
        return UsageError(f"the target percentage{written} is too large",
                          hint=f"a 24h-move alert takes at most {MAX_PCT_TARGET:.0f}%")
    return UsageError(f"the target price{written} is too large",
                      hint=f"the most an alert accepts is {MAX_PRICE_TARGET:,.0f}")


def parse_target(text: str, condition: str) -> float:
    """'2.5k', '$2,500', '10%' → a checked number for `condition`."""
    raw = str(text).strip().replace("_", "").lstrip("$€£¥").rstrip("%")
    try:
        value = scaled_number(raw)
    except ValueError:
        raise UsageError(f"not a number: {text!r}", hint="e.g. 2500, 2.5k or 10") from None
    if value is None:
        raise UsageError(f"not a number: {text!r}", hint=COMMA_HINT)
    limit = MAX_PCT_TARGET if condition in PCT_CONDITIONS else MAX_PRICE_TARGET
    if condition in CONDITIONS and value > limit:  # 1e400 reads as infinity: name it as given
        raise _too_large(condition, str(text).strip())
    return check_target(condition, value)


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|m|min|mins|h|hr|hrs|d|day|days|w|"
                       r"wk|week|weeks)?\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str | float, *, what: str = "duration") -> float:
    """'90s', '15m', '1h', '1d', '2w', or bare seconds → seconds (0 allowed)."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        seconds = float(text)
    else:
        found = _DURATION.match(str(text))
        if not found:
            raise UsageError(f"{what} {text!r} is not a duration",
                             hint="e.g. 30m, 1h, 1d or 2w")
        unit = (found.group(2) or "s")[0].lower()
        seconds = float(found.group(1)) * _UNITS[unit]
    if not math.isfinite(seconds) or seconds < 0 or seconds > 3650 * 86400:
        raise UsageError(f"{what} {text!r} is out of range")
    return seconds


def format_duration(seconds: float) -> str:
    """3600 → '1h', 90 → '90s', 86400 → '1d', 5400 → '90m' (what parse_duration reads)."""
    seconds = round(seconds)
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def rough_age(seconds: float) -> str:
    """An age for people: 45 → '45s', 3700 → '62m', 905151 → '10d'."""
    for unit, size, below in (("s", 1, 120), ("m", 60, 7200), ("h", 3600, 172800)):
        if seconds < below:
            return f"{round(seconds / size)}{unit}"
    return f"{round(seconds / 86400)}d"


def plain_number(value: float) -> str:
    """2500.0 → '2500', 0.00001234 → '0.00001234', 2.5 → '2.5' (never an exponent)."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    from decimal import Decimal

    return format(Decimal(repr(value)), "f")


def describe(alert: Alert) -> str:
    """'ETH below 2500 USD', 'SOL up 10% in 24h', 'BTC crosses 100000 USD'."""
    t = plain_number(alert.target)
    cur = alert.currency.upper()
    return {
        "above": f"{alert.symbol} above {t} {cur}",
        "below": f"{alert.symbol} below {t} {cur}",
        "cross": f"{alert.symbol} crosses {t} {cur}"
                 + (f" (from {alert.side})" if alert.side else ""),
        "change": f"{alert.symbol} moves {t}% in 24h",
        "change_up": f"{alert.symbol} up {t}% in 24h",
        "change_down": f"{alert.symbol} down {t}% in 24h",
    }[alert.condition]


# --- cron ---------------------------------------------------------------------------


# Minute counts that cron can run at even intervals: divisors of an hour, and whole hours
# that divide a day.
CRON_MINUTES = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)
CRON_HOURS = (1, 2, 3, 4, 6, 8, 12, 24)
CRON_EVERY = (*CRON_MINUTES, *(h * 60 for h in CRON_HOURS))


def cron_schedule(every: int) -> str:
    """The crontab schedule for a check every `every` minutes (one of CRON_EVERY)."""
    if every not in CRON_EVERY:
        lower = [m for m in CRON_EVERY if m < every]
        higher = [m for m in CRON_EVERY if m > every]
        nearest = " or ".join(str(m) for m in (lower[-1:] + higher[:1]))
        raise UsageError(f"--every {every} does not give even intervals in cron; "
                         f"the nearest that do: {nearest}",
                         hint="allowed: 1-6, 10, 12, 15, 20 or 30 minutes, or whole hours "
                              "that divide a day: 60, 120, 180, 240, 360, 480, 720 or 1440")
    if every == 1:
        return "* * * * *"
    if every < 60:
        return f"*/{every} * * * *"
    hours = every // 60
    return "0 * * * *" if hours == 1 else "0 0 * * *" if hours == 24 else f"0 */{hours} * * *"


def cron_env(environ: Mapping[str, str]) -> tuple[list[tuple[str, str]], list[str]]:
    """The source URLs a cron check must see as this shell does: (name, value) of every
    MOBIUS_*_URL and MOBIUS_RPC_URL* set, and the names left out because their URL holds
    a credential (user:password@, a key in the query or path) that a crontab must not."""
    kept: list[tuple[str, str]] = []
    secret: list[str] = []
    for name in sorted(environ):
        value = environ[name].strip()
        # MOBIUS_CHANNEL_<NAME> holds a channel's (secret) target, even when it ends in _URL
        if not value or not name.startswith("MOBIUS_") or name.startswith("MOBIUS_CHANNEL_"):
            continue
        if not (name.endswith("_URL") or name.startswith("MOBIUS_RPC_URL")):
            continue
        if url_has_secret(value):
            secret.append(name)
        else:
            kept.append((name, value))
    return kept, secret


_SECRET_PARAM = ("key", "token", "secret", "auth", "pass", "sig", "credential")


def url_has_secret(url: str) -> bool:
    """Whether a URL carries a credential: user info, a query parameter named like a key,
    or a path segment that looks like an API key (long, letters and digits mixed)."""
    from urllib.parse import parse_qsl, urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return True  # cannot tell: do not print it
    if "@" in parts.netloc:
        return True
    if any(any(word in k.lower() for word in _SECRET_PARAM) or len(v) >= 20
           for k, v in parse_qsl(parts.query, keep_blank_values=True)):
        return True
    return any(len(seg) >= 20 and re.search(r"\d", seg) and re.search(r"[A-Za-z]", seg)
               and re.fullmatch(r"[A-Za-z0-9_\-]+", seg) for seg in parts.path.split("/"))
