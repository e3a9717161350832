"""Every environment variable Mobius reads, in one place."""

HOME = "MOBIUS_HOME"
NO_COLOR = "NO_COLOR"
FORCE_COLOR = "FORCE_COLOR"

# Base URLs of the data sources (config key -> environment variable).
SOURCE_URLS = {
    "coingecko_url": "MOBIUS_COINGECKO_URL",
    "defillama_url": "MOBIUS_DEFILLAMA_URL",
    "llama_coins_url": "MOBIUS_LLAMA_COINS_URL",
    "yields_url": "MOBIUS_YIELDS_URL",
    "fng_url": "MOBIUS_FNG_URL",
    "rpc_url": "MOBIUS_RPC_URL",
    "rpc_url_arbitrum": "MOBIUS_RPC_URL_ARBITRUM",
    "rpc_url_optimism": "MOBIUS_RPC_URL_OPTIMISM",
    "rpc_url_base": "MOBIUS_RPC_URL_BASE",
    "rpc_url_polygon": "MOBIUS_RPC_URL_POLYGON",
    "rpc_url_bsc": "MOBIUS_RPC_URL_BSC",
    "rpc_url_avalanche": "MOBIUS_RPC_URL_AVALANCHE",
    "llm_url": "OPENAI_BASE_URL",
}
LLM_MODEL = "MOBIUS_LLM_MODEL"
# A JSON-RPC node for any other EVM chain: MOBIUS_RPC_URL_<CHAIN> (e.g. MOBIUS_RPC_URL_LINEA).
RPC_URL_PREFIX = "MOBIUS_RPC_URL_"

# Secrets: key name -> environment variable that overrides the keyring.
SECRET_KEYS = {
    "coingecko": "COINGECKO_API_KEY",
    "coingecko-pro": "COINGECKO_PRO_API_KEY",
    "llm": "OPENAI_API_KEY",  # the key of the configured LLM endpoint, whichever it is
}
