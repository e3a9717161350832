"""DeFi answers (TVL, protocol and chain rankings, yields, side by side) from DeFiLlama.

Each function takes the DeFiLlama provider and returns a typed result with `to_json()`;
nothing here knows about the CLI, Typer or Rich. `progress(message)` is a context
manager shown while a big body downloads (the CLI passes its spinner)::

    from mobius_cli.services import defi

    report = defi.tvl(llama, protocol="aave")
    print(report.to_json()["tvl"])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mobius_cli.core import defi as core
from mobius_cli.core.defi import Pool, PoolTable, Protocol, ProtocolTvl, YieldQuery, YieldResult
from mobius_cli.core.models import clean_text, iso_utc
from mobius_cli.errors import NotFoundError, UsageError

if TYPE_CHECKING:
    from mobius_cli.providers.defillama import DefiLlama, Progress

Note = Callable[[str], None]


def _quiet(message: str) -> None:
    """A note nobody asked to see."""


# --- loading --------------------------------------------------------------------------


def load_protocols(llama: DefiLlama, progress: Progress | None = None) -> list[Protocol]:
    """Every protocol of /protocols (from the compact cache when fresh)."""
    c = llama.protocols(progress)
    return [Protocol(slug, clean_text(name), cat, tuple(chains), tvls, d1, d7, parent, symbol,
                     url)
            for slug, name, cat, chains, tvls, d1, d7, parent, symbol, url in zip(
                c["slug"], c["name"], c["category"], c["chains"], c["tvls"], c["change_1d"],
                c["change_7d"], c["parent"], c["symbol"], c["url"], strict=True)]


def load_pools(llama: DefiLlama, progress: Progress | None = None) -> PoolTable:
    """Every yield pool, column by column."""
    return PoolTable(llama.pools(progress))


# --- TVL ------------------------------------------------------------------------------


@dataclass
class TvlReport:
    """TVL of a protocol (or parent), a chain, or all of DeFi, with its chains and history."""

    scope: str  # "protocol", "chain" or "all"
    name: str
    tvl: float
    slug: str | None = None
    chain: str | None = None
    category: str | None = None
    change_1d_pct: float | None = None
    change_7d_pct: float | None = None
    chain_tvls: dict[str, float] = field(default_factory=dict)
    borrowed: dict[str, float] = field(default_factory=dict)
    members: list[str] = field(default_factory=list)
    member_tvls: dict[str, float] = field(default_factory=dict)
    days: int | None = None
    history: list[tuple[int, float]] | None = None

    def to_json(self) -> dict[str, Any]:
        """product.md: protocol {name, slug, tvl, chain_tvls, change_1d_pct, change_7d_pct};
        chain {chain, tvl}; all of DeFi like a protocol without a slug. `history` only
        when --days was given; `chain` on a protocol only under --chain."""
        if self.scope == "chain":
            data: dict[str, Any] = {"chain": self.chain, "tvl": self.tvl}
        else:
            data = {"name": self.name}
            if self.scope == "protocol":
                data["slug"] = self.slug
            data.update(tvl=self.tvl, chain_tvls=dict(self.chain_tvls),
                        change_1d_pct=self.change_1d_pct, change_7d_pct=self.change_7d_pct)
            if self.scope == "protocol" and self.chain:
                data["chain"] = self.chain
        if self.history is not None:
            data["history"] = self.history_rows()
        return data

    def history_rows(self) -> list[dict[str, Any]]:
        return [{"date": iso_utc(t), "tvl": v} for t, v in self.history or ()]

    def csv_rows(self) -> list[dict[str, Any]]:
        """The history when asked for, else the chain breakdown (or the one figure)."""
        if self.history is not None:
            return self.history_rows()
        if self.scope == "chain":
            return [{"chain": self.chain, "tvl": self.tvl}]
        return [{"chain": chain, "tvl": value,
                 "share_pct": value / self.tvl * 100 if self.tvl else None}
                for chain, value in self.chain_tvls.items()]


def _protocol_series(llama: DefiLlama, slug: str, members: Sequence[str],
                     progress: Progress | None) -> list[tuple[int, float]]:
    """A protocol's daily TVL; a parent DeFiLlama does not serve is its versions summed."""
    series = llama.protocol_history(slug, progress)
    if series is None and list(members) != [slug]:
        parts = [llama.protocol_history(m, progress) for m in members]
        if any(p is not None for p in parts):
            summed: dict[int, float] = {}
            for part in parts:
                for t, v in part or ():
                    summed[t] = summed.get(t, 0.0) + v
            series = sorted(summed.items())
    if series is None:
        raise NotFoundError(f"DeFiLlama has no TVL history for {slug!r}")
    return series


