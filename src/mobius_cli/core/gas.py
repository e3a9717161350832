"""Gas fee levels from an `eth_feeHistory` reply (pure).

The method (product.md): `eth_feeHistory(20, "latest", [10, 50, 90])`; base fee = the
last `baseFeePerGas` (the projected fee of the next block); slow/standard/fast priority fee
= the median over the blocks of the 10th/50th/90th percentile rewards; max fee = 2 × base
fee + priority fee. A transfer (21,000 gas) and a swap (150,000 gas) cost gas × (base fee
+ priority fee), in the chain's native coin and in the quote currency.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

BLOCKS = 20
PERCENTILES = (10, 50, 90)
TIERS = ("slow", "standard", "fast")
GAS_UNITS = {"transfer": 21_000, "swap": 150_000}
GWEI = 10**9
WEI_PER_COIN = 10**18


class BadFeeHistory(ValueError):
    """The node's reply does not have the shape eth_feeHistory promises."""


def quantity(value: Any) -> int:
    """A JSON-RPC quantity ('0x1a') as an int; plain integers are accepted too."""
    if isinstance(value, bool):
        raise BadFeeHistory(f"not a quantity: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lower().startswith("0x"):
        try:
            return int(value, 16)
        except ValueError:
            pass
    raise BadFeeHistory(f"not a hex quantity: {value!r}")


@dataclass
class Tier:
    priority_wei: int | float
    base_wei: int

    @property
    def max_fee_wei(self) -> float:
        return 2 * self.base_wei + self.priority_wei

    @property
    def price_wei(self) -> float:
        """What one unit of gas costs at this tier: base fee + priority fee."""
        return self.base_wei + self.priority_wei


@dataclass
class GasLevels:
    """Fee levels of one chain, and what a transfer and a swap cost."""

    chain: str
    block: int
    base_fee_wei: int
    tiers: dict[str, Tier]
    native_symbol: str = ""
    native_price: float | None = None  # the native coin in the quote currency
    currency: str = "usd"
    has_rewards: bool = True
    notes: list[str] = field(default_factory=list)
    title: str = ""  # how people name the chain: "Arbitrum One"

    def cost_native(self, action: str, tier: str) -> float:
        return GAS_UNITS[action] * self.tiers[tier].price_wei / WEI_PER_COIN

    def cost(self, action: str, tier: str) -> float | None:
        """The cost in the quote currency, None without a price for the native coin."""
        if self.native_price is None:
            return None
        return self.cost_native(action, tier) * self.native_price

    def to_json(self) -> dict[str, Any]:
        return {
            "chain": self.chain,
            "block": self.block,
            "base_fee_gwei": self.base_fee_wei / GWEI,
            "tiers": {name: {"max_priority_fee_gwei": t.priority_wei / GWEI,
                             "max_fee_gwei": t.max_fee_wei / GWEI}
                      for name, t in self.tiers.items()},
            "costs": {action: {"gas": units,
                               **{tier: self.cost(action, tier) for tier in self.tiers},
                               "native": {tier: self.cost_native(action, tier)
                                          for tier in self.tiers}}
                      for action, units in GAS_UNITS.items()},
            "currency": self.currency,
            "native_symbol": self.native_symbol or None,
        }


def levels(chain: str, history: Mapping[str, Any]) -> GasLevels:
    """Fee levels from an eth_feeHistory result (raises BadFeeHistory on a wrong shape)."""
    if not isinstance(history, Mapping):
        raise BadFeeHistory("the fee history is not an object")
    base = history.get("baseFeePerGas")
    if not isinstance(base, list) or not base:
        raise BadFeeHistory("no baseFeePerGas in the fee history")
    base_fee = quantity(base[-1])
    ratios = history.get("gasUsedRatio")
    blocks = len(ratios) if isinstance(ratios, list) else len(base) - 1
    oldest = quantity(history.get("oldestBlock", "0x0"))
    newest = oldest + max(blocks, 1) - 1
    rewards = history.get("reward")
    if rewards is None:
        rewards = []
    if not isinstance(rewards, list) or any(
            not isinstance(r, list) or len(r) != len(PERCENTILES) for r in rewards):
        raise BadFeeHistory("reward must hold one value per requested percentile per block")
    per_tier: dict[str, Tier] = {}
    for i, name in enumerate(TIERS):
        values = [quantity(r[i]) for r in rewards]
        median = statistics.median(values) if values else 0
        per_tier[name] = Tier(median, base_fee)
    result = GasLevels(chain, newest, base_fee, per_tier, has_rewards=bool(rewards))
    if not rewards:
        result.notes.append(f"{chain}: the node sent no priority-fee rewards; tips shown as 0")
    return result
