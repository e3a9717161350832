"""The alert state machine as a table: each condition from both sides, repeat, cooldown,
hysteresis, snooze, disabled, stale prices; plus parsing of targets and durations."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from mobius_cli.core import alerts as core
from mobius_cli.core.alerts import Alert, Observation, step
from mobius_cli.errors import UsageError

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
MIN = timedelta(minutes=1)


def alert(condition: str, target: float, **kw) -> Alert:
    return Alert("ETH", "ethereum", condition, target, "usd", id=1, **kw)


def run(a: Alert, prices: list, *, every: timedelta = 5 * MIN, hysteresis: float = 0.5,
        pct: bool = False) -> tuple[list[bool], Alert]:
    """Check `a` once per entry (a price, or a 24h change when `pct`) `every` apart."""
    fired = []
    for i, value in enumerate(prices):
        now = T0 + i * every
        obs = (Observation(2000.0, value, now) if pct else Observation(value, None, now))
        result = step(a, obs, now, hysteresis=hysteresis)
        assert result.error is None, result.error
        fired.append(result.fired)
        a = result.alert
    return fired, a


F, X = False, True  # not fired, fired

# condition, target, side, repeat, cooldown (s), sequence, fired per step
TABLE = [
    # above: from below (fires on reaching), already above (fires at once), one-shot
    ("above", 100, None, False, 0, [90, 99.99, 100, 110, 90, 120], [F, F, X, F, F, F]),
    ("above", 100, None, False, 0, [120, 130, 90], [X, F, F]),
    # below: from above and already below
    ("below", 100, None, False, 0, [120, 100.01, 100, 80, 120, 50], [F, F, X, F, F, F]),
    ("below", 100, None, False, 0, [80, 70], [X, F]),
    # cross from below: fires on reaching the target going up, never when going down
    ("cross", 100, "below", False, 0, [90, 95, 101, 80], [F, F, X, F]),
    # cross from above: fires on reaching the target going down
    ("cross", 100, "above", False, 0, [110, 105, 99, 120], [F, F, X, F]),
    # repeat cross re-arms on the other side: up, then down, then up
    ("cross", 100, "below", True, 0, [90, 101, 102, 99.4, 98, 101, 120],
     [F, X, F, X, F, X, F]),
    # repeat above: needs a dip below target*(1-0.5%) = 99.5 before firing again
    ("above", 100, None, True, 0, [101, 99.6, 101, 99.4, 101], [X, F, F, F, X]),
    # repeat below: needs a rise above 100.5 before firing again
    ("below", 100, None, True, 0, [99, 100.4, 99, 100.6, 99], [X, F, F, F, X]),
    # repeat with a 1h cooldown: cleared at once, but re-arms only after the hour
    ("above", 100, None, True, 3600,
     [101, 90, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101],
     [X, F, F, F, F, F, F, F, F, F, F, F, X, F]),
]


@pytest.mark.parametrize(("condition", "target", "side", "repeat", "cooldown", "prices",
                          "expected"), TABLE)
def test_price_conditions(condition, target, side, repeat, cooldown, prices, expected):
    fired, _ = run(alert(condition, target, side=side, repeat=repeat, cooldown=cooldown),
                   prices)
    assert fired == expected


PCT_TABLE = [
    # change: |24h| >= 10, either direction
    ("change", 10, False, [2, -9.9, -10, 15], [F, F, X, F]),
    ("change", 10, False, [12], [X]),
    # change_up: only rises
    ("change_up", 10, False, [-20, 9, 10.5], [F, F, X]),
    # change_down: only falls
    ("change_down", 10, False, [20, -9, -10], [F, F, X]),
    # repeat change: re-arms below 10 - 0.5 = 9.5 points
    ("change", 10, True, [11, 9.6, 12, 9.4, -11], [X, F, F, F, X]),
    ("change_up", 5, True, [6, 4.6, 6, 4.4, 6], [X, F, F, F, X]),
    ("change_down", 5, True, [-6, -4.6, -6, -4.4, -6], [X, F, F, F, X]),
]


@pytest.mark.parametrize(("condition", "target", "repeat", "changes", "expected"), PCT_TABLE)
def test_change_conditions(condition, target, repeat, changes, expected):
    fired, _ = run(alert(condition, target, repeat=repeat), changes, pct=True)
    assert fired == expected


def test_hysteresis_is_configurable():
    a = alert("above", 100, repeat=True)
    fired, _ = run(a, [101, 99.6, 101], hysteresis=0.2)  # 99.6 < 99.8 clears
    assert fired == [X, F, X]
    fired, _ = run(a, [101, 98.5, 101], hysteresis=2)  # 98.5 > 98 does not
    assert fired == [X, F, F]


def test_firing_updates_state():
    result = step(alert("below", 100), Observation(90, None, T0), T0)
    assert result.fired
    assert result.alert.status == "fired"
    assert result.alert.last_fired_at == T0
    assert result.alert.fire_count == 1
    again = step(result.alert, Observation(80, None, T0 + MIN), T0 + MIN)
    assert not again.fired and again.alert == result.alert


def test_cross_flips_side_when_it_fires():
    a = alert("cross", 100, side="below")
    result = step(a, Observation(100, None, T0), T0)
    assert result.fired and result.alert.side == "above"


def test_side_for():
    assert core.side_for(90, 100) == "below"
    assert core.side_for(110, 100) == "above"
    with pytest.raises(UsageError):
        core.side_for(100, 100)


def test_disabled_never_fires_nor_changes():
    a = alert("above", 100, enabled=False)
    result = step(a, Observation(500, None, T0), T0)
    assert result.skipped and not result.fired and result.alert is a


def test_snoozed_until_expiry_then_fires():
    a = alert("above", 100, snoozed_until=T0 + timedelta(hours=1))
    assert step(a, Observation(500, None, T0), T0).skipped
    later = T0 + timedelta(hours=1)
    result = step(a, Observation(500, None, later), later)
    assert result.fired
    assert a.display_status(T0) == "snoozed" and a.display_status(later) == "armed"


@pytest.mark.parametrize("obs", [
    Observation(500, None, T0 - timedelta(minutes=6)),  # older than max_age (5 min)
    Observation(500, None, T0, stale=True),  # marked stale (served from an old cache)
    Observation(500, None, None),  # no time stamp
])
def test_stale_price_never_fires(obs):
    a = alert("above", 100)
    result = step(a, obs, T0, max_age=300)
    assert not result.fired and result.error and result.alert is a


def test_max_age_is_configurable():
    obs = Observation(500, None, T0 - timedelta(minutes=6))
    assert step(alert("above", 100), obs, T0, max_age=600).fired


def test_missing_change_is_an_error_not_a_firing():
    result = step(alert("change", 5), Observation(100, None, T0), T0)
    assert result.error and not result.fired


def test_no_price_is_an_error():
    assert step(alert("above", 1), None, T0).error == "no price"


def test_one_shot_stays_done_even_after_clearing():
    fired, a = run(alert("below", 100), [90, 200, 90, 200, 90])
    assert fired == [X, F, F, F, F]
    assert a.display_status(T0) == "fired"


def test_repeat_waiting_for_clear_survives_cooldown():
    # Cooldown passed but the price never left the firing zone: no second firing.
    fired, _ = run(alert("above", 100, repeat=True, cooldown=60), [101] * 6)
    assert fired == [X, F, F, F, F, F]


def test_reset_seen_before_cooldown_is_remembered():
    # Cleared during the cooldown, back above after it: fires once the hour is up.
    a = alert("above", 100, repeat=True, cooldown=3600)
    fired, _ = run(a, [101, 90, 101, 101, 101], every=20 * MIN)
    assert fired == [X, F, F, X, F]


@pytest.mark.parametrize(("condition", "price", "change", "expected"), [
    ("above", 2000, None, 25.0),
    ("below", 2000, None, -50.0),
    ("change", None, -3.0, 7.0),
    ("change_up", None, 4.0, 6.0),
    ("change_down", None, -4.0, -6.0),
])
def test_distance(condition, price, change, expected):
    target = 2500 if condition == "above" else 1000 if condition == "below" else 10
    assert core.distance(alert(condition, target), price, change) == pytest.approx(expected)


@pytest.mark.parametrize(("text", "condition", "value"), [
    ("2.5k", "below", 2500.0), ("$2,500", "above", 2500.0), ("10%", "change", 10.0),
    ("0.00001234", "above", 0.00001234), ("1m", "cross", 1e6),
])
def test_parse_target(text, condition, value):
    assert core.parse_target(text, condition) == value


@pytest.mark.parametrize(("text", "condition"), [
    ("-5", "below"), ("0", "above"), ("abc", "above"), ("nan", "above"), ("inf", "below"),
    ("1e20", "above"), ("20000", "change"), ("5", "sideways"),
])
def test_bad_targets(text, condition):
    with pytest.raises(UsageError):
        core.parse_target(text, condition)


@pytest.mark.parametrize(("text", "seconds"), [
    ("90s", 90), ("15m", 900), ("1h", 3600), ("1d", 86400), ("2w", 1209600), ("0", 0),
    ("45", 45), ("1.5h", 5400), (" 2 days ", 172800),
])
def test_parse_duration(text, seconds):
    assert core.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["-1h", "soon", "1y", "", "1h30"])
def test_bad_durations(text):
    with pytest.raises(UsageError):
        core.parse_duration(text)


@pytest.mark.parametrize("seconds", [0, 45, 90, 900, 3600, 5400, 86400, 1209600])
def test_format_duration_round_trips(seconds):
    assert core.parse_duration(core.format_duration(seconds)) == seconds


def test_describe():
    assert core.describe(alert("below", 2500.0)) == "ETH below 2500 USD"
    assert core.describe(alert("change_up", 10.0)) == "ETH up 10% in 24h"
    assert core.describe(replace(alert("cross", 1e5), side="below")) == \
        "ETH crosses 100000 USD (from below)"
