"""EVM JSON-RPC nodes, one per chain: which URL, and the fee-history call behind `gas`.

Each chain's node URL is a setting (`rpc_url` for Ethereum, `rpc_url_<chain>` for the
others) overridable by `MOBIUS_RPC_URL` / `MOBIUS_RPC_URL_<CHAIN>`, with a public node as
the default. Any other EVM chain can be added with `MOBIUS_RPC_URL_<CHAIN>` alone.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mobius_cli import env
from mobius_cli.core.gas import BLOCKS, PERCENTILES, quantity
from mobius_cli.errors import SourceError, UsageError

# Fees change every block: a reply is reused for one Ethereum block time (12 s), and
# answers `gas --offline` at any age, with a note saying how old it is.
FEE_TTL = 12.0

if TYPE_CHECKING:
    from mobius_cli.providers.http import HttpClient
    from mobius_cli.settings import Settings


@dataclass(frozen=True)
class Chain:
    """An EVM chain Mobius can ask for gas."""

    name: str  # lower-case key: ethereum, arbitrum...
    title: str
    chain_id: int | None
    native_symbol: str
    native_id: str | None  # CoinGecko id of the coin gas is paid in
    config_key: str | None  # the settings key of its node URL; None for env-only chains
    aliases: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        """How errors name this chain's node."""
        return f"{self.title} node"


CHAINS: tuple[Chain, ...] = (
    Chain("ethereum", "Ethereum", 1, "ETH", "ethereum", "rpc_url",
          ("eth", "mainnet", "ethereum mainnet", "l1")),
    Chain("arbitrum", "Arbitrum One", 42161, "ETH", "ethereum", "rpc_url_arbitrum",
          ("arb", "arbitrum one", "arbitrum-one")),
    Chain("optimism", "OP Mainnet", 10, "ETH", "ethereum", "rpc_url_optimism",
          ("op", "op mainnet", "optimism mainnet")),
    Chain("base", "Base", 8453, "ETH", "ethereum", "rpc_url_base", ("base mainnet",)),
    Chain("polygon", "Polygon PoS", 137, "POL", "polygon-ecosystem-token", "rpc_url_polygon",
          ("matic", "pol", "polygon pos", "polygon-pos")),
    Chain("bsc", "BNB Smart Chain", 56, "BNB", "binancecoin", "rpc_url_bsc",
          ("bnb", "binance", "bnb chain", "bnb smart chain", "binance smart chain")),
    Chain("avalanche", "Avalanche C-Chain", 43114, "AVAX", "avalanche-2", "rpc_url_avalanche",
          ("avax", "avalanche c-chain", "c-chain")),
)
_BY_NAME = {alias: c for c in CHAINS for alias in (c.name, *c.aliases)}
# Gas coins of EVM chains that need a MOBIUS_RPC_URL_<CHAIN> node: (symbol, CoinGecko id).
ENV_CHAIN_COINS = {
    "linea": ("ETH", "ethereum"), "scroll": ("ETH", "ethereum"), "zksync": ("ETH", "ethereum"),
    "blast": ("ETH", "ethereum"), "mantle": ("MNT", "mantle"), "gnosis": ("XDAI", "xdai"),
    "fantom": ("FTM", "fantom"), "cronos": ("CRO", "crypto-com-chain"), "celo": ("CELO", "celo"),
}
NOT_EVM = frozenset({"bitcoin", "solana", "tron", "sui", "aptos", "near", "ton", "cardano"})


def _env_chain(name: str) -> Chain | None:
    """A chain known only from MOBIUS_RPC_URL_<CHAIN>."""
    key = re.sub(r"[^A-Z0-9]+", "_", name.strip().upper()).strip("_")
    if not key or not os.environ.get(env.RPC_URL_PREFIX + key):
        return None
    symbol, coin_id = ENV_CHAIN_COINS.get(key.lower(), ("", None))
    return Chain(key.lower(), key.replace("_", " ").title(), None, symbol, coin_id, None)


