"""core.defi: TVL sums, parents, chain and protocol names, yield filters; compact files."""

from __future__ import annotations

import os
import stat

import pytest

from mobius_cli.core import defi as core
from mobius_cli.core.defi import Pool, PoolTable, Protocol, YieldQuery
from mobius_cli.errors import UsageError
from mobius_cli.providers.defillama import read_compact, write_compact


def proto(slug: str, tvls: dict[str, float], *, name: str | None = None,
          category: str = "Lending", d1: float | None = 0.0, d7: float | None = 0.0,
          parent: str | None = None, symbol: str | None = None) -> Protocol:
    return Protocol(slug, name or slug.replace("-", " ").title(), category,
                    tuple(k for k in tvls if "-" not in k), tvls, d1, d7, parent, symbol)


# --- chainTvls keys ---------------------------------------------------------------------

EXTRAS = ["borrowed", "staking", "pool2", "vesting", "treasury", "offers", "doublecounted",
          "liquidstaking", "dcAndLsOverlap"]


@pytest.mark.parametrize("extra", EXTRAS)
def test_non_chain_keys_and_their_chain_forms_are_left_out(extra: str) -> None:
    raw = {"Ethereum": 100.0, "Arbitrum": 50.0, extra: 999.0, f"Ethereum-{extra}": 999.0,
           f"Arbitrum-{extra}": 7.0}
    assert core.chain_tvls(raw) == {"Ethereum": 100.0, "Arbitrum": 50.0}


def test_chain_tvls_by_display_name_largest_first() -> None:
    raw = {"Binance": 5.0, "Ethereum": 1.0, "OP Mainnet": 3.0, "Ethereum-borrowed": 9.0,
           "BORROWED": 9.0, "Terra": 0}
    # "Binance" is DeFiLlama's old key for BSC; zero stays a chain with zero TVL.
    assert list(core.chain_tvls(raw).items()) == [("BSC", 5.0), ("OP Mainnet", 3.0),
                                                  ("Ethereum", 1.0), ("Terra", 0.0)]


def test_extra_tvls_per_chain_or_bare() -> None:
    raw = {"Ethereum": 10.0, "Ethereum-borrowed": 4.0, "Polygon-borrowed": 1.5, "borrowed": 5.5}
    assert core.extra_tvls(raw, "borrowed") == {"Ethereum": 4.0, "Polygon": 1.5}
    assert core.extra_tvls({"Ethereum": 1.0, "staking": 3.0}, "staking") == {"": 3.0}


# --- parents and changes ----------------------------------------------------------------


def test_parent_sums_its_versions() -> None:
    v3 = proto("aave-v3", {"Ethereum": 300.0, "Ethereum-borrowed": 120.0, "Base": 100.0,
                           "borrowed": 120.0}, name="Aave V3", d1=10.0, d7=-20.0,
               parent="aave")
    v2 = proto("aave-v2", {"Ethereum": 50.0, "Polygon": 50.0, "staking": 77.0},
               name="Aave V2", d1=-50.0, d7=0.0, parent="aave")
    ref = core.resolve_protocol("aave", [v3, v2])
    assert ref.is_parent and ref.name == "Aave"
    tvl = core.protocol_tvl(ref)
    assert tvl.tvl == 500.0
    assert tvl.chain_tvls == {"Ethereum": 350.0, "Base": 100.0, "Polygon": 50.0}
    assert tvl.borrowed == {"Ethereum": 120.0}
    # 1d: 400 was 400/1.1 = 363.636..., 100 was 100/0.5 = 200 -> 500/563.636 - 1
    assert tvl.change_1d_pct == pytest.approx((500 / (400 / 1.1 + 200) - 1) * 100)
    # 7d: 400 was 500, 100 was 100 -> 500/600 - 1
    assert tvl.change_7d_pct == pytest.approx((500 / 600 - 1) * 100)
    on_base = core.protocol_tvl(ref, "Base")
    assert on_base.tvl == 100.0 and on_base.chain_tvls == {"Base": 100.0}


