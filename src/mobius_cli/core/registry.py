"""The intent registry: one declaration per intent, and everything derived from it.

Each intent says which entities it takes and their types (nl-commands.md), its help line
and examples, whether it changes the user's data, and how its entities become the
arguments of a subcommand and a call of the same `show_*` function that subcommand runs.
Parse validation, `ask`/REPL dispatch, "not built yet" answers, the help text, REPL
completion and the LLM's tool schemas all come from here. Adding an answer to an intent
is one entry below plus its command's function.

Pure: no I/O, and nothing heavier than the standard library is imported.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# --- entities ------------------------------------------------------------------------

CHAINS = ("ethereum", "bsc", "solana", "arbitrum", "optimism", "base", "polygon", "avalanche",
          "tron", "sui", "aptos", "linea", "scroll", "zksync", "mantle", "blast", "fantom",
          "gnosis", "cronos", "celo", "near", "ton", "bitcoin")
CATEGORIES = ("lending", "dexes", "liquid-staking", "bridge", "yield", "cdp", "derivatives",
              "restaking")
CONDITIONS = ("above", "below", "cross", "change", "change_up", "change_down")


@dataclass(frozen=True)
class Entity:
    """One entity of the contract: its JSON schema and what it means."""

    name: str
    schema: Mapping[str, Any]
    description: str

    def normalise(self, value: Any, *, strict: bool = True) -> Any:
        """The value in normal form, or ValueError saying why it does not fit.

        Not strict: only the type is checked (the parser reports "top 0 coins" as said; the
        command refuses it), not ranges.
        """
        return _check(self.name, self.schema, value, strict)


def _check(name: str, schema: Mapping[str, Any], value: Any, strict: bool = True) -> Any:
    if "anyOf" in schema:
        for option in schema["anyOf"]:
            try:
                return _check(name, option, value, strict)
            except ValueError:
                continue
        raise ValueError(f"{name}: {value!r} is not {_describe(schema)}")
    kind = schema["type"]
    if kind == "array":
        if not isinstance(value, list) or not value:
            raise ValueError(f"{name}: expected a non-empty list")
        items = [_check(name, schema["items"], v, strict) for v in value]
        return list(dict.fromkeys(items))
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError(f"{name}: expected true or false")
        return value
    if kind in ("integer", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{name}: expected a number")
        if not math.isfinite(value):
            raise ValueError(f"{name}: expected a finite number")
        if kind == "integer":
            if strict and float(value) != int(value):
                raise ValueError(f"{name}: expected a whole number")
            value = int(value)
        if not strict:
            return value
        if "minimum" in schema and value < schema["minimum"]:
            raise ValueError(f"{name}: must be at least {schema['minimum']}")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            raise ValueError(f"{name}: must be more than {schema['exclusiveMinimum']}")
        return value
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name}: expected text")
    text = value.strip()
    case = schema.get("x-case")
    text = text.upper() if case == "upper" else text.lower() if case == "lower" else text
    if case == "slug":
        text = re.sub(r"\s+", "-", text.lower())
    if "enum" in schema and text not in schema["enum"] and strict:
        raise ValueError(f"{name}: {value!r} is not one of {', '.join(schema['enum'])}")
    return text


def _describe(schema: Mapping[str, Any]) -> str:
    if "anyOf" in schema:
        return " or ".join(_describe(s) for s in schema["anyOf"])
    if "enum" in schema:
        return "one of " + ", ".join(map(str, schema["enum"]))
    return {"integer": "a whole number", "number": "a number", "string": "text",
            "boolean": "true or false", "array": "a list"}[schema["type"]]


_TICKER = {"type": "string", "x-case": "upper"}
ENTITIES: dict[str, Entity] = {e.name: e for e in (
    Entity("symbols", {"type": "array", "items": _TICKER},
           "coins as upper-case tickers in the order mentioned, e.g. [\"BTC\", \"ETH\"]"),
    Entity("vs_currency", {"type": "string", "x-case": "lower"},
           "lower-case code of the currency to quote in, only when asked: eur, jpy, btc"),
    Entity("amount", {"type": "number", "exclusiveMinimum": 0},
           "an amount: 0.5, 1500 (for '1.5k'), 100 (for '$100')"),
    Entity("from", _TICKER, "upper-case code converted from: ETH, USD, SATS"),
    Entity("to", _TICKER, "upper-case code converted to: USD, EUR, BTC"),
    Entity("price", {"type": "number", "exclusiveMinimum": 0},
           "the unit price of a recorded trade"),
    Entity("condition", {"type": "string", "x-case": "lower", "enum": CONDITIONS},
           "above, below, cross (either direction), change (moves N%), change_up, change_down"),
    Entity("target", {"type": "number", "exclusiveMinimum": 0},
           "the alert's price, or the percentage for change conditions"),
    Entity("days", {"anyOf": [{"type": "integer", "minimum": 1},
                              {"type": "string", "x-case": "lower", "enum": ["max"]}]},
           "a period in days (1, 7, 30, 90, 365) or \"max\" for all time"),
    Entity("interval_days", {"type": "integer", "minimum": 1},
           "days between buys: daily 1, weekly 7, biweekly 14, monthly 30"),
    Entity("chain", {"type": "string", "x-case": "lower"},
           "lower-case chain: " + ", ".join(CHAINS)),
    Entity("protocol", {"type": "string", "x-case": "slug"},
           "lower-case protocol, spaces as hyphens, version kept: aave, rocket-pool, uniswap-v3"),
    Entity("protocols", {"type": "array", "items": {"type": "string", "x-case": "slug"}},
           "protocols in the order mentioned, same form as protocol"),
    Entity("category", {"type": "string", "x-case": "lower", "enum": CATEGORIES},
           "a DeFi category"),
    Entity("limit", {"type": "integer", "minimum": 1}, "how many, only when a count is given"),
    Entity("direction", {"type": "string", "x-case": "lower", "enum": ["gainers", "losers"]},
           "gainers or losers"),
    Entity("indicator", {"type": "string", "x-case": "lower",
                         "enum": ["rsi", "macd", "bollinger", "sma", "ema"]},
           "the one indicator named, if any"),
    Entity("min_apy", {"type": "number", "minimum": 0}, "the lowest APY in percent: 10 for 10%"),
    Entity("stablecoin", {"type": "boolean"}, "true only when stablecoins are asked for"),
    Entity("alert_id", {"type": "integer", "minimum": 1}, "an alert's number: 3 for 'alert #3'"),
    Entity("all", {"type": "boolean"}, "true for 'all alerts'"),
)}


# --- from entities to a command ------------------------------------------------------


@dataclass
class Call:
    """A subcommand line and the `show_*` function call that gives the same answer."""

    argv: list[str]
    target: str | None = None  # "module:function" run with the app context first
    kwargs: dict[str, Any] = field(default_factory=dict)
    vs: str | None = None  # the currency the sentence asked for, applied to the context
    note: str | None = None  # a remark on stderr, e.g. that a limit was capped

    def run(self, app: Any) -> Any:
        """Run the same function the subcommand runs."""
        if self.target is None:
            return None
        module, _, name = self.target.partition(":")
        function = getattr(importlib.import_module(module), name)
        return function(app.replace(vs=self.vs) if self.vs else app, **self.kwargs)


@dataclass(frozen=True)
class Options:
    """What a sentence asks beyond its entities: a chart rather than a table."""

    chart: bool = False
    disable: bool = False  # "mute/disable/pause the eth alert": switch off, do not delete
    staking: bool = False  # "where can I stake eth": staking protocols' pools
    # Stated in the sentence though the intent carries no such entity (see dispatch):
    days: int | str | None = None  # "fear and greed last week" → fear-greed --days 7
    date: str | None = None  # "bought 2 eth yesterday" → --date YYYY-MM-DD
    currency: str | None = None  # "bought 1 eth at 3000 eur" → --currency eur
    portfolio: str | None = None  # a portfolio the sentence names ("my eurobag portfolio")
    performance: bool = False  # "how has my portfolio done", "returns": portfolio performance


Builder = Callable[[dict[str, Any], Options], Call]


@dataclass(frozen=True)
class Intent:
    """One thing a sentence can ask for."""

    name: str
    summary: str
    entities: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    required: tuple[str, ...] = ()  # entities it cannot run without
    need: str = ""  # those, in words: "a coin"
    command: str | None = None  # the subcommand, e.g. "defi tvl"
    build: Builder | None = None  # None: not built in this version
    changes_data: bool = False
    takes_vs: bool = False  # the subcommand takes --vs
    required_any: tuple[str, ...] = ()  # it needs at least one of these

    def missing(self, entities: Mapping[str, Any]) -> bool:
        """Whether an entity it needs is absent."""
        if self.required_any and all(entities.get(k) in (None, [], "", False)
                                     for k in self.required_any):
            return True
        return any(entities.get(k) in (None, [], "") for k in self.required)


def number_arg(value: float | int) -> str:
    """A number as a command-line argument, exactly: 1234567.5, not 1.23457e+06."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def capped(limit: int, most: int) -> tuple[int, str | None]:
    """`limit` within 1..most, and a note when it had to be cut."""
    if limit > most:
        return most, f"showing {most}, the most this command lists at once"
    return max(limit, 1), None


