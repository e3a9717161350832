"""Rich renderings of DeFi answers: TVL, rankings, yields, comparisons."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from mobius_cli.render.format import compact, percent, tick_labels
from mobius_cli.render.output import new_table, safe

if TYPE_CHECKING:
    from mobius_cli.core.defi import Pool
    from mobius_cli.services.defi import (
        ChainRanking,
        ProtocolComparison,
        ProtocolRanking,
        TvlReport,
        YieldAnswer,
    )


def usd(value: float | None) -> str:
    """'$31.25B'; '—' for none."""
    return "—" if value is None else f"${compact(value)}"


def apy(value: float | None) -> str:
    """'4.12%'; '—' for none."""
    return "—" if value is None else f"{value:,.2f}%"


def _whole(table: Any) -> Any:
    """Wrapping cells break between words, never inside a name or figure."""
    from mobius_cli.render.analysis import keep_words_whole

    return keep_words_whole(table)


def _left(table: Any, *names: str) -> Any:
    for column in table.columns:
        if column.header in names:
            column.justify = "left"
            column.no_wrap = False
    return table


def _day(t: int) -> str:
    return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%Y-%m-%d")


def tvl_view(r: TvlReport, color: bool = True) -> list[Any]:
    """The figure with its 1d/7d change, then the chain breakdown (or the history)."""
    label = {"protocol": f"{r.name} ({r.slug})", "chain": f"{r.name} (chain)",
             "all": "All of DeFi"}[r.scope]
    if r.scope == "protocol" and r.chain:
        label += f" on {r.chain}"
    summary = new_table(f"TVL — {label}", "Field", "Value")
    summary.columns[1].justify = "left"
    summary.add_row("TVL", usd(r.tvl))
    summary.add_row("24h change", percent(r.change_1d_pct, color=color))
    summary.add_row("7d change", percent(r.change_7d_pct, color=color))
    if r.category:
        summary.add_row("Category", r.category)
    if len(r.members) > 1:
        summary.add_row("Versions", ", ".join(
            f"{slug} {usd(r.member_tvls[slug])}" if slug in r.member_tvls else slug
            for slug in r.members))
    borrowed = sum(r.borrowed.values())
    if borrowed:
        summary.add_row("Borrowed (not in TVL)", usd(borrowed))
    out: list[Any] = [summary]
    if r.history is not None:
        out.append(history_table(r))
    elif r.chain_tvls and r.scope != "chain":
        out.append(breakdown_table(r))
    return out


def breakdown_table(r: TvlReport, limit: int = 25) -> Any:
    """TVL by chain with each chain's share (and borrowed apart, for lending)."""
    has_borrowed = any(r.borrowed.get(c) for c in r.chain_tvls)
    columns = ["#", "Chain", "TVL", "Share"] + (["Borrowed"] if has_borrowed else [])
    rest = len(r.chain_tvls) - limit
    caption = f"and {rest} more chains (--csv or --json lists all)" if rest > 0 else None
    table = _left(new_table("By chain", *columns, caption=caption), "Chain")
    for i, (chain, value) in enumerate(list(r.chain_tvls.items())[:limit], start=1):
        share = f"{value / r.tvl * 100:.1f}%" if r.tvl else "—"
        row = [str(i), chain, usd(value), share]
        if has_borrowed:
            row.append(usd(r.borrowed.get(chain)))
        table.add_row(*row)
    return _whole(table)


def history_table(r: TvlReport, rows: int = 31) -> Any:
    """The daily TVL, thinned to about `rows` lines (first and last always shown)."""
    points = r.history or []
    if len(points) > rows:
        step = (len(points) - 1) / (rows - 1)
        picked = sorted({round(i * step) for i in range(rows)})
        points = [points[i] for i in picked]
    table = new_table(f"TVL history — last {r.days} days", "Date", "TVL",
                      caption=f"{len(r.history or [])} daily points" if r.history else "no data")
    for t, v in points:
        table.add_row(_day(t), usd(v))
    return table


def tvl_chart(r: TvlReport, width: int, color: bool) -> str:
    """A terminal line chart (plotext) of the TVL history."""
    import plotext as plt

    from mobius_cli.render.format import axis_number, printable

    points = r.history or []
    plt.clear_figure()
    plt.date_form("Y-m-d")
    values = [v for _, v in points]
    plt.plot([_day(t) for t, _ in points], values, marker="braille")
    change = (values[-1] / values[0] - 1) * 100 if len(values) > 1 and values[0] else 0.0
    where = f" on {r.chain}" if r.scope == "protocol" and r.chain else ""
    plt.title(printable(f"TVL of {r.name}{where} — last {r.days} days ({change:+.2f}%)"))
    if values:
        low, high = min(values), max(values)
        ticks = [low + (high - low) * i / 4 for i in range(5)] if high > low else [low]
        plt.yticks(ticks, tick_labels(ticks) if high > low else [axis_number(low)])
    plt.plotsize(max(40, min(width, 120)), 20)
    if not color:
        plt.theme("clear")
    chart = plt.build()
    return chart if color else plt.uncolorize(chart)


