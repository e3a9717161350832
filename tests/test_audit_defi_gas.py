"""Audit follow-ups for gas and DeFi: native gas costs in the tables, `gas --all` in
parallel, per-chain node settings, yields filters and JSON, protocol aliases, the first
download's progress message. End to end in-process against the loopback fakes."""

from __future__ import annotations

import json
import time

import pytest

from tests.fakes import FakeApis, terminal_app

GWEI = 10**9
# 20 blocks: base fee 30 gwei next; tips 1 / 2 / 12 gwei at every block (medians the same).
BASE = [30 * GWEI] * 21
REWARDS = [[1 * GWEI, 2 * GWEI, 12 * GWEI]] * 20
HEAD = 19_000_000


def ok(result) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def cost_lines(text: str) -> dict[str, list[str]]:
    return {line.split()[0]: line.split() for line in text.splitlines()
            if line.strip().startswith(("slow ", "standard ", "fast "))}


# --- 1. gas: the costs in the native coin in the table --------------------------------


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_gas_table_shows_native_and_vs_costs(fake_apis: FakeApis, columns: int) -> None:
    fake_apis.set_fee_history("ethereum", BASE, REWARDS, head=HEAD, chain_id=1)
    data = json.loads(ok(fake_apis.run_mobius("gas", "--json")))
    out = ok(fake_apis.run_mobius("gas", env={"COLUMNS": str(columns)}))
    assert "…" not in out
    assert all(len(line.rstrip()) <= columns for line in out.splitlines())
    rows = cost_lines(out)
    # By hand: 21,000 gas × (30 + 1 | 2 | 12) gwei and 150,000 gas × the same, in ETH.
    expected = {"slow": ("0.000651", "0.00465"), "standard": ("0.000672", "0.0048"),
                "fast": ("0.000882", "0.0063")}
    for tier, (transfer, swap) in expected.items():
        cells = rows[tier]
        assert transfer in cells and swap in cells, (tier, out)
        usd = data["costs"]["swap"][tier]
        assert f"${usd:,.2f}" in cells, (tier, out)  # and in the vs currency beside them
    assert "ETH" in out and "USD" in out


def test_gas_table_without_a_price_shows_the_native_costs(fake_apis: FakeApis) -> None:
    fake_apis.set_fee_history("ethereum", BASE, REWARDS, head=HEAD, chain_id=1)
    fake_apis.fail("/simple/price", status=500, times=None)
    assert ok(fake_apis.run_mobius("config", "set", "retries", "0")) is not None
    result = fake_apis.run_mobius("gas")
    out = ok(result)
    assert "native coins only" in result.stderr
    assert "0.000672" in cost_lines(out)["standard"]
    assert "$" not in out and "USD" not in out


def test_gas_all_shows_native_costs_with_their_coin_when_wide(fake_apis: FakeApis) -> None:
    chains = (("Ethereum", "ethereum", 1, "ETH"), ("Polygon PoS", "polygon", 137, "POL"),
              ("Avalanche C-Chain", "avalanche", 43114, "AVAX"))
    for _, chain, chain_id, _ in chains:
        fake_apis.set_fee_history(chain, BASE, REWARDS, head=HEAD, chain_id=chain_id)
    data = {d["chain"]: d for d in json.loads(ok(fake_apis.run_mobius("gas", "--all",
                                                                      "--json")))}
    out = ok(fake_apis.run_mobius("gas", "--all", env={"COLUMNS": "160"}))
    assert "…" not in out
    for title, chain, _, coin in chains:
        [line] = [x for x in out.splitlines() if x.strip().startswith(title)]
        # at the standard tier: 21,000 / 150,000 gas × 32 gwei in the chain's coin
        assert f" 0.000672 {coin} " in line and f" 0.0048 {coin} " in line, line
        usd = data[chain]["costs"]["transfer"]["standard"]
        assert f"${usd:,.2f}" in line or f"${usd:.2g}" in line, (usd, line)


# --- 2. gas --all in parallel; per-chain node settings --------------------------------


def test_gas_all_asks_the_nodes_in_parallel(fake_apis: FakeApis) -> None:
    delay = 0.5
    fake_apis.delay("/rpc", seconds=delay)  # every chain's node answers after 0.5 s
    chains = len(fake_apis.rpc_chains)
    start = time.perf_counter()
    data = json.loads(ok(fake_apis.run_mobius("gas", "--all", "--json")))
    took = time.perf_counter() - start
    assert len(data) == chains >= 7
    asked = [r.time for r in fake_apis.requests_to("/rpc")]
    assert len(asked) == chains  # one batched call per chain
    # One after another would take chains × 0.5 s = 3.5 s, each request starting 0.5 s after
    # the one before; in parallel they all start before the first answer comes back.
    assert took < chains * delay / 2, took
    assert max(asked) - min(asked) < delay * 2, asked