def _vs(e: Mapping[str, Any]) -> list[str]:
    return ["--vs", e["vs_currency"]] if e.get("vs_currency") else []


def _days(e: Mapping[str, Any]) -> list[str]:
    return ["--days", str(e["days"])] if e.get("days") is not None else []


MARKET = "mobius_cli.commands.market"
MAX_MARKET_LIMIT, MAX_MOVERS_LIMIT = 250, 100


def _price(e: dict[str, Any], o: Options) -> Call:
    return Call(["price", *e["symbols"], *_vs(e)], f"{MARKET}:show_price",
                {"symbols": e["symbols"]}, e.get("vs_currency"))


def _convert(e: dict[str, Any], o: Options) -> Call:
    # The subcommand's own path from text, so an amount it refuses is refused here too.
    amount = number_arg(e["amount"])
    return Call(["convert", amount, e["from"], e["to"]], f"{MARKET}:show_convert",
                {"amount": amount, "from_": e["from"], "to": e["to"]})


def _market(e: dict[str, Any], o: Options) -> Call:
    limit, note = capped(int(e.get("limit") or 10), MAX_MARKET_LIMIT)
    return Call(["market", *(["--limit", str(limit)] if "limit" in e else []), *_vs(e)],
                f"{MARKET}:show_market", {"limit": limit}, e.get("vs_currency"), note)


