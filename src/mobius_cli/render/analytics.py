"""Tables and charts for portfolio risk, optimisation and performance. Every figure says
how it was computed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mobius_cli.render.format import cents, number
from mobius_cli.render.output import new_table

if TYPE_CHECKING:
    from mobius_cli.services.analytics import OptimizeReport, PerformanceReport, RiskReport


def _pct(value: float | None, digits: int = 2, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value * 100:+.{digits}f}%" if signed else f"{value * 100:.{digits}f}%"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _styled(text: str, style: str | None, color: bool) -> Any:
    if not color or not style:
        return text
    from rich.text import Text

    return Text(text, style=style)


def corr_style(value: float | None) -> str | None:
    """High correlation (little diversification) red, low or negative green."""
    if value is None:
        return "dim"
    if value >= 0.8:
        return "bold red"
    if value >= 0.5:
        return "red"
    if value >= 0.2:
        return "yellow"
    return "green"


def _date(t: Any) -> str:
    return t.strftime("%Y-%m-%d")


# --- risk -------------------------------------------------------------------------------------


def risk_view(report: RiskReport, color: bool = True) -> list[Any]:
    f = report.figures
    cur = report.currency
    value = report.value
    conf = f"{f.confidence:.0%}"
    n = len(f.returns)
    head = (f"Risk of portfolio {report.portfolio} — {cents(value, cur)}, {n} daily returns "
            f"{_date(report.times[0])} to {_date(report.as_of)}")
    table = new_table(head, "Figure", "Value", "Method")
    table.columns[0].justify = "left"
    table.columns[2].justify = "left"
    table.columns[2].no_wrap = False
    table.columns[2].ratio = 1
    rf = f"rf {report.risk_free_rate:.2%}"
    table.add_row("Volatility (annual)", _pct(f.volatility_annual),
                  "std of daily returns (ddof=1) × √365")
    table.add_row("Sharpe", _ratio(f.sharpe), f"mean(r − rf/365) / std × √365, {rf}")
    table.add_row("Sortino", _ratio(f.sortino),
                  f"mean(r − rf/365) / downside deviation (over all n) × √365, {rf}")
    dd = f"peak {_date(report.times[f.drawdown_peak])}, trough " \
         f"{_date(report.times[f.drawdown_trough])}, " + \
         (f"recovered {_date(report.times[f.drawdown_recovery])}"
          if f.drawdown_recovery is not None else "not recovered")
    table.add_row("Max drawdown", f"-{f.max_drawdown * 100:.2f}%" if f.max_drawdown else
                  "0.00%", f"compounded value below its running peak; {dd}")
    table.add_row(f"VaR 1-day {conf}, historical",
                  f"{_pct(f.var_historical)}  {cents(f.var_historical * value, cur)}",
                  f"−{(1 - f.confidence) * 100:g}th percentile of daily returns "
                  "(linear interpolation)")
    table.add_row(f"VaR 1-day {conf}, parametric",
                  f"{_pct(f.var_parametric)}  {cents(f.var_parametric * value, cur)}",
                  f"−(mean + z·std), z = {f.z:.4f} (normal)")
    table.add_row(f"CVaR 1-day {conf}", f"{_pct(f.cvar)}  {cents(f.cvar * value, cur)}",
                  "−mean of the returns at or below the historical VaR's quantile")
    table.add_row("Beta to BTC", _ratio(f.beta_btc), "cov(r, r_BTC) / var(r_BTC), daily")
    table.add_row("Concentration (HHI)", f"{f.hhi:.3f}", "Σ w² of current value shares")
    table.add_row("Effective assets", f"{f.effective_assets:.2f}", "1 / HHI")
    out: list[Any] = [table]
    shares = new_table("Holdings and their share of the risk", "Coin", "Value share",
                       "Share of variance")
    for coin, w, s in zip(report.coins, f.weights, f.risk_shares, strict=True):
        shares.add_row(coin.symbol, f"{w * 100:.1f}%",
                       "—" if s != s else f"{s * 100:.1f}%")
    shares.caption = ("Share of variance: w_i·(Σw)_i / w'Σw (Euler), sample covariance of "
                      "daily returns, current weights")
    out.append(shares)
    if len(report.coins) > 1:
        out.append(correlation_table(report, color))
    return out


def correlation_table(report: RiskReport, color: bool = True) -> Any:
    symbols = report.symbols
    table = new_table("Correlation of daily returns (Pearson)", "", *symbols)
    table.columns[0].justify = "left"
    for i, sym in enumerate(symbols):
        cells = []
        for j in range(len(symbols)):
            x = float(report.figures.correlation[i, j])
            val = None if x != x else x
            text = "—" if val is None else f"{val:+.2f}"
            cells.append(_styled(text, "dim" if i == j else corr_style(val), color))
        table.add_row(sym, *cells)
    return table


def risk_chart(report: RiskReport, width: int, color: bool) -> str:
    """The drawdown curve: how far the portfolio's value was below its peak (percent)."""
    from mobius_cli.render.analysis import _chart

    dd = [float(x) * 100 for x in report.figures.drawdown]
    f = report.figures
    return _chart([("drawdown %", "red", dd)], [t.timestamp() for t in report.times],
                  f"Portfolio {report.portfolio}: drawdown from peak, max "
                  f"-{f.max_drawdown * 100:.2f}% on {_date(report.times[f.drawdown_trough])}",
                  width, color)


