"""Rich renderings of portfolios: holdings with P&L and allocation, history, lists."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from mobius_cli.render.format import cents, money, number, percent, printable
from mobius_cli.render.output import new_table

if TYPE_CHECKING:
    from mobius_cli.core.ledger import Transaction
    from mobius_cli.services.portfolio import PortfolioSummary, PortfolioView

BAR_WIDTH = 8


def amount(value: Decimal) -> str:
    """A coin amount as entered, without trailing zeros or exponent (1e-8 → 0.00000001)."""
    text = format(value.normalize(), "f") if value else "0"
    whole, _, frac = text.partition(".")
    whole = f"{int(whole):,}" if whole.lstrip("-").isdigit() else whole
    return f"{whole}.{frac}" if frac else whole


def held(value: Decimal) -> str:
    """A holding for the table: at most 8 decimals (4 significant digits below 0.0001), so
    a wallet's 18-decimal balance does not push the figures off a narrow terminal; --json
    keeps every digit."""
    if not value or value.as_tuple().exponent >= -8:
        return amount(value)
    step = Decimal("1e-8") if abs(value) >= Decimal("1e-4") else Decimal(1).scaleb(
        value.adjusted() - 3)
    return amount(value.quantize(step))


def rate(value: Decimal | float) -> str:
    """An exchange rate to 6 significant digits, never in exponent form (0.863120,
    0.0000128748, 77671.0)."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(value))
    if not exact or not exact.is_finite():
        return str(exact)
    return format(exact.quantize(Decimal(1).scaleb(exact.adjusted() - 5)), "f")


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def bar(pct: float | None, width: int = BAR_WIDTH) -> str:
    """An allocation bar: '██████▍     '."""
    if pct is None:
        return ""
    eighths = round(max(0.0, min(pct, 100.0)) / 100 * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (" ▏▎▍▌▋▊▉"[part] if part else "")).ljust(width)


def holdings_table(view: PortfolioView, color: bool = True) -> list[Any]:
    cur = view.currency
    title = f"Portfolio {printable(view.portfolio.name)} ({cur.upper()}, {view.method})"
    if not view.holdings and view.transactions:  # everything sold: what it made remains
        from rich.text import Text

        return [Text(f"{title}: no open holdings (everything recorded has been sold or sent)."),
                Text("Realized P&L: ").append(_signed(view.realized_pnl, cur, color)).append(
                    f" · {view.transactions} transaction{'' if view.transactions == 1 else 's'}")]
    if not view.holdings:
        return [f"{title}: no holdings yet. Add one with `mobius portfolio add btc 0.5 "
                f"--price 60000`."]
    # On a narrow terminal the coin, its value and P&L stay; these go first, in order.
    table = new_table(title, "Coin", "Amount", "Price", "Value", "Cost basis", "P&L",
                      "P&L %", "24h", "Allocation",
                      drop_first=("Cost basis", "24h", "Price", "P&L %", "Amount"))
    for column in table.columns:  # figures are never wrapped, so none is squeezed either
        column.no_wrap = True
    table.columns[3].justify = "right"  # Value is a figure here, not a key's value
    for h in view.holdings:
        table.add_row(h.coin.symbol, held(h.amount), money(_f(h.price), cur),
                      cents(_f(h.value), cur), cents(float(h.cost_basis), cur),
                      _signed(h.unrealized_pnl, cur, color), percent(h.unrealized_pct,
                                                                     color=color),
                      percent(h.change_24h_pct, color=color),
                      f"{bar(h.allocation_pct)} {h.allocation_pct:5.1f}%"
                      if h.allocation_pct is not None else "—")
    table.add_section()
    table.add_row("Total", "", "", cents(float(view.total_value), cur),
                  cents(float(view.total_cost), cur), _signed(view.unrealized_pnl, cur, color),
                  percent(view.unrealized_pct, color=color), "", "")
    from rich.text import Text

    footer = Text(f"Realized P&L: {cents(float(view.realized_pnl), cur)} · "
                  f"{view.transactions} transaction{'' if view.transactions == 1 else 's'}")
    return [table, footer]


def _signed(value: Decimal | None, currency: str, color: bool) -> Any:
    if value is None:
        return "—"
    text = cents(float(value), currency)
    shown = 0 if not any(d in "123456789" for d in text) else value  # '$0.00' is flat
    if shown > 0:
        text = "+" + text
    if not color:
        return text
    from rich.text import Text

    return Text(text, style="green" if shown > 0 else "red" if shown < 0 else "dim")


def history_table(rows: Sequence[Transaction], portfolio: str, symbol: str | None = None,
                  since: str | None = None, until: str | None = None) -> Any:
    if not rows:
        what = f"{symbol.strip().upper()} transactions" if symbol else "transactions"
        when = (f" from {since.strip()} to {until.strip()}" if since and until
                else f" since {since.strip()}" if since
                else f" up to {until.strip()}" if until else "")
        return printable(f"No {what} in portfolio {portfolio}{when}.")
    notes = any(t.note for t in rows)
    # Narrow: the note goes first, then the fee, the id (for editing; --json keeps it), the
    # price and the time of day; the date, kind, coin and amount stay, and nothing is cut.
    table = new_table(None, "Id", "Date", "Kind", "Coin", "Amount", "Price", "Fee",
                      *(["Note"] if notes else []),
                      drop_first=("Note", "Fee", "Id", "Price"))
    table.columns[0].justify = "right"
    for column in table.columns:
        column.no_wrap = column.header != "Note"
    if notes:  # one line each, at most 30 wide: a long note gives way (…)
        table.columns[-1].justify = "left"
        table.columns[-1].max_width = 30
    from rich.text import Text

    for t in rows:
        table.add_row(str(t.id), t.time.strftime("%Y-%m-%d %H:%M"), t.kind.replace("_", " "),
                      t.symbol, held(t.amount),
                      f"{number(float(t.price))} {t.currency.upper()}" if t.price else "—",
                      f"{amount(t.fee)} {t.fee_currency.upper()}" if t.fee else "",
                      *([Text(printable(" ".join(t.note.split())), no_wrap=True,
                              overflow="ellipsis")] if notes else []))
    return table


def portfolios_table(items: Sequence[PortfolioSummary]) -> Any:
    table = new_table(None, "Name", "Currency", "Transactions", "Created")
    from rich.text import Text

    for s in items:
        table.add_row(Text(printable(s.portfolio.name)), s.portfolio.currency.upper(),
                      str(s.transactions), s.portfolio.created_at.strftime("%Y-%m-%d"))
    return table