def protocols_table(p: ProtocolRanking, color: bool = True) -> Any:
    where = f" on {p.chain}" if p.chain else ""
    kind = f"{p.category} protocols" if p.category else "Protocols"
    order = {"tvl": "by TVL", "change_1d": "by 24h change", "change_7d": "by 7d change"}[p.sort]
    caption = None if p.category else "CEXs left out (--category cex lists them)"
    tvl_label = f"TVL{where}" if p.chain else "TVL"
    table = _left(new_table(f"{kind}{where} {order}", "#", "Protocol", "Category", tvl_label,
                            "24h", "7d", "Chains", caption=caption,
                            drop_first=("Chains", "Category")),
                  "Protocol", "Category", "Chains")
    for r in p.rows:
        chains = ", ".join(r.chains[:3]) + (f" +{len(r.chains) - 3}" if len(r.chains) > 3
                                            else "")
        table.add_row(str(r.rank), r.name, r.category or "—", usd(r.tvl),
                      percent(r.change_1d_pct, color=color),
                      percent(r.change_7d_pct, color=color), chains)
    return _whole(table)


def chains_table(c: ChainRanking, color: bool = True) -> Any:
    table = _left(new_table("Chains by TVL", "#", "Chain", "TVL", "Share", "24h*", "7d*",
                            "Protocols", "Token",
                            caption="* estimated from each protocol's own change",
                            drop_first=("Token", "Protocols")),
                  "Chain", "Token")
    for r in c.rows:
        table.add_row(str(r.rank), r.name, usd(r.tvl),
                      "—" if r.share_pct is None else f"{r.share_pct:.1f}%",
                      percent(r.change_1d_pct, color=color),
                      percent(r.change_7d_pct, color=color),
                      "—" if r.protocols is None else f"{r.protocols:,}", r.token_symbol or "—")
    return _whole(table)


def _pool_label(p: Pool) -> str:
    return f"{p.symbol} ({p.pool_meta})" if p.pool_meta else p.symbol


def yields_table(a: YieldAnswer, color: bool = True) -> Any:
    q = a.query
    bits = []
    if q.token:
        bits.append(q.token.upper())
    if q.stablecoin:
        bits.append("stablecoin")
    if q.staking:
        bits.append("staking")
    title = " ".join([*bits, "pools"])
    title = title[0].upper() + title[1:]
    if a.protocol:
        title += f" of {a.protocol}"
    if q.chain:
        title += f" on {q.chain}"
    if q.min_apy is not None:
        title += f" above {q.min_apy:g}% APY"
    order = {"apy": "APY", "tvl": "TVL", "apy_base": "base APY"}[q.sort]
    shown = len(a.pools)
    caption = f"{shown} of {a.result.matched} matching pools, by {order}"
    hidden = a.hidden_note()
    if hidden:
        caption += f"; {hidden}"
    if any(p.outlier for p in a.pools):  # shown with --all: said, not passed off as real
        caption += "; (outlier): DeFiLlama flags its APY as an outlier"
    table = _left(new_table(title, "#", "Pool", "Project", "Chain", "TVL", "APY", "Base",
                            "Reward", "30d mean", "IL",
                            # APY and TVL matter most: at 60 columns the chain gives way too
                            drop_first=("30d mean", "IL", "Reward", "Base", "Chain")),
                  "Pool", "Project", "Chain", "IL")
    # Set after: a long caption wraps under the table instead of widening it (which
    # would hide columns that fit).
    table.caption = safe(caption)
    for i, p in enumerate(a.pools, start=1):
        label = _pool_label(p) + (" (outlier)" if p.outlier else "")
        table.add_row(str(i), label, p.project, p.chain, usd(p.tvl), apy(p.apy),
                      apy(p.apy_base), apy(p.apy_reward), apy(p.apy_mean_30d),
                      {"yes": "yes", "no": "no"}.get(p.il_risk or "", "—"))
    return _whole(table)


def compare_table(c: ProtocolComparison, color: bool = True) -> list[Any]:
    """Facts side by side, then each protocol's best pools."""
    sides = c.sides
    table = _left(new_table(None, "Field", *(s.tvl.name for s in sides)), "Field")
    table.columns[0].no_wrap = True  # 'Category', never 'Catego…'
    for column in table.columns[1:]:
        column.justify = "right"
        # With many protocols, 'Liquid Staking' wraps and a long word folds; nothing is cut.
        column.no_wrap, column.overflow = False, "fold"
    rows: Sequence[tuple[str, Any]] = (
        ("TVL", lambda s: usd(s.tvl.tvl)),
        ("24h change", lambda s: percent(s.tvl.change_1d_pct, color=color)),
        ("7d change", lambda s: percent(s.tvl.change_7d_pct, color=color)),
        ("Category", lambda s: s.tvl.category or "—"),
        ("Chains", lambda s: str(len(s.tvl.chain_tvls))),
        ("Top chain", lambda s: next(iter(s.tvl.chain_tvls), "—")),
        ("Best APY", lambda s: apy(s.best_pools[0].apy) if s.best_pools else "—"),
    )
    for label, cell in rows:
        table.add_row(label, *(cell(s) for s in sides))
    out: list[Any] = [_whole(table)]
    pools = _left(new_table("Best pools (by APY; outliers and pools under $10k left out)",
                            "Protocol", "Pool", "Chain", "TVL", "APY", "Base", "Reward",
                            drop_first=("Reward", "Base")),
                  "Protocol", "Pool", "Chain")
    for s in sides:
        for p in s.best_pools:
            pools.add_row(s.tvl.name, _pool_label(p), p.chain, usd(p.tvl), apy(p.apy),
                          apy(p.apy_base), apy(p.apy_reward))
        if not s.best_pools:
            pools.add_row(s.tvl.name, "no pools listed", "—", "—", "—", "—", "—")
    out.append(_whole(pools))
    return out
