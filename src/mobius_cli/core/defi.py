"""DeFi arithmetic and name matching: TVL sums, parent protocols, chain aliases, yield filters.

Pure: no I/O, no printing. Inputs are the compact forms the DeFiLlama provider stores
(protocol rows, a columnar pool table, time series); outputs are plain dataclasses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mobius_cli.errors import UsageError

# chainTvls keys that are not chains (also as `<Chain>-<key>`), compared in lower case.
NON_CHAIN_KEYS = frozenset({
    "borrowed", "staking", "pool2", "vesting", "treasury", "offers", "doublecounted",
    "liquidstaking", "dcandlsoverlap",
})

# What people type (lower case) -> DeFiLlama's display name. Also maps the older chain
# keys still found in /protocols ("Binance", "Optimism", "xDai") to today's names.
CHAIN_ALIASES: dict[str, str] = {
    "eth": "Ethereum", "ether": "Ethereum", "mainnet": "Ethereum", "ethereum mainnet": "Ethereum",
    "bsc": "BSC", "bnb": "BSC", "binance": "BSC", "bnb chain": "BSC", "bnbchain": "BSC",
    "bnb smart chain": "BSC", "binance smart chain": "BSC",
    "op": "OP Mainnet", "optimism": "OP Mainnet", "op mainnet": "OP Mainnet",
    "avalanche": "Avalanche", "avax": "Avalanche", "avalanche c-chain": "Avalanche",
    "arb": "Arbitrum", "arbitrum": "Arbitrum", "arbitrum one": "Arbitrum",
    "polygon": "Polygon", "matic": "Polygon", "pol": "Polygon", "polygon pos": "Polygon",
    "sol": "Solana", "solana": "Solana", "base": "Base",
    "tron": "Tron", "trx": "Tron", "btc": "Bitcoin", "bitcoin": "Bitcoin",
    "hyperliquid": "Hyperliquid L1", "hype": "Hyperliquid L1", "hyperevm": "Hyperliquid L1",
    "zksync": "zkSync Era", "zksync era": "zkSync Era", "era": "zkSync Era",
    "gnosis": "Gnosis", "xdai": "Gnosis", "ftm": "Fantom", "fantom": "Fantom",
    "sonic": "Sonic", "s": "Sonic", "linea": "Linea", "scroll": "Scroll", "mantle": "Mantle",
    "mnt": "Mantle", "blast": "Blast", "sui": "Sui", "aptos": "Aptos", "apt": "Aptos",
    "ton": "TON", "near": "Near", "cronos": "Cronos", "cro": "Cronos", "kava": "Kava",
    "celo": "Celo", "metis": "Metis", "mode": "Mode", "manta": "Manta", "zora": "Zora",
    "bera": "Berachain", "berachain": "Berachain", "unichain": "Unichain",
    "starknet": "Starknet", "strk": "Starknet", "cardano": "Cardano", "ada": "Cardano",
    "polygon zkevm": "Polygon zkEVM", "zkevm": "Polygon zkEVM", "moonbeam": "Moonbeam",
}

# What people type for a category (lower case) -> DeFiLlama's category name.
CATEGORY_ALIASES: dict[str, str] = {
    "dex": "Dexs", "dexes": "Dexs", "dexs": "Dexs", "amm": "Dexs", "exchange": "Dexs",
    "lending": "Lending", "lend": "Lending", "lenders": "Lending", "money market": "Lending",
    "lst": "Liquid Staking", "lsd": "Liquid Staking", "liquid staking": "Liquid Staking",
    "staking": "Liquid Staking", "lrt": "Liquid Restaking", "restaking": "Restaking",
    "perps": "Derivatives", "perpetuals": "Derivatives", "derivatives": "Derivatives",
    "bridge": "Bridge", "bridges": "Bridge", "cdp": "CDP", "stablecoins": "CDP",
    "yield": "Yield", "yields": "Yield", "farms": "Yield", "yield aggregator": "Yield Aggregator",
    "cex": "CEX", "cexs": "CEX", "rwa": "RWA",
}

HIDDEN_CATEGORIES = frozenset({"CEX"})  # left out of rankings unless asked for by name
# Liquid staking tokens by the coin they stake: `defi yields --token` takes a comma list,
# so "where can I stake eth" can ask for ",".join(LIQUID_STAKING["ETH"]).
LIQUID_STAKING: dict[str, tuple[str, ...]] = {
    "ETH": ("STETH", "WSTETH", "RETH", "CBETH", "WBETH", "WEETH", "EETH", "EZETH", "RSETH",
            "METH", "SWETH", "OSETH", "ETHX", "SFRXETH", "FRXETH", "ANKRETH", "OETH", "LSETH"),
    "SOL": ("JITOSOL", "MSOL", "BSOL", "JUPSOL", "INF", "BNSOL", "DSOL", "HSOL", "STSOL"),
    "BNB": ("SLISBNB", "BNBX", "ANKRBNB", "STKBNB"),
    "MATIC": ("STMATIC", "MATICX"), "POL": ("STMATIC", "MATICX"),
    "AVAX": ("SAVAX", "GGAVAX", "ANKRAVAX"),
    "ATOM": ("STATOM", "STKATOM"), "DOT": ("VDOT", "LDOT"),
    "SUI": ("AFSUI", "HASUI", "VSUI"), "APT": ("AMAPT", "STAPT", "THAPT"),
}
MIN_POOL_TVL = 10_000.0  # pools below this are hidden unless --all
SORTS_PROTOCOLS = ("tvl", "change_1d", "change_7d")
SORTS_POOLS = ("apy", "tvl", "apy_base")


def compress(text: str) -> str:
    """Lower case with everything but letters and digits removed: 'Aave V3' -> 'aavev3'."""
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def sluggify(text: str) -> str:
    """DeFiLlama's slug of a name: lower case, spaces become '-'."""
    return "-".join(text.strip().lower().split())


