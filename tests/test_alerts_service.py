"""The alert service and channels in-process: concurrent checks on one database (threads),
delivery claims and retries, channel kinds (command, desktop, apprise, webhook fallback),
redaction, and lazy imports."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import types
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mobius_cli.core.alerts import Alert
from mobius_cli.core.models import Quote
from mobius_cli.errors import NotFoundError, SourceError
from mobius_cli.providers import notify
from mobius_cli.services import alerts as svc
from mobius_cli.store.alerts import AlertRepo
from mobius_cli.store.db import Store


class StubGecko:
    """Just enough of the CoinGecko provider: quotes() and prices(), counting calls."""

    def __init__(self, prices: dict[str, float], *, age: float = 10.0, delay: float = 0.0,
                 change: float | None = 1.0, missing: tuple[str, ...] = ()):
        self.table = prices
        self.age = age
        self.delay = delay
        self.change = change
        self.missing = missing
        self.calls: list[tuple[str, tuple[str, ...]]] = []
        self.lock = threading.Lock()

    def quotes(self, coins, vs):
        import time

        with self.lock:
            self.calls.append((vs, tuple(c.id for c in coins)))
        if self.delay:
            time.sleep(self.delay)
        for c in coins:
            if c.id in self.missing:
                raise NotFoundError(f"CoinGecko has no price for {c.id!r}")
        when = datetime.now(timezone.utc) - timedelta(seconds=self.age)
        return [Quote(c, self.table[c.id], vs, self.change, None, None, when) for c in coins]

    def prices(self, ids, currencies):
        with self.lock:
            self.calls.append(("prices", tuple(ids)))
        return {i: {currencies[0]: self.table[i]} for i in ids if i not in self.missing}


def make_store(tmp_path) -> Store:
    return Store(tmp_path / "mobius.sqlite3")


def add(store: Store, *alerts: Alert) -> list[Alert]:
    return AlertRepo(store).add_many(alerts)


def eth(condition="below", target=2500.0, **kw) -> Alert:
    return Alert("ETH", "ethereum", condition, target, "usd", **kw)


# --- checking --------------------------------------------------------------------------


def test_one_request_per_currency(tmp_path):
    store = make_store(tmp_path)
    add(store, eth(), eth("above", 1e9), Alert("BTC", "bitcoin", "below", 1.0, "usd"),
        Alert("BTC", "bitcoin", "below", 1.0, "eur"))
    cg = StubGecko({"ethereum": 2000.0, "bitcoin": 90000.0})
    result = svc.check(store, cg)
    assert sorted(vs for vs, _ in cg.calls) == ["eur", "usd"]
    assert result.checked == 4 and [f.alert_id for f in result.fired] == [1]
    assert result.exit_code == 3


def test_a_coin_without_a_price_fails_alone(tmp_path):
    store = make_store(tmp_path)
    add(store, eth(), Alert("GONE", "gone-coin", "above", 1.0, "usd"))
    cg = StubGecko({"ethereum": 2000.0, "gone-coin": 1.0}, missing=("gone-coin",))
    result = svc.check(store, cg)
    assert [f.symbol for f in result.fired] == ["ETH"]
    assert [(e["id"], e["kind"]) for e in result.errors] == [(2, "price")]
    assert result.exit_code == 3  # something fired; the error is reported beside it


def test_source_failure_is_exit_1(tmp_path):
    store = make_store(tmp_path)
    add(store, eth())

    class Down(StubGecko):
        def quotes(self, coins, vs):
            raise SourceError("CoinGecko", "server error (HTTP 500)")

    result = svc.check(store, Down({}))
    assert result.exit_code == 1 and result.fired == []
    assert result.to_json()["errors"][0]["message"] == "CoinGecko: server error (HTTP 500)"


def test_stale_quote_flag_never_fires(tmp_path):
    store = make_store(tmp_path)
    add(store, eth())

    class Stale(StubGecko):
        def quotes(self, coins, vs):
            found = super().quotes(coins, vs)
            for q in found:
                q.stale = True
            return found

    result = svc.check(store, Stale({"ethereum": 2000.0}))
    assert result.exit_code == 1 and result.fired == []
    assert "stale" in result.errors[0]["message"]


def test_max_age_setting(tmp_path):
    store = make_store(tmp_path)
    add(store, eth())
    old = StubGecko({"ethereum": 2000.0}, age=400)
    assert svc.check(store, old).exit_code == 1  # default 300 s
    assert svc.check(store, old, svc.AlertOptions(max_age=600)).exit_code == 3


def test_concurrent_checks_in_threads_fire_each_event_once(tmp_path):
    path = tmp_path / "mobius.sqlite3"
    add(Store(path), *[eth(target=2500.0 + i) for i in range(50)])
    cg_prices = {"ethereum": 2000.0}
    results = []

    def run() -> None:
        store = Store(path)  # one connection per thread, as two processes would have
        results.append(svc.check(store, StubGecko(cg_prices, delay=0.2),
                                 svc.AlertOptions(default_notify=("log",))))
        store.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    fired = [f.alert_id for r in results for f in r.fired]
    assert sorted(fired) == list(range(1, 51))
    deliveries = [d for r in results for d in r.deliveries]
    assert sorted(d["firing_id"] for d in deliveries) == list(range(1, 51))  # sent once each
    assert len(AlertRepo(Store(path)).history()) == 50


def test_adding_during_a_check_is_left_for_the_next(tmp_path):
    store = make_store(tmp_path)
    add(store, eth())

    class AddsMidway(StubGecko):
        def quotes(self, coins, vs):
            add(Store(tmp_path / "mobius.sqlite3"), Alert("BTC", "bitcoin", "below", 1e9, "usd"))
            return super().quotes(coins, vs)

    result = svc.check(store, AddsMidway({"ethereum": 2000.0, "bitcoin": 1.0}))
    assert [f.symbol for f in result.fired] == ["ETH"] and result.errors == []
    result = svc.check(store, StubGecko({"ethereum": 2000.0, "bitcoin": 1.0}))
    assert [f.symbol for f in result.fired] == ["BTC"]


# --- deliveries ------------------------------------------------------------------------


def test_claims_are_exclusive_until_the_lease_ends(tmp_path):
    store = make_store(tmp_path)
    add(store, eth(notify=("hook",)))
    svc.check(store, StubGecko({"ethereum": 2000.0}), deliver=False)
    repo = AlertRepo(store)
    now = datetime.now(timezone.utc)
    [job] = repo.claim_deliveries(now)
    assert job.channel == "hook" and job.attempts == 1
    assert repo.claim_deliveries(now) == []  # another check sees it claimed
    [again] = repo.claim_deliveries(now + timedelta(seconds=121))  # the sender died
    assert again.attempts == 2
    repo.finish_delivery(again, "sent", None)
    assert repo.claim_deliveries(now + timedelta(hours=1)) == []


def test_a_failing_delivery_gives_up_after_max_attempts(tmp_path):
    store = make_store(tmp_path)
    add(store, eth(notify=("hook",)))
    svc.check(store, StubGecko({"ethereum": 2000.0}), deliver=False)
    repo = AlertRepo(store)
    statuses = []
    for _ in range(12):
        jobs = repo.claim_deliveries(datetime.now(timezone.utc), max_attempts=3)
        for job in jobs:
            statuses.append(repo.finish_delivery(job, "failed", "HTTP 500", max_attempts=3))
    assert statuses == ["failed", "failed", "gave_up"]
    [firing] = repo.history()
    assert firing.deliveries[0]["status"] == "gave_up" and firing.deliveries[0]["attempts"] == 3


def test_unknown_channel_is_skipped_not_retried(tmp_path):
    store = make_store(tmp_path)
    add(store, eth(notify=("gone",)))
    result = svc.check(store, StubGecko({"ethereum": 2000.0}))
    assert [d["status"] for d in result.deliveries] == ["skipped"]
    assert svc.check(store, StubGecko({"ethereum": 2000.0})).deliveries == []


def test_desktop_without_a_notifier_is_one_note(tmp_path, monkeypatch):
    monkeypatch.setattr(notify, "desktop_tool", lambda: None)
    store = make_store(tmp_path)
    add(store, eth(notify=("desktop",)), eth(target=3000.0, notify=("desktop",)))
    result = svc.check(store, StubGecko({"ethereum": 2000.0}))
    assert [d["status"] for d in result.deliveries] == ["skipped", "skipped"]
    assert len(result.notes) == 1 and "notify-send" in result.notes[0]


def test_desktop_runs_notify_send(monkeypatch, tmp_path):
    log = tmp_path / "args"
    script = tmp_path / "notify-send"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {log}\n')
    script.chmod(0o755)
    monkeypatch.setattr(notify, "desktop_tool", lambda: [str(script)])
    notify.deliver(notify.Channel("desktop", "desktop"), FIRED)
    args = log.read_text().splitlines()
    assert args[0] == "--app-name=Mobius" and args[2] == "Mobius: ETH below 2500 USD"


FIRED = {"id": 7, "symbol": "ETH", "condition": "below", "target": 2500.0, "price": 2480.5,
         "currency": "usd", "fired_at": "2026-12-01T12:00:00Z", "note": "buy"}


def test_command_gets_the_alert_in_its_environment(tmp_path):
    out = tmp_path / "env.json"
    cmd = (f"{sys.executable} -c \"import json, os; json.dump({{k: v for k, v in "
           f"os.environ.items() if k.startswith('MOBIUS_ALERT_')}}, open('{out}', 'w'))\"")
    notify.deliver(notify.Channel("log", "command", cmd), FIRED)
    assert json.loads(out.read_text()) == {
        "MOBIUS_ALERT_ID": "7", "MOBIUS_ALERT_SYMBOL": "ETH", "MOBIUS_ALERT_CONDITION": "below",
        "MOBIUS_ALERT_TARGET": "2500", "MOBIUS_ALERT_PRICE": "2480.5",
        "MOBIUS_ALERT_CURRENCY": "usd", "MOBIUS_ALERT_FIRED_AT": "2026-12-01T12:00:00Z"}


def test_command_timeout_and_failure():
    with pytest.raises(notify.DeliveryError, match="timed out"):
        notify.deliver(notify.Channel("slow", "command", "sleep 5"), FIRED, timeout=0.3)
    with pytest.raises(notify.DeliveryError, match="exited with 3"):
        notify.deliver(notify.Channel("bad", "command", "exit 3"), FIRED)


def test_apprise_is_used_when_installed(monkeypatch):
    sent = []

    class FakeApprise:
        def __init__(self):
            self.urls = []

        def add(self, url):
            self.urls.append(url)
            return url.startswith("tgram://")

        def notify(self, title, body):
            sent.append((self.urls, title, body))
            return True

    monkeypatch.setitem(sys.modules, "apprise", types.SimpleNamespace(Apprise=FakeApprise))
    notify.deliver(notify.Channel("tg", "apprise", "tgram://token/chat"), FIRED)
    assert sent == [(["tgram://token/chat"], "Mobius: ETH below 2500 USD",
                     "ETH is 2480.5 USD (alert #7, 2026-12-01T12:00:00Z). buy")]
    with pytest.raises(notify.DeliveryError) as bad:
        notify.deliver(notify.Channel("x", "apprise", "nonsense://x"), FIRED)
    assert not bad.value.retry


def test_apprise_missing_is_retried(monkeypatch):
    monkeypatch.setitem(sys.modules, "apprise", None)  # import fails
    with pytest.raises(notify.DeliveryError, match="not installed") as missing:
        notify.deliver(notify.Channel("tg", "apprise", "tgram://t/c"), FIRED)
    assert missing.value.retry


def test_webhook_without_the_shared_client_posts_with_httpx():
    bodies = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/h"
        svc._send(notify.Channel("hook", "webhook", url), FIRED, post_json=None, echo=None,
                  timeout=5)
        assert bodies == [{k: v for k, v in FIRED.items() if k != "note"}]
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("kind", "target", "shown"), [
    ("webhook", "https://hooks.slack.com/services/T0/B0/SECRET", "https://hooks.slack.com/…"),
    ("ntfy", "https://ntfy.sh/my-secret-topic", "https://ntfy.sh/…"),
    ("webhook", "http://user:pw@127.0.0.1:8080/x?token=1", "http://127.0.0.1:8080/…"),
    ("apprise", "tgram://123:SECRET/456", "tgram://…"),
    ("command", "echo hi", "echo hi"),
])
def test_redact(kind, target, shown):
    assert notify.redact(kind, target) == shown


def test_heavy_and_alert_modules_stay_out_of_help():
    code = ("import sys; from mobius_cli.__main__ import main; "
            "import contextlib, io\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    main(['--help'])\n"
            "print(sorted(m for m in sys.modules if m.startswith(('apprise', "
            "'mobius_cli.providers.notify', 'mobius_cli.services.alerts', "
            "'mobius_cli.store.alerts'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_the_same_alerts_make_the_same_request(tmp_path):
    store = make_store(tmp_path)
    add(store, *[Alert(s.upper(), s, "above", 1e9, "usd") for s in ("zcash", "bitcoin", "aave")])
    cg = StubGecko({"zcash": 1.0, "bitcoin": 1.0, "aave": 1.0})
    svc.check(store, cg)
    svc.list_alerts(store, cg)
    assert cg.calls == [("usd", ("aave", "bitcoin", "zcash"))] * 2


def test_watch_prints_a_table_when_not_a_terminal(tmp_path, fake_apis, capsys):
    import time as _time

    from mobius_cli.commands.alerts import watch_alerts
    from mobius_cli.context import AppContext
    from tests.fakes import iso_ms

    for row in fake_apis.markets.values():
        row["last_updated"] = iso_ms(_time.time())
    app = AppContext()
    add(app.store, Alert("ETH", "ethereum", "below", 1e9, "usd"))
    assert watch_alerts(app, every=5, rounds=1) == 0
    out = capsys.readouterr().out
    assert "ETH" in out and "fired" in out and "#1 ETH below" in out
    app.close()


def test_a_dead_channel_costs_one_attempt_per_check(tmp_path):
    store = make_store(tmp_path)
    add(store, *[eth(target=2500.0 + i, notify=("dead", "ok")) for i in range(5)])
    from mobius_cli.store.alerts import ChannelRepo

    ChannelRepo(store).add("dead", "command", "exit 1", "exit 1")
    ChannelRepo(store).add("ok", "command", "true", "true")
    result = svc.check(store, StubGecko({"ethereum": 2000.0}))
    tried = [d for d in result.deliveries if d["channel"] == "dead"]
    assert len(tried) == 1 and tried[0]["status"] == "failed"
    assert sum(d["channel"] == "ok" and d["status"] == "sent" for d in result.deliveries) == 5
    history = AlertRepo(store).history()
    dead = sorted((d["status"], d["attempts"]) for f in history for d in f.deliveries
                  if d["channel"] == "dead")
    assert dead == [("failed", 1)] + [("pending", 0)] * 4
    again = svc.check(store, StubGecko({"ethereum": 2000.0}))  # retried, one at a time
    assert [d["channel"] for d in again.deliveries] == ["dead"]


def test_a_locked_database_is_exit_1_and_writes_nothing(tmp_path):
    import sqlite3

    path = tmp_path / "mobius.sqlite3"
    add(Store(path), eth())
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    store = Store(path)
    store.conn.execute("PRAGMA busy_timeout = 100")
    try:
        with pytest.raises(SourceError, match="database is busy"):
            svc.check(store, StubGecko({"ethereum": 2000.0}))
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert AlertRepo(store).history() == []
    assert svc.check(store, StubGecko({"ethereum": 2000.0})).exit_code == 3