# --- optimize ---------------------------------------------------------------------------------


OBJECTIVE_TEXT = {
    "max-sharpe": "highest (expected return − rf) / volatility",
    "min-variance": "lowest variance",
    "risk-parity": "every holding an equal share of the variance",
}


def optimize_view(report: OptimizeReport, color: bool = True) -> list[Any]:
    cur = report.currency
    cap = f", each ≤ {report.max_weight:.0%}" if report.max_weight else ""
    head = (f"{report.objective}: {OBJECTIVE_TEXT[report.objective]} — long-only{cap}, "
            f"from {report.days} days of daily returns")
    table = new_table(head, "Coin", "Now", "Target", "Trade", "Amount", "Value")
    table.columns[-1].justify = "right"  # a figure, though new_table reads "Value" as text
    table.columns[-1].no_wrap = True
    by_symbol = {t.symbol: t for t in report.trades}
    for coin, now, target in zip(report.coins, report.current, report.weights, strict=True):
        trade = by_symbol.get(coin.symbol)
        side = _styled(trade.side, "green" if trade.side == "buy" else "red", color) \
            if trade else "—"
        table.add_row(coin.symbol, f"{now * 100:.1f}%", f"{target * 100:.1f}%", side,
                      number(trade.amount) if trade else "", cents(trade.value, cur)
                      if trade else "")
    figures = new_table("Before and after", "Figure", "Now", "Target")
    figures.columns[0].justify = "left"
    b, a = report.before, report.after
    figures.add_row("Expected return (annual)", _pct(b.expected_return),
                    _pct(a.expected_return))
    figures.add_row("Volatility (annual)", _pct(b.volatility), _pct(a.volatility))
    figures.add_row("Sharpe", _ratio(b.sharpe), _ratio(a.sharpe))
    figures.caption = ("Now: today's weights, held constant (so the volatility can differ "
                       "from `portfolio risk`, which follows the amounts held). "
                       f"Expected return: mean daily return × 365. Volatility: √(w'Σw), Σ = "
                       f"sample covariance (ddof=1) × 365. Sharpe: (return − rf) / volatility, "
                       f"rf {report.risk_free_rate:.2%}. The trades reach the target at "
                       f"today's prices ({cents(report.value, cur)} in all); nothing is "
                       "executed. Past returns estimate the future poorly: a description, "
                       "not advice.")
    return [table, figures]


# --- performance ------------------------------------------------------------------------------