# --- chains and chainTvls keys --------------------------------------------------------


def split_tvl_key(key: str) -> tuple[str, str | None]:
    """('Ethereum', None) for a chain, ('Ethereum', 'borrowed') for 'Ethereum-borrowed',
    ('', 'staking') for a bare non-chain key."""
    low = key.lower()
    if low in NON_CHAIN_KEYS:
        return "", low
    head, sep, tail = key.rpartition("-")
    if sep and tail.lower() in NON_CHAIN_KEYS:
        return head, tail.lower()
    return key, None


def canonical_chain(name: str) -> str:
    """DeFiLlama's current display name for a chain name or alias ('optimism' -> 'OP Mainnet');
    an unknown name comes back as given."""
    return CHAIN_ALIASES.get(name.strip().lower(), name.strip())


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if value == value else None  # NaN is not a number here


# chainTvls key -> its chain's display name, or "" for a non-chain key (a memo: the
# same few hundred keys recur across thousands of protocols).
_KEY_CHAIN: dict[str, str] = {}


def key_chain(key: str) -> str:
    """The display name of the chain a chainTvls key is, or "" when it is not a chain."""
    name = _KEY_CHAIN.get(key)
    if name is None:
        chain, extra = split_tvl_key(key)
        name = _KEY_CHAIN[key] = canonical_chain(chain) if extra is None else ""
    return name


def chain_tvls(raw: Mapping[str, Any]) -> dict[str, float]:
    """The real chains of a flat chainTvls map, by display name, largest first."""
    out: dict[str, float] = {}
    for key, value in raw.items():
        name = _KEY_CHAIN.get(key)
        if name is None:
            name = key_chain(key)
        if name and (type(value) is float or _number(value) is not None):
            out[name] = out.get(name, 0.0) + float(value)
    if len(out) < 2:
        return out
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def extra_tvls(raw: Mapping[str, Any], kind: str) -> dict[str, float]:
    """One non-chain kind ('borrowed', 'staking'...) by chain, from the `<Chain>-<kind>`
    keys; the bare key's total under '' when no per-chain key exists."""
    out: dict[str, float] = {}
    bare = None
    for key, value in raw.items():
        chain, extra = split_tvl_key(key)
        number = _number(value)
        if extra != kind or number is None:
            continue
        if chain:
            name = canonical_chain(chain)
            out[name] = out.get(name, 0.0) + number
        else:
            bare = number
    if not out and bare is not None:
        out[""] = bare
    return out


