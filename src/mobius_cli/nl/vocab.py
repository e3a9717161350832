"""Vocabularies: coins, currencies, chains, protocols, categories, indicators, slang."""

from __future__ import annotations

from functools import lru_cache

from mobius_cli.core.coins import FIAT_CODES, FIAT_NAMES, KNOWN_COINS
from mobius_cli.nl import langs

# --- coins -----------------------------------------------------------------------------

COIN_NAMES: dict[str, str] = {name: coin.symbol for coin in KNOWN_COINS for name in coin.names}
COIN_NAMES.update({
    "btc": "BTC", "sats": "BTC", "satoshis": "BTC", "xbt": "BTC", "eth": "ETH",
    "binance coin": "BNB", "matic": "MATIC", "dogwifcoin": "WIF", "wif": "WIF",
    "shib": "SHIB", "ton coin": "TON", "chain link": "LINK", "lido": "LDO",
    "curve": "CRV", "render": "RENDER", "fetch": "FET", "bittensor": "TAO",
    "hyperliquid": "HYPE", "ondo finance": "ONDO", "1inch": "1INCH", "pendle": "PENDLE",
    "mantle": "MNT",
})
TICKERS: frozenset[str] = frozenset(coin.symbol for coin in KNOWN_COINS) | frozenset({
    "POL", "MATIC", "FTM", "USDE", "FDUSD", "PYTH", "STRK", "EIGEN", "ZRO", "GMX", "LDO",
    "1INCH",
})
# Tickers that are also everyday words: only taken when written in capitals or with a `$`.
AMBIGUOUS_TICKERS: frozenset[str] = frozenset({
    "LINK", "DOT", "NEAR", "TON", "OP", "ONE", "GAS", "SUN", "MOVE", "ME", "AI", "IT",
    "HYPE", "RENDER", "FET", "COMP", "ENA", "ARB", "IMX", "TAO", "KAS", "FIL",
    "ALGO", "VET", "SNX", "RUNE", "JUP", "UNI", "ICP", "APT", "STETH", "MNT", "CRO",
})
# Upper-case words that look like tickers but are not coins.
NOT_TICKERS: frozenset[str] = frozenset({
    "I", "A", "OK", "TVL", "APY", "APR", "RSI", "MACD", "SMA", "EMA", "DCA", "ATH", "ATL",
    "USA", "US", "UK", "EU", "NBA", "NFL", "DEX", "DEXS", "DEXES", "DEFI", "NFT", "NFTS",
    "VAR", "PNL", "P&L", "TA", "FAQ", "CEO", "AM", "PM", "UTC", "ETF", "ETFS", "LOL",
    "GM", "GN", "TY", "PF", "RN", "LMK", "PLS", "FOMO", "HODL", "ROI", "BB", "DM", "OTC",
    "KYC", "CEX", "L1", "L2", "AMA", "IMO", "TBH", "BTW", "FYI", "ASAP", "GWEI", "FUD",
    "ATM", "API", "CLI", "REPL", "JSON", "CSV", "SQL", "AWS", "AND", "OR", "THE", "FOR",
    "ON", "IN", "TO", "OF", "IS", "MY", "IT", "AT", "BE", "SO", "NO", "YES",
    "WHAT", "HOW", "WHO", "WHY", "PRICE", "HELP", "ALL", "TOP",
})

# --- currencies ------------------------------------------------------------------------

FIAT_WORDS: dict[str, str] = {w: code for code, words in FIAT_NAMES.items() for w in words}
FIAT_WORDS.update({
    "dolares": "usd", "dolar": "usd", "dollares": "usd", "usdollar": "usd", "eu dollars": "usd",
    "euro's": "eur", "yens": "jpy", "libras": "gbp", "livres": "gbp", "reales": "brl",
    "aussie dollars": "aud", "aussie dollar": "aud", "aussie": "aud", "loonies": "cad",
    "kiwi dollars": "nzd", "quid": "gbp", "pounds sterling": "gbp", "greenbacks": "usd",
    "swiss francs": "chf", "rupees": "inr", "yuan": "cny", "kroner": "nok",
})
FIAT_WORDS.update({code: code for code in FIAT_CODES})
# Currency words that are everyday English: only after "in", "to", "into" or a number.
AMBIGUOUS_FIAT: frozenset[str] = frozenset({
    "real", "won", "try", "rand", "pound", "pounds", "franc", "francs", "lira", "peso",
    "pesos", "sek", "nok", "bucks", "gel", "php", "all", "top", "cad", "aud",
})

