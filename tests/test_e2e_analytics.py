"""`portfolio risk | optimize | performance` end to end against the loopback fake.

References are computed here from the closes the fake serves for the documented request
(`/coins/{id}/market_chart?interval=daily`), with plain Python formulas."""

from __future__ import annotations

import json
import math
import statistics
import time
import urllib.request
from types import SimpleNamespace

import pytest

from tests.fakes import run_mobius

REL = 1e-9
HOLD = {"bitcoin": ("btc", 0.5), "ethereum": ("eth", 3.0), "solana": ("sol", 20.0)}
RISK_KEYS = ["portfolio", "currency", "days", "as_of", "confidence", "volatility_annual_pct",
             "sharpe", "sortino", "max_drawdown_pct", "max_drawdown_start", "max_drawdown_end",
             "max_drawdown_recovery", "var_1d", "cvar_1d", "beta_btc", "hhi",
             "effective_assets", "correlation", "holdings"]
OPT_KEYS = ["objective", "currency", "weights", "expected_return_annual_pct",
            "volatility_annual_pct", "sharpe", "trades", "portfolio", "days", "max_weight",
            "before"]


def served(fake, coin, days=365, vs="usd"):
    """The closes the fake serves for the documented request (fetched by hand)."""
    url = fake.url("coingecko", f"/coins/{coin}/market_chart?vs_currency={vs}&days={days}"
                                "&interval=daily")
    with urllib.request.urlopen(url) as reply:
        return [p for _, p in json.load(reply)["prices"]]


def add(*args):
    result = run_mobius("portfolio", "add", *args)
    assert result.returncode == 0, result.stderr


@pytest.fixture
def holdings(fake_apis):
    for _coin, (symbol, amount) in HOLD.items():
        add(symbol, str(amount), "--price", "100", "--date", "2025-01-01")
    return fake_apis


def percentile_linear(values, p):
    xs = sorted(values)
    h = (len(xs) - 1) * p / 100
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def reference_risk(fake, days=365):
    closes = {c: served(fake, c, days) for c in HOLD}
    btc = closes["bitcoin"]
    n = len(btc)
    assert all(len(v) == n for v in closes.values())
    values = [sum(HOLD[c][1] * closes[c][t] for c in HOLD) for t in range(n)]
    r = [values[t] / values[t - 1] - 1 for t in range(1, n)]
    sd = statistics.stdev(r)
    q = percentile_linear(r, 5)
    rb = [btc[t] / btc[t - 1] - 1 for t in range(1, n)]
    last = [HOLD[c][1] * closes[c][-1] for c in HOLD]
    w = [x / sum(last) for x in last]
    peak, worst = values[0], 0.0
    for v in values:
        peak = max(peak, v)
        worst = min(worst, v / peak - 1)
    cols = [[closes[c][t] / closes[c][t - 1] - 1 for t in range(1, n)] for c in HOLD]
    return {
        "volatility_annual_pct": sd * math.sqrt(365) * 100,
        "sharpe": statistics.mean(r) / sd * math.sqrt(365),
        "sortino": statistics.mean(r) / math.sqrt(sum(min(x, 0) ** 2 for x in r) / len(r))
        * math.sqrt(365),
        "max_drawdown_pct": -worst * 100,
        "var_h": -q * 100, "var_p": -(statistics.mean(r) - 1.6448536269514722 * sd) * 100,
        "cvar": -statistics.mean([x for x in r if x <= q]) * 100,
        "beta_btc": statistics.covariance(r, rb) / statistics.variance(rb),
        "hhi": sum(x * x for x in w), "value": values[-1],
        "corr_eth_sol": statistics.correlation(cols[1], cols[2]),
        "mu": [statistics.mean(c) * 365 for c in cols],
    }