def _coin(e: dict[str, Any], o: Options) -> Call:
    symbol = e["symbols"][0]
    return Call(["coin", symbol, *_vs(e)], f"{MARKET}:show_coin", {"symbol": symbol},
                e.get("vs_currency"))


def _history(e: dict[str, Any], o: Options) -> Call:
    symbol, days = e["symbols"][0], e.get("days", 30)
    return Call(["history", symbol, "--days", str(days), *(["--chart"] if o.chart else []),
                 *_vs(e)], f"{MARKET}:show_history",
                {"symbol": symbol, "days": days, "chart": o.chart}, e.get("vs_currency"))


def _compare(e: dict[str, Any], o: Options) -> Call:
    return Call(["compare", *e["symbols"], *_days(e), *_vs(e)], f"{MARKET}:show_compare",
                {"symbols": e["symbols"], "days": e.get("days", 30)}, e.get("vs_currency"))


def _movers(e: dict[str, Any], o: Options) -> Call:
    direction = e.get("direction")
    limit, note = capped(int(e.get("limit") or 10), MAX_MOVERS_LIMIT)
    return Call(["movers", *([f"--{direction}"] if direction else []),
                 *(["--limit", str(limit)] if "limit" in e else []), *_vs(e)],
                f"{MARKET}:show_movers", {"direction": direction, "limit": limit},
                e.get("vs_currency"), note)


ANALYSIS, DEFI = "mobius_cli.commands.analysis", "mobius_cli.commands.defi"
PORTFOLIO, ALERTS = "mobius_cli.commands.portfolio", "mobius_cli.commands.alerts"
ANALYTICS = "mobius_cli.commands.portfolio_analytics"


