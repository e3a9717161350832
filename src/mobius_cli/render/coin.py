"""The `coin` answer rendered for people, from a CoinFacts model.

Every text that came from the source (names, categories, links) goes into rich.text.Text,
so brackets in it are never read as Rich markup, whatever the console's settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mobius_cli.render.format import compact, money, percent

if TYPE_CHECKING:
    from rich.text import Text

    from mobius_cli.core.models import CoinFacts


def _date(moment: Any) -> str:
    return f"{moment:%Y-%m-%d}" if moment is not None else ""


def coin_panel(facts: CoinFacts, color: bool = True) -> list[Any]:
    """A Field/Value table of the facts, then the description's first sentences."""
    from rich.text import Text

    from mobius_cli.render.output import new_table

    vs = facts.currency
    table = new_table(f"{facts.coin.name} ({facts.coin.symbol})", "Field", "Value")
    table.columns[1].justify = "left"

    def row(field: str, *parts: str | Text) -> None:
        table.add_row(field, Text.assemble(*parts))

    row("Rank", f"#{facts.rank}" if facts.rank else "—")
    row("Price", f"{money(facts.price, vs)}  ",
        percent(facts.change_24h_pct, color=color))
    row("Market cap", money(facts.market_cap, vs, short=True))
    row("Volume 24h", money(facts.volume_24h, vs, short=True))
    supply = compact(facts.circulating_supply)
    if facts.max_supply:
        supply += f" of {compact(facts.max_supply)} max"
    row("Supply", supply)
    if facts.ath is not None:
        row("All-time high", f"{money(facts.ath, vs)} on {_date(facts.ath_date)} (",
            percent(facts.ath_change_pct, color=color), ")")
    if facts.atl is not None:
        row("All-time low", f"{money(facts.atl, vs)} on {_date(facts.atl_date)}")
    if facts.genesis_date:
        row("Since", facts.genesis_date)
    if facts.categories:
        row("Categories", ", ".join(facts.categories[:4]))
    for name, url in facts.links.to_json().items():
        if url:
            row(name.capitalize(), ", ".join(url) if isinstance(url, list) else url)
    out: list[Any] = [table]
    if facts.summary:
        out.append(facts.summary)  # a str: emit() prints it as text, never markup
    return out
