"""The root `--help` listing: each command's name and first help paragraph, in order.
Generated from the app by scripts/gen_listing.py (`make docs`); a test fails when stale."""
# ruff: noqa: E501

from __future__ import annotations

COMMANDS: tuple[tuple[str, str], ...] = (
    ('price', 'Current price, 24h change, market cap and volume.'),
    ('market', 'Top coins and the global market: total cap, volume, BTC/ETH dominance.'),
    ('coin', 'Facts about a coin: rank, supply, ATH/ATL, links, description.'),
    ('history', 'Past prices as a table, or a chart in the terminal.'),
    ('compare', 'Coins side by side, with performance over a period.'),
    ('convert', 'Convert an amount between coins and currencies, either way.'),
    ('trending', 'Coins people are searching for on CoinGecko now (prices in USD).'),
    ('movers', 'Biggest 24h gainers and losers among the largest coins.'),
    ('fear-greed', 'The Crypto Fear & Greed index (alternative.me), now or over --days.'),
    ('ta', "RSI, MACD, Bollinger bands, SMA/EMA and what they show (TA-Lib's definitions)."),
    ('gas', "Gas fees from the chain's JSON-RPC node, and what a transfer and a swap cost."),
    ('dca', 'Dollar-cost averaging back-test: buys, average cost, value now, lump sum beside it.'),
    ('parse', 'Show what a sentence means: intent, confidence and entities.'),
    ('ask', 'Understand one sentence, run it, and answer.'),
    ('repl', 'The interactive assistant (also `mobius` alone on a terminal).'),
    ('doctor', 'Check config, keyring, each data source (reachability, latency) and the cache.'),
    ('config', 'Show and change settings (config.toml).'),
    ('keys', 'API keys in the OS keyring (environment variables override).'),
    ('llm', 'The optional LLM: any OpenAI-compatible endpoint (OpenAI, Groq, OpenRouter, Ollama, LM Studio, vLLM). Mobius works without one.'),
    ('cache', 'The shared response cache.'),
    ('portfolio', 'Your portfolios: a transaction ledger with exact cost basis and P&L.'),
    ('alerts', 'Price alerts: add, list, check from cron, notify.'),
    ('defi', 'DeFi from DeFiLlama: TVL, protocol and chain rankings, yields, comparisons.'),
)