def _ta(e: dict[str, Any], o: Options) -> Call:
    symbol, indicator = e["symbols"][0], e.get("indicator")
    return Call(["ta", symbol, *(["--indicator", indicator] if indicator else []),
                 *(["--chart"] if o.chart else []), *_vs(e)], f"{ANALYSIS}:show_ta",
                {"symbol": symbol, "indicator": indicator, "chart": o.chart},
                e.get("vs_currency"))


def _gas(e: dict[str, Any], o: Options) -> Call:
    chain = e.get("chain")
    return Call(["gas", *(["--chain", chain] if chain else [])], f"{ANALYSIS}:show_gas",
                {"chain": chain})


def _dca(e: dict[str, Any], o: Options) -> Call:
    symbol = e["symbols"][0]
    amount = number_arg(e.get("amount", 100))
    every, days = e.get("interval_days", 7), e.get("days", 365)
    return Call(["dca", symbol, "--amount", amount, "--every", str(every), "--days", str(days),
                 *(["--chart"] if o.chart else [])], f"{ANALYSIS}:show_dca",
                {"symbol": symbol, "amount": amount, "every_days": every, "days": days,
                 "chart": o.chart})


def _tvl(e: dict[str, Any], o: Options) -> Call:
    protocol, chain = e.get("protocol"), e.get("chain")
    return Call(["defi", "tvl", *([protocol] if protocol else []),
                 *(["--chain", chain] if chain else []),
                 *(["--days", "90", "--chart"] if o.chart else [])],
                f"{DEFI}:show_tvl", {"protocol": protocol, "chain": chain,
                                     **({"days": 90, "chart": True} if o.chart else {})})


def _protocols(e: dict[str, Any], o: Options) -> Call:
    limit = int(e.get("limit") or 20)
    chain, category = e.get("chain"), e.get("category")
    return Call(["defi", "protocols", *(["--chain", chain] if chain else []),
                 *(["--category", category] if category else []),
                 *(["--limit", str(limit)] if "limit" in e else [])],
                f"{DEFI}:show_protocols", {"chain": chain, "category": category,
                                           "limit": limit})


def _yields(e: dict[str, Any], o: Options) -> Call:
    token = ",".join(e["symbols"]) if e.get("symbols") else None
    chain, protocol, min_apy = e.get("chain"), e.get("protocol"), e.get("min_apy")
    stable = bool(e.get("stablecoin"))
    return Call(["defi", "yields", *(["--token", token] if token else []),
                 *(["--chain", chain] if chain else []),
                 *(["--protocol", protocol] if protocol else []),
                 *(["--min-apy", number_arg(min_apy)] if min_apy is not None else []),
                 *(["--stable"] if stable else []),
                 *(["--staking"] if o.staking else [])], f"{DEFI}:show_yields",
                {"token": token, "chain": chain, "protocol": protocol,
                 "min_apy": min_apy, "stablecoin": stable, "staking": o.staking})


def _defi_compare(e: dict[str, Any], o: Options) -> Call:
    return Call(["defi", "compare", *e["protocols"]], f"{DEFI}:show_defi_compare",
                {"protocols": e["protocols"]})


def _in_portfolio(o: Options) -> tuple[list[str], dict[str, Any]]:
    """The --portfolio option and keyword of a portfolio the sentence named."""
    return (["--portfolio", o.portfolio], {"portfolio": o.portfolio}) if o.portfolio else \
        ([], {})


def _portfolio_show(e: dict[str, Any], o: Options) -> Call:
    """The holdings now; over a stated period ("this year") or asked how it has done, what
    the money did over it (`portfolio performance`)."""
    flag, kwargs = _in_portfolio(o)
    days = _stated_days(o)
    if o.performance or days:
        return Call(["portfolio", "performance", *(["--days", str(days)] if days else []),
                     *(["--chart"] if o.chart else []), *_vs(e), *flag],
                    f"{ANALYTICS}:show_performance",
                    {"chart": o.chart, **({"days": days} if days else {}), **kwargs},
                    e.get("vs_currency"))
    return Call(["portfolio", "show", *_vs(e), *flag], f"{PORTFOLIO}:show_portfolio", kwargs,
                e.get("vs_currency"))


