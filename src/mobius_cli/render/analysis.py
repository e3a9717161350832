"""Tables and charts for ta, gas and dca."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mobius_cli.render.format import money, number, percent
from mobius_cli.render.output import new_table

if TYPE_CHECKING:
    from rich.text import Text

    from mobius_cli.services.analysis import DcaReport, GasReport, TaReport

SIGNAL_STYLES = {"bullish": "green", "bearish": "red", "neutral": "yellow"}


def _styled(text: str, style: str | None, color: bool) -> Text | str:
    if not color or not style:
        return text
    from rich.text import Text

    return Text(text, style=style)


def keep_words_whole(table: Any) -> Any:
    """Give each wrapping column of `table` room for its longest word, so a narrow terminal
    wraps its cells between words and never cuts a figure or a name ('$0.00…'); a word
    wider than the whole terminal folds rather than being cut."""
    from rich.cells import cell_len
    from rich.text import Text

    for column in table.columns:
        if column.no_wrap:
            continue
        cells = (column.header, *column._cells)
        words = [word for cell in cells
                 for word in (cell.plain if isinstance(cell, Text) else str(cell)).split()]
        column.min_width = max([column.min_width or 0, *map(cell_len, words)])
        column.overflow = "fold"
    return table


def share_width(table: Any, width: int) -> Any:
    """When `table` is wider than `width`, give its wrapping columns explicit widths that
    fit: each at least its longest word (so nothing is cut; a column that folds, at least
    its min_width), the room left shared by how much each needs. Columns in its
    `drop_first` get none and then give way as usual (render.output.fit_to_width names
    them). A table that fits, or cannot, is left as is."""
    from rich.cells import cell_len
    from rich.text import Text

    def lines(cell: Any) -> list[str]:
        return (cell.plain if isinstance(cell, Text) else str(cell)).splitlines() or [""]

    drop = set(getattr(table, "drop_first", ()))
    kept = [c for c in table.columns if str(c.header) not in drop]
    natural, floor = {}, {}
    for column in kept:
        cells = [line for cell in (column.header, *column._cells) for line in lines(cell)]
        natural[id(column)] = max(map(cell_len, cells))
        words = [] if column.overflow == "fold" else [  # a folding column may break words
            cell_len(w) for line in cells for w in line.split()]
        floor[id(column)] = natural[id(column)] if column.no_wrap else max(
            [column.min_width or 1, *words])
    # Rich's borders and padding once the dropped columns are gone: an edge each side and a
    # divider between columns (box), one space each side of a divider (pad_edge off).
    borders = (2 if table.show_edge else 0) + (len(kept) - 1 if table.box else 0)
    left, right = table.padding[3], table.padding[1]
    pads = (left + right) * len(kept) - (0 if table.pad_edge else left + right)
    room = width - borders - pads
    need = sum(natural.values())
    if need <= room or sum(floor.values()) > room:
        return table
    spare = room - sum(floor.values())
    wanted = {key: natural[key] - floor[key] for key in natural}
    total = sum(wanted.values()) or 1
    for column in kept:
        key = id(column)
        column.width = floor[key] + spare * wanted[key] // total
    return table


def need_text(name: str) -> str:
    """'SMA 200 needs 200'."""
    from mobius_cli.core.indicators import lookback
    from mobius_cli.core.signals import LABELS

    return f"{LABELS[name]} needs {lookback(name)}"


# --- ta --------------------------------------------------------------------------------


def _indicator_rows(report: TaReport) -> list[tuple[str, str, str, str]]:
    """(indicator key, label, value, note) rows in display order."""
    v = report.tech.values
    cur = report.currency
    have = len(report.tech.closes)

    def price(value: float | None) -> str:
        return money(value, cur) if value is not None else "—"

    def why(name: str) -> str:
        return f"needs {need_text(name).rsplit(' ', 1)[-1]} closes, have {have}"

    rows: list[tuple[str, str, str, str]] = []
    rsi = v["rsi_14"]
    rows.append(("rsi_14", "RSI(14)", "—" if rsi is None else f"{rsi:.1f}",
                 why("rsi_14") if rsi is None else
                 "overbought (>70)" if rsi > 70 else "oversold (<30)" if rsi < 30 else "30–70"))
    hist = v["macd_histogram"]
    rows.append(("macd", "MACD(12, 26, 9)", "—" if v["macd"] is None else number(v["macd"]),
                 why("macd") if hist is None else
                 f"signal {number(v['macd_signal'])}, histogram {number(hist)}"))
    up, mid, low = v["bb_upper"], v["bb_middle"], v["bb_lower"]
    rows.append(("bollinger", "Bollinger(20, 2)", "—" if mid is None else
                 f"{price(low)} – {price(up)}",
                 why("bollinger") if mid is None else f"middle {price(mid)}"))
    close = report.tech.close
    for name, label in (("sma_20", "SMA 20"), ("sma_50", "SMA 50"), ("sma_200", "SMA 200"),
                        ("ema_12", "EMA 12"), ("ema_26", "EMA 26")):
        value = v[name]
        if value is None:
            rows.append((name, label, "—", why(name)))
        else:
            gap = (close / value - 1) * 100 if close and value else 0.0
            rows.append((name, label, price(value),
                         f"price {abs(gap):.1f}% {'above' if gap >= 0 else 'below'}"))
    return rows


def ta_view(report: TaReport, color: bool = True,
            only: Sequence[str] | None = None) -> list[Any]:
    """The indicator table, the signals with reasons, and the overall view."""
    tech = report.tech
    coin = report.coin
    head = (f"{coin.name} ({coin.symbol}) — {money(tech.close, report.currency)} on "
            f"{len(tech.closes)} daily closes"
            + (f" to {report.as_of:%Y-%m-%d}" if report.as_of else ""))
    table = new_table(head, "Indicator", "Value", "Reading")
    table.columns[0].justify = "left"
    # Names and figures are never cut (SHIB's MACD at 60 columns): the indicator stays on
    # one line; a band's two ends and the reading wrap between words, never inside one.
    table.columns[0].no_wrap = True
    table.columns[1].no_wrap = False
    table.columns[2].justify, table.columns[2].no_wrap = "left", False
    for key, label, value, note in _indicator_rows(report):
        if only is None or key in only:
            table.add_row(label, value, note)
    keep_words_whole(table)
    signals = [s for s in tech.signals if only is None or s.indicator in only
               or (s.indicator == "sma_50" and "sma_200" in only)]
    out: list[Any] = [table]
    if signals:
        sig = new_table("Signals", "Strategy", "Signal", "Reason")
        for column in sig.columns:
            column.justify = "left"
        sig.columns[0].min_width = len("mean reversion")
        sig.columns[1].min_width = len("bullish")
        sig.columns[2].no_wrap = False  # reasons wrap at word boundaries
        sig.columns[2].ratio = 1
        for s in signals:
            sig.add_row(s.strategy.replace("_", " "),
                        _styled(s.signal, SIGNAL_STYLES.get(s.signal), color), s.reason)
        keep_words_whole(sig)
        out.append(sig)
    if only is None and not tech.signals:
        # Not "neutral, confidence 0% (0 of 0 signals agree)": say why there is none.
        out.append(f"Overall: no signal: {len(tech.closes)} daily closes are too few "
                   f"({need_text('rsi_14').replace(' needs', ', the first to give one, needs')}"
                   ").")
    elif only is None:
        agree = round(tech.confidence * len(tech.signals))
        count = len(tech.signals)
        line = (f"Overall: {tech.overall}, confidence {tech.confidence:.0%} "
                f"({agree} of {count} signal{'s agree' if count != 1 else ' agrees'}). "
                "A description of the indicators, not advice.")
        if color:
            from rich.text import Text

            text = Text("Overall: ")
            text.append(tech.overall, style=f"bold {SIGNAL_STYLES[tech.overall]}")
            text.append(line[len("Overall: ") + len(tech.overall):])
            out.append(text)
        else:
            out.append(line)
    return out


def ta_rows(report: TaReport) -> list[dict[str, Any]]:
    """CSV: one row per daily close with every indicator on it."""
    s = report.tech.series
    keys = ("rsi_14", "macd", "macd_signal", "macd_histogram", "bb_upper", "bb_middle",
            "bb_lower", "sma_20", "sma_50", "sma_200", "ema_12", "ema_26")
    return [{"date": p.time.strftime("%Y-%m-%dT%H:%M:%SZ"), "close": p.price,
             **{k: s[k][i] for k in keys}} for i, p in enumerate(report.points)]


def _chart(series: Sequence[tuple[str, str, Sequence[float | None]]], times: Sequence[float],
           title: str, width: int, color: bool, markers: dict[str, str] | None = None) -> str:
    """Lines (label, colour, values aligned with `times`) in the house chart style: the
    terminal's own background, short price labels (86.5k), dates up to the last one.
    `markers` gives a label a plotext marker other than braille ("dot"), so lines differ
    without colour."""
    from datetime import datetime, timezone

    import plotext as plt

    from mobius_cli.render.format import axis_labels

    plt.clear_figure()
    shown: list[float] = []
    drawn = [(label, style, values) for label, style, values in series
             if any(v is not None for v in values)]
    for label, style, values in drawn:
        pairs = [(t, v) for t, v in zip(times, values, strict=True) if v is not None]
        # One line needs no legend (the title names it); several get one, drawn in room
        # left above the lines (below) so it never covers them.
        plt.plot([t for t, _ in pairs], [v for _, v in pairs],
                 label=label if len(drawn) > 1 else "",
                 marker=(markers or {}).get(label, "braille"), color=style)
        shown.extend(v for _, v in pairs)
    plt.title(title)
    plot_width = max(40, min(width, 140))
    plt.plotsize(plot_width, 24)
    plt.canvas_color("default")
    plt.axes_color("default")
    plt.ticks_color("default")
    if shown:
        low, high = min(shown), max(shown)
        ticks = [low + (high - low) * i / 4 for i in range(5)] if high > low else [low]
        plt.yticks(ticks, axis_labels(ticks))
        if len(drawn) > 1 and high > low:  # a legend row per line, plus one, above the data
            plt.ylim(low, high + (high - low) * (len(drawn) + 1) / 20)
    if times:
        first, last = times[0], times[-1]
        span = last - first
        count = 4 if plot_width >= 70 else 3 if plot_width >= 50 else 2
        xticks = [first + span * i / count for i in range(count + 1)] if span > 0 else [first]
        # Every date in one form: whole dates where they fit, else month and day (or year).
        fmt = "%Y-%m-%d" if plot_width >= 70 else "%b %d" if span <= 300 * 86400 else "%b %Y"
        labels = [datetime.fromtimestamp(t, timezone.utc).strftime(fmt) for t in xticks]
        plt.xticks(xticks, labels)
    chart = plt.build()
    return chart if color else plt.uncolorize(chart)


def ta_chart(report: TaReport, width: int, color: bool) -> str:
    """Price with the Bollinger bands and the 20/50/200-day averages (plotext)."""
    s = report.tech.series
    times = [p.time.timestamp() for p in report.points]
    end = f"{report.as_of:%Y-%m-%d}" if report.as_of else "—"
    return _chart([("BB upper", "gray", s["bb_upper"]), ("BB lower", "gray", s["bb_lower"]),
                   ("SMA 200", "magenta", s["sma_200"]), ("SMA 50", "blue", s["sma_50"]),
                   ("SMA 20", "cyan", s["sma_20"]),
                   ("price", "green", [p.price for p in report.points])],
                  times, f"{report.coin.symbol}/{report.currency.upper()} — "
                  f"{len(times)} daily closes to {end}", width, color)


# --- gas -------------------------------------------------------------------------------


def gwei(value: float) -> str:
    """Gwei with enough digits for L2s: 12.35, 0.0012."""
    return "0" if value == 0 else number(value, 3)


def gas_view(report: GasReport, color: bool = True, side_by_side: bool = False) -> list[Any]:
    cur = report.currency
    vs = cur.upper()
    priced = any(lv.native_price is not None for lv in report.levels)
    if side_by_side:
        # Costs at the standard tier in each chain's coin ("native") and in the vs currency,
        # each header naming its unit, so the note of what a narrow terminal hid names
        # exactly those columns. Narrow, the slow and fast tiers give way, then the (wide)
        # native costs, the base fee and the standard tier; the vs costs and the chain stay.
        # The title says only what is true of every column shown, and is short enough not to
        # widen the table (a title wider than the terminal made every column give way).
        native = ("Transfer\nnative", "Swap\nnative")
        costs = native + ((f"Transfer\n{vs}", f"Swap\n{vs}") if priced else ())
        drop = ("Slow", "Fast", native[1], native[0], "Base fee", "Standard") if priced else (
            "Slow", "Fast", "Base fee", "Standard")
        table = new_table("Gas fees in gwei; costs at the standard tier",
                          "Chain", "Base fee", "Slow", "Standard", "Fast", *costs,
                          drop_first=drop)
        table.columns[0].no_wrap = True
        table.columns[0].justify = "left"
        for lv in report.levels:
            t = lv.tiers
            native = [_native(lv, action, "standard", unit=True) for action in ("transfer",
                                                                                "swap")]
            money_costs = [_cost(lv, action, "standard", cur) for action in ("transfer", "swap")]
            table.add_row(lv.title or lv.chain, gwei(lv.base_fee_wei / 1e9),
                          *(gwei(t[name].priority_wei / 1e9) for name in ("slow", "standard",
                                                                          "fast")),
                          *native, *(money_costs if priced else ()))
        table.caption = ("Slow/Standard/Fast: priority fee (10th/50th/90th percentile of the "
                         "last 20 blocks)")
        return [table]
    out: list[Any] = []
    for lv in report.levels:
        head = (f"{lv.title or lv.chain} — block {lv.block:,}, base fee "
                f"{gwei(lv.base_fee_wei / 1e9)} gwei")
        coin = lv.native_symbol or "native"
        has_price = lv.native_price is not None
        # Short headers (the fee unit is in the caption, a cost's coin or currency on the
        # header's second line) so the costs fit 60 columns; narrower still, the max fee and
        # then the priority fee give way, then the costs in the native coin; never a digit.
        costs = (f"Transfer\n{coin}", f"Swap\n{coin}") + (
            (f"Transfer\n{vs}", f"Swap\n{vs}") if has_price else ())
        table = new_table(head, "Tier", "Priority", "Max fee", *costs,
                          drop_first=("Max fee", "Priority", f"Swap\n{coin}",
                                      f"Transfer\n{coin}") if has_price else
                          ("Max fee", "Priority"))
        table.columns[0].justify = "left"
        for name, tier in lv.tiers.items():
            cells = [_native(lv, "transfer", name), _native(lv, "swap", name)]
            if has_price:
                cells += [_cost(lv, "transfer", name, cur), _cost(lv, "swap", name, cur)]
            table.add_row(name, gwei(tier.priority_wei / 1e9), gwei(tier.max_fee_wei / 1e9),
                          *cells)
        # Two short lines, broken where a reader would: the table is narrow at any width.
        table.caption = ("Fees in gwei. Costs: transfer 21,000 gas,\n"
                         "swap 150,000 gas, at base fee + priority fee"
                         + (f";\n1 {lv.native_symbol} = {money(lv.native_price, cur)}"
                            if lv.native_price is not None and lv.native_symbol else ""))
        out.append(table)
    return out


def _native(lv: Any, action: str, tier: str, unit: bool = False) -> str:
    """A cost in the chain's own coin: '0.000216', with `unit` '0.000216 ETH'."""
    text = number(lv.cost_native(action, tier), 3)
    return f"{text} {lv.native_symbol}" if unit and lv.native_symbol else text