def performance_view(report: PerformanceReport, color: bool = True) -> list[Any]:
    from mobius_cli.render.format import percent

    b = report.book
    cur = report.currency
    head = (f"Performance of portfolio {report.portfolio}, {_date(b.times[report.start])} to "
            f"{_date(b.times[-1])}")
    # Short labels so both columns fit 60; narrower still (or a large sum), BTC gives way.
    table = new_table(head, "Figure", "Portfolio", "BTC instead", drop_first=("BTC instead",))
    table.columns[0].justify = "left"
    for column in table.columns:  # never squeeze a sum into '$40,526…'
        column.no_wrap = True
    table.min_width = None  # a long portfolio name wraps the title rather than cut a sum
    same = [("Value at the start", b.values[report.start]), ("Money in", b.money_in),
            ("Money out", b.money_out), ("Net money put in", report.invested)]
    for label, amount in same:
        table.add_row(label, cents(amount, cur), cents(amount, cur))
    table.add_row("Value now", cents(report.value, cur), cents(report.btc_value, cur))
    table.add_row("Gain", cents(report.value - report.invested, cur),
                  cents(report.btc_value - report.invested, cur))
    twr = None if report.twr is None else report.twr * 100
    btc_twr = None if report.btc_twr is None else report.btc_twr * 100
    table.add_row("Time-weighted return", percent(twr, color=color),
                  percent(btc_twr, color=color))
    xr = report.xirr
    bx = report.btc_xirr
    table.add_row("XIRR (annual)",
                  percent(xr.rate * 100, color=color) if xr.rate is not None else "no answer",
                  percent(bx.rate * 100, color=color) if bx.rate is not None else "no answer")
    table.caption = ("The window starts --days ago, or at the last close before the first "
                     "transaction if that is later (then nothing is held at the start). "
                     "Money in: buys with their fees; money out: sales less their fees "
                     "(transfers at the day's close). Net money put in = the value at the "
                     "start + money in − money out; gain = value now − net money put in. "
                     "Time-weighted: daily returns chained; money put in works from the "
                     "start of its day, money taken out counts at what it fetched. "
                     "XIRR (money-weighted): the annual rate at which the flows' present "
                     "value is zero. BTC instead: the same money moved in and out of BTC on "
                     "the same days.")
    out: list[Any] = [table]
    if xr.rate is None and xr.reason:
        out.append(f"XIRR: {xr.reason}.")
    if bx.rate is None and bx.reason and bx.reason != xr.reason:
        out.append(f"XIRR of BTC instead: {bx.reason}.")
    return out


def performance_chart(report: PerformanceReport, width: int, color: bool) -> str:
    """The portfolio's value (a line) against the net money put in (dots): told apart
    without colour too."""
    from mobius_cli.render.analysis import _chart

    b = report.book
    s = report.start
    cur = report.currency
    return _chart([("net invested", "gray", b.invested[s:]), ("value", "green", b.values[s:])],
                  [t.timestamp() for t in b.times[s:]],
                  f"Portfolio {report.portfolio}: value {cents(report.value, cur)} (line) vs "
                  f"net invested {cents(report.invested, cur)} (dots)", width, color,
                  markers={"net invested": "dot"})


# --- CSV rows -------------------------------------------------------------------------------


def _iso(t: Any) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def risk_rows(report: RiskReport) -> list[dict[str, Any]]:
    """CSV: the portfolio's value, daily return and drawdown on every close."""
    f = report.figures
    dd = f.drawdown
    return [{"date": _iso(t), "value": float(f.values[i]),
             "return": float(f.returns[i - 1]) if i else None, "drawdown": float(dd[i])}
            for i, t in enumerate(report.times)]


def optimize_rows(report: OptimizeReport) -> list[dict[str, Any]]:
    """CSV: one row per holding with its weight now, its target and the trade."""
    trades = {t.symbol: t for t in report.trades}
    rows = []
    for coin, now, target in zip(report.coins, report.current, report.weights, strict=True):
        t = trades.get(coin.symbol)
        rows.append({"symbol": coin.symbol, "weight_now": now, "weight_target": target,
                     "side": t.side if t else None, "amount": t.amount if t else 0.0,
                     "value": t.value if t else 0.0})
    return rows


def performance_rows(report: PerformanceReport) -> list[dict[str, Any]]:
    """CSV: value, net flow and net money put in on every close."""
    b = report.book
    return [{"date": _iso(t), "value": float(b.values[i]), "flow": float(b.flows[i]),
             "net_invested": float(b.invested[i])} for i, t in enumerate(b.times)]