def test_rpc_url_config_key_per_chain_and_env_overrides(fake_apis: FakeApis) -> None:
    # A second Arbitrum node on the fake, with its own head block.
    fake_apis.set_fee_history("arbmirror", BASE, REWARDS, head=HEAD, chain_id=42161)
    mirror = fake_apis.url("rpc", "/arbmirror")
    ok(fake_apis.run_mobius("config", "set", "rpc_url_arbitrum", mirror))
    fake_apis.reset_requests()
    # No environment variable for Arbitrum: the config key is the node asked.
    unset = {"MOBIUS_RPC_URL_ARBITRUM": ""}
    data = json.loads(ok(fake_apis.run_mobius("gas", "--chain", "arbitrum", "--json",
                                              env=unset)))
    assert data["chain"] == "arbitrum" and data["block"] == HEAD
    assert fake_apis.count("/rpc/arbmirror") == 1 and fake_apis.count("/rpc/arbitrum") == 0
    shown = ok(fake_apis.run_mobius("config", "get", "rpc_url_arbitrum", env=unset))
    assert mirror in shown
    # The environment variable wins over the config file.
    fake_apis.reset_requests()
    data = json.loads(ok(fake_apis.run_mobius("gas", "--chain", "arbitrum", "--json")))
    assert data["block"] != HEAD
    assert fake_apis.count("/rpc/arbitrum") == 1 and fake_apis.count("/rpc/arbmirror") == 0


def test_a_bad_rpc_url_config_value_is_one_line_exit_2(fake_apis: FakeApis) -> None:
    result = fake_apis.run_mobius("config", "set", "rpc_url_base", "ftp://nope")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) <= 2  # the error and at most a hint
    assert "Traceback" not in result.stderr


# --- 3. yields: --exposure, --sort apy_base, the first download's progress -------------


def fixture_pools() -> list[dict]:
    from tests.fakes import load_fixture

    return load_fixture("yields_pools")["data"] + load_fixture("yields_pools_more")


def shown_by_default(pool: dict) -> bool:
    """What `defi yields` shows without --all: no outliers, no pool under $10k TVL."""
    return not pool["outlier"] and pool["tvlUsd"] >= 10_000


@pytest.mark.parametrize("kind", ["single", "multi"])
def test_yields_exposure(fake_apis: FakeApis, kind: str) -> None:
    data = json.loads(ok(fake_apis.run_mobius("defi", "yields", "--exposure", kind, "-n", "100",
                                              "--json")))
    expected = sorted((p for p in fixture_pools() if p["exposure"] == kind
                       and shown_by_default(p)), key=lambda p: (-p["apy"], -p["tvlUsd"]))
    assert len(expected) >= 5
    assert [d["pool"] for d in data] == [p["pool"] for p in expected]
    other = {p["pool"] for p in fixture_pools() if p["exposure"] != kind}
    assert other and not other & {d["pool"] for d in data}
    # the same pools in CSV, with the exposure column saying so
    rows = ok(fake_apis.run_mobius("defi", "yields", "--exposure", kind.upper(), "-n", "100",
                                   "--csv")).splitlines()
    assert len(rows) == len(expected) + 1
    header = rows[0].split(",")
    assert {row.split(",")[header.index("exposure")] for row in rows[1:]} == {kind}


def test_yields_sort_apy_base(fake_apis: FakeApis) -> None:
    data = json.loads(ok(fake_apis.run_mobius("defi", "yields", "--sort", "apy_base",
                                              "-n", "100", "--json")))
    shown = [p for p in fixture_pools() if shown_by_default(p)]
    # Highest base APY first; pools without a base APY last (by TVL among themselves).
    with_base = sorted((p for p in shown if p["apyBase"] is not None),
                       key=lambda p: (-p["apyBase"], -p["tvlUsd"]))
    without = sorted((p for p in shown if p["apyBase"] is None), key=lambda p: -p["tvlUsd"])
    assert without  # the fixture has reward-only pools: they must not lead
    assert [d["pool"] for d in data] == [p["pool"] for p in with_base + without]
    bases = [d["apy_base"] for d in data if d["apy_base"] is not None]
    assert bases == sorted(bases, reverse=True)
    # it is not the total-APY order: velodrome's 45% is all reward
    assert data[0]["pool"] != json.loads(ok(fake_apis.run_mobius(
        "defi", "yields", "-n", "1", "--json")))[0]["pool"]


def _terminal_app(fake_apis: FakeApis, monkeypatch, **flags):
    """tests.fakes.terminal_app, and the messages of every spinner it starts."""
    app, err, out = terminal_app(fake_apis, monkeypatch, **flags)
    started: list[str] = []
    real_status = app.err.status

    def status(message, *args, **kwargs):
        started.append(str(message))
        return real_status(message, *args, **kwargs)

    monkeypatch.setattr(app.err, "status", status)
    return app, started, err, out


