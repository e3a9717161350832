"""The `coin` answer: facts pulled from /coins/{id}, and their rendering."""

from __future__ import annotations

import re
from typing import Any

from mobius_cli.core.models import CoinRef
from mobius_cli.render.format import compact, money, percent


def _first_sentences(text: str, limit: int = 400) -> str:
    """Plain text of a description, cut at a sentence boundary near `limit`."""
    plain = re.sub(r"<[^>]+>", "", text or "").replace("\r", "").strip()
    plain = re.sub(r"\s+", " ", plain)
    if len(plain) <= limit:
        return plain
    cut = plain.rfind(". ", 0, limit)
    return plain[: cut + 1] if cut > 80 else plain[:limit].rstrip() + "…"


def coin_facts(details: dict[str, Any], coin: CoinRef, vs: str) -> dict[str, Any]:
    """The JSON shape of `coin --json`."""
    md = details.get("market_data") or {}
    links = details.get("links") or {}

    def cur(key: str) -> Any:
        value = md.get(key)
        return value.get(vs) if isinstance(value, dict) else None

    homepage = [u for u in links.get("homepage") or [] if u]
    explorers = [u for u in links.get("blockchain_site") or [] if u]
    repos = [u for u in ((links.get("repos_url") or {}).get("github") or []) if u]
    twitter = links.get("twitter_screen_name")
    return {
        "symbol": coin.symbol,
        "id": details.get("id", coin.id),
        "name": details.get("name", coin.name),
        "rank": details.get("market_cap_rank") or md.get("market_cap_rank"),
        "currency": vs,
        "price": cur("current_price"),
        "market_cap": cur("market_cap"),
        "volume_24h": cur("total_volume"),
        "change_24h_pct": (md.get("price_change_percentage_24h_in_currency") or {}).get(vs),
        "circulating_supply": md.get("circulating_supply"),
        "total_supply": md.get("total_supply"),
        "max_supply": md.get("max_supply"),
        "ath": cur("ath"),
        "ath_change_pct": cur("ath_change_percentage"),
        "ath_date": cur("ath_date"),
        "atl": cur("atl"),
        "atl_change_pct": cur("atl_change_percentage"),
        "atl_date": cur("atl_date"),
        "genesis_date": details.get("genesis_date"),
        "categories": [c for c in details.get("categories") or [] if c],
        "links": {
            "homepage": homepage[0] if homepage else None,
            "whitepaper": links.get("whitepaper") or None,
            "explorers": explorers[:3],
            "github": repos[:2],
            "twitter": f"https://x.com/{twitter}" if twitter else None,
            "reddit": links.get("subreddit_url") or None,
        },
        "description": _first_sentences((details.get("description") or {}).get("en", "")),
    }


def coin_panel(facts: dict[str, Any], color: bool = True) -> list[Any]:
    from mobius_cli.render.output import new_table

    vs = facts["currency"]
    table = new_table(f"{facts['name']} ({facts['symbol']})", "Field", "Value")
    table.columns[1].justify = "left"
    table.add_row("Rank", f"#{facts['rank']}" if facts["rank"] else "—")
    table.add_row("Price", f"{money(facts['price'], vs)}  "
                  f"{percent(facts['change_24h_pct'], color=color)}")
    table.add_row("Market cap", money(facts["market_cap"], vs, short=True))
    table.add_row("Volume 24h", money(facts["volume_24h"], vs, short=True))
    supply = compact(facts["circulating_supply"])
    if facts["max_supply"]:
        supply += f" of {compact(facts['max_supply'])} max"
    table.add_row("Supply", supply)
    if facts["ath"] is not None:
        since_ath = percent(facts["ath_change_pct"], color=color)
        table.add_row("All-time high", f"{money(facts['ath'], vs)} on "
                      f"{(facts['ath_date'] or '')[:10]} ({since_ath})")
    if facts["atl"] is not None:
        table.add_row("All-time low", f"{money(facts['atl'], vs)} on "
                      f"{(facts['atl_date'] or '')[:10]}")
    if facts["genesis_date"]:
        table.add_row("Since", facts["genesis_date"])
    if facts["categories"]:
        table.add_row("Categories", ", ".join(facts["categories"][:4]))
    for name, url in facts["links"].items():
        if url:
            table.add_row(name.capitalize(), ", ".join(url) if isinstance(url, list) else url)
    out: list[Any] = [table]
    if facts["description"]:
        out.append(facts["description"])
    return out