def test_combined_change_single_part_is_the_source_figure() -> None:
    assert core.combined_change([(123.0, 3.4)]) == 3.4
    assert core.combined_change([(1.0, None), (2.0, 1.0)]) is None
    assert core.combined_change([(0.0, None), (2.0, 1.0)]) == 1.0


# --- names ------------------------------------------------------------------------------

PROTOCOLS = [
    proto("aave-v3", {"Ethereum": 3.0}, name="Aave V3", parent="aave", symbol="AAVE"),
    proto("aave-v2", {"Ethereum": 1.0}, name="Aave V2", parent="aave", symbol="AAVE"),
    proto("compound-v3", {"Ethereum": 2.0}, name="Compound V3", parent="compound-finance"),
    proto("compound-v2", {"Ethereum": 1.0}, name="Compound V2", parent="compound-finance"),
    proto("lido", {"Ethereum": 9.0}, name="Lido", category="Liquid Staking", symbol="LDO"),
    proto("uniswap-v3", {"Ethereum": 2.0}, name="Uniswap V3", category="Dexs",
          parent="uniswap"),
]


@pytest.mark.parametrize(("query", "slug", "members"), [
    ("aave", "aave", {"aave-v3", "aave-v2"}),
    ("AAVE", "aave", {"aave-v3", "aave-v2"}),
    ("Aave V3", "aave-v3", {"aave-v3"}),
    ("aavev3", "aave-v3", {"aave-v3"}),
    ("aave-v2", "aave-v2", {"aave-v2"}),
    ("compound", "compound-finance", {"compound-v3", "compound-v2"}),
    ("Compound Finance", "compound-finance", {"compound-v3", "compound-v2"}),
    ("lido", "lido", {"lido"}),
    ("LDO", "lido", {"lido"}),
    ("uniswap", "uniswap", {"uniswap-v3"}),
])
def test_resolve_protocol(query: str, slug: str, members: set[str]) -> None:
    ref = core.resolve_protocol(query, PROTOCOLS)
    assert ref.slug == slug and {m.slug for m in ref.members} == members


def test_unknown_protocol_suggests() -> None:
    with pytest.raises(UsageError) as err:
        core.resolve_protocol("aavee", PROTOCOLS)
    assert "unknown protocol 'aavee'" in err.value.message
    assert err.value.hint and "Aave" in err.value.hint
    with pytest.raises(UsageError):
        core.resolve_protocol("zzzqqq", PROTOCOLS)


@pytest.mark.parametrize(("query", "name"), [
    ("optimism", "OP Mainnet"), ("OP", "OP Mainnet"), ("op mainnet", "OP Mainnet"),
    ("bsc", "BSC"), ("BNB Chain", "BSC"), ("avalanche", "Avalanche"), ("avax", "Avalanche"),
    ("ARBITRUM", "Arbitrum"), ("arbitrum one", "Arbitrum"), ("eth", "Ethereum"),
    ("hyperliquid", "Hyperliquid L1"), ("Hyperliquid L1", "Hyperliquid L1"),
])
def test_resolve_chain(query: str, name: str) -> None:
    known = ["Ethereum", "Arbitrum", "OP Mainnet", "BSC", "Avalanche", "Hyperliquid L1"]
    assert core.resolve_chain(query, known) == name


def test_unknown_chain_suggests() -> None:
    with pytest.raises(UsageError) as err:
        core.resolve_chain("arbitrun", ["Arbitrum", "Ethereum"])
    assert err.value.hint == "did you mean Arbitrum?"


def test_resolve_category() -> None:
    known = ["Dexs", "Lending", "Liquid Staking", "CDP"]
    assert core.resolve_category("lending", known) == "Lending"
    assert core.resolve_category("dex", known) == "Dexs"
    assert core.resolve_category("liquid-staking", known) == "Liquid Staking"
    with pytest.raises(UsageError):
        core.resolve_category("lendnig stuff", known)


# --- rankings ---------------------------------------------------------------------------