def test_first_download_shows_progress_on_a_terminal_only(fake_apis: FakeApis,
                                                          monkeypatch) -> None:
    from mobius_cli.commands.defi import show_yields

    app, started, err, out = _terminal_app(fake_apis, monkeypatch)
    show_yields(app, chain="arbitrum")
    downloads = [m for m in started if m.startswith("Downloading every yield pool")]
    assert downloads == ["Downloading every yield pool (~15 MB, kept for an hour) from "
                         "DeFiLlama…"], started
    assert "Downloading every yield pool" in err.getvalue()  # drawn on the terminal
    assert "Downloading" not in out.getvalue() and "aave-v3" in out.getvalue()
    # Warm: read back from the compact cache, nothing to download, no progress.
    app, started, err, out = _terminal_app(fake_apis, monkeypatch)
    show_yields(app, chain="arbitrum")
    assert not [m for m in started if m.startswith("Downloading")], started
    assert fake_apis.count("/pools") == 1


@pytest.mark.parametrize("flags", [{"quiet": True}, {"json": True}])
def test_first_download_progress_never_in_quiet_or_json_output(fake_apis: FakeApis,
                                                               monkeypatch, flags) -> None:
    from mobius_cli.commands.defi import show_yields

    app, started, err, out = _terminal_app(fake_apis, monkeypatch, **flags)
    show_yields(app, chain="arbitrum")
    assert fake_apis.count("/pools") == 1  # a cold cache: it did download
    if flags.get("quiet"):
        assert started == [] and "Downloading" not in err.getvalue()
    assert "Downloading" not in out.getvalue()
    if flags.get("json"):
        assert json.loads(out.getvalue())  # stdout is the JSON alone


def test_first_download_in_a_pipe_prints_no_progress(fake_apis: FakeApis) -> None:
    for args in (("defi", "yields"), ("defi", "yields", "--json"), ("defi", "protocols")):
        result = fake_apis.run_mobius(*args)
        assert result.returncode == 0, result.stderr
        assert "Downloading" not in result.stderr + result.stdout
        assert "\x1b" not in result.stderr  # no spinner frames either
    assert fake_apis.count("/pools") == 1 and fake_apis.count("/protocols") == 1


# --- 5. yields --json carries the 30-day mean APY and the IL risk ----------------------


def test_yields_json_has_mean_apy_and_il_risk_like_the_csv(fake_apis: FakeApis) -> None:
    import csv
    import io

    data = json.loads(ok(fake_apis.run_mobius("defi", "yields", "-n", "100", "--json")))
    rows = list(csv.DictReader(io.StringIO(ok(fake_apis.run_mobius(
        "defi", "yields", "-n", "100", "--csv")))))
    raw = {p["pool"]: p for p in fixture_pools()}
    assert len(data) == len(rows) > 10
    for item, row in zip(data, rows, strict=True):
        source = raw[item["pool"]]
        assert item["apy_mean_30d"] == source["apyMean30d"]
        assert item["il_risk"] == source["ilRisk"] in ("yes", "no")
        assert row["pool"] == item["pool"]
        assert float(row["apy_mean_30d"]) == item["apy_mean_30d"]
        assert row["il_risk"] == item["il_risk"]
    # `--no-il` keeps exactly the pools whose JSON says il_risk "no"
    safe = json.loads(ok(fake_apis.run_mobius("defi", "yields", "--no-il", "-n", "100",
                                              "--json")))
    assert [d["pool"] for d in safe] == [d["pool"] for d in data if d["il_risk"] == "no"]
    # compare's best pools are rows as in yields
    side = json.loads(ok(fake_apis.run_mobius("defi", "compare", "aave", "uniswap",
                                              "--json")))[0]
    assert {"apy_mean_30d", "il_risk"} <= set(side["best_pools"][0])


# --- 4. protocol names as people and the NL parser give them ---------------------------

NON_CHAIN = {"borrowed", "staking", "pool2", "vesting", "treasury", "offers", "doublecounted",
             "liquidstaking", "dcandlsoverlap"}


def fixture_protocols() -> list[dict]:
    from tests.fakes import load_fixture

    return load_fixture("llama_protocols") + load_fixture("llama_protocols_more")


def chain_tvl(item: dict) -> float:
    """A /protocols item's TVL: its chains' values without the non-chain keys."""
    return sum(v for k, v in item["chainTvls"].items()
               if k.lower() not in NON_CHAIN and k.rsplit("-", 1)[-1].lower() not in NON_CHAIN)