def resolve_chain(query: str, known: Iterable[str]) -> str:
    """The display name of the chain `query` means, case-insensitively, by name or alias;
    unknown -> UsageError with a "did you mean"."""
    text = query.strip()
    low = text.lower()
    if not low:
        raise UsageError("name a chain", hint="e.g. ethereum, arbitrum, base")
    names = {canonical_chain(k) for k in known if k}
    for name in names:
        if name.lower() == low:
            return name
    if low in CHAIN_ALIASES:
        return CHAIN_ALIASES[low]
    squeezed = compress(low)
    for name in names:
        if compress(name) == squeezed:
            return name
    for alias, name in CHAIN_ALIASES.items():
        if compress(alias) == squeezed:
            return name
    close = suggest(text, sorted(names | set(CHAIN_ALIASES.values())))
    raise UsageError(f"unknown chain {text!r}",
                     hint=did_you_mean(close) or "see `mobius defi chains`")


def resolve_category(query: str, known: Iterable[str]) -> str:
    """The category `query` means ('dex' -> 'Dexs'); unknown -> UsageError."""
    text = query.strip()
    low = text.lower()
    cats = set(known)
    for cat in cats:
        if cat.lower() == low:
            return cat
    if low in CATEGORY_ALIASES:
        return CATEGORY_ALIASES[low]
    squeezed = compress(low)
    for cat in cats:
        c = compress(cat)
        if squeezed in (c, c + "s", c + "es") or c in (squeezed + "s", squeezed + "es"):
            return cat
    close = suggest(text, sorted(cats))
    raise UsageError(f"unknown category {text!r}",
                     hint=did_you_mean(close) or "e.g. Lending, Dexs, Liquid Staking")


def suggest(query: str, choices: Sequence[str], limit: int = 3) -> list[str]:
    """Choices close to `query`, best first (rapidfuzz), for a "did you mean"."""
    if not choices:
        return []
    from rapidfuzz import fuzz, process, utils

    found = process.extract(query, list(choices), scorer=fuzz.WRatio, limit=limit * 2,
                            processor=utils.default_process, score_cutoff=70)
    out: list[str] = []
    for text, _score, _index in found:
        if text not in out:
            out.append(text)
    return out[:limit]


def did_you_mean(names: Sequence[str]) -> str | None:
    if not names:
        return None
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f"did you mean {listed}?"


# --- protocols ------------------------------------------------------------------------


@dataclass(frozen=True)
class Protocol:
    """One /protocols item, reduced to what Mobius uses."""

    slug: str
    name: str
    category: str | None = None
    chains: tuple[str, ...] = ()
    raw_tvls: Mapping[str, Any] = field(default_factory=dict)
    change_1d: float | None = None
    change_7d: float | None = None
    parent: str | None = None  # the parent's slug, without 'parent#'
    symbol: str | None = None
    url: str | None = None

    @property
    def tvls(self) -> dict[str, float]:
        return chain_tvls(self.raw_tvls)

    @property
    def tvl(self) -> float:
        return sum(self.tvls.values())


@dataclass(frozen=True)
class ProtocolRef:
    """What a name resolved to: one protocol, or a parent and its versions."""

    slug: str
    name: str
    members: tuple[Protocol, ...]
    is_parent: bool = False


def parent_groups(protocols: Iterable[Protocol]) -> dict[str, list[Protocol]]:
    """Parent slug -> its versions, largest first."""
    groups: dict[str, list[Protocol]] = {}
    for p in protocols:
        if p.parent:
            groups.setdefault(p.parent, []).append(p)
    for members in groups.values():
        members.sort(key=lambda p: -p.tvl)
    return groups


def common_name(members: Sequence[Protocol]) -> str | None:
    """The words the versions' names start with: 'Compound' for 'Compound V3', 'Compound V2'."""
    words = [m.name.split() for m in members]
    common: list[str] = []
    if len(words) >= 2:
        for group in zip(*words, strict=False):
            if len({w.lower() for w in group}) != 1:
                break
            common.append(group[0])
    return " ".join(common) or None