def test_rank_protocols_leaves_out_cex_and_sorts_missing_changes_last() -> None:
    rows = [proto("binance-cex", {"Bitcoin": 100.0}, category="CEX", d1=9.0),
            proto("a", {"Ethereum": 5.0, "Base": 1.0}, d1=2.0),
            proto("b", {"Base": 3.0}, d1=None),
            proto("c", {"Ethereum": 4.0}, d1=-1.0)]
    assert [r.slug for r in core.rank_protocols(rows)] == ["a", "c", "b"]
    assert [r.slug for r in core.rank_protocols(rows, sort="change_1d")] == ["a", "c", "b"]
    on_base = core.rank_protocols(rows, chain="Base")
    assert [(r.slug, r.tvl) for r in on_base] == [("b", 3.0), ("a", 1.0)]
    assert [r.slug for r in core.rank_protocols(rows, category="CEX")] == ["binance-cex"]
    assert len(core.rank_protocols(rows, limit=1)) == 1


def test_rank_chains_share_and_activity() -> None:
    chains = [{"name": "Ethereum", "tvl": 75.0, "tokenSymbol": "ETH"},
              {"name": "OP Mainnet", "tvl": 25.0, "tokenSymbol": "OP"}]
    activity = core.chain_activity([proto("a", {"Ethereum": 10.0, "Optimism": 5.0}, d1=25.0),
                                    proto("b", {"Ethereum": 10.0}, d1=None)])
    rows = core.rank_chains(chains, activity)
    assert [(r.name, r.share_pct) for r in rows] == [("Ethereum", 75.0), ("OP Mainnet", 25.0)]
    assert rows[0].protocols == 2 and rows[1].protocols == 1
    # Only protocols with a change count: 10 now was 10/1.25 = 8 -> +25%.
    assert rows[0].change_1d_pct == pytest.approx(25.0)


# --- series -----------------------------------------------------------------------------


def test_series_change_and_tail() -> None:
    day = 86400
    series = [(i * day, 100.0 + i) for i in range(10)] + [(9 * day + 3600 * 5, 120.0)]
    assert core.series_change(series, 1) == pytest.approx((120 / 108 - 1) * 100)
    assert core.series_change(series, 7) == pytest.approx((120 / 102 - 1) * 100)
    assert core.series_change(series[:1], 1) is None
    assert core.series_tail(series, 2) == series[-4:]  # days 7, 8, 9 and 9 + 5 h


# --- yields -----------------------------------------------------------------------------


def table(pools: list[Pool]) -> PoolTable:
    return PoolTable({name: [getattr(p, name) for p in pools] for name in core.POOL_FIELDS})


POOLS = [
    Pool("1", "aave-v3", "Arbitrum", "USDC", 5e8, 5.0, 5.0, None, stablecoin=True,
         il_risk="no", exposure="single"),
    Pool("2", "aave-v3", "Arbitrum", "USDC.E", 3e7, 4.0, 4.0, None, stablecoin=True,
         il_risk="no", exposure="single"),
    Pool("3", "uniswap-v3", "Arbitrum", "USDC-WETH", 4e7, 18.0, 18.0, None,
         il_risk="yes", exposure="multi"),
    Pool("4", "silo", "Arbitrum", "USDC", 2e6, 900.0, 10.0, 890.0, stablecoin=True,
         il_risk="no", exposure="single", outlier=True),
    Pool("5", "tiny", "Arbitrum", "USDC", 5000.0, 30.0, 30.0, None, stablecoin=True,
         il_risk="no", exposure="single"),
    Pool("6", "aave-v3", "OP Mainnet", "USDC", 1e8, 6.0, None, 6.0, stablecoin=True,
         il_risk="no", exposure="single"),
]


def test_token_matches_symbols_exactly() -> None:
    found = core.filter_pools(table(POOLS), YieldQuery(token="usdc"))
    assert [p.pool for p in found.pools] == ["3", "6", "1"]
    assert core.symbol_has("USDC-WETH", "weth") and not core.symbol_has("USDC.E", "USDC")
    dot_e = core.filter_pools(table(POOLS), YieldQuery(token="USDC.e"))
    assert [p.pool for p in dot_e.pools] == ["2"]
    both = core.filter_pools(table(POOLS), YieldQuery(token="weth, usdc.e"))
    assert [p.pool for p in both.pools] == ["3", "2"]