def tvl(llama: DefiLlama, protocol: str | None = None, chain: str | None = None,
        days: int | None = None, *, changes: bool = True, progress: Progress | None = None,
        on_note: Note = _quiet) -> TvlReport:
    """TVL of `protocol` (a parent sums its versions; with `chain`, its TVL there), of
    `chain`, or of all DeFi. `days` adds the daily history; `changes=False` skips the
    history request a chain's 1d/7d change needs."""
    if days is not None and not 1 <= days <= 3650:
        from mobius_cli.services.market import days_error

        raise days_error(days)
    if protocol:
        protocols = load_protocols(llama, progress)
        ref = core.resolve_protocol(protocol, protocols)
        where = None
        if chain:
            known = [k for m in ref.members for k in m.tvls] + [
                k for p in protocols for k in p.chains]
            where = core.resolve_chain(chain, known)
        pt: ProtocolTvl = core.protocol_tvl(ref, where)
        if where and not pt.chain_tvls:
            on_note(f"{ref.name} has no TVL on {where}; its chains: "
                    + ", ".join(core.protocol_tvl(ref).chains[:8]))
        report = TvlReport("protocol", pt.name, pt.tvl, slug=pt.slug, chain=where,
                           category=pt.category, change_1d_pct=pt.change_1d_pct,
                           change_7d_pct=pt.change_7d_pct, chain_tvls=pt.chain_tvls,
                           borrowed=pt.borrowed, members=pt.members,
                           member_tvls=pt.member_tvls, days=days)
        if where and pt.chain_tvls:  # DeFiLlama's 1d/7d changes are of the whole protocol
            on_note("the 24h and 7d changes" + (" and the history" if days is not None else "")
                    + " are of the protocol's TVL on all its chains")
        if days is not None:
            series = _protocol_series(llama, ref.slug, pt.members, progress)
            report.history = core.series_tail(series, days)
        return report
    chains = llama.chains(progress)
    if chain:
        name = core.resolve_chain(chain, [c["name"] for c in chains])
        found = next((c for c in chains if core.canonical_chain(c["name"]) == name), None)
        if found is None:
            raise NotFoundError(f"DeFiLlama lists no TVL for the chain {name!r}",
                                hint="see `mobius defi chains`")
        report = TvlReport("chain", found["name"], found["tvl"], chain=found["name"], days=days)
        series_name: str | None = found["name"]
    else:
        total = sum(c["tvl"] for c in chains)
        ranked = sorted(chains, key=lambda c: -c["tvl"])
        report = TvlReport("all", "DeFi", total, days=days,
                           chain_tvls={c["name"]: c["tvl"] for c in ranked})
        series_name = None
    if changes or days is not None or series_name is None:  # all-DeFi JSON has changes
        series = llama.chain_history(series_name, progress)
        report.change_1d_pct = core.series_change(series, 1)
        report.change_7d_pct = core.series_change(series, 7)
        if days is not None:
            report.history = core.series_tail(series, days)
    return report


# --- rankings -------------------------------------------------------------------------


@dataclass
class ProtocolRanking:
    """Protocols by TVL or change, maybe on one chain or in one category."""

    rows: list[core.ProtocolRow]
    chain: str | None = None
    category: str | None = None
    sort: str = "tvl"

    def to_json(self) -> list[dict[str, Any]]:
        return [r.to_json() for r in self.rows]

    def csv_rows(self) -> list[dict[str, Any]]:
        return [{**r.to_json(), "chains": ";".join(r.chains)} for r in self.rows]


def protocols(llama: DefiLlama, chain: str | None = None, category: str | None = None,
              limit: int = 20, sort: str = "tvl", *,
              progress: Progress | None = None) -> ProtocolRanking:
    """The top protocols by TVL (on `chain`: their TVL there) or by 1d/7d change."""
    _check_limit(limit)
    sort = _sort_name(sort, core.SORTS_PROTOCOLS)
    every = load_protocols(llama, progress)
    where = core.resolve_chain(chain, {k for p in every for k in p.chains}) if chain else None
    cat = core.resolve_category(category, {p.category for p in every if p.category}) \
        if category else None
    rows = core.rank_protocols(every, chain=where, category=cat, sort=sort, limit=limit)
    return ProtocolRanking(rows, where, cat, sort)


@dataclass
class ChainRanking:
    """Chains by TVL."""

    rows: list[core.ChainRow]

    def to_json(self) -> list[dict[str, Any]]:
        return [r.to_json() for r in self.rows]


def chains(llama: DefiLlama, limit: int = 20, *, progress: Progress | None = None,
           on_note: Note = _quiet) -> ChainRanking:
    """Chains by TVL with their share, protocol count and (from those protocols' own
    changes) an estimated 1d/7d change; without the protocol list, TVL and share only."""
    from mobius_cli.errors import SourceError

    _check_limit(limit)
    listed = llama.chains(progress)
    try:
        activity = core.chain_activity(load_protocols(llama, progress))
    except SourceError as exc:
        on_note(f"{exc.message}; no protocol counts or changes")
        activity = None
    return ChainRanking(core.rank_chains(listed, activity, limit))


