"""Well-known coins: ticker, CoinGecko id, and the names people call them.

Shared by the language layer (names → tickers) and by the providers (a last-resort
ticker → id map when CoinGecko's coin index cannot be fetched).
"""

from __future__ import annotations

from typing import NamedTuple


class KnownCoin(NamedTuple):
    symbol: str
    id: str
    names: tuple[str, ...]  # lower-case names and aliases, the first is the display name


KNOWN_COINS: tuple[KnownCoin, ...] = (
    KnownCoin("BTC", "bitcoin", ("bitcoin",)),
    KnownCoin("ETH", "ethereum", ("ethereum", "ether")),
    KnownCoin("USDT", "tether", ("tether",)),
    KnownCoin("BNB", "binancecoin", ("binance coin", "bnb")),
    KnownCoin("SOL", "solana", ("solana",)),
    KnownCoin("XRP", "ripple", ("ripple", "xrp")),
    KnownCoin("USDC", "usd-coin", ("usd coin",)),
    KnownCoin("ADA", "cardano", ("cardano",)),
    KnownCoin("DOGE", "dogecoin", ("dogecoin", "doge")),
    KnownCoin("TRX", "tron", ("tron",)),
    KnownCoin("AVAX", "avalanche-2", ("avalanche",)),
    KnownCoin("SHIB", "shiba-inu", ("shiba inu", "shiba")),
    KnownCoin("DOT", "polkadot", ("polkadot",)),
    KnownCoin("LINK", "chainlink", ("chainlink",)),
    KnownCoin("TON", "the-open-network", ("toncoin",)),
    KnownCoin("BCH", "bitcoin-cash", ("bitcoin cash",)),
    KnownCoin("LTC", "litecoin", ("litecoin",)),
    KnownCoin("NEAR", "near", ("near protocol",)),
    KnownCoin("UNI", "uniswap", ("uniswap",)),
    KnownCoin("ICP", "internet-computer", ("internet computer",)),
    KnownCoin("DAI", "dai", ("dai",)),
    KnownCoin("APT", "aptos", ("aptos",)),
    KnownCoin("ETC", "ethereum-classic", ("ethereum classic",)),
    KnownCoin("XLM", "stellar", ("stellar",)),
    KnownCoin("ATOM", "cosmos", ("cosmos",)),
    KnownCoin("XMR", "monero", ("monero",)),
    KnownCoin("FIL", "filecoin", ("filecoin",)),
    KnownCoin("HBAR", "hedera-hashgraph", ("hedera",)),
    KnownCoin("ARB", "arbitrum", ("arbitrum",)),
    KnownCoin("OP", "optimism", ("optimism",)),
    KnownCoin("SUI", "sui", ("sui",)),
    KnownCoin("PEPE", "pepe", ("pepe",)),
    KnownCoin("INJ", "injective-protocol", ("injective",)),
    KnownCoin("AAVE", "aave", ("aave",)),
    KnownCoin("MKR", "maker", ("maker",)),
    KnownCoin("LDO", "lido-dao", ("lido dao", "lido")),
    KnownCoin("GRT", "the-graph", ("the graph",)),
    KnownCoin("ALGO", "algorand", ("algorand",)),
    KnownCoin("VET", "vechain", ("vechain",)),
    KnownCoin("TIA", "celestia", ("celestia",)),
    KnownCoin("SEI", "sei-network", ("sei",)),
    KnownCoin("WIF", "dogwifcoin", ("dogwifhat",)),
    KnownCoin("BONK", "bonk", ("bonk",)),
    KnownCoin("CRV", "curve-dao-token", ("curve dao",)),
    KnownCoin("COMP", "compound-governance-token", ("compound",)),
    KnownCoin("SNX", "havven", ("synthetix",)),
    KnownCoin("RUNE", "thorchain", ("thorchain",)),
    KnownCoin("JUP", "jupiter-exchange-solana", ("jupiter",)),
    KnownCoin("ENA", "ethena", ("ethena",)),
    KnownCoin("POL", "polygon-ecosystem-token", ("polygon",)),
    KnownCoin("WBTC", "wrapped-bitcoin", ("wrapped bitcoin",)),
    KnownCoin("STETH", "staked-ether", ("lido staked ether",)),
    KnownCoin("KAS", "kaspa", ("kaspa",)),
    KnownCoin("MNT", "mantle", ("mantle",)),
    KnownCoin("CRO", "crypto-com-chain", ("cronos",)),
    KnownCoin("FET", "fetch-ai", ("fetch.ai",)),
    KnownCoin("RENDER", "render-token", ("render",)),
    KnownCoin("IMX", "immutable-x", ("immutable",)),
    KnownCoin("PENDLE", "pendle", ("pendle",)),
    KnownCoin("ONDO", "ondo-finance", ("ondo",)),
    KnownCoin("WLD", "worldcoin-wld", ("worldcoin",)),
    KnownCoin("FLOKI", "floki", ("floki",)),
    KnownCoin("TAO", "bittensor", ("bittensor",)),
    KnownCoin("HYPE", "hyperliquid", ("hyperliquid",)),
    KnownCoin("XAUT", "tether-gold", ("tether gold",)),
)

BY_SYMBOL: dict[str, KnownCoin] = {coin.symbol: coin for coin in KNOWN_COINS}
BY_NAME: dict[str, KnownCoin] = {name: coin for coin in KNOWN_COINS for name in coin.names}

# Fiat currencies CoinGecko quotes in, with the words people use for them.
FIAT_NAMES: dict[str, tuple[str, ...]] = {
    "usd": ("dollar", "dollars", "us dollar", "us dollars", "usd", "bucks", "$"),
    "eur": ("euro", "euros", "eur", "€"),
    "gbp": ("pound", "pounds", "british pound", "british pounds", "sterling", "gbp", "£"),
    "jpy": ("yen", "japanese yen", "jpy", "¥"),
    "chf": ("swiss franc", "swiss francs", "franc", "francs", "chf"),
    "cad": ("canadian dollar", "canadian dollars", "cad"),
    "aud": ("australian dollar", "australian dollars", "aud"),
    "cny": ("yuan", "renminbi", "cny", "rmb"),
    "inr": ("rupee", "rupees", "indian rupee", "inr"),
    "krw": ("won", "korean won", "krw"),
    "brl": ("real", "reais", "brazilian real", "brl"),
    "rub": ("ruble", "rubles", "rouble", "roubles", "rub"),
    "try": ("lira", "turkish lira", "try"),
    "mxn": ("mexican peso", "mexican pesos", "peso", "pesos", "mxn"),
    "sgd": ("singapore dollar", "singapore dollars", "sgd"),
    "hkd": ("hong kong dollar", "hong kong dollars", "hkd"),
    "sek": ("swedish krona", "sek"),
    "nok": ("norwegian krone", "nok"),
    "pln": ("zloty", "polish zloty", "pln"),
    "zar": ("rand", "south african rand", "zar"),
    "ngn": ("naira", "ngn"),
}
FIAT_CODES: frozenset[str] = frozenset(FIAT_NAMES) | frozenset({
    "aed", "ars", "bdt", "bhd", "bmd", "clp", "czk", "dkk", "gel", "huf", "idr", "ils",
    "kwd", "lkr", "mmk", "myr", "nzd", "php", "pkr", "sar", "thb", "twd", "uah", "vef",
    "vnd", "xdr", "xag", "xau",
})