def test_outliers_and_small_pools_hidden_and_counted() -> None:
    found = core.filter_pools(table(POOLS), YieldQuery(chain="Arbitrum", stablecoin=True))
    assert [p.pool for p in found.pools] == ["1", "2"]
    assert (found.matched, found.hidden_outliers, found.hidden_small) == (2, 1, 1)
    every = core.filter_pools(table(POOLS), YieldQuery(chain="Arbitrum", stablecoin=True,
                                                       show_all=True))
    assert [p.pool for p in every.pools] == ["4", "5", "1", "2"]
    assert (every.hidden_outliers, every.hidden_small) == (0, 0)


def test_yield_filters_and_sorts() -> None:
    t = table(POOLS)
    q = core.filter_pools(t, YieldQuery(min_apy=5.5))
    assert [p.pool for p in q.pools] == ["3", "6"]
    assert [p.pool for p in core.filter_pools(t, YieldQuery(no_il=True)).pools] == [
        "6", "1", "2"]
    assert [p.pool for p in core.filter_pools(t, YieldQuery(exposure="multi")).pools] == ["3"]
    assert [p.pool for p in core.filter_pools(t, YieldQuery(sort="tvl")).pools] == [
        "1", "6", "3", "2"]
    # base APY: none sorts last
    assert [p.pool for p in core.filter_pools(t, YieldQuery(sort="apy_base")).pools] == [
        "3", "1", "2", "6"]
    assert [p.pool for p in core.filter_pools(t, YieldQuery(min_tvl=1e8)).pools] == ["6", "1"]
    assert [p.pool for p in core.filter_pools(
        t, YieldQuery(projects=frozenset({"aave-v3"}), chain="OP Mainnet")).pools] == ["6"]
    assert len(core.filter_pools(t, YieldQuery(limit=1)).pools) == 1


def test_pool_json_shape() -> None:
    assert list(POOLS[0].to_json()) == ["pool", "project", "chain", "symbol", "tvl_usd", "apy",
                                        "apy_base", "apy_reward", "stablecoin", "apy_mean_30d",
                                        "il_risk"]


def test_parse_money_and_percent() -> None:
    assert core.parse_money("1m") == 1e6 and core.parse_money("$250k") == 250e3
    assert core.parse_money("2.5B") == 2.5e9 and core.parse_money(None) is None
    assert core.parse_percent("8%") == 8.0
    with pytest.raises(UsageError):
        core.parse_money("lots")
    with pytest.raises(UsageError):
        core.parse_percent("high")


# --- compact files ----------------------------------------------------------------------


def test_compact_file_round_trip(tmp_path) -> None:
    path = tmp_path / "d" / "pools.cols"
    data = {"pool": ["a", "b", ""], "tvl": [1.5, 2, 0.0], "apy": [None, 3.25, 1e-9],
            "flag": [True, False, None], "meta": [None, "x", "é"], "tvls": [{"A": 1}, {}, None],
            "one": ["", "", ""]}
    write_compact(path, "http://x/pools", 1234.5, data)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    stored_at, back = read_compact(path, "http://x/pools")
    assert stored_at == 1234.5
    assert {k: back[k] for k in back} == {**data, "tvl": [1.5, 2.0, 0.0]}
    assert read_compact(path, "http://other/pools") is None
    write_compact(path, "u", 1.0, {"single": [""]})
    assert read_compact(path, "u")[1]["single"] == [""]
    write_compact(path, "u", 1.0, [[1, 2.5], [2, 3.5]])
    assert read_compact(path, "u") == (1.0, [[1, 2.5], [2, 3.5]])
    path.write_bytes(path.read_bytes()[:-3])  # damaged
    assert read_compact(path, "u") is None
    assert not list(path.parent.glob(".*tmp"))


def test_chart_tick_labels_tell_ticks_apart() -> None:
    from mobius_cli.render.defi import tick_labels

    assert tick_labels([102.8e9 + i * 0.6e9 for i in range(5)]) == [
        "102.8B", "103.4B", "104.0B", "104.6B", "105.2B"]
    assert tick_labels([1e9, 2e9, 3e9]) == ["1B", "2B", "3B"]
    assert tick_labels([10, 12.5, 15]) == ["10.0", "12.5", "15.0"]