def _trade(kind: str) -> Builder:
    def build(e: dict[str, Any], o: Options) -> Call:
        symbol = e["symbols"][0]
        amount = "all" if e["amount"] == "all" else number_arg(e["amount"])
        price = number_arg(e["price"]) if e.get("price") is not None else None
        currency = o.currency if price else None  # the currency the price was said in
        flag, kwargs = _in_portfolio(o)
        return Call(["portfolio", kind, symbol, amount, *(["--price", price] if price else []),
                     *(["--currency", currency] if currency else []),
                     *(["--date", o.date] if o.date else []), *flag],
                    f"{PORTFOLIO}:{'add' if kind == 'add' else 'remove'}_trade",
                    {"symbol": symbol, "amount": amount, "price": price, "currency": currency,
                     "date": o.date, **kwargs})
    return build


def _stated_days(o: Options) -> int | None:
    """A number of days the sentence stated for a command that takes --days."""
    return o.days if isinstance(o.days, int) and o.days > 1 else None


def _risk(e: dict[str, Any], o: Options) -> Call:
    days = _stated_days(o)
    flag, kwargs = _in_portfolio(o)
    return Call(["portfolio", "risk", *(["--days", str(days)] if days else []),
                 *(["--chart"] if o.chart else []), *flag], f"{ANALYTICS}:show_risk",
                {"chart": o.chart, **({"days": days} if days else {}), **kwargs})


def _optimize(e: dict[str, Any], o: Options) -> Call:
    days = _stated_days(o)
    flag, kwargs = _in_portfolio(o)
    return Call(["portfolio", "optimize", *(["--days", str(days)] if days else []), *flag],
                f"{ANALYTICS}:show_optimize", {**({"days": days} if days else {}), **kwargs})


def _fear_greed(e: dict[str, Any], o: Options) -> Call:
    days = _stated_days(o)
    return Call(["fear-greed", *(["--days", str(days)] if days else [])],
                f"{MARKET}:show_fear_greed", {"days": days} if days else {})


ALERT_FLAGS = {"above": "--above", "below": "--below", "cross": "--cross",
               "change": "--change", "change_up": "--up", "change_down": "--down"}


def _alert_add(e: dict[str, Any], o: Options) -> Call:
    symbol, target = e["symbols"][0], number_arg(e["target"])
    return Call(["alerts", "add", symbol, ALERT_FLAGS[e["condition"]], target],
                f"{ALERTS}:show_alert_add",
                {"symbol": symbol, "condition": e["condition"], "target": target})


def _alert_remove(e: dict[str, Any], o: Options) -> Call:
    if o.disable:  # kept, switched off: `alerts enable` brings it back
        ids = [int(e["alert_id"])] if e.get("alert_id") else []
        symbol = None if ids else (e.get("symbols") or [None])[0]
        return Call(["alerts", "disable", *map(str, ids),
                     *(["--symbol", symbol] if symbol else [])],
                    f"{ALERTS}:set_alerts_enabled",
                    {"ids": ids, "enabled": False, "symbol": symbol})
    if e.get("alert_id"):
        ids = [int(e["alert_id"])]
        return Call(["alerts", "remove", str(ids[0])], f"{ALERTS}:remove_alerts", {"ids": ids})
    if e.get("symbols"):
        symbol = e["symbols"][0]
        return Call(["alerts", "remove", "--symbol", symbol], f"{ALERTS}:remove_alerts",
                    {"symbol": symbol})
    if not e.get("all"):
        raise ValueError("alert_remove needs an id, a coin or all")
    return Call(["alerts", "remove", "--all"], f"{ALERTS}:remove_alerts", {"all_": True})


def _plain(argv: list[str], target: str) -> Builder:
    return lambda e, o: Call(list(argv), target)