def find_chain(name: str) -> Chain:
    """A chain by name or alias; one with no node configured is a usage error."""
    text = " ".join(name.strip().lower().replace("_", " ").split())
    chain = _BY_NAME.get(text) or _BY_NAME.get(text.replace(" ", "-")) or _env_chain(text)
    if chain is None and text in NOT_EVM:
        raise UsageError(f"{text.title()} is not an EVM chain: gas here reads an EVM node's "
                         "eth_feeHistory", hint="e.g. ethereum, arbitrum, base or polygon")
    if chain is None:
        var = env.RPC_URL_PREFIX + re.sub(r"[^A-Z0-9]+", "_", name.strip().upper()).strip("_")
        close = [] if text in ENV_CHAIN_COINS else _close_chains(text)
        if close:
            from mobius_cli.core.defi import did_you_mean

            raise UsageError(f"unknown chain {name.strip()!r}",
                             hint=f"{did_you_mean(close)} or set {var} to a node URL")
        known = ", ".join(c.name for c in CHAINS)
        raise UsageError(f"no JSON-RPC node configured for chain {name.strip()!r}",
                         hint=f"known chains: {known}; or set {var} to a node URL")
    return chain


def _close_chains(text: str) -> list[str]:
    """Built-in chains whose name or an alias is close to `text` (a typo), best first."""
    from mobius_cli.core.defi import suggest

    found = suggest(text, sorted(_BY_NAME), limit=3)
    return list(dict.fromkeys(_BY_NAME[alias].name for alias in found))


def configured_chains() -> list[Chain]:
    """Every chain with a node: the built-in ones, then any added by environment."""
    extra = []
    for var in sorted(os.environ):
        if var.startswith(env.RPC_URL_PREFIX) and os.environ[var].strip():
            name = var[len(env.RPC_URL_PREFIX):].lower()
            if name not in _BY_NAME:
                chain = _env_chain(name)
                if chain is not None:
                    extra.append(chain)
    return [*CHAINS, *extra]


class RpcNodes:
    """The JSON-RPC node of each chain, through the shared HTTP client (fee history cached
    for one block, so `gas --offline` answers from the last run)."""

    def __init__(self, http: HttpClient, settings: Settings):
        self.http = http
        self.settings = settings

    def url(self, chain: Chain) -> str:
        """The node URL for `chain` (setting, environment, or public default)."""
        if chain.config_key is not None:
            return str(self.settings.get(chain.config_key))
        var = env.RPC_URL_PREFIX + chain.name.upper()
        value = os.environ.get(var, "").strip()
        if not value.startswith(("http://", "https://")):
            raise UsageError(f"{var} must be an http(s) URL, not {value!r}",
                             hint=f"fix it or unset {var}")
        return value.rstrip("/")

    def fee_history(self, chain: Chain) -> dict[str, Any]:
        """eth_feeHistory(20, latest, [10, 50, 90]) and eth_chainId in one batched call."""
        url = self.url(chain)
        history, chain_id = self.http.json_rpc(chain.source, url, batch=[
            ("eth_feeHistory", [hex(BLOCKS), "latest", list(PERCENTILES)]),
            ("eth_chainId", []),
        ], ttl=FEE_TTL)
        if chain.chain_id is not None and chain_id is not None:
            try:
                served = quantity(chain_id)
            except ValueError:
                raise SourceError(chain.source, f"bad chain id {chain_id!r}") from None
            if served != chain.chain_id:
                from mobius_cli.providers.urls import mask_url

                var = env.SOURCE_URLS.get(chain.config_key or "", "")
                raise UsageError(
                    f"the {chain.title} node at {mask_url(url)} serves chain id {served}, "
                    f"not {chain.chain_id}",
                    hint=f"point the config key {chain.config_key} or {var} at a "
                    f"{chain.title} node")
        if not isinstance(history, dict):
            raise SourceError(chain.source, "bad response (eth_feeHistory gave no object)")
        return history