def parent_name(slug: str, members: Sequence[Protocol]) -> str:
    """'aave' with 'Aave V3', 'Aave V2' -> 'Aave'; else the slug in title case."""
    common = common_name(members)
    if common and compress(common) == compress(slug):
        return common
    if len(members) == 1 and members[0].name.split():
        first = members[0].name.split()[0]
        if compress(first) == compress(slug):
            return first
    return " ".join(w.capitalize() for w in slug.replace("_", "-").split("-"))


# Words a protocol's name may end with or leave out: 'Curve Finance' is 'curve', 'MakerDAO'
# is 'maker', 'Aave Protocol' is 'aave'.
NAME_SUFFIXES = ("finance", "protocol", "dao")


def bare_name(text: str) -> str:
    """`compress(text)` without a trailing 'finance', 'protocol' or 'dao' (when something of
    three characters or more is left): 'Curve Finance' -> 'curve', 'makerdao' -> 'maker'."""
    squeezed = compress(text)
    for suffix in NAME_SUFFIXES:
        if squeezed.endswith(suffix) and len(squeezed) - len(suffix) >= 3:
            return squeezed[: -len(suffix)]
    return squeezed


def resolve_protocol(query: str, protocols: Sequence[Protocol]) -> ProtocolRef:
    """A protocol or parent by slug, name or symbol, case-insensitively, ignoring spaces,
    hyphens and a 'finance'/'protocol'/'dao' suffix ('aave' is the parent of aave-v3 and
    aave-v2; 'curve' and 'curve finance' the parent curve-finance; 'maker dao' makerdao);
    unknown -> UsageError with a "did you mean"."""
    text = query.strip()
    low = text.lower()
    if not low:
        raise UsageError("name a protocol", hint="e.g. aave, lido, uniswap-v3")
    groups = parent_groups(protocols)
    parents = {slug: ProtocolRef(slug, parent_name(slug, m), tuple(m), True)
               for slug, m in groups.items()}

    def single(p: Protocol) -> ProtocolRef:
        return ProtocolRef(p.slug, p.name, (p,))

    slug = sluggify(low)
    if slug in parents:
        return parents[slug]
    for p in protocols:
        if p.slug == slug:
            return single(p)
    commons = {slug: common_name(ref.members) or "" for slug, ref in parents.items()}
    for ref in parents.values():
        if low in (ref.name.lower(), commons[ref.slug].lower()):
            return ref
    for p in protocols:
        if p.name.lower() == low:
            return single(p)
    squeezed = compress(low)
    if squeezed:
        for ref in parents.values():
            if squeezed in (compress(ref.slug), compress(ref.name), compress(commons[ref.slug])):
                return ref
        for p in protocols:
            if compress(p.slug) == squeezed or compress(p.name) == squeezed:
                return single(p)
    bare = bare_name(low)
    if bare:  # 'curve' is Curve Finance, 'maker' MakerDAO, 'aave protocol' Aave
        for ref in parents.values():
            if bare in (bare_name(ref.slug), bare_name(ref.name), bare_name(commons[ref.slug])):
                return ref
        found = [p for p in protocols if bare in (bare_name(p.slug), bare_name(p.name))]
        if found:
            return single(max(found, key=lambda p: p.tvl))
    holders = [p for p in protocols if p.symbol and p.symbol != "-" and p.symbol.lower() == low]
    if holders:
        families = {p.parent for p in holders}
        if len(families) == 1 and None not in families:
            return parents[next(iter(families))]  # type: ignore[index]
        return single(max(holders, key=lambda p: p.tvl))
    names = [ref.name for ref in parents.values()] + [p.name for p in protocols]
    close = suggest(text, list(dict.fromkeys(names)))
    raise UsageError(f"unknown protocol {text!r}",
                     hint=did_you_mean(close) or "see `mobius defi protocols`")