def _cost(lv: Any, action: str, tier: str, cur: str) -> str:
    value = lv.cost(action, tier)
    if value is not None:
        return money(value, cur) if abs(value) >= 0.01 or value == 0 else \
            money(float(f"{value:.2g}"), cur)
    return "—"


def gas_rows(report: GasReport) -> list[dict[str, Any]]:
    """CSV: one row per chain and tier."""
    rows = []
    for lv in report.levels:
        for name, tier in lv.tiers.items():
            rows.append({"chain": lv.chain, "block": lv.block,
                         "base_fee_gwei": lv.base_fee_wei / 1e9, "tier": name,
                         "max_priority_fee_gwei": tier.priority_wei / 1e9,
                         "max_fee_gwei": tier.max_fee_wei / 1e9,
                         "transfer_native": lv.cost_native("transfer", name),
                         "swap_native": lv.cost_native("swap", name),
                         "transfer": lv.cost("transfer", name), "swap": lv.cost("swap", name),
                         "currency": report.currency})
    return rows


# --- dca -------------------------------------------------------------------------------


def _every(days: int) -> str:
    return {1: "day", 7: "week", 30: "month (30 days)"}.get(days, f"{days} days")


def dca_view(report: DcaReport, color: bool = True) -> list[Any]:
    r = report.result
    cur = report.currency
    coin = report.coin
    first, last = r.steps[0].time, r.steps[-1].time
    head = (f"DCA {money(r.amount, cur)} of {coin.symbol} every {_every(r.every_days)}, "
            f"{first:%Y-%m-%d} to {last:%Y-%m-%d}")
    table = new_table(head, "Field", "DCA", "Lump sum")
    table.add_row("Buys", str(r.buys), "1")
    table.add_row("Invested", money(r.invested, cur), money(r.invested, cur))
    table.add_row(f"Units ({coin.symbol})", number(r.units), number(r.lump_units))
    table.add_row("Average cost", money(r.average_cost, cur), money(r.first_price, cur))
    table.add_row("Value now", money(r.value, cur), money(r.lump_value, cur))
    table.add_row("Return", percent(r.return_pct, color=color),
                  percent(r.lump_return_pct, color=color))
    table.add_row("Max drawdown", f"-{r.max_drawdown_pct:.2f}%" if r.max_drawdown_pct else
                  "0.00%", "")
    table.caption = (f"Valued at the live price {money(r.price, cur)}. Max drawdown: the "
                     "deepest fall of the position below its peak (new money not counted "
                     "as gain).")
    return [table]


def dca_rows(report: DcaReport) -> list[dict[str, Any]]:
    """CSV: the position on every close."""
    return [{"date": s.time.strftime("%Y-%m-%dT%H:%M:%SZ"), "price": s.price,
             "bought": s.bought, "invested": s.invested, "units": s.units, "value": s.value}
            for s in report.result.steps]


def dca_chart(report: DcaReport, width: int, color: bool) -> str:
    """The position's value against the money put in, over time (plotext)."""
    steps = report.result.steps
    r = report.result
    return _chart([("invested", "gray", [s.invested for s in steps]),
                   ("value", "green", [s.value for s in steps])],
                  [s.time.timestamp() for s in steps],
                  f"DCA {report.coin.symbol}: value {money(r.value, report.currency)} vs "
                  f"invested {money(r.invested, report.currency)} ({r.return_pct:+.2f}%)",
                  width, color)