def _intents() -> dict[str, Intent]:
    coin = ("symbols",)
    items = (
        Intent("price", "current price / quote of one or more assets",
               ("symbols", "vs_currency"), ("btc and eth in eur", "sol price"), coin, "a coin",
               "price", _price, takes_vs=True),
        Intent("convert", "convert an amount of one asset or currency into another",
               ("amount", "from", "to"), ("convert 2 eth to usd", "1000 sats in usd"),
               ("amount", "from", "to"), "an amount and two currencies", "convert", _convert),
        Intent("market_overview", "the market as a whole: top coins, total cap, BTC dominance",
               ("limit", "vs_currency"), ("top 10 coins", "how is the market"),
               command="market", build=_market, takes_vs=True),
        Intent("coin_info", "facts about a coin: what it is, ATH, supply, rank, links",
               ("symbols", "vs_currency"), ("what is chainlink", "ETH all-time high"), coin,
               "a coin", "coin", _coin, takes_vs=True),
        Intent("price_history", "past prices / a chart over a period",
               ("symbols", "days", "vs_currency"), ("chart sol for a month", "btc last year"),
               coin, "a coin", "history", _history, takes_vs=True),
        Intent("compare", "two or more assets side by side",
               ("symbols", "days", "vs_currency"), ("compare btc eth sol over 90 days",),
               ("symbols",), "two coins", "compare", _compare, takes_vs=True),
        Intent("trending", "coins trending / being searched now", (), ("what's trending",),
               command="trending", build=_plain(["trending"], f"{MARKET}:show_trending")),
        Intent("movers", "top gainers or losers", ("direction", "limit", "vs_currency"),
               ("top gainers today", "biggest losers"), command="movers", build=_movers,
               takes_vs=True),
        Intent("fear_greed", "the Fear & Greed index / overall sentiment", (),
               ("fear and greed",), command="fear-greed", build=_fear_greed),
        Intent("technical_analysis", "indicators and signals: RSI, MACD, Bollinger, moving "
               "averages, overbought/oversold", ("symbols", "indicator", "vs_currency"),
               ("is btc overbought", "rsi for sol"), coin, "a coin", "ta", _ta, takes_vs=True),
        Intent("gas", "network fee / gas price now", ("chain",),
               ("gas on arbitrum", "how much is a swap on base"), command="gas", build=_gas,
               takes_vs=True),
        Intent("tvl", "total value locked, of a protocol, a chain, or all of DeFi",
               ("protocol", "chain"), ("aave tvl", "tvl on arbitrum"), command="defi tvl",
               build=_tvl),
        Intent("defi_protocols", "list / rank DeFi protocols", ("chain", "category", "limit"),
               ("top lending protocols on base",), command="defi protocols", build=_protocols),
        Intent("yields", "yield, staking, lending and liquidity-pool opportunities and rates",
               ("symbols", "chain", "protocol", "min_apy", "stablecoin"),
               ("best stablecoin yields on arbitrum above 8%", "where can I stake eth"),
               command="defi yields", build=_yields),
        Intent("defi_compare", "two or more protocols side by side", ("protocols",),
               ("compare aave and compound",), ("protocols",), "two protocols",
               "defi compare", _defi_compare),
        Intent("dca", "simulate dollar-cost averaging into an asset over a past period",
               ("symbols", "amount", "interval_days", "days"),
               ("what if I bought $50 of btc every week for a year",), coin, "a coin", "dca",
               _dca),
        Intent("portfolio_show", "holdings, value, P&L, allocation", ("vs_currency",),
               ("show my portfolio", "how am I doing"), command="portfolio show",
               build=_portfolio_show, takes_vs=True),
        Intent("portfolio_add", "record a buy / add a holding", ("symbols", "amount", "price"),
               ("I bought 0.5 btc at 60k",), ("symbols", "amount"), "a coin and an amount",
               "portfolio add", _trade("add"), changes_data=True),
        Intent("portfolio_remove", "record a sell / remove a holding",
               ("symbols", "amount", "price"), ("sold 2 eth",), ("symbols", "amount"),
               "a coin and an amount", "portfolio remove", _trade("remove"),
               changes_data=True),
        Intent("portfolio_risk", "risk of the portfolio: volatility, VaR, drawdown, "
               "correlation", (), ("how risky is my portfolio",), command="portfolio risk",
               build=_risk),
        Intent("portfolio_optimize", "suggest an allocation / rebalancing", (),
               ("how should I rebalance",), command="portfolio optimize", build=_optimize),
        Intent("alert_add", "create a price or %-move alert", ("symbols", "condition", "target"),
               ("alert me if eth drops below 2.5k", "alert when sol is up 10% today"),
               ("symbols", "condition", "target"), "a coin, a condition and a target",
               "alerts add", _alert_add, changes_data=True, takes_vs=True),
        Intent("alert_list", "show alerts", (), ("what alerts do I have",),
               command="alerts list", build=_plain(["alerts", "list"], f"{ALERTS}:show_alerts")),
        # "delete that alert" with nothing it can refer to asks which, never removes all
        Intent("alert_remove", "delete alerts", ("alert_id", "symbols", "all"),
               ("delete alert 3", "delete that alert"), need="an alert id, a coin or “all”",
               command="alerts remove", build=_alert_remove, changes_data=True,
               required_any=("alert_id", "symbols", "all")),
        Intent("help", "what the assistant can do, how to use it", (), ("help",)),
        Intent("smalltalk", "greetings, thanks, chit-chat", (), ("hi",)),
        Intent("unknown", "anything outside the assistant's scope", ()),
    )
    return {i.name: i for i in items}