@dataclass
class ProtocolTvl:
    """A protocol's (or parent's) current TVL, its chains, and its 1d/7d change."""

    name: str
    slug: str
    category: str | None
    tvl: float
    chain_tvls: dict[str, float]
    borrowed: dict[str, float]
    change_1d_pct: float | None
    change_7d_pct: float | None
    members: list[str] = field(default_factory=list)
    url: str | None = None
    member_tvls: dict[str, float] = field(default_factory=dict)  # version slug -> its TVL

    @property
    def chains(self) -> list[str]:
        return list(self.chain_tvls)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "slug": self.slug, "tvl": self.tvl,
                "chain_tvls": dict(self.chain_tvls), "change_1d_pct": self.change_1d_pct,
                "change_7d_pct": self.change_7d_pct}


def combined_change(parts: Iterable[tuple[float, float | None]]) -> float | None:
    """The % change of a sum from each part's (value now, % change): the past value of a
    part is now / (1 + change/100). None when a part with value has no change."""
    now = before = 0.0
    counted = [(value, change) for value, change in parts if value != 0]
    if len(counted) == 1:  # exactly the source's figure, no float round trip
        change = counted[0][1]
        return None if change is None or change <= -100 else change
    for value, change in counted:
        if change is None or change <= -100:
            return None
        now += value
        before += value / (1 + change / 100)
    if before <= 0:
        return None
    return (now / before - 1) * 100


def protocol_tvl(ref: ProtocolRef, chain: str | None = None) -> ProtocolTvl:
    """Sum the members' chains (non-chain keys left out); with `chain`, only that chain."""
    tvls: dict[str, float] = {}
    borrowed: dict[str, float] = {}
    for member in ref.members:
        for name, value in member.tvls.items():
            tvls[name] = tvls.get(name, 0.0) + value
        for name, value in extra_tvls(member.raw_tvls, "borrowed").items():
            borrowed[name] = borrowed.get(name, 0.0) + value
    if chain is not None:
        tvls = {k: v for k, v in tvls.items() if k == chain}
        borrowed = {k: v for k, v in borrowed.items() if k == chain}
    tvls = dict(sorted(tvls.items(), key=lambda kv: -kv[1]))
    totals = [(m.tvl, m) for m in ref.members]
    by_category: dict[str, float] = {}
    for value, m in totals:
        if m.category:
            by_category[m.category] = by_category.get(m.category, 0.0) + value
    category = max(by_category, key=lambda c: by_category[c]) if by_category else None
    return ProtocolTvl(
        name=ref.name, slug=ref.slug, category=category, tvl=sum(tvls.values()),
        chain_tvls=tvls, borrowed=borrowed,
        change_1d_pct=combined_change((v, m.change_1d) for v, m in totals),
        change_7d_pct=combined_change((v, m.change_7d) for v, m in totals),
        members=[m.slug for m in ref.members],
        url=ref.members[0].url if ref.members else None,
        member_tvls={m.slug: (m.tvls.get(chain, 0.0) if chain else v) for v, m in totals})


@dataclass
class ProtocolRow:
    """One line of a protocol ranking."""

    rank: int
    name: str
    slug: str
    category: str | None
    tvl: float
    change_1d_pct: float | None
    change_7d_pct: float | None
    chains: list[str]

    def to_json(self) -> dict[str, Any]:
        return {"rank": self.rank, "name": self.name, "slug": self.slug,
                "category": self.category, "tvl": self.tvl,
                "change_1d_pct": self.change_1d_pct, "change_7d_pct": self.change_7d_pct,
                "chains": list(self.chains)}