# --- chains ----------------------------------------------------------------------------

CHAIN_NAMES: dict[str, str] = {
    "ethereum": "ethereum", "mainnet": "ethereum", "eth mainnet": "ethereum",
    "ethereum mainnet": "ethereum", "bsc": "bsc", "bnb chain": "bsc", "bnb smart chain": "bsc",
    "binance smart chain": "bsc", "binance chain": "bsc", "solana": "solana",
    "arbitrum": "arbitrum", "arbitrum one": "arbitrum", "optimism": "optimism",
    "op mainnet": "optimism", "base": "base", "polygon": "polygon", "matic": "polygon",
    "avalanche": "avalanche", "tron": "tron", "sui": "sui", "aptos": "aptos", "linea": "linea",
    "scroll": "scroll", "zksync": "zksync", "zksync era": "zksync", "mantle": "mantle",
    "blast": "blast", "fantom": "fantom", "gnosis": "gnosis", "cronos": "cronos", "celo": "celo",
    "near": "near", "ton": "ton", "bitcoin": "bitcoin", "arb": "arbitrum", "op": "optimism",
    "avax": "avalanche", "bnb": "bsc", "binance": "bsc", "sol": "solana", "eth": "ethereum",
    "zk sync": "zksync", "era": "zksync", "xdai": "gnosis", "tron network": "tron",
}
# Chains reached through a coin's ticker in a gas, fee or DeFi question ("eth gas").
CHAIN_OF_TICKER: dict[str, str] = {
    "ETH": "ethereum", "SOL": "solana", "ARB": "arbitrum", "OP": "optimism", "BNB": "bsc",
    "POL": "polygon", "MATIC": "polygon", "AVAX": "avalanche", "TRX": "tron", "SUI": "sui",
    "APT": "aptos", "MNT": "mantle", "FTM": "fantom", "CRO": "cronos", "CELO": "celo",
    "NEAR": "near", "TON": "ton", "BTC": "bitcoin",
}
# Chain words that are everyday English: only after "on"/"in" or before "chain"/"network".
AMBIGUOUS_CHAINS: frozenset[str] = frozenset({"base", "scroll", "blast", "near", "ton",
                                               "mainnet", "celo", "linea", "sui", "arb", "op",
                                               "era", "binance"})

# --- protocols -------------------------------------------------------------------------

PROTOCOLS: frozenset[str] = frozenset({
    "aave", "compound", "uniswap", "curve", "lido", "rocket pool", "makerdao", "sky", "spark",
    "eigenlayer", "pendle", "morpho", "morpho blue", "ethena", "jito", "kamino", "gmx",
    "hyperliquid", "jupiter", "raydium", "orca", "marinade", "convex", "yearn", "balancer",
    "sushiswap", "sushi", "pancakeswap", "gearbox", "frax", "instadapp", "venus", "benqi",
    "trader joe", "ether.fi", "etherfi", "renzo", "kelp", "stargate", "across", "synthetix",
    "dydx", "radiant", "euler", "fluid", "beefy", "velodrome", "aerodrome", "camelot", "1inch",
    "babylon", "karak", "symbiotic", "puffer", "swell", "stader", "drift", "meteora", "sanctum",
    "marginfi", "solend", "spookyswap", "quickswap", "osmosis", "thorchain", "ondo", "maple",
    "centrifuge", "justlend", "sunswap", "cetus", "navi", "scallop", "lista", "binance staked",
    "coinbase wrapped", "rocketpool", "maker", "maker dao", "curve finance", "compound finance",
    "uniswap finance", "aave finance", "yearn finance", "convex finance", "frax finance",
    "lido finance", "jupiter exchange", "gmx v2", "vertex", "dolomite", "silo", "notional",
    "liquity", "prisma", "abracadabra", "alchemix", "harvest", "idle", "ribbon", "dopex",
})
PROTOCOL_ALIASES: dict[str, str] = {
    "maker": "makerdao", "maker dao": "makerdao", "curve finance": "curve",
    "compound finance": "compound", "rocketpool": "rocket-pool", "uniswap finance": "uniswap",
    "aave finance": "aave", "yearn finance": "yearn", "convex finance": "convex",
    "frax finance": "frax", "lido finance": "lido", "jupiter exchange": "jupiter",
    "etherfi": "ether.fi", "sushi": "sushiswap",
}

# --- DeFi categories, indicators -------------------------------------------------------

