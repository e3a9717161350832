"""Gas: fee levels from eth_feeHistory, worked by hand, and `mobius gas` end to end against
the loopback JSON-RPC fake (errors, a node that is down, a chain with no node)."""

from __future__ import annotations

import json

import pytest

from mobius_cli.core import gas

GWEI = 10**9

try:
    from tests.runner import run_cli
except ImportError:  # pragma: no cover - older checkouts: a real process
    run_cli = None


def cli(fake, *args: str, env: dict[str, str] | None = None):
    if run_cli is None:
        return fake.run_mobius(*args, env=env)
    return run_cli(list(args), env={**fake.env(), **(env or {})})


# 20 blocks, worked by hand: the 10th-percentile tips are 0.1..2.0 gwei (shuffled), so their
# median is (1.0 + 1.1) / 2 = 1.05 gwei; the 50th are 2 gwei but for two outliers (median
# 2 gwei); the 90th are 3..22 gwei (shuffled), median (12 + 13) / 2 = 12.5 gwei. The base
# fees run 20..40 gwei; the last one (the next block's) is 30 gwei.
P10 = [7, 3, 15, 1, 20, 9, 12, 5, 18, 2, 11, 14, 6, 19, 4, 16, 8, 13, 10, 17]  # × 0.1 gwei
P90 = [15, 3, 22, 8, 11, 19, 4, 13, 7, 21, 10, 16, 5, 12, 18, 6, 20, 9, 14, 17]  # gwei
REWARDS = [[p10 * GWEI // 10, (40 if i == 3 else 1 if i == 7 else 2) * GWEI, p90 * GWEI]
           for i, (p10, p90) in enumerate(zip(P10, P90, strict=True))]
BASE_FEES = [(20 + i) * GWEI for i in range(20)] + [30 * GWEI]
HEAD = 23_456_789


def history(rewards=REWARDS, base=BASE_FEES, oldest=HEAD - 19) -> dict:
    return {"oldestBlock": hex(oldest), "baseFeePerGas": [hex(v) for v in base],
            "gasUsedRatio": [0.5] * (len(base) - 1),
            "reward": [[hex(v) for v in r] for r in rewards]}


def test_levels_by_hand():
    lv = gas.levels("ethereum", history())
    assert lv.block == HEAD
    assert lv.base_fee_wei == 30 * GWEI
    assert lv.tiers["slow"].priority_wei == 1.05 * GWEI
    assert lv.tiers["standard"].priority_wei == 2 * GWEI
    assert lv.tiers["fast"].priority_wei == 12.5 * GWEI
    data = lv.to_json()
    assert data["base_fee_gwei"] == 30
    assert data["tiers"] == {
        "slow": {"max_priority_fee_gwei": 1.05, "max_fee_gwei": 61.05},
        "standard": {"max_priority_fee_gwei": 2.0, "max_fee_gwei": 62.0},
        "fast": {"max_priority_fee_gwei": 12.5, "max_fee_gwei": 72.5},
    }
    # transfer at slow: 21,000 gas × (30 + 1.05) gwei = 652,050 gwei = 0.00065205 ETH
    assert lv.cost_native("transfer", "slow") == pytest.approx(0.00065205, rel=1e-12)
    # swap at fast: 150,000 × 42.5 gwei = 0.006375 ETH
    assert lv.cost_native("swap", "fast") == pytest.approx(0.006375, rel=1e-12)
    transfer = data["costs"]["transfer"]
    assert {k: transfer[k] for k in ("gas", "slow", "standard", "fast")} == {
        "gas": 21000, "slow": None, "standard": None, "fast": None}  # no price yet
    # in the native coin: 21,000 × (30 + 1.05 | 2 | 12.5) gwei
    assert transfer["native"] == pytest.approx({"slow": 0.00065205, "standard": 0.000672,
                                                "fast": 0.0008925}, rel=1e-12)
    lv.native_price = 2000.0
    assert lv.to_json()["costs"]["swap"]["standard"] == pytest.approx(150_000 * 32e-9 * 2000)


def test_doc_shapes_hex_and_integer_quantities():
    # The Arbitrum DOC example of eth_rpc.md, asked for three percentiles: tips of zero.
    doc = {"oldestBlock": "0x19a37fec",
           "reward": [["0x0", "0x0", "0x0"]] * 4,
           "baseFeePerGas": ["0x1312d00", "0x1321f30", "0x132b3a0", "0x1334810", "0x1334810"],
           "gasUsedRatio": [1, 1, 1, 0.2711605714285714]}
    lv = gas.levels("arbitrum", doc)
    assert lv.block == 0x19a37fec + 3
    assert lv.base_fee_wei == 0x1334810 == 20_138_000
    assert all(t.priority_wei == 0 for t in lv.tiers.values())
    assert gas.quantity(12) == 12 and gas.quantity("0x0") == 0


def test_a_reply_without_rewards_means_zero_tips_and_says_so():
    doc = {"oldestBlock": "0x51b2254", "baseFeePerGas": ["0x1751112b0e", "0x1701547d7e"],
           "gasUsedRatio": [0.7]}
    lv = gas.levels("polygon", doc)
    assert lv.tiers["fast"].priority_wei == 0 and lv.notes


@pytest.mark.parametrize("bad", [
    {}, {"baseFeePerGas": []}, {"baseFeePerGas": ["12"]}, {"baseFeePerGas": [True]},
    {"baseFeePerGas": ["0x1", "0x2"], "reward": [["0x1"]]},
    {"baseFeePerGas": ["0x1", "0x2"], "reward": "0x1"}, [],
])
def test_wrong_shapes_are_refused(bad):
    with pytest.raises(gas.BadFeeHistory):
        gas.levels("ethereum", bad)


# --- end to end ------------------------------------------------------------------------

ETH_USD = 2071.43  # the fake's ETH price (tests/fixtures/coingecko_markets.json)


def test_gas_json_end_to_end(fake_apis):
    fake_apis.set_fee_history("base", BASE_FEES, REWARDS, head=HEAD, chain_id=8453)
    result = cli(fake_apis, "gas", "--chain", "base", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["chain", "block", "base_fee_gwei", "tiers", "costs", "currency",
                          "native_symbol"]
    assert data["chain"] == "base" and data["block"] == HEAD and data["currency"] == "usd"
    assert data["native_symbol"] == "ETH"
    assert data["costs"]["swap"]["native"]["fast"] == pytest.approx(0.006375, rel=1e-12)
    assert data["base_fee_gwei"] == 30
    assert data["tiers"]["fast"] == {"max_priority_fee_gwei": 12.5, "max_fee_gwei": 72.5}
    transfer = data["costs"]["transfer"]
    assert transfer["gas"] == 21000
    assert transfer["slow"] == pytest.approx(0.00065205 * ETH_USD, rel=1e-9)
    assert transfer["standard"] == pytest.approx(21000 * 32e-9 * ETH_USD, rel=1e-9)
    assert data["costs"]["swap"]["fast"] == pytest.approx(0.006375 * ETH_USD, rel=1e-9)
    # One batched JSON-RPC call to the node: the fee history and the chain id.
    [post] = fake_apis.requests_to("/rpc/base")
    calls = json.loads(post.body)
    assert [c["method"] for c in calls] == ["eth_feeHistory", "eth_chainId"]
    assert calls[0]["params"] == ["0x14", "latest", [10, 50, 90]]
    assert "L1 data fee" in result.stderr


def test_gas_table_and_vs(fake_apis):
    fake_apis.set_fee_history("ethereum", BASE_FEES, REWARDS, head=HEAD, chain_id=1)
    result = cli(fake_apis, "gas", "--vs", "eur")
    assert result.returncode == 0, result.stderr
    assert f"Ethereum — block {HEAD:,}, base fee 30.00 gwei" in result.stdout
    lines = {line.split()[0]: line.split() for line in result.stdout.splitlines()
             if line.strip().startswith(("slow", "standard", "fast"))}
    assert lines["fast"][1:3] == ["12.50", "72.50"]
    # transfer and swap at slow in ETH (21,000 / 150,000 gas × 31.05 gwei), then in EUR
    assert lines["slow"][3:5] == ["0.000652", "0.00466"]
    assert lines["slow"][5].startswith("€") and lines["slow"][6].startswith("€")
    assert "1 ETH = €" in result.stdout


def test_gas_all_in_parallel_with_one_price_request(fake_apis):
    result = cli(fake_apis, "gas", "--all", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [d["chain"] for d in data] == ["ethereum", "arbitrum", "optimism", "base",
                                          "polygon", "bsc", "avalanche"]
    assert fake_apis.count("/simple/price") == 1
    price = fake_apis.last("/simple/price")
    assert set(price.query["ids"].split(",")) == {"ethereum", "polygon-ecosystem-token",
                                                  "binancecoin", "avalanche-2"}
    for chain in ("ethereum", "arbitrum", "bsc"):
        assert fake_apis.count(f"/rpc/{chain}") == 1
    bnb = next(d for d in data if d["chain"] == "bsc")
    assert bnb["costs"]["transfer"]["gas"] == 21000
    assert all(d["costs"]["swap"]["standard"] > 0 for d in data)


def test_json_rpc_error_is_one_line_exit_1(fake_apis):
    fake_apis.rpc_error("ethereum", -32005, "limit exceeded", method="eth_feeHistory")
    result = cli(fake_apis, "gas")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == "mobius: error: Ethereum node: limit exceeded (code -32005)"


def test_a_node_that_is_down_exit_1(fake_apis):
    fake_apis.down("/rpc/arbitrum")
    assert cli(fake_apis, "config", "set", "retries", "0").returncode == 0
    result = cli(fake_apis, "gas", "--chain", "arb")
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("mobius: error: Arbitrum One node: ")
    assert "Traceback" not in result.stderr


def test_a_chain_with_no_node_is_a_usage_error(fake_apis):
    result = cli(fake_apis, "gas", "--chain", "fantom")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "no JSON-RPC node configured for chain 'fantom'" in line
    assert "MOBIUS_RPC_URL_FANTOM" in line
    assert fake_apis.count("/rpc") == 0


def test_any_evm_chain_by_environment(fake_apis):
    result = cli(fake_apis, "gas", "--chain", "linea", "--json",
                 env={"MOBIUS_RPC_URL_LINEA": fake_apis.url("rpc", "/base")})
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["chain"] == "linea"
    assert data["costs"]["transfer"]["standard"] > 0  # Linea pays gas in ETH, priced
    assert fake_apis.last("/simple/price").query["ids"] == "ethereum"


def test_a_chain_that_is_not_evm_says_so(fake_apis):
    result = cli(fake_apis, "gas", "--chain", "solana")
    assert result.returncode == 2
    assert "Solana is not an EVM chain" in result.stderr


def test_a_node_for_the_wrong_chain_is_refused(fake_apis):
    result = cli(fake_apis, "gas", "--chain", "base",
                 env={"MOBIUS_RPC_URL_BASE": fake_apis.url("rpc", "/ethereum")})
    assert result.returncode == 2
    assert "serves chain id 1, not 8453" in result.stderr


def test_all_chains_survive_one_failure(fake_apis):
    fake_apis.down("/rpc/optimism")
    fake_apis.rpc_error("polygon", -32601, "the method eth_feeHistory does not exist/is not "
                        "available", method="eth_feeHistory")
    assert cli(fake_apis, "config", "set", "retries", "0").returncode == 0
    result = cli(fake_apis, "gas", "--all", "--json")
    assert result.returncode == 0, result.stderr
    chains = [d["chain"] for d in json.loads(result.stdout)]
    assert "optimism" not in chains and "polygon" not in chains and "ethereum" in chains
    assert "OP Mainnet node:" in result.stderr and "Polygon PoS left out" in result.stderr


def test_every_chain_failing_is_exit_1(fake_apis):
    fake_apis.rpc_error(None, -32603, "internal error")
    result = cli(fake_apis, "gas", "--all")
    assert result.returncode == 1
    assert "internal error (code -32603)" in result.stderr


def test_prices_unavailable_still_gives_native_costs(fake_apis):
    fake_apis.fail("/simple/price", 404, times=None)
    result = cli(fake_apis, "gas", "--chain", "bsc", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["costs"]["transfer"]["slow"] is None
    assert "native coins only" in result.stderr


def test_offline_sends_nothing(fake_apis):
    result = cli(fake_apis, "--offline", "gas")
    assert result.returncode == 1
    assert "no cached data for this request (offline)" in result.stderr
    assert fake_apis.count("/rpc") == 0


def test_offline_answers_from_the_last_run_with_its_age(fake_apis, tmp_path):
    env = {"MOBIUS_HOME": str(tmp_path)}
    online = cli(fake_apis, "gas", "--json", env=env)
    assert online.returncode == 0, online.stderr
    assert fake_apis.count("/rpc") == 1
    offline = cli(fake_apis, "--offline", "gas", "--json", env=env)
    assert offline.returncode == 0, offline.stderr
    assert json.loads(offline.stdout) == json.loads(online.stdout)
    assert "offline: " in offline.stderr and " old" in offline.stderr
    assert fake_apis.count("/rpc") == 1  # nothing sent


def test_one_block_reuses_the_reply_and_the_next_asks_again(fake_apis, tmp_path,
                                                            monkeypatch):
    import time

    from mobius_cli.providers import rpc

    env = {"MOBIUS_HOME": str(tmp_path)}
    assert cli(fake_apis, "gas", env=env).returncode == 0
    assert cli(fake_apis, "gas", env=env).returncode == 0
    assert fake_apis.count("/rpc") == 1  # within one block (12 s)
    later = time.time() + rpc.FEE_TTL + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert cli(fake_apis, "gas", env=env).returncode == 0
    assert fake_apis.count("/rpc") == 2


def test_the_cache_never_holds_the_node_url_or_a_node_error(fake_apis, tmp_path):
    env = {"MOBIUS_HOME": str(tmp_path),
           "MOBIUS_RPC_URL": fake_apis.url("rpc", "/ethereum") + "?key=s3cr3t"}
    assert cli(fake_apis, "gas", env=env).returncode == 0
    stored = b"".join(path.read_bytes() for path in tmp_path.rglob("*") if path.is_file())
    assert b"s3cr3t" not in stored and b"eth_feeHistory" not in stored
    fake_apis.respond("/rpc/arbitrum", [{"jsonrpc": "2.0", "id": 0,
                                         "error": {"code": -32603, "message": "boom"}},
                                        {"jsonrpc": "2.0", "id": 1, "result": "0xa4b1"}])
    assert cli(fake_apis, "gas", "--chain", "arbitrum", env=env).returncode == 1
    assert cli(fake_apis, "--offline", "gas", "--chain", "arbitrum", env=env).returncode == 1


# --- the JSON-RPC fake itself speaks eth_rpc.md ------------------------------------------


def test_fake_node_answers_like_eth_rpc_md(fake_apis):
    import httpx

    url = fake_apis.url("rpc", "/ethereum")
    one = httpx.post(url, json={"jsonrpc": "2.0", "id": 7, "method": "eth_feeHistory",
                                "params": ["0x4", "latest", [25, 75]]}).json()
    assert one["id"] == 7 and one["jsonrpc"] == "2.0"
    result = one["result"]
    assert len(result["baseFeePerGas"]) == 5 and len(result["gasUsedRatio"]) == 4
    assert all(len(r) == 2 and r[0].startswith("0x") for r in result["reward"])
    batch = httpx.post(url, json=[{"jsonrpc": "2.0", "id": i, "method": m, "params": []}
                                  for i, m in enumerate(["eth_chainId", "eth_blockNumber",
                                                         "eth_foo"])]).json()
    assert sorted(r["id"] for r in batch) == [0, 1, 2]
    by_id = {r["id"]: r for r in batch}
    assert by_id[0]["result"] == "0x1"
    assert by_id[2]["error"]["code"] == -32601
    bad = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_feeHistory",
                                "params": [4, "latest", [90, 10]]}).json()
    assert bad["error"]["code"] == -32602
    assert bad["error"]["message"].startswith("invalid reward percentile")
    assert httpx.get(url).status_code == 405