def test_risk_json_is_the_documented_shape_and_matches_the_reference(holdings):
    fake = holdings
    result = run_mobius("portfolio", "risk", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == RISK_KEYS and data["confidence"] == 0.95
    assert list(data["var_1d"]) == ["historical_pct", "parametric_pct", "historical_value",
                                    "parametric_value"]
    assert list(data["cvar_1d"]) == ["pct", "value"]
    ref = reference_risk(fake)
    for key in ("volatility_annual_pct", "sharpe", "sortino", "max_drawdown_pct", "beta_btc",
                "hhi"):
        assert data[key] == pytest.approx(ref[key], rel=REL), key
    assert data["effective_assets"] == pytest.approx(1 / ref["hhi"], rel=REL)
    assert data["var_1d"]["historical_pct"] == pytest.approx(ref["var_h"], rel=REL)
    assert data["var_1d"]["parametric_pct"] == pytest.approx(ref["var_p"], rel=REL)
    assert data["var_1d"]["historical_value"] == pytest.approx(
        ref["var_h"] / 100 * ref["value"], rel=REL)
    assert data["cvar_1d"]["pct"] == pytest.approx(ref["cvar"], rel=REL)
    assert data["cvar_1d"]["value"] == pytest.approx(ref["cvar"] / 100 * ref["value"], rel=REL)
    assert data["correlation"]["symbols"] == ["BTC", "ETH", "SOL"]
    assert data["correlation"]["matrix"][1][2] == pytest.approx(ref["corr_eth_sol"], rel=REL)
    assert data["days"] == 365 and data["currency"] == "usd" and data["portfolio"] == "main"


def test_a_second_run_makes_no_request_and_a_new_day_asks_only_for_the_new_days(
        holdings, monkeypatch):
    fake = holdings
    # The fake draws history through anchors that move with its clock; pin them so past
    # closes stay what they were (as real ones do) when the clock moves on.
    pinned = {c: fake._anchors(fake.markets[c]) for c in HOLD}
    monkeypatch.setattr(fake, "_anchors", lambda row: pinned[row["id"]])
    first = run_mobius("portfolio", "risk", "--json")
    assert first.returncode == 0, first.stderr
    fake.reset_requests()
    again = run_mobius("portfolio", "risk", "--json")
    assert again.stdout == first.stdout
    assert fake.count("/coins/") == 0
    # a day later (the fake's clock and ours): only the days since the last stored close
    fake.now += 86400
    from mobius_cli.services import analytics

    later = time.time() + 86400
    monkeypatch.setattr(analytics, "time", SimpleNamespace(time=lambda: later))
    fake.reset_requests()
    moved = run_mobius("portfolio", "risk", "--json")
    assert moved.returncode == 0, moved.stderr
    charts = fake.requests_to("/coins/")
    assert len(charts) == 3
    assert all(int(r.query["days"]) < 30 for r in charts)
    data = json.loads(moved.stdout)
    ref = reference_risk(fake)  # a fresh full request at the new time
    assert data["volatility_annual_pct"] == pytest.approx(ref["volatility_annual_pct"],
                                                          rel=REL)
    assert data["var_1d"]["historical_pct"] == pytest.approx(ref["var_h"], rel=REL)
    assert data["as_of"] != json.loads(first.stdout)["as_of"]


def test_risk_human_view_labels_every_method_and_the_chart_draws(holdings):
    result = run_mobius("portfolio", "risk", env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    for label in ("ddof=1", "√365", "linear interpolation", "z = -1.6449", "cov(r, r_BTC)",
                  "1 / HHI", "Correlation of daily returns (Pearson)", "Share of variance",
                  "peak 20"):
        assert label in result.stdout, label
    chart = run_mobius("portfolio", "risk", "--chart")
    assert chart.returncode == 0 and "drawdown" in chart.stdout


def test_optimize_meets_the_constraints_and_trades_reach_the_target(holdings):
    fake = holdings
    for objective in ("max-sharpe", "min-variance", "risk-parity"):
        result = run_mobius("portfolio", "optimize", "--objective", objective,
                            "--max-weight", "0.5", "--json")
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert list(data) == OPT_KEYS and data["objective"] == objective
        weights = data["weights"]
        assert set(weights) == {"BTC", "ETH", "SOL"}
        assert sum(weights.values()) == pytest.approx(1, abs=1e-12)
        assert all(-1e-15 <= w <= 0.5 + 1e-12 for w in weights.values())
        price = {s: served(fake, c)[-1] for c, (s, _) in HOLD.items()}
        held = {s.upper(): a * price[s] for c, (s, a) in HOLD.items()}
        total = sum(held.values())
        after = dict(held)
        for trade in data["trades"]:
            assert trade["side"] in ("buy", "sell")
            sign = 1 if trade["side"] == "buy" else -1
            assert trade["value"] == pytest.approx(trade["amount"] * price[
                trade["symbol"].lower()], rel=1e-9)
            after[trade["symbol"]] += sign * trade["value"]
        for symbol, value in after.items():
            assert value / total == pytest.approx(weights[symbol], abs=1e-9)
        assert (data["portfolio"], data["days"], data["max_weight"]) == ("main", 365, 0.5)
        assert data["before"]["weights"] == pytest.approx(
            {s: v / total for s, v in held.items()}, rel=1e-9)
    expected = reference_risk(fake)["mu"]
    ms = json.loads(run_mobius("portfolio", "optimize", "--json").stdout)
    w = [ms["weights"][s] for s in ("BTC", "ETH", "SOL")]
    assert ms["expected_return_annual_pct"] == pytest.approx(
        sum(a * b for a, b in zip(w, expected, strict=True)) * 100, rel=1e-9)
    now = [ms["before"]["weights"][s] for s in ("BTC", "ETH", "SOL")]
    assert ms["before"]["expected_return_annual_pct"] == pytest.approx(
        sum(a * b for a, b in zip(now, expected, strict=True)) * 100, rel=1e-9)


def test_infeasible_requests_say_why_and_exit_2(holdings):
    low = run_mobius("portfolio", "optimize", "--max-weight", "0.3")
    assert low.returncode == 2
    assert "below 1/3" in low.stderr and "Traceback" not in low.stderr
    assert run_mobius("portfolio", "create", "stable").returncode == 0
    add("usdt", "1000", "--price", "1", "--date", "2025-01-01", "-p", "stable")
    add("usdc", "1000", "--price", "1", "--date", "2025-01-01", "-p", "stable")
    assert run_mobius("config", "set", "risk_free_rate", "0.5").returncode == 0
    stable = run_mobius("portfolio", "optimize", "--objective", "max-sharpe", "-p", "stable")
    assert stable.returncode == 2, stable.stdout
    assert "risk-free rate" in stable.stderr and "Traceback" not in stable.stderr
    # min-variance does not care about the risk-free rate
    assert run_mobius("portfolio", "optimize", "-o", "min-variance", "-p", "stable"
                      ).returncode == 0


def test_a_coin_with_too_little_history_is_named_and_left_out(fake_apis):
    add("btc", "0.1", "--price", "100", "--date", "2025-01-01")
    add("eth", "1", "--price", "100", "--date", "2025-01-01")
    add("sol", "1", "--price", "100", "--date", "2025-01-01")
    result = run_mobius("portfolio", "risk", "--days", "2500", "--json")  # SOL: since 2020
    assert result.returncode == 0, result.stderr
    assert "SOL left out: too little history" in result.stderr
    assert json.loads(result.stdout)["correlation"]["symbols"] == ["BTC", "ETH"]


def test_performance_counts_the_cash_flows_and_compares_with_btc(fake_apis):
    fake = fake_apis
    day = 86400
    start = time.time() - 100 * day
    when = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(start))
    add("eth", "2", "--price", "3000", "--date", when, "--fee", "10")
    result = run_mobius("portfolio", "performance", "--days", "30", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    eth = served(fake, "ethereum", 30)
    btc = served(fake, "bitcoin", 30)
    # everything was bought before the window: no flows inside it
    assert data["start_value"] == pytest.approx(2 * eth[0], rel=REL)
    assert data["value"] == pytest.approx(2 * eth[-1], rel=REL)
    assert data["net_invested"] == pytest.approx(2 * eth[0], rel=REL)
    assert data["twr_pct"] == pytest.approx((eth[-1] / eth[0] - 1) * 100, rel=REL)
    assert data["btc"]["twr_pct"] == pytest.approx((btc[-1] / btc[0] - 1) * 100, rel=REL)
    assert data["btc"]["value"] == pytest.approx(2 * eth[0] / btc[0] * btc[-1], rel=REL)
    assert data["xirr_note"] is None and data["xirr_pct"] is not None
    chart = run_mobius("portfolio", "performance", "--days", "30", "--chart")
    assert chart.returncode == 0 and "net invested" in chart.stdout


def test_an_empty_portfolio_is_a_clear_usage_error(fake_apis):
    for command in ("risk", "optimize", "performance"):
        result = run_mobius("portfolio", command)
        assert result.returncode == 2, command
        assert "portfolio main" in result.stderr and "Traceback" not in result.stderr


def test_offline_a_day_later_answers_from_the_kept_closes_with_a_note(holdings, monkeypatch):
    first = run_mobius("portfolio", "risk", "--json")
    assert first.returncode == 0, first.stderr
    from mobius_cli.services import analytics

    later = time.time() + 86400
    monkeypatch.setattr(analytics, "time", SimpleNamespace(time=lambda: later))
    holdings.reset_requests()
    result = run_mobius("--offline", "portfolio", "risk", "--json")
    assert result.returncode == 0, result.stderr
    assert "stored closes are used" in result.stderr
    assert holdings.count() == 0
    assert json.loads(result.stdout) == json.loads(first.stdout)


def test_vs_prices_the_figures_in_that_currency(holdings):
    result = run_mobius("portfolio", "risk", "--vs", "eur", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["currency"] == "eur"
    eur = {c: served(holdings, c, vs="eur")[-1] for c in HOLD}
    value = sum(HOLD[c][1] * eur[c] for c in HOLD)
    assert data["var_1d"]["historical_value"] == pytest.approx(
        data["var_1d"]["historical_pct"] / 100 * value, rel=REL)


def test_a_coin_priced_in_itself_never_moves(holdings):
    risk = run_mobius("portfolio", "risk", "--vs", "btc", "--json")
    assert risk.returncode == 0, risk.stderr
    data = json.loads(risk.stdout)
    assert data["beta_btc"] is None  # BTC in BTC has no variance to divide by
    assert data["correlation"]["matrix"][0][0] is None
    parity = run_mobius("portfolio", "optimize", "--vs", "btc", "-o", "risk-parity")
    assert parity.returncode == 2
    assert "BTC never moved in BTC" in parity.stderr
    sharpe = run_mobius("portfolio", "optimize", "--vs", "btc", "--json")
    assert sharpe.returncode in (0, 2) and "Traceback" not in sharpe.stderr
    if sharpe.returncode == 0:
        assert json.loads(sharpe.stdout)["weights"]["BTC"] == 0


def test_performance_with_flows_inside_the_window_matches_a_hand_reference(fake_apis):
    fake = fake_apis
    day = 86400

    def at(seconds):
        return time.strftime("%Y-%m-%dT%H:%M", time.gmtime(seconds))

    add("eth", "2", "--price", "3000", "--date", at(fake.now - 100 * day))
    buy_t = (fake.now - 12 * day - 5 * 3600) // 60 * 60
    sell_t = (fake.now - 5 * day - 7 * 3600) // 60 * 60
    add("sol", "10", "--price", "150", "--fee", "2", "--date", at(buy_t))
    sold = run_mobius("portfolio", "remove", "eth", "0.5", "--price", "3100", "--fee", "1",
                      "--date", at(sell_t))
    assert sold.returncode == 0, sold.stderr
    result = run_mobius("portfolio", "performance", "--days", "30", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)

    url = fake.url("coingecko", "/coins/{}/market_chart?vs_currency=usd&days=30"
                                "&interval=daily")
    series = {}
    for coin in ("ethereum", "solana", "bitcoin"):
        with urllib.request.urlopen(url.format(coin)) as reply:
            series[coin] = json.load(reply)["prices"]
    stamps = [t / 1000 for t, _ in series["bitcoin"]]
    eth = [p for _, p in series["ethereum"]]
    sol = [p for _, p in series["solana"]]
    assert len(eth) == len(sol) == len(stamps)
    # bucket each trade into the first close at or after it
    buy_i = next(i for i, s in enumerate(stamps) if s >= buy_t)
    sell_i = next(i for i, s in enumerate(stamps) if s >= sell_t)
    values, put_in, taken_out = [], [], []
    for i in range(len(stamps)):
        eth_units = 2 - (0.5 if i >= sell_i else 0)
        sol_units = 10 if i >= buy_i else 0
        values.append(eth_units * eth[i] + sol_units * sol[i])
        put_in.append(1502.0 if i == buy_i else 0.0)
        taken_out.append(1549.0 if i == sell_i else 0.0)
    growth = 1.0  # money in works from the start of its day; money out counts at its price
    for i in range(1, len(values)):
        growth *= (values[i] + taken_out[i]) / (values[i - 1] + put_in[i])
    assert data["start_value"] == pytest.approx(values[0], rel=REL)
    assert data["value"] == pytest.approx(values[-1], rel=REL)
    assert data["net_invested"] == pytest.approx(values[0] + 1502 - 1549, rel=REL)
    assert data["twr_pct"] == pytest.approx((growth - 1) * 100, rel=REL)
    # XIRR: the reported rate makes the flows' present value zero
    rate = data["xirr_pct"] / 100
    cash = [(stamps[0], -values[0]), (buy_t, -1502.0), (sell_t, 1549.0),
            (stamps[-1], values[-1])]
    npv = sum(a / (1 + rate) ** ((t - stamps[0]) / 86400 / 365) for t, a in cash)
    assert abs(npv) < 1e-6 * values[0]


def test_csv_rows(holdings):
    risk = run_mobius("portfolio", "risk", "--csv")
    assert risk.returncode == 0, risk.stderr
    lines = risk.stdout.splitlines()
    assert lines[0] == "date,value,return,drawdown" and len(lines) == 1 + 366
    opt = run_mobius("portfolio", "optimize", "--csv")
    assert opt.stdout.splitlines()[0] == "symbol,weight_now,weight_target,side,amount,value"
    perf = run_mobius("portfolio", "performance", "--days", "30", "--csv")
    assert perf.stdout.splitlines()[0] == "date,value,flow,net_invested"


def _at(seconds):
    return time.strftime("%Y-%m-%dT%H:%M", time.gmtime(seconds))


def _served_points(fake, coin, days):
    url = fake.url("coingecko", f"/coins/{coin}/market_chart?vs_currency=usd&days={days}"
                                "&interval=daily")
    with urllib.request.urlopen(url) as reply:
        return [(t / 1000, p) for t, p in json.load(reply)["prices"]]


def _money_cell(table, label):
    """The Portfolio column of a row of the performance table, as a number."""
    line = next(x for x in table.splitlines() if x.strip().startswith(label))
    cell = line.strip()[len(label):].split()[0]
    return float(cell.replace("$", "").replace(",", ""))


@pytest.fixture
def first_buy_inside(fake_apis):
    """The QA ledger, every trade inside a 365-day window (prices given, so the money of
    each flow is known here): buy BTC, buy ETH, buy SOL with a fee, sell some ETH."""
    fake = fake_apis
    day = 86400
    trades = [  # (time, coin, units, money in (+) / out (-))
        ((fake.now - 265 * day) // 60 * 60, "bitcoin", 0.5, 30000.0),
        ((fake.now - 159 * day - 3 * 3600) // 60 * 60, "ethereum", 4.0, 12907.56),
        ((fake.now - 81 * day - 13 * 3600) // 60 * 60, "solana", 20.0, 3002.0),
        ((fake.now - 51 * day - 5 * 3600) // 60 * 60, "ethereum", -1.0, -2500.0),
    ]
    add("btc", "0.5", "--price", "60000", "--date", _at(trades[0][0]))
    add("eth", "4", "--price", "3226.89", "--date", _at(trades[1][0]))
    add("sol", "20", "--price", "150", "--fee", "2", "--date", _at(trades[2][0]))
    sold = run_mobius("portfolio", "remove", "eth", "1", "--price", "2500", "--date",
                      _at(trades[3][0]))
    assert sold.returncode == 0, sold.stderr
    return fake, trades


def test_performance_from_a_first_buy_inside_the_window_reconciles(first_buy_inside):
    fake, trades = first_buy_inside
    result = run_mobius("portfolio", "performance", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)

    series = {c: _served_points(fake, c, 365) for c in ("bitcoin", "ethereum", "solana")}
    stamps = [t for t, _ in series["bitcoin"]]
    px = {c: [p for _, p in pts] for c, pts in series.items()}
    assert all(len(v) == len(stamps) for v in px.values())
    # each trade counts at the first close at or after it
    at_close = [next(i for i, s in enumerate(stamps) if s >= t) for t, *_ in trades]
    n = len(stamps)
    units = {c: 0.0 for c in px}
    values, flows = [], []
    for i in range(n):
        flow = 0.0
        for (_, coin, u, cash), k in zip(trades, at_close, strict=True):
            if k == i:
                units[coin] += u
                flow += cash
        values.append(sum(units[c] * px[c][i] for c in px))
        flows.append(flow)
    start = at_close[0] - 1  # the last close before the first flow: nothing held there
    assert start > 0 and values[start] == 0
    money_in = 30000 + 12907.56 + 3002
    money_out = 2500.0
    assert data["start"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamps[start]))
    assert data["start_value"] == 0
    assert data["money_in"] == pytest.approx(money_in, rel=REL)
    assert data["money_out"] == pytest.approx(money_out, rel=REL)
    assert data["net_invested"] == pytest.approx(money_in - money_out, rel=REL)
    assert data["net_invested"] == pytest.approx(
        data["start_value"] + data["money_in"] - data["money_out"], rel=1e-12)
    assert data["value"] == pytest.approx(values[-1], rel=REL)
    assert data["gain"] == pytest.approx(values[-1] - (money_in - money_out), rel=REL)
    put_in = [0.0] * n
    taken_out = [0.0] * n
    for (_, _, _, cash), k in zip(trades, at_close, strict=True):
        if cash > 0:
            put_in[k] += cash
        else:
            taken_out[k] -= cash
    growth = 1.0  # money in works from the start of its day; money out counts at its price
    for i in range(1, n):
        if values[i - 1] + put_in[i] > 0:
            growth *= (values[i] + taken_out[i]) / (values[i - 1] + put_in[i])
    assert data["twr_pct"] == pytest.approx((growth - 1) * 100, rel=REL)
    rate = data["xirr_pct"] / 100
    cash = [(t, -m) for t, _, _, m in trades] + [(stamps[-1], values[-1])]
    npv = sum(a / (1 + rate) ** ((t - cash[0][0]) / 86400 / 365) for t, a in cash)
    assert abs(npv) < 1e-6 * money_in
    btc = px["bitcoin"]
    held_from = at_close[0]
    assert data["btc"]["twr_pct"] == pytest.approx((btc[-1] / btc[held_from] - 1) * 100,
                                                   rel=REL)
    btc_units = sum(flows[i] / btc[i] for i in range(n))
    assert data["btc"]["value"] == pytest.approx(btc_units * btc[-1], rel=REL)

    # the table a user reads adds up: start + money in - money out = net money put in
    table = run_mobius("portfolio", "performance")
    assert table.returncode == 0, table.stderr
    out = table.stdout
    assert time.strftime("%Y-%m-%d", time.gmtime(stamps[start])) + " to " in out
    got = {label: _money_cell(out, label) for label in
           ("Value at the start", "Money in", "Money out", "Net money put in", "Value now",
            "Gain")}
    assert got["Value at the start"] == 0
    assert got["Money in"] == pytest.approx(45909.56, abs=1e-9)
    assert got["Money out"] == pytest.approx(2500.00, abs=1e-9)
    assert got["Net money put in"] == pytest.approx(43409.56, abs=1e-9)
    assert got["Value at the start"] + got["Money in"] - got["Money out"] == \
        pytest.approx(got["Net money put in"], abs=1e-9)
    assert got["Value now"] - got["Net money put in"] == pytest.approx(got["Gain"], abs=0.011)
    assert "start + money in − money out" in " ".join(out.split())


def test_performance_csv_values_are_floats_and_the_chart_tells_its_lines_apart(
        first_buy_inside):
    perf = run_mobius("portfolio", "performance", "--csv")
    assert perf.returncode == 0, perf.stderr
    lines = perf.stdout.splitlines()
    assert lines[0] == "date,value,flow,net_invested"
    rows = [line.split(",") for line in lines[1:]]
    assert rows[0][1:] == ["0.0", "0.0", "0.0"]  # before the first buy
    for row in rows:
        for cell in row[1:]:
            float(cell)
            assert "." in cell or "e" in cell, row
    chart = run_mobius("portfolio", "performance", "--chart")  # NO_COLOR: no colours
    assert chart.returncode == 0, chart.stderr
    text = chart.stdout
    assert "(line) vs net invested" in text and "(dots)" in text
    legend = [x for x in text.splitlines() if "net invested" in x and "(dots)" not in x]
    assert legend and "••" in legend[0]  # net invested drawn in dots
    value_legend = next(x for x in text.splitlines() if x.strip(" │").endswith(" value"))
    assert "•" not in value_legend  # the value is the braille line


def test_performance_notes_missing_closes_only_for_days_the_coin_is_held(fake_apis):
    fake = fake_apis
    day = 86400
    add("btc", "0.5", "--price", "60000", "--date", _at(fake.now - 265 * day))
    add("sol", "20", "--price", "150", "--date", _at(fake.now - 81 * day))
    # SOL's closes start in 2020; it is bought long after: no note
    result = run_mobius("portfolio", "performance", "--days", "3650", "--json")
    assert result.returncode == 0, result.stderr
    assert "no closes" not in result.stderr
    # held before its first close: the note counts exactly those days
    bought = (fake.now - 2500 * day) // day * day + 6 * 3600
    sol = _served_points(fake, "solana", 3650)
    btc = _served_points(fake, "bitcoin", 3650)
    assert sol[0][0] > bought  # the fake's SOL history starts after this buy
    add("sol", "5", "--price", "1", "--date", _at(bought))
    want = sum(1 for t, _ in btc[:-1] if bought <= t < sol[0][0])
    assert want > 0
    result = run_mobius("portfolio", "performance", "--days", "3650", "--json")
    assert result.returncode == 0, result.stderr
    assert f"SOL: no closes for {want} of the days it is held in the window" in result.stderr


def test_a_trade_later_than_the_newest_close_counts_in_order(fake_apis):
    """QA: a trade dated yesterday, after the fake's newest close: XIRR agrees in sign with
    the gain (the value now is dated at the trade, not before it) and BTC's TWR is shown."""
    fake = fake_apis
    day = 86400
    yesterday = (int(time.time()) - day) // 60 * 60
    assert yesterday > fake.now  # later than every close the fake serves
    add("eth", "2", "--price", "3000", "--date", _at(fake.now - 100 * day))
    add("sol", "10", "--price", "100", "--date", _at(yesterday))
    result = run_mobius("portfolio", "performance", "--days", "30", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    points = {c: _served_points(fake, c, 30) for c in ("bitcoin", "ethereum", "solana")}
    stamps = [t for t, _ in points["bitcoin"]]
    eth = [p for _, p in points["ethereum"]]
    sol = [p for _, p in points["solana"]]
    btc = [p for _, p in points["bitcoin"]]
    start_value = 2 * eth[0]
    value = 2 * eth[-1] + 10 * sol[-1]  # the buy counts at the newest close (live price)
    gain = value - (start_value + 1000)
    assert data["value"] == pytest.approx(value, rel=REL)
    assert data["gain"] == pytest.approx(gain, rel=REL)
    rate = data["xirr_pct"] / 100
    # hand-listed flows: the start value, the buy, then the value now at the buy's time
    cash = [(stamps[0], -start_value), (yesterday, -1000.0), (yesterday, value)]
    npv = sum(a / (1 + rate) ** ((t - stamps[0]) / day / 365) for t, a in cash)
    assert abs(npv) < 1e-6 * value
    assert (rate > 0) == (gain > 0)
    assert data["btc"]["twr_pct"] == pytest.approx((btc[-1] / btc[0] - 1) * 100, rel=REL)


def test_a_lone_trade_later_than_the_newest_close_gives_btc_a_return(fake_apis):
    """QA: the only trade is yesterday: the portfolio's TWR is the buy against the live
    price; BTC bought at the live price has returned 0%; XIRR has no annual rate (the money
    went in at the moment it is valued) instead of -99.93%."""
    fake = fake_apis
    yesterday = (int(time.time()) - 86400) // 60 * 60
    add("sol", "10", "--price", "100", "--date", _at(yesterday))
    result = run_mobius("portfolio", "performance", "--days", "30", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    sol = [p for _, p in _served_points(fake, "solana", 30)]
    assert data["value"] == pytest.approx(10 * sol[-1], rel=REL)
    assert data["twr_pct"] == pytest.approx((10 * sol[-1] / 1000 - 1) * 100, rel=REL)
    assert data["btc"]["twr_pct"] == 0
    assert data["btc"]["value"] == pytest.approx(1000, rel=REL)
    assert data["xirr_pct"] is None and "same day" in data["xirr_note"]
    assert data["btc"]["xirr_pct"] is None
    table = run_mobius("portfolio", "performance", "--days", "30")
    assert table.returncode == 0, table.stderr
    row = next(x for x in table.stdout.splitlines() if "Time-weighted" in x)
    assert "—" not in row and "0.00%" in row