# --- yields ---------------------------------------------------------------------------


@dataclass
class YieldAnswer:
    """The pools that matched, and what the defaults hid."""

    result: YieldResult
    query: YieldQuery
    protocol: str | None = None  # the protocol (or parent) name asked for
    # Other forms of the token (WETH, STETH for ETH) in pools the same filters would show,
    # most pools first: (symbol, pools); and whether all those pools are stablecoin pools.
    related: list[tuple[str, int]] = field(default_factory=list)
    related_stable: bool = False

    @property
    def pools(self) -> list[Pool]:
        return self.result.pools

    def to_json(self) -> list[dict[str, Any]]:
        return [p.to_json() for p in self.result.pools]

    def csv_rows(self) -> list[dict[str, Any]]:
        return [p.to_row() for p in self.result.pools]

    def hidden_note(self) -> str | None:
        """'hid 3 outlier pools and 12 under $10k TVL (--all shows them)', or None."""
        r = self.result
        parts = []
        if r.hidden_outliers:
            parts.append(f"{r.hidden_outliers} outlier pool{'s' if r.hidden_outliers > 1 else ''}")
        if r.hidden_small:
            parts.append(f"{r.hidden_small} pool{'s' if r.hidden_small > 1 else ''} under "
                         f"${core.MIN_POOL_TVL / 1000:.0f}k TVL")
        if not parts:
            return None
        return f"hid {' and '.join(parts)} (--all shows them)"

    def related_note(self) -> str | None:
        """'also WETH (3 pools), STETH (1): --token eth,weth,steth or --staking for staked
        ETH', or None: `--token` matches a symbol exactly, so say what that left out."""
        if not self.related or not self.query.token:
            return None
        shown = self.related[:RELATED_SHOWN]
        (first, count), rest = shown[0], shown[1:]
        listed = ", ".join([f"{first} ({count} pool{'s' if count != 1 else ''})",
                            *(f"{name} ({n})" for name, n in rest)])
        asked = [t.strip().lower() for t in self.query.token.split(",") if t.strip()]
        how = f"--token {','.join([*asked, *(name.lower() for name, _ in shown)])}"
        if not self.related_stable:
            how += f" or --staking for staked {asked[0].upper()}"
        return f"also {listed}: {how}"


def _projects(llama: DefiLlama, table: PoolTable, name: str,
              progress: Progress | None) -> tuple[frozenset[str], str]:
    """The pool projects a protocol name covers (a parent: all its versions)."""
    low = name.strip().lower()
    projects = table.projects()
    if low in projects:
        return frozenset({low}), low
    ref = core.resolve_protocol(name, load_protocols(llama, progress))
    return frozenset(m.slug for m in ref.members) | {ref.slug}, ref.name


def yields(llama: DefiLlama, token: str | None = None, chain: str | None = None,
           protocol: str | None = None, min_apy: float | str | None = None,
           min_tvl: float | str | None = None, stablecoin: bool = False,
           exposure: str | None = None, no_il: bool = False, sort: str = "apy",
           limit: int = 20, show_all: bool = False, staking: bool = False, *,
           progress: Progress | None = None) -> YieldAnswer:
    """Pools by APY (or TVL, base APY): outliers and pools under $10k TVL hidden unless
    `show_all`; `token` is one of the pool's symbols exactly. With `staking`, only the
    pools of staking protocols (liquid staking, restaking), where a token also matches its
    staked forms (ETH: STETH, RETH, WEETH)."""
    _check_limit(limit)
    sort = _sort_name(sort, core.SORTS_POOLS)
    if exposure is not None and exposure.lower() not in ("single", "multi"):
        raise UsageError(f"--exposure must be single or multi, not {exposure!r}")
    lowest_apy = core.parse_percent(min_apy)  # refused before the pool list is loaded
    if lowest_apy is not None and lowest_apy < 0:
        raise UsageError(f"--min-apy must be zero or more, not {lowest_apy:g}",
                         hint="it is the lowest APY a pool may pay, e.g. --min-apy 5")
    table = load_pools(llama, progress)
    where = core.resolve_chain(chain, table.chains()) if chain else None
    projects, label = (_projects(llama, table, protocol, progress) if protocol
                       else (None, None))
    if staking:
        stakers = frozenset(p.slug for p in load_protocols(llama, progress)
                            if core.is_staking_category(p.category))
        projects = stakers if projects is None else projects & stakers
    query = YieldQuery(
        token=token.strip().lstrip("$") if token else None, chain=where, projects=projects,
        min_apy=lowest_apy, min_tvl=core.parse_money(min_tvl),
        stablecoin=stablecoin, exposure=exposure.lower() if exposure else None, no_il=no_il,
        sort=sort, limit=limit, show_all=show_all, staking=staking)
    related, stable = _related_forms(table, query)
    return YieldAnswer(core.filter_pools(table, query), query, label, related, stable)


