"""Rich renderings of market answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from mobius_cli.render.format import axis_labels, axis_number, compact, money, number, percent
from mobius_cli.render.output import new_table

if TYPE_CHECKING:
    from mobius_cli.core.models import MarketCoin, Quote
    from mobius_cli.services import Comparison, Conversion, History, MarketOverview


def quotes_table(quotes: Sequence[Quote], color: bool = True) -> Any:
    currency = quotes[0].currency if quotes else "usd"
    table = new_table(None, "Symbol", "Name", f"Price ({currency.upper()})", "24h",
                      "Market cap", "Volume 24h", drop_first=("Volume 24h", "Market cap"))
    for q in quotes:
        table.add_row(q.coin.symbol, q.coin.name, money(q.price, currency),
                      percent(q.change_24h_pct, color=color), compact(q.market_cap),
                      compact(q.volume_24h))
    return table


def market_rows_table(rows: Sequence[MarketCoin], currency: str, periods: Sequence[str],
                      title: str | None = None, color: bool = True) -> Any:
    table = new_table(title, "#", "Symbol", "Name", f"Price ({currency.upper()})", *periods,
                      "Market cap", "Volume 24h",
                      drop_first=("Volume 24h", "Market cap", *periods[1:][::-1]))
    for r in rows:
        table.add_row(str(r.coin.rank or "—"), r.coin.symbol, r.coin.name,
                      money(r.price, currency),
                      *(percent(r.change_pct.get(p), color=color) for p in periods),
                      compact(r.market_cap), compact(r.volume_24h))
    return table


def overview(view: MarketOverview, color: bool = True) -> list[Any]:
    summary = new_table("Global market", "Field", "Value")
    summary.columns[1].justify = "left"
    summary.add_row("Total market cap", money(view.total_market_cap, view.currency, short=True))
    # CoinGecko reports the cap's 24h change in USD terms only.
    change_label = "24h change" if view.currency == "usd" else "24h change (USD)"
    summary.add_row(change_label, percent(view.market_cap_change_24h_pct, color=color))
    summary.add_row("24h volume", money(view.total_volume, view.currency, short=True))
    summary.add_row("BTC dominance", f"{view.dominance.get('btc', 0):.1f}%")
    summary.add_row("ETH dominance", f"{view.dominance.get('eth', 0):.1f}%")
    if view.active_cryptocurrencies:
        summary.add_row("Active coins", f"{view.active_cryptocurrencies:,}")
    top = market_rows_table(view.coins, view.currency, ("24h", "7d"),
                            title=f"Top {len(view.coins)} by market cap", color=color)
    return [summary, top]


def period_label(days: int | str) -> str:
    """'1 day', '30 days', 'all time'."""
    if days == "max":
        return "all time"
    return "1 day" if days == 1 else f"{days} days"


def history_table(h: History, color: bool = True) -> Any:
    from mobius_cli.core.market import daily_closes, sample

    points = h.points if h.days == 1 else daily_closes(h.points)
    from rich.text import Text

    caption = (Text.assemble(f"{len(h.points)} points; change ",
                             percent(h.change_pct, color=color))
               if h.points else "no data")
    table = new_table(f"{h.coin.name} ({h.coin.symbol}) — {period_label(h.days)}", "Time",
                      f"Price ({h.currency.upper()})", caption=caption)
    for p in sample(points, 31):
        stamp = p.time.strftime("%Y-%m-%d %H:%M" if h.days == 1 else "%Y-%m-%d")
        table.add_row(stamp, number(p.price))
    return table


def history_chart(h: History, width: int, color: bool) -> str:
    """A terminal line chart (plotext) of the series: on the terminal's own background,
    short price labels (86.5k) and dates along the bottom up to the last one."""
    import plotext as plt

    times = [p.time.timestamp() for p in h.points]
    prices = [p.price for p in h.points]
    plt.clear_figure()
    plt.plot(times, prices, marker="braille",
             color="green" if (h.change_pct or 0) >= 0 else "red")
    plt.title(f"{h.coin.symbol}/{h.currency.upper()} — {period_label(h.days)} "
              f"({h.change_pct or 0:+.2f}%)")
    plot_width = max(40, min(width, 120))
    plt.plotsize(plot_width, 20)
    # No canvas or axes colour: a dark terminal stays dark (no white block).
    plt.canvas_color("default")
    plt.axes_color("default")
    plt.ticks_color("default")
    low, high = min(prices), max(prices)
    if high > low:
        yticks = [low + (high - low) * i / 4 for i in range(5)]
        plt.yticks(yticks, axis_labels(yticks))
    else:
        plt.yticks([low], [axis_number(low)])
    first, last = times[0], times[-1]
    span = last - first
    short = span <= 2 * 86400
    fmt = "%H:%M" if short else "%b %d" if span <= 300 * 86400 else "%Y-%m-%d"
    count = 4 if plot_width >= 70 else 3 if plot_width >= 50 else 2
    xticks = [first + span * i / count for i in range(count + 1)] if span > 0 else [first]
    labels = [datetime.fromtimestamp(t, timezone.utc).strftime(fmt) for t in xticks]
    # The last label is the end date in full, so the chart says when it stops.
    labels[-1] = datetime.fromtimestamp(last, timezone.utc).strftime(
        "%b %d %H:%M" if short else "%Y-%m-%d")
    plt.xticks(xticks, labels)
    chart = plt.build()
    return chart if color else plt.uncolorize(chart)


def comparison_table(c: Comparison, color: bool = True) -> Any:
    label = "all time" if c.days == "max" else f"{c.days}d"
    table = new_table(None, "Symbol", "Name", f"Price ({c.currency.upper()})", "24h", label,
                      "Market cap", drop_first=("Market cap", "24h"))
    for r in c.rows:
        table.add_row(r["symbol"], r["name"], money(r["price"], c.currency),
                      percent(r["change_24h_pct"], color=color),
                      percent(r["change_pct"], color=color), compact(r["market_cap"]))
    return table


def conversion_line(c: Conversion) -> Any:
    from rich.text import Text

    from mobius_cli.render.format import printable

    amount = f"{c.amount:,.0f}" if c.amount == int(c.amount) else number(c.amount)
    from_code, to_code = printable(c.from_code), printable(c.to_code)
    line = Text.assemble(f"{amount} {from_code} = ",
                         (f"{number(c.result)} {to_code}", "bold"))
    if c.amount != 1:
        line.append(f"  (1 {from_code} = {number(c.rate)} {to_code})", style="dim")
    return line


def trending_table(rows: Sequence[dict[str, Any]], color: bool = True) -> Any:
    table = new_table("Trending on CoinGecko", "#", "Symbol", "Name", "Rank", "Price (USD)",
                      "24h", drop_first=("Rank",))
    for row in rows:
        table.add_row(str(row["rank"]), row["symbol"] or "", row["name"] or "",
                      str(row["market_cap_rank"] or "—"), money(row["price"], row["currency"]),
                      percent(row["change_24h_pct"], color=color))
    return table


def fear_greed(points: Sequence[dict[str, Any]], color: bool = True) -> list[Any]:
    from rich.text import Text

    from mobius_cli.render.format import printable

    now = points[0]
    style = "red" if now["value"] < 47 else "green" if now["value"] > 54 else "yellow"
    head = Text.assemble("Fear & Greed: ", (str(now["value"]), f"bold {style}"),
                         f" {printable(str(now['classification']))}  ",
                         (f"({now['time']:%Y-%m-%d})", "dim"))
    if len(points) == 1:
        return [head]
    table = new_table(None, "Date", "Value", "Classification")
    table.columns[1].justify = "right"  # the index, a figure
    for p in points:
        table.add_row(f"{p['time']:%Y-%m-%d}", str(p["value"]), p["classification"])
    return [head, table]