def rank_protocols(protocols: Iterable[Protocol], *, chain: str | None = None,
                   category: str | None = None, sort: str = "tvl",
                   limit: int = 20) -> list[ProtocolRow]:
    """Protocols by TVL (on `chain` when given) or by 1d/7d change, largest first.

    Categories in HIDDEN_CATEGORIES (CEX) are left out unless `category` names them;
    with `chain`, only protocols with TVL there; a change sort ranks the ones with none last.
    """
    if sort not in SORTS_PROTOCOLS:
        raise UsageError(f"--sort must be one of {', '.join(SORTS_PROTOCOLS)}, not {sort!r}")
    rows: list[tuple[float, Protocol, dict[str, float]]] = []
    for p in protocols:
        if category is not None:
            if (p.category or "").lower() != category.lower():
                continue
        elif p.category in HIDDEN_CATEGORIES:
            continue
        tvls = p.tvls
        tvl = tvls.get(chain, 0.0) if chain is not None else sum(tvls.values())
        if chain is not None and tvl <= 0:
            continue
        rows.append((tvl, p, tvls))
    if sort == "tvl":
        rows.sort(key=lambda r: -r[0])
    else:
        attr = "change_1d" if sort == "change_1d" else "change_7d"
        rows.sort(key=lambda r: (getattr(r[1], attr) is None, -(getattr(r[1], attr) or 0),
                                 -r[0]))
    return [ProtocolRow(i, p.name, p.slug, p.category, tvl, p.change_1d, p.change_7d,
                        list(tvls))
            for i, (tvl, p, tvls) in enumerate(rows[:limit], start=1)]


# --- chains ---------------------------------------------------------------------------


@dataclass
class ChainRow:
    """One line of the chain ranking."""

    rank: int
    name: str
    tvl: float
    share_pct: float | None
    token_symbol: str | None
    protocols: int | None
    change_1d_pct: float | None
    change_7d_pct: float | None

    def to_json(self) -> dict[str, Any]:
        return {"rank": self.rank, "name": self.name, "tvl": self.tvl,
                "share_pct": self.share_pct, "token_symbol": self.token_symbol,
                "protocols": self.protocols, "change_1d_pct": self.change_1d_pct,
                "change_7d_pct": self.change_7d_pct}


@dataclass
class ChainActivity:
    """Per chain, from the protocols on it: how many, their TVL now, and (over those that
    report a change) their TVL now and 1d/7d ago."""

    protocols: int = 0
    now: float = 0.0
    sums: dict[str, list[float]] = field(default_factory=lambda: {"1d": [0.0, 0.0],
                                                                   "7d": [0.0, 0.0]})

    def add(self, period: str, value: float, change: float | None) -> None:
        if change is None or change <= -100:
            return
        pair = self.sums[period]
        pair[0] += value
        pair[1] += value / (1 + change / 100)

    def change(self, period: str) -> float | None:
        now, before = self.sums[period]
        return (now / before - 1) * 100 if before > 0 else None


def chain_activity(protocols: Iterable[Protocol]) -> dict[str, ChainActivity]:
    """Per chain: the protocols (CEX left out) with TVL there, their TVL, and its 1d/7d
    change estimated from each protocol's own change (applied to each of its chains;
    protocols without a change are left out of it)."""
    out: dict[str, ChainActivity] = {}
    for p in protocols:
        if p.category in HIDDEN_CATEGORIES:
            continue
        for name, value in p.tvls.items():
            if value <= 0:
                continue
            act = out.setdefault(name, ChainActivity())
            act.protocols += 1
            act.now += value
            act.add("1d", value, p.change_1d)
            act.add("7d", value, p.change_7d)
    return out


def rank_chains(chains: Sequence[Mapping[str, Any]],
                activity: Mapping[str, ChainActivity] | None = None,
                limit: int = 20) -> list[ChainRow]:
    """/v2/chains items by TVL, with each one's share and, from `activity`, protocol
    count and 1d/7d change."""
    items = [(c.get("name") or "", _number(c.get("tvl")) or 0.0, c.get("tokenSymbol"))
             for c in chains if c.get("name")]
    total = sum(t for _, t, _ in items)
    items.sort(key=lambda x: -x[1])
    rows = []
    for i, (name, tvl, token) in enumerate(items[:limit], start=1):
        act = (activity or {}).get(canonical_chain(name))
        rows.append(ChainRow(
            i, name, tvl, tvl / total * 100 if total > 0 else None, token,
            act.protocols if act else (None if activity is None else 0),
            act.change("1d") if act else None,
            act.change("7d") if act else None))
    return rows


# --- time series ----------------------------------------------------------------------


