"""Rich renderings of market answers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mobius_cli.render.format import compact, money, number, percent
from mobius_cli.render.output import new_table

if TYPE_CHECKING:
    from mobius_cli.core.models import MarketCoin, Quote
    from mobius_cli.services import Comparison, Conversion, History, MarketOverview


def quotes_table(quotes: Sequence[Quote], color: bool = True) -> Any:
    currency = quotes[0].currency if quotes else "usd"
    table = new_table(None, "Symbol", "Name", f"Price ({currency.upper()})", "24h",
                      "Market cap", "Volume 24h")
    for q in quotes:
        table.add_row(q.coin.symbol, q.coin.name, money(q.price, currency),
                      percent(q.change_24h_pct, color=color), compact(q.market_cap),
                      compact(q.volume_24h))
    return table


def market_rows_table(rows: Sequence[MarketCoin], currency: str, periods: Sequence[str],
                      title: str | None = None, color: bool = True) -> Any:
    table = new_table(title, "#", "Symbol", "Name", f"Price ({currency.upper()})", *periods,
                      "Market cap", "Volume 24h")
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
    caption = (f"{len(h.points)} points; change {percent(h.change_pct, color=color)}"
               if h.points else "no data")
    table = new_table(f"{h.coin.name} ({h.coin.symbol}) — {period_label(h.days)}", "Time",
                      f"Price ({h.currency.upper()})", caption=caption)
    for p in sample(points, 31):
        stamp = p.time.strftime("%Y-%m-%d %H:%M" if h.days == 1 else "%Y-%m-%d")
        table.add_row(stamp, number(p.price))
    return table


def history_chart(h: History, width: int, color: bool) -> str:
    """A terminal line chart (plotext) of the series."""
    import plotext as plt

    plt.clear_figure()
    plt.date_form("Y-m-d H:M")
    plt.plot([p.time.strftime("%Y-%m-%d %H:%M") for p in h.points],
             [p.price for p in h.points], marker="braille")
    plt.title(f"{h.coin.symbol}/{h.currency.upper()} — {period_label(h.days)} "
              f"({h.change_pct or 0:+.2f}%)")
    plt.plotsize(max(40, min(width, 120)), 20)
    if not color:
        plt.theme("clear")
    chart = plt.build()
    return chart if color else plt.uncolorize(chart)


def comparison_table(c: Comparison, color: bool = True) -> Any:
    label = "all time" if c.days == "max" else f"{c.days}d"
    table = new_table(None, "Symbol", "Name", f"Price ({c.currency.upper()})", "24h", label,
                      "Market cap")
    for r in c.rows:
        table.add_row(r["symbol"], r["name"], money(r["price"], c.currency),
                      percent(r["change_24h_pct"], color=color),
                      percent(r["change_pct"], color=color), compact(r["market_cap"]))
    return table


def conversion_line(c: Conversion) -> str:
    amount = f"{c.amount:,.0f}" if c.amount == int(c.amount) else number(c.amount)
    line = f"{amount} {c.from_code} = [bold]{number(c.result)} {c.to_code}[/bold]"
    if c.amount != 1:
        line += f"  [dim](1 {c.from_code} = {number(c.rate)} {c.to_code})[/dim]"
    return line


def trending_table(rows: Sequence[dict[str, Any]], color: bool = True) -> Any:
    table = new_table("Trending on CoinGecko", "#", "Symbol", "Name", "Rank", "Price (USD)",
                      "24h")
    for row in rows:
        table.add_row(str(row["rank"]), row["symbol"] or "", row["name"] or "",
                      str(row["market_cap_rank"] or "—"), money(row["price"], row["currency"]),
                      percent(row["change_24h_pct"], color=color))
    return table


def fear_greed(points: Sequence[dict[str, Any]], color: bool = True) -> list[Any]:
    now = points[0]
    style = "red" if now["value"] < 47 else "green" if now["value"] > 54 else "yellow"
    head = (f"Fear & Greed: [bold {style}]{now['value']}[/bold {style}] "
            f"{now['classification']}  [dim]({now['time']:%Y-%m-%d})[/dim]")
    if len(points) == 1:
        return [head]
    table = new_table(None, "Date", "Value", "Classification")
    for p in points:
        table.add_row(f"{p['time']:%Y-%m-%d}", str(p["value"]), p["classification"])
    return [head, table]