CATEGORIES: dict[str, str] = {
    "lending": "lending", "lenders": "lending", "money market": "lending",
    "money markets": "lending", "dex": "dexes", "dexs": "dexes", "dexes": "dexes",
    "exchanges": "dexes", "decentralized exchanges": "dexes", "amm": "dexes", "amms": "dexes",
    "liquid staking": "liquid-staking", "lst": "liquid-staking", "lsts": "liquid-staking",
    "bridge": "bridge", "bridges": "bridge", "yield aggregator": "yield",
    "yield aggregators": "yield", "yield": "yield", "cdp": "cdp", "cdps": "cdp",
    "derivatives": "derivatives", "perps": "derivatives", "perp": "derivatives",
    "perpetuals": "derivatives", "restaking": "restaking", "liquid restaking": "restaking",
}
# Category names of the other languages ("staking liquido", "ponts"), from their files.
CATEGORIES.update({k: v for k, v in langs.categories().items() if k not in CATEGORIES})
INDICATORS: dict[str, str] = {
    "rsi": "rsi", "relative strength": "rsi", "macd": "macd", "bollinger": "bollinger",
    "bollinger bands": "bollinger", "bbands": "bollinger", "sma": "sma", "ema": "ema",
    "moving average": "sma", "simple moving average": "sma",
    "exponential moving average": "ema", "ma": "sma",
}

# --- slang and spelling ----------------------------------------------------------------

# Abbreviations, slang and per-language function words come from the language files
# (nl/lang/<code>.json): a word and what it stands for, never a ticker.
SLANG: dict[str, str] = dict(langs.abbreviations())

# Words the typo matcher may correct towards (cue words and names of at least 4 letters).
CUE_WORDS: tuple[str, ...] = (
    "price", "prices", "quote", "convert", "market", "overview", "dominance", "chart",
    "history", "historical", "compare", "trending", "gainers", "losers", "movers", "fear",
    "greed", "sentiment", "technical", "analysis", "bollinger", "overbought", "oversold",
    "signals", "gas", "fees", "locked", "protocols", "protocol", "lending", "yields", "yield",
    "stake", "staking", "stablecoin", "stablecoins", "portfolio", "holdings", "allocation",
    "rebalance", "optimize", "alert", "alerts", "notify", "delete", "remove", "help",
    "volatility", "drawdown", "diversified", "correlation", "trading", "worth", "bought",
    "sold", "average", "moving", "performers", "performing", "searching", "trending",
    "liquidity", "restaking", "derivatives", "bridges", "exchanges", "weekly", "monthly",
    "daily", "simulate", "backtest", "coins", "cryptocurrencies", "supply", "whitepaper",
    "website", "ranking", "weather", "recipe", "poem", "translate", "function", "script",
    "dollars", "euros", "pounds", "thanks", "hello", "morning", "rebalancing", "optimal",
    "biggest", "largest", "network", "transactions", "expensive", "current", "currently",
    "crypto", "sharpe", "risky", "notification", "remind", "dollar",
)
FUZZY_EXCLUDE: frozenset[str] = frozenset({"base", "near", "scroll", "blast", "sky", "ton"})


@lru_cache(maxsize=1)
def fuzzy_targets() -> tuple[str, ...]:
    """Single words the typo matcher can correct towards."""
    words = set(CUE_WORDS)
    for name in (*COIN_NAMES, *CHAIN_NAMES, *PROTOCOLS):
        if " " not in name and len(name) >= 4 and name.isalpha():
            words.add(name)
    # Protocol names that are everyday words ("harvest", "drift") are no typo targets: a
    # near miss of an English word ("hardest") is another English word.
    return tuple(sorted(words - FUZZY_EXCLUDE - langs.everyday_protocols()))


def completion_words() -> list[str]:
    """Words for REPL completion: command words, coins, tickers, chains and protocols."""
    commands = [
        "price", "convert", "market", "top", "info", "chart", "compare", "trending", "gainers",
        "losers", "fear and greed", "rsi", "macd", "bollinger", "gas", "tvl", "protocols",
        "yields", "stake", "dca", "portfolio", "buy", "sell", "risk", "rebalance", "alert",
        "alerts", "delete alert", "help",
    ]
    words = dict.fromkeys(commands)
    for coin in KNOWN_COINS:
        words.update(dict.fromkeys((*coin.names, coin.symbol)))
    words.update(dict.fromkeys(sorted(set(CHAIN_NAMES.values()))))
    words.update(dict.fromkeys(sorted(p for p in PROTOCOLS if p not in PROTOCOL_ALIASES)))
    return list(words)