def series_change(series: Sequence[tuple[int, float]], days: int) -> float | None:
    """% change from the point `days` before the last one (or the latest point before
    it) to the last; None when the series is too short or starts at zero."""
    if len(series) < 2:
        return None
    last_t, last_v = series[-1]
    target = last_t - days * 86400 + 3600  # an hour's slack: the last point may be hourly
    before = None
    for t, v in reversed(series[:-1]):
        if t <= target:
            before = v
            break
    if before is None or before <= 0:
        return None
    return (last_v / before - 1) * 100


def series_tail(series: Sequence[tuple[int, float]], days: int | None) -> list[tuple[int, float]]:
    """The points from midnight UTC `days` days before the last point's day (all when None):
    `days` daily points and the latest."""
    if days is None or not series:
        return list(series)
    last = series[-1][0]
    start = last - last % 86400 - days * 86400
    return [p for p in series if p[0] >= start]


# --- yields ---------------------------------------------------------------------------

POOL_FIELDS = ("pool", "project", "chain", "symbol", "tvl", "apy", "apy_base", "apy_reward",
               "apy_mean_30d", "stablecoin", "il_risk", "exposure", "outlier", "pool_meta")


@dataclass(frozen=True)
class Pool:
    """One yield pool."""

    pool: str
    project: str
    chain: str
    symbol: str
    tvl: float
    apy: float | None
    apy_base: float | None
    apy_reward: float | None
    apy_mean_30d: float | None = None
    stablecoin: bool = False
    il_risk: str | None = None
    exposure: str | None = None
    outlier: bool = False
    pool_meta: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"pool": self.pool, "project": self.project, "chain": self.chain,
                "symbol": self.symbol, "tvl_usd": self.tvl, "apy": self.apy,
                "apy_base": self.apy_base, "apy_reward": self.apy_reward,
                "stablecoin": self.stablecoin, "apy_mean_30d": self.apy_mean_30d,
                "il_risk": self.il_risk}

    def to_row(self) -> dict[str, Any]:
        """The JSON fields plus the table's extra columns, for CSV."""
        return {**self.to_json(), "stablecoin": "true" if self.stablecoin else "false",
                "exposure": self.exposure, "pool_meta": self.pool_meta}


@dataclass
class PoolTable:
    """Every pool, column by column (the compact cached form of /pools)."""

    columns: Mapping[str, list[Any]]

    def __len__(self) -> int:
        return len(self.columns["pool"])

    def row(self, i: int) -> Pool:
        c = self.columns
        return Pool(*(c[name][i] for name in POOL_FIELDS))

    def chains(self) -> list[str]:
        return list(dict.fromkeys(self.columns["chain"]))

    def projects(self) -> list[str]:
        return list(dict.fromkeys(self.columns["project"]))


@dataclass(frozen=True)
class YieldQuery:
    """Filters and order for `defi yields`."""

    token: str | None = None  # one token, or several separated by commas (any of them)
    chain: str | None = None  # a display name (resolve_chain)
    projects: frozenset[str] | None = None  # project slugs
    min_apy: float | None = None
    min_tvl: float | None = None
    stablecoin: bool = False
    exposure: str | None = None
    no_il: bool = False
    sort: str = "apy"
    limit: int = 20
    show_all: bool = False
    # Staking pools: `projects` holds the staking protocols, and a token matches its staked
    # forms too (ETH matches STETH, WEETH, ETHX; SOL matches JITOSOL).
    staking: bool = False


def is_staking_category(category: str | None) -> bool:
    """Liquid Staking, Liquid Restaking, Restaking, Staking Pool: where a coin is staked."""
    return category is not None and "staking" in category.lower()


@dataclass
class YieldResult:
    """The pools shown, and how many matching pools the defaults hid."""

    pools: list[Pool]
    matched: int
    hidden_outliers: int = 0
    hidden_small: int = 0


def symbol_has(symbol: str, token: str) -> bool:
    """True when `token` is one of the pool's symbols exactly ('USDC' is in 'USDC-WETH',
    not in 'USDC.E')."""
    return token.upper() in symbol.upper().split("-")