INTENTS: dict[str, Intent] = _intents()
# Intents that are talk about the conversation, not questions with an answer to run.
CONVERSATIONAL = frozenset({"help", "smalltalk", "unknown"})


def allowed(intent: str) -> frozenset[str]:
    """The entity keys the contract allows for `intent`."""
    spec = INTENTS.get(intent)
    return frozenset(spec.entities) if spec else frozenset()


def clean(intent: str, entities: Mapping[str, Any]) -> dict[str, Any]:
    """Only the keys `intent` allows, never empty, null or of the wrong type."""
    keys = allowed(intent)
    out: dict[str, Any] = {}
    for key, value in entities.items():
        if key not in keys or value in (None, [], ""):
            continue
        try:
            ENTITIES[key].normalise(value, strict=False)
        except ValueError:
            continue
        out[key] = value
    return out


def validate(intent: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """A call's arguments in normal form, or ValueError with every reason it is refused."""
    spec = INTENTS.get(intent)
    if spec is None:
        raise ValueError(f"no such intent {intent!r}")
    problems: list[str] = []
    out: dict[str, Any] = {}
    for key, value in arguments.items():
        if key not in spec.entities:
            problems.append(f"{key}: not an entity of {intent}")
            continue
        if value is None:
            continue
        try:
            out[key] = ENTITIES[key].normalise(value)
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise ValueError("; ".join(problems))
    return out


def tool_schemas(*, built_only: bool = False) -> list[dict[str, Any]]:
    """OpenAI-style function tools, one per intent that can be asked for."""
    tools = []
    for spec in INTENTS.values():
        if spec.name in CONVERSATIONAL or (built_only and spec.build is None):
            continue
        properties = {}
        for key in spec.entities:
            schema = _public(ENTITIES[key].schema)
            properties[key] = {**schema, "description": ENTITIES[key].description}
        description = spec.summary[0].upper() + spec.summary[1:]
        if spec.examples:
            description += ". E.g. " + "; ".join(f"“{x}”" for x in spec.examples)
        tools.append({"type": "function", "function": {
            "name": spec.name, "description": description,
            "parameters": {"type": "object", "properties": properties,
                           "required": list(spec.required), "additionalProperties": False}}})
    return tools


def _public(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON schema without this module's own keywords (x-case)."""
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key.startswith("x-"):
            continue
        if isinstance(value, Mapping):
            value = _public(value)
        elif isinstance(value, list) and value and isinstance(value[0], Mapping):
            value = [_public(v) for v in value]
        elif isinstance(value, tuple):
            value = list(value)
        out[key] = value
    return out


def built() -> list[Intent]:
    """Intents with an answer, in declaration order."""
    return [i for i in INTENTS.values() if i.build is not None]


def completion_words() -> list[str]:
    """Words of the commands and example sentences, for REPL completion."""
    words: list[str] = []
    for spec in built():
        words += (spec.command or "").split()
        for example in spec.examples:
            words += re.findall(r"[a-z][a-z'-]+", example.lower())
    return list(dict.fromkeys(w for w in words if len(w) > 2))