# How many other forms of a token the note names.
RELATED_SHOWN = 3


def _related_forms(table: PoolTable, query: YieldQuery) -> tuple[list[tuple[str, int]], bool]:
    """Symbols that contain the token without being it (WETH, STETH, WSTETH for ETH;
    USDC.E for USDC) with how many pools each would add under the same filters, most
    first; and whether every such pool is a stablecoin pool. Nothing with --staking,
    which already takes those forms."""
    if not query.token or query.staking:
        return [], False
    tokens = {t.strip().upper() for t in query.token.split(",") if t.strip()}
    forms = {part for symbol in set(table.columns["symbol"])
             for part in str(symbol).upper().split("-")
             if part not in tokens and "," not in part and any(t in part for t in tokens)}
    if not forms:
        return [], False
    from dataclasses import replace

    wider = core.filter_pools(table, replace(query, token=",".join(sorted(forms)),
                                             limit=len(table)))
    counts: dict[str, int] = {}
    stable = True
    for pool in wider.pools:
        for part in forms.intersection(pool.symbol.upper().split("-")):
            counts[part] = counts.get(part, 0) + 1
        stable = stable and pool.stablecoin
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ranked, stable and bool(ranked)


# --- side by side ---------------------------------------------------------------------


@dataclass
class ProtocolSide:
    """One protocol in a comparison."""

    tvl: ProtocolTvl
    best_pools: list[Pool]

    def to_json(self) -> dict[str, Any]:
        t = self.tvl
        return {"name": t.name, "slug": t.slug, "category": t.category, "tvl": t.tvl,
                "change_1d_pct": t.change_1d_pct, "change_7d_pct": t.change_7d_pct,
                "chains": t.chains, "chain_tvls": dict(t.chain_tvls),
                "best_pools": [p.to_json() for p in self.best_pools]}


@dataclass
class ProtocolComparison:
    """Protocols side by side."""

    sides: list[ProtocolSide]

    def to_json(self) -> list[dict[str, Any]]:
        return [s.to_json() for s in self.sides]

    def csv_rows(self) -> list[dict[str, Any]]:
        rows = []
        for s in self.sides:
            t = s.tvl
            best = s.best_pools[0] if s.best_pools else None
            rows.append({"name": t.name, "slug": t.slug, "category": t.category, "tvl": t.tvl,
                         "change_1d_pct": t.change_1d_pct, "change_7d_pct": t.change_7d_pct,
                         "chains": ";".join(t.chains),
                         "best_pool": best.pool if best else None,
                         "best_pool_symbol": best.symbol if best else None,
                         "best_pool_chain": best.chain if best else None,
                         "best_pool_apy": best.apy if best else None})
        return rows


def compare(llama: DefiLlama, names: Sequence[str], pools_each: int = 3, *,
            progress: Progress | None = None) -> ProtocolComparison:
    """TVL, 1d/7d change, category, chains and the best pools (by APY, outliers and pools
    under $10k hidden) of two or more protocols."""
    if len(names) < 2:
        raise UsageError("compare needs at least two protocols",
                         hint="e.g. `mobius defi compare aave compound`")
    every = load_protocols(llama, progress)
    refs = []
    for name in names:
        ref = core.resolve_protocol(name, every)
        if all(r.slug != ref.slug for r in refs):
            refs.append(ref)
    if len(refs) < 2:
        raise UsageError("compare needs at least two different protocols")
    table = load_pools(llama, progress)
    sides = []
    for ref in refs:
        members = frozenset(m.slug for m in ref.members) | {ref.slug}
        best = core.filter_pools(table, YieldQuery(projects=members, limit=pools_each))
        sides.append(ProtocolSide(core.protocol_tvl(ref), best.pools))
    return ProtocolComparison(sides)


# --- checks ---------------------------------------------------------------------------


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= 1000:
        raise UsageError(f"--limit must be between 1 and 1000, not {limit}")


def _sort_name(sort: str, allowed: Sequence[str]) -> str:
    key = sort.strip().lower().replace("-", "_")
    key = {"change1d": "change_1d", "1d": "change_1d", "change7d": "change_7d",
           "7d": "change_7d", "base": "apy_base", "apybase": "apy_base"}.get(key, key)
    if key not in allowed:
        raise UsageError(f"--sort must be one of {', '.join(allowed)}, not {sort!r}")
    return key