def filter_pools(table: PoolTable, q: YieldQuery) -> YieldResult:
    """The pools that match `q`, best first. Outliers and pools under MIN_POOL_TVL (or
    under --min-tvl when given) are hidden unless `show_all`, and counted.

    Filters run one column at a time (only the columns a filter needs are read), the most
    selective first.
    """
    if q.sort not in SORTS_POOLS:
        raise UsageError(f"--sort must be one of {', '.join(SORTS_POOLS)}, not {q.sort!r}")
    c = table.columns
    idx: list[int] | range = range(len(table))
    if q.chain is not None:
        chains = c["chain"]
        wanted = {name for name in set(chains) if canonical_chain(name) == q.chain}
        idx = [i for i in idx if chains[i] in wanted]
    if q.projects is not None:
        projects, allowed = c["project"], q.projects
        idx = [i for i in idx if projects[i] in allowed]
    if q.stablecoin:
        stables = c["stablecoin"]
        idx = [i for i in idx if stables[i]]
    if q.token:
        tokens = {t.strip().upper() for t in q.token.split(",") if t.strip()}
        symbols = c["symbol"]
        if q.staking:
            idx = [i for i in idx if any(t in part for part in symbols[i].upper().split("-")
                                         for t in tokens)]
        else:
            idx = [i for i in idx if not tokens.isdisjoint(symbols[i].upper().split("-"))]
    apys = c["apy"]
    if q.min_apy is not None:
        least = q.min_apy
        idx = [i for i in idx if apys[i] is not None and apys[i] >= least]
    if q.exposure is not None:
        exposures, kind = c["exposure"], q.exposure
        idx = [i for i in idx if exposures[i] == kind]
    if q.no_il:
        ils = c["il_risk"]
        idx = [i for i in idx if ils[i] == "no"]
    tvls = c["tvl"]
    floor = q.min_tvl if q.min_tvl is not None else (0.0 if q.show_all else MIN_POOL_TVL)
    before = len(idx)
    idx = [i for i in idx if (tvls[i] or 0.0) >= floor]
    hidden_small = before - len(idx) if q.min_tvl is None and not q.show_all else 0
    hidden_outliers = 0
    if not q.show_all:
        outliers = c["outlier"]
        before = len(idx)
        idx = [i for i in idx if not outliers[i]]
        hidden_outliers = before - len(idx)
    key_col = {"apy": apys, "tvl": tvls, "apy_base": c["apy_base"]}[q.sort]
    kept = sorted(idx, key=lambda i: (key_col[i] is None, -(key_col[i] or 0.0),
                                      -(tvls[i] or 0.0)))
    return YieldResult([table.row(i) for i in kept[:q.limit]], len(kept), hidden_outliers,
                       hidden_small)


def parse_money(text: str | float | None) -> float | None:
    """'1m' -> 1e6, '250k' -> 250000, '$2.5b' -> 2.5e9; None stays None."""
    if text is None or isinstance(text, (int, float)):
        return None if text is None else float(text)
    from mobius_cli.core.ledger import COMMA_HINT, scaled_number

    raw = text.strip().lstrip("$")
    try:
        value = None if "_" in raw else scaled_number(raw)
    except ValueError:
        raise UsageError(f"not an amount: {text!r}", hint="e.g. 1m, 250k or 5000") from None
    if value is None:  # '1,5m' is not 15m
        raise UsageError(f"not an amount: {text!r}", hint=COMMA_HINT)
    if value == float("inf"):
        raise UsageError(f"the amount {text!r} is too large")
    if not value >= 0:
        raise UsageError(f"the amount must be zero or more, not {text!r}")
    return value


def parse_percent(text: str | float | None) -> float | None:
    """'8' / '8%' -> 8.0; None stays None."""
    if text is None or isinstance(text, (int, float)):
        return None if text is None else float(text)
    try:
        value = float(text.strip().rstrip("%"))
    except ValueError:
        raise UsageError(f"not a percentage: {text!r}", hint="e.g. 8 or 8%") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise UsageError(f"not a percentage: {text!r}")
    return value
