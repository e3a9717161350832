"""`mobius defi ...` end to end against the loopback DeFiLlama fake (tests/fakes.py), in
table, --json and --csv; expected numbers are worked out here from the fixture items."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path

import httpx
import pytest

from tests.fakes import FakeApis, load_fixture

NOT_CHAINS = {"borrowed", "staking", "pool2", "vesting", "treasury", "offers", "doublecounted",
              "liquidstaking", "dcandlsoverlap"}


def protocols() -> list[dict]:
    return load_fixture("llama_protocols") + load_fixture("llama_protocols_more")


def pools() -> list[dict]:
    return load_fixture("yields_pools")["data"] + load_fixture("yields_pools_more")


def real_chains(item: dict) -> dict[str, float]:
    """chainTvls without non-chain keys, in either form (worked independently of core)."""
    out = {}
    for key, value in item["chainTvls"].items():
        if key.lower() in NOT_CHAINS or key.rsplit("-", 1)[-1].lower() in NOT_CHAINS:
            continue
        out[key] = value
    return out


def by_slug(slug: str) -> dict:
    return next(p for p in protocols() if p["slug"] == slug)


def ok(result) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --- tvl ------------------------------------------------------------------------------


def test_tvl_parent_sums_versions_json(fake_apis: FakeApis) -> None:
    data = json.loads(ok(fake_apis.run_mobius("defi", "tvl", "aave", "--json")))
    assert list(data) == ["name", "slug", "tvl", "chain_tvls", "change_1d_pct",
                          "change_7d_pct"]
    v3, v2 = real_chains(by_slug("aave-v3")), real_chains(by_slug("aave-v2"))
    expected = {c: v3.get(c, 0) + v2.get(c, 0) for c in set(v3) | set(v2)}
    assert data["name"] == "Aave" and data["slug"] == "aave"
    assert data["chain_tvls"] == pytest.approx(expected)
    assert data["tvl"] == pytest.approx(sum(expected.values()))
    assert "Ethereum-borrowed" not in data["chain_tvls"] and "borrowed" not in data["chain_tvls"]
    assert list(data["chain_tvls"].values()) == sorted(data["chain_tvls"].values(), reverse=True)
    # the 1d change of the sum, from each version's TVL and change
    before = sum(sum(real_chains(by_slug(s)).values()) / (1 + by_slug(s)["change_1d"] / 100)
                 for s in ("aave-v3", "aave-v2"))
    assert data["change_1d_pct"] == pytest.approx((data["tvl"] / before - 1) * 100)


def test_tvl_non_chain_keys_left_out(fake_apis: FakeApis) -> None:
    for slug in ("pendle", "convex-finance", "eigenlayer"):
        data = json.loads(ok(fake_apis.run_mobius("defi", "tvl", slug, "--json")))
        item = by_slug(slug)
        assert data["chain_tvls"] == real_chains(item)
        assert data["tvl"] == pytest.approx(sum(real_chains(item).values()))
        assert data["change_1d_pct"] == item["change_1d"]
        assert data["change_7d_pct"] == item["change_7d"]


def test_tvl_of_a_protocol_on_one_chain(fake_apis: FakeApis) -> None:
    data = json.loads(ok(fake_apis.run_mobius("defi", "tvl", "aave", "--chain", "optimism",
                                              "--json")))
    op = by_slug("aave-v3")["chainTvls"]["OP Mainnet"]
    assert data["chain"] == "OP Mainnet" and data["tvl"] == op
    assert data["chain_tvls"] == {"OP Mainnet": op}
    none = fake_apis.run_mobius("defi", "tvl", "lido", "--chain", "base", "--json")
    assert json.loads(ok(none))["tvl"] == 0 and "no TVL on Base" in none.stderr


def test_tvl_table_shows_breakdown_and_borrowed_apart(fake_apis: FakeApis) -> None:
    out = ok(fake_apis.run_mobius("defi", "tvl", "aave"))
    assert "TVL — Aave (aave)" in out and "Versions" in out
    assert "aave-v3 $31.27B, aave-v2 $914.78M" in out
    assert "Borrowed (not in TVL)" in out and "By chain" in out
    assert "OP Mainnet" in out and "$32.19B" in out
    assert "borrowed" not in out.split("By chain")[1].split("Borrowed")[0].lower()


def test_tvl_csv_is_the_chain_breakdown(fake_apis: FakeApis) -> None:
    out = rows(ok(fake_apis.run_mobius("defi", "tvl", "lido", "--csv")))
    assert [r["chain"] for r in out] == ["Ethereum", "Solana", "Moonbeam", "Moonriver", "Terra"]
    assert float(out[0]["tvl"]) == by_slug("lido")["chainTvls"]["Ethereum"]
    assert sum(float(r["share_pct"]) for r in out) == pytest.approx(100)


def test_tvl_of_a_chain_by_alias(fake_apis: FakeApis) -> None:
    data = json.loads(ok(fake_apis.run_mobius("defi", "tvl", "--chain", "optimism", "--json")))
    op = next(c for c in load_fixture("llama_chains") if c["name"] == "OP Mainnet")
    assert data == {"chain": "OP Mainnet", "tvl": op["tvl"]}
    assert fake_apis.count("/v2/historicalChainTvl") == 0  # JSON needs no history
    out = ok(fake_apis.run_mobius("defi", "tvl", "--chain", "BSC"))
    assert "BSC (chain)" in out and "24h change" in out and "7d change" in out
    table = rows(ok(fake_apis.run_mobius("defi", "tvl", "--chain", "avalanche", "--csv")))
    assert table == [{"chain": "Avalanche", "tvl": "1512334556.9"}]


def test_tvl_of_all_defi(fake_apis: FakeApis) -> None:
    data = json.loads(ok(fake_apis.run_mobius("defi", "tvl", "--json")))
    chains = load_fixture("llama_chains")
    assert data["tvl"] == pytest.approx(sum(c["tvl"] for c in chains))
    assert data["chain_tvls"]["Ethereum"] == chains[0]["tvl"]
    series = httpx.get(fake_apis.url("defillama", "/v2/historicalChainTvl")).json()
    assert data["change_1d_pct"] == pytest.approx((series[-1]["tvl"] / series[-2]["tvl"] - 1)
                                                  * 100)
    assert data["change_7d_pct"] == pytest.approx((series[-1]["tvl"] / series[-8]["tvl"] - 1)
                                                  * 100)
    assert "All of DeFi" in ok(fake_apis.run_mobius("defi", "tvl"))


def test_tvl_history_table_csv_json_and_chart(fake_apis: FakeApis) -> None:
    detail = fake_apis.protocol_detail("lido")
    expected = detail["tvl"][-3:]
    data = json.loads(ok(fake_apis.run_mobius("defi", "tvl", "lido", "--days", "2", "--json")))
    assert [p["tvl"] for p in data["history"]] == [p["totalLiquidityUSD"] for p in expected]
    assert data["history"][-1]["date"].endswith("Z")
    csv_rows = rows(ok(fake_apis.run_mobius("defi", "tvl", "lido", "--days", "2", "--csv")))
    assert list(csv_rows[0]) == ["date", "tvl"] and len(csv_rows) == 3
    table = ok(fake_apis.run_mobius("defi", "tvl", "lido", "--days", "7"))
    assert "TVL history — last 7 days" in table
    chart = ok(fake_apis.run_mobius("defi", "tvl", "aave", "--chart"))
    assert "TVL of Aave — last 30 days" in chart and "\x1b[" not in chart


def test_parent_history_sums_versions_when_the_parent_is_unknown(fake_apis: FakeApis) -> None:
    fake_apis.respond("/llama/protocol/aave", "Not found", status=404,
                      content_type="text/plain; charset=utf-8")
    data = json.loads(ok(fake_apis.run_mobius("defi", "tvl", "aave", "--days", "1", "--json")))
    v3 = fake_apis.protocol_detail("aave-v3")["tvl"]
    v2 = fake_apis.protocol_detail("aave-v2")["tvl"]
    assert data["history"][-1]["tvl"] == pytest.approx(
        v3[-1]["totalLiquidityUSD"] + v2[-1]["totalLiquidityUSD"])


# --- protocols and chains ---------------------------------------------------------------


def test_protocols_ranking_json_table_csv(fake_apis: FakeApis) -> None:
    data = json.loads(ok(fake_apis.run_mobius("defi", "protocols", "--json")))
    expected = sorted((p for p in protocols() if p["category"] != "CEX"),
                      key=lambda p: -sum(real_chains(p).values()))
    assert [r["slug"] for r in data] == [p["slug"] for p in expected][:20]
    assert list(data[0]) == ["rank", "name", "slug", "category", "tvl", "change_1d_pct",
                             "change_7d_pct", "chains"]
    out = ok(fake_apis.run_mobius("defi", "protocols", "-n", "3"))
    assert "Protocols by TVL" in out and "CEXs left out" in out and "Binance CEX" not in out
    table = rows(ok(fake_apis.run_mobius("defi", "protocols", "--csv", "-n", "2")))
    assert [r["rank"] for r in table] == ["1", "2"] and ";" in table[0]["chains"]


def test_protocols_on_a_chain_in_a_category(fake_apis: FakeApis) -> None:
    data = json.loads(ok(fake_apis.run_mobius("defi", "protocols", "--chain", "base",
                                              "--category", "lending", "--json")))
    expected = sorted(((p["slug"], real_chains(p)["Base"]) for p in protocols()
                       if p["category"] == "Lending" and real_chains(p).get("Base")),
                      key=lambda x: -x[1])
    assert [(r["slug"], r["tvl"]) for r in data] == expected
    changes = json.loads(ok(fake_apis.run_mobius("defi", "protocols", "--sort", "change_7d",
                                                 "--json")))
    values = [r["change_7d_pct"] for r in changes]
    known = [v for v in values if v is not None]
    assert known == sorted(known, reverse=True) and values[-1] is None  # Morpho: no 7d
    cex = json.loads(ok(fake_apis.run_mobius("defi", "protocols", "--category", "cex",
                                             "--json")))
    assert [r["slug"] for r in cex] == ["binance-cex"]


def test_chains_ranking(fake_apis: FakeApis) -> None:
    listed = load_fixture("llama_chains")
    data = json.loads(ok(fake_apis.run_mobius("defi", "chains", "--json")))
    assert [r["name"] for r in data] == [c["name"] for c in
                                         sorted(listed, key=lambda c: -c["tvl"])]
    total = sum(c["tvl"] for c in listed)
    assert data[0]["share_pct"] == pytest.approx(listed[0]["tvl"] / total * 100)
    op = next(r for r in data if r["name"] == "OP Mainnet")
    on_op = [p for p in protocols() if real_chains(p).get("OP Mainnet")]
    assert op["protocols"] == len(on_op) == 3
    out = ok(fake_apis.run_mobius("defi", "chains", "-n", "3"))
    assert "Chains by TVL" in out and "estimated" in out
    assert len(rows(ok(fake_apis.run_mobius("defi", "chains", "--csv", "-n", "4")))) == 4


def test_chains_without_the_protocol_list(fake_apis: FakeApis) -> None:
    fake_apis.fail("/llama/protocols", status=500, times=None)
    result = fake_apis.run_mobius("defi", "chains", "--json")
    data = json.loads(ok(result))
    assert data[0]["name"] == "Ethereum" and data[0]["protocols"] is None
    assert "no protocol counts" in result.stderr


# --- yields ---------------------------------------------------------------------------


def test_yields_stable_on_arbitrum(fake_apis: FakeApis) -> None:
    result = fake_apis.run_mobius("defi", "yields", "--chain", "arbitrum", "--stable", "--json")
    data = json.loads(ok(result))
    expected = sorted((p for p in pools() if p["chain"] == "Arbitrum" and p["stablecoin"]
                       and not p["outlier"] and p["tvlUsd"] >= 10_000),
                      key=lambda p: -p["apy"])
    assert [d["pool"] for d in data] == [p["pool"] for p in expected]
    assert list(data[0]) == ["pool", "project", "chain", "symbol", "tvl_usd", "apy",
                             "apy_base", "apy_reward", "stablecoin", "apy_mean_30d", "il_risk"]
    assert "hid 1 outlier pool and 1 pool under $10k TVL (--all shows them)" in result.stderr
    every = json.loads(ok(fake_apis.run_mobius("defi", "yields", "--chain", "arbitrum",
                                               "--stable", "--all", "--json")))
    assert len(every) == len(data) + 2 and every[0]["apy"] == 950.0


def test_yields_token_is_exact_and_op_mainnet_alias(fake_apis: FakeApis) -> None:
    data = json.loads(ok(fake_apis.run_mobius("defi", "yields", "--token", "usdc", "--chain",
                                              "optimism", "--json")))
    assert {d["chain"] for d in data} == {"OP Mainnet"}
    assert all("USDC" in d["symbol"].split("-") for d in data) and len(data) == 2
    usdc = json.loads(ok(fake_apis.run_mobius("defi", "yields", "--token", "USDC", "-n", "100",
                                              "--json")))
    assert usdc and all("USDC" in d["symbol"].split("-") for d in usdc)
    dot_e = json.loads(ok(fake_apis.run_mobius("defi", "yields", "--token", "usdc.e",
                                               "--json")))
    assert [d["symbol"] for d in dot_e] == ["USDC.E"]
    staked = json.loads(ok(fake_apis.run_mobius("defi", "yields", "--token", "steth,jitosol",
                                                "--json")))
    assert sorted(d["symbol"] for d in staked) == ["JITOSOL", "STETH"]


def test_yields_staking_lists_staked_forms_on_staking_protocols(fake_apis: FakeApis) -> None:
    # Worked from the fixtures: the protocols whose category is a kind of staking, and
    # their pools (outliers and pools under $10k aside) whose symbol holds the token.
    stakers = {p["slug"] for p in protocols() if "staking" in (p.get("category") or "").lower()}
    shown = [p for p in pools() if p["project"] in stakers and not p.get("outlier")
             and p["tvlUsd"] >= 10_000]
    eth = json.loads(ok(fake_apis.run_mobius("defi", "yields", "--token", "eth", "--staking",
                                             "--json")))
    assert [d["symbol"] for d in eth] == [p["symbol"] for p in shown if "ETH" in p["symbol"]]
    assert eth and all(d["project"] in stakers for d in eth)
    every = json.loads(ok(fake_apis.run_mobius("defi", "yields", "--staking", "-n", "100",
                                               "--json")))
    assert sorted(d["pool"] for d in every) == sorted(p["pool"] for p in shown)
    assert {"STETH", "JITOSOL"} <= {d["symbol"] for d in every}
    plain = json.loads(ok(fake_apis.run_mobius("defi", "yields", "--token", "eth", "-n", "100",
                                               "--json")))
    assert "STETH" not in {d["symbol"] for d in plain}  # without --staking: exact symbols
    table = ok(fake_apis.run_mobius("defi", "yields", "--token", "sol", "--staking"))
    assert "SOL staking pools" in table and "JITOSOL" in table and "STETH" not in table


def test_where_can_i_stake_eth_shows_staking_pools(fake_apis: FakeApis) -> None:
    done = fake_apis.run_mobius("ask", "where can I stake eth")
    assert "defi yields --token ETH --staking" in done.stderr
    assert "STETH" in ok(done) and "lido" in done.stdout
    lent = fake_apis.run_mobius("ask", "where can I lend usdc")
    assert "--staking" not in lent.stderr and lent.returncode == 0


def test_yields_protocol_parent_filters_and_csv(fake_apis: FakeApis) -> None:
    data = json.loads(ok(fake_apis.run_mobius("defi", "yields", "--protocol", "aave", "--sort",
                                              "tvl", "-n", "100", "--json")))
    expected = [p for p in pools() if p["project"] in ("aave-v3", "aave-v2")
                and p["tvlUsd"] >= 10_000 and not p["outlier"]]
    assert len(data) == len(expected)
    assert [d["tvl_usd"] for d in data] == sorted((p["tvlUsd"] for p in expected), reverse=True)
    out = rows(ok(fake_apis.run_mobius("defi", "yields", "--min-apy", "8", "--no-il",
                                       "--min-tvl", "10m", "--csv")))
    assert out and all(float(r["apy"]) >= 8 and r["il_risk"] == "no"
                       and float(r["tvl_usd"]) >= 10e6 for r in out)
    assert out[0]["stablecoin"] in ("true", "false")
    shown = json.loads(ok(fake_apis.run_mobius("defi", "yields", "--exposure", "multi",
                                               "--json")))
    multi = {p["pool"] for p in pools() if p["exposure"] == "multi"}
    assert shown and {d["pool"] for d in shown} <= multi  # single: test_audit_defi_gas.py


def test_yields_table(fake_apis: FakeApis) -> None:
    out = ok(fake_apis.run_mobius("defi", "yields", "--chain", "arbitrum", "--stable",
                                  env={"COLUMNS": "120"}))
    assert "Stablecoin pools on Arbitrum" in out
    assert "USDC-USDT (0.01%)" in out and "30d mean" in out and "Reward" in out
    assert "hid 1 outlier pool" in out
    narrow = ok(fake_apis.run_mobius("defi", "yields", "--chain", "arbitrum", "--stable",
                                     env={"COLUMNS": "80"}))
    assert "USDC-USDT (0.01%)" in narrow and "30d mean" not in narrow
    assert all(len(line) <= 80 for line in narrow.splitlines())


# --- compare --------------------------------------------------------------------------


def test_compare_protocols(fake_apis: FakeApis) -> None:
    data = json.loads(ok(fake_apis.run_mobius("defi", "compare", "aave", "compound",
                                              "--json")))
    assert [d["slug"] for d in data] == ["aave", "compound-finance"]
    comp = sum(sum(real_chains(by_slug(s)).values()) for s in ("compound-v3", "compound-v2"))
    assert data[1]["tvl"] == pytest.approx(comp)
    best = [p for p in pools() if p["project"] in ("compound-v3", "compound-v2")
            and not p["outlier"] and p["tvlUsd"] >= 10_000]
    best.sort(key=lambda p: -p["apy"])
    assert [b["pool"] for b in data[1]["best_pools"]] == [p["pool"] for p in best[:3]]
    out = ok(fake_apis.run_mobius("defi", "compare", "aave", "lido"))
    assert "Aave" in out and "Lido" in out and "Best pools" in out
    table = rows(ok(fake_apis.run_mobius("defi", "compare", "aave", "lido", "--csv")))
    assert [r["slug"] for r in table] == ["aave", "lido"]


# --- names, errors, cache ---------------------------------------------------------------


@pytest.mark.parametrize(("args", "words"), [
    (("defi", "tvl", "aavee"), "did you mean Aave?"),
    (("defi", "yields", "--chain", "arbitrun"), "did you mean Arbitrum?"),
    (("defi", "tvl", "--chain", "optimismm"), "unknown chain"),
    (("defi", "protocols", "--category", "lendign"), "did you mean Lending?"),
    (("defi", "compare", "aave"), "at least two"),
    (("defi", "yields", "--sort", "fees"), "--sort must be one of"),
    (("defi", "yields", "--exposure", "both"), "--exposure must be"),
])
def test_usage_errors_exit_2(fake_apis: FakeApis, args: tuple[str, ...], words: str) -> None:
    result = fake_apis.run_mobius(*args)
    assert result.returncode == 2, result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr


def test_big_bodies_cached_compactly(fake_apis: FakeApis) -> None:
    ok(fake_apis.run_mobius("defi", "yields", "--stable"))
    ok(fake_apis.run_mobius("defi", "yields", "--chain", "base", "--json"))
    ok(fake_apis.run_mobius("defi", "protocols"))
    ok(fake_apis.run_mobius("defi", "tvl", "lido"))
    assert fake_apis.count("/yields/pools") == 1 and fake_apis.count("/llama/protocols") == 1
    folder = Path(os.environ["MOBIUS_HOME"]) / "cache" / "defillama"
    files = sorted(folder.iterdir())
    assert [f.name.split("-")[0] for f in files] == ["pools", "protocols"]
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    offline = fake_apis.run_mobius("--offline", "defi", "yields", "--token", "usdc", "--json")
    assert json.loads(ok(offline)) and "offline" in offline.stderr
    assert fake_apis.count("/yields/pools") == 1
    # The compact files are the cache: the raw lists stay out of the shared response cache.
    import sqlite3

    db = sqlite3.connect(Path(os.environ["MOBIUS_HOME"]) / "cache" / "http-cache.sqlite3")
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    keys = [k for (k,) in db.execute("SELECT key FROM responses")] if "responses" in tables \
        else []
    db.close()
    assert not [k for k in keys if "/pools" in k or k.rstrip("/").endswith("/protocols")]


def test_source_down_exit_1_and_offline_without_cache(fake_apis: FakeApis) -> None:
    fake_apis.fail("/yields", status=500, times=None)
    result = fake_apis.run_mobius("defi", "yields")
    assert result.returncode == 1 and "DeFiLlama" in result.stderr
    assert "Traceback" not in result.stderr
    offline = fake_apis.run_mobius("--offline", "defi", "protocols")
    assert offline.returncode == 1 and "offline" in offline.stderr


def test_stale_compact_copy_used_when_the_source_fails(fake_apis: FakeApis) -> None:
    from mobius_cli.providers import defillama

    ok(fake_apis.run_mobius("defi", "protocols"))
    folder = Path(os.environ["MOBIUS_HOME"]) / "cache" / "defillama"
    [path] = folder.glob("protocols-*")
    url = fake_apis.url("defillama", "/protocols")
    stored_at, data = defillama.read_compact(path, url)
    defillama.write_compact(path, url, stored_at - 7200, {k: data[k] for k in data})
    # (the raw body was never in the HTTP cache: the compact file is the only copy)
    fake_apis.fail("/llama", status=500, times=None)
    result = fake_apis.run_mobius("defi", "protocols", "--json")
    assert json.loads(ok(result)) and "stale" in result.stderr


def test_cache_clear_also_forgets_the_compact_lists(fake_apis: FakeApis) -> None:
    ok(fake_apis.run_mobius("defi", "protocols"))
    folder = Path(os.environ["MOBIUS_HOME"]) / "cache" / "defillama"
    assert any(folder.iterdir())
    cleared = fake_apis.run_mobius("cache", "clear")
    assert cleared.returncode == 0 and "kept files" in cleared.stderr
    assert not any(folder.iterdir())
    ok(fake_apis.run_mobius("defi", "protocols"))
    assert fake_apis.count("/llama/protocols") == 2  # fetched afresh