@pytest.mark.parametrize(("name", "slug", "members"), [
    # the NL contract's normalised values (nl-commands.md, entity `protocol`)
    ("curve", "curve-finance", ("curve-dex", "curve-llamalend")),
    ("makerdao", "makerdao", ("makerdao",)),
    ("rocket-pool", "rocket-pool", ("rocket-pool",)),
    ("compound", "compound-finance", ("compound-v3", "compound-v2")),
    # and what people type
    ("curve finance", "curve-finance", ("curve-dex", "curve-llamalend")),
    ("Curve Finance", "curve-finance", ("curve-dex", "curve-llamalend")),
    ("rocketpool", "rocket-pool", ("rocket-pool",)),
    ("Rocket Pool", "rocket-pool", ("rocket-pool",)),
    ("maker dao", "makerdao", ("makerdao",)),
    ("maker", "makerdao", ("makerdao",)),
    ("Maker-DAO", "makerdao", ("makerdao",)),
    ("aave protocol", "aave", ("aave-v3", "aave-v2")),
    ("lido dao", "lido", ("lido",)),
    ("convex", "convex-finance", ("convex-finance",)),
    ("curve dex", "curve-dex", ("curve-dex",)),
])
def test_defi_tvl_resolves_aliases(fake_apis: FakeApis, name: str, slug: str,
                                   members: tuple[str, ...]) -> None:
    data = json.loads(ok(fake_apis.run_mobius("defi", "tvl", name, "--json")))
    assert data["slug"] == slug
    items = {p["slug"]: p for p in fixture_protocols()}
    assert data["tvl"] == pytest.approx(sum(chain_tvl(items[m]) for m in members), rel=1e-12)


def test_aliases_work_in_yields_and_compare(fake_apis: FakeApis) -> None:
    pools = json.loads(ok(fake_apis.run_mobius("defi", "yields", "--protocol", "curve finance",
                                               "-n", "100", "--json")))
    expected = {p["pool"] for p in fixture_pools()
                if p["project"] in ("curve-dex", "curve-llamalend") and shown_by_default(p)}
    assert expected and {p["pool"] for p in pools} == expected
    sides = json.loads(ok(fake_apis.run_mobius("defi", "compare", "maker dao", "rocketpool",
                                               "curve", "--json")))
    assert [s["slug"] for s in sides] == ["makerdao", "rocket-pool", "curve-finance"]


@pytest.mark.parametrize(("name", "suggestion"), [
    ("curv", "Curve"), ("rocketpol", "Rocket Pool"), ("makr dao", "MakerDAO")])
def test_a_typo_still_gets_did_you_mean(fake_apis: FakeApis, name: str, suggestion: str) -> None:
    result = fake_apis.run_mobius("defi", "tvl", name)
    assert result.returncode == 2 and result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"mobius: error: unknown protocol {name!r}")
    assert "did you mean" in line and suggestion in line


def test_bare_name_keeps_short_names_and_unrelated_protocols_apart() -> None:
    from mobius_cli.core.defi import Protocol, bare_name, resolve_protocol
    from mobius_cli.errors import UsageError

    assert bare_name("Curve Finance") == "curve" and bare_name("makerdao") == "maker"
    assert bare_name("Aave Protocol") == "aave" and bare_name("dao") == "dao"
    assert bare_name("xdao") == "xdao"  # too little left: the name stays whole
    every = [Protocol("protocol-x", "Protocol X", "Dexs", raw_tvls={"Ethereum": 5.0}),
             Protocol("dao-maker", "DAO Maker", "Launchpad", raw_tvls={"Ethereum": 7.0})]
    # 'maker' does not match DAO Maker (a prefix is not a suffix)
    with pytest.raises(UsageError):
        resolve_protocol("maker", every)
    assert resolve_protocol("dao maker", every).slug == "dao-maker"


# --- 6. what `defi yields` hides by default, in its help ------------------------------


def test_yields_help_states_the_default_floor(fake_apis: FakeApis) -> None:
    text = " ".join(ok(fake_apis.run_mobius("defi", "yields", "--help",
                                            env={"COLUMNS": "200"})).split())
    assert "pools under $10k TVL and outliers" in text and "hidden unless --all" in text
    assert "--min-tvl sets the TVL floor instead, e.g. --min-tvl 1m" in text
    # and the help tells the truth: --min-tvl 1m hides pools under $1m, --min-tvl 0 shows
    # the small ones, outliers stay hidden either way
    big = json.loads(ok(fake_apis.run_mobius("defi", "yields", "--min-tvl", "1m", "-n", "100",
                                             "--json")))
    assert {d["pool"] for d in big} == {p["pool"] for p in fixture_pools()
                                        if p["tvlUsd"] >= 1e6 and not p["outlier"]}
    small = json.loads(ok(fake_apis.run_mobius("defi", "yields", "--min-tvl", "0", "-n", "100",
                                               "--json")))
    assert {d["pool"] for d in small} == {p["pool"] for p in fixture_pools()
                                          if not p["outlier"]}
