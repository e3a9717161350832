"""Analysis commands: ta, gas, dca. Each `show_*` function is what the subcommand, `ask`
and the REPL run."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from mobius_cli.commands._common import CsvOpt, JsonOpt, VsOpt, app_context

if TYPE_CHECKING:
    from mobius_cli.context import AppContext
    from mobius_cli.core.models import CoinRef

# What `--indicator` (and "rsi for sol") may name -> the indicators shown.
INDICATORS = {
    "rsi": ("rsi_14",), "macd": ("macd",), "bollinger": ("bollinger",), "bb": ("bollinger",),
    "bands": ("bollinger",), "sma": ("sma_20", "sma_50", "sma_200"), "ema": ("ema_12", "ema_26"),
    "ma": ("sma_20", "sma_50", "sma_200", "ema_12", "ema_26"),
}


def _coin(app: AppContext, symbol: str | None, coin_id: str | None) -> CoinRef:
    from mobius_cli.services import market

    return market.resolve_one(app.coingecko, symbol, coin_id, on_note=app.note)


def _days(days: str | int) -> int:
    import re

    from mobius_cli.services.market import MAX_DAYS, days_error

    match = re.fullmatch(r"\s*([+-]?\d+)\s*[dD]?\s*", str(days))
    if not match:
        raise days_error(days)
    if not 1 <= int(match.group(1)) <= MAX_DAYS:
        raise days_error(int(match.group(1)))
    return int(match.group(1))


def _check_chain_name(name: str) -> None:
    """A chain name is words (letters, digits, '-', '_'): anything else ('[/]') is an
    unknown chain with a "did you mean", never a MOBIUS_RPC_URL_<...> it could not be."""
    import re

    if re.fullmatch(r"[^\W_]+(?:[ _-]+[^\W_]+)*", name.strip()):
        return
    from mobius_cli.core.defi import did_you_mean, suggest
    from mobius_cli.errors import UsageError
    from mobius_cli.providers.rpc import CHAINS

    names = [c.name for c in CHAINS]
    close = did_you_mean(suggest(name, names)) if name.strip() else None
    raise UsageError(f"unknown chain {name.strip()!r}",
                     hint=close or f"known chains: {', '.join(names)}")


def indicator_names(indicator: str | None) -> tuple[str, ...] | None:
    """The indicators `indicator` names (rsi, macd, bollinger, sma, ema), None for all."""
    if indicator is None:
        return None
    key = indicator.strip().lower().replace("-", "").replace(" ", "")
    for prefix in ("rsi", "macd", "sma", "ema"):
        if key.startswith(prefix):  # rsi14, sma200, ema12...
            key = prefix
    if key.startswith("bollinger"):
        key = "bollinger"
    if key not in INDICATORS:
        from mobius_cli.errors import UsageError

        raise UsageError(f"unknown indicator {indicator!r}",
                         hint="one of rsi, macd, bollinger, sma, ema")
    return INDICATORS[key]


# --- the answers, shared with `ask` and the REPL ---------------------------------------


def show_ta(app: AppContext, symbol: str | None, days: str | int = 365, chart: bool = False,
            indicator: str | None = None, coin_id: str | None = None,
            as_csv: bool = False) -> None:
    """Indicators, signals and the overall view for one coin."""
    from mobius_cli.render import analysis as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import analysis

    span = _days(days)
    only = indicator_names(indicator)
    vs = app.vs_currency
    with app.spinner("Computing indicators…"):
        coin = _coin(app, symbol, coin_id)
        report = analysis.technicals(app.coingecko, coin, vs, span)
    missing = report.tech.missing
    if missing and (only is None or set(only) & set(missing)):
        shown = [name for name in missing if only is None or name in only]
        have = len(report.tech.closes)
        fix = (f"CoinGecko has no older history for {coin.symbol}" if have < span
               else "a longer --days gives them")
        app.note(f"only {have} daily closes: "
                 + "; ".join(view.need_text(name) for name in shown)
                 + f" (shown as null); {fix}")
    if chart and not app.json and not as_csv:
        app.out.file.write(view.ta_chart(report, app.out.width, app.color) + "\n")
        return
    rows = view.ta_rows(report)
    emit(app, report.to_json(), lambda: view.ta_view(report, app.color, only),
         csv_rows=rows, as_csv=as_csv)


def show_gas(app: AppContext, chain: str | None = None, all_chains: bool = False,
             as_csv: bool = False) -> None:
    """Base fee, slow/standard/fast fees and the cost of a transfer and a swap."""
    from mobius_cli.errors import UsageError
    from mobius_cli.providers.rpc import RpcNodes, configured_chains, find_chain
    from mobius_cli.render import analysis as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import analysis

    if chain and all_chains:
        raise UsageError("use --chain or --all, not both")
    if chain is not None:
        _check_chain_name(chain)
    chains = configured_chains() if all_chains else [find_chain(chain or "ethereum")]
    vs = app.vs_currency
    nodes = RpcNodes(app.http, app.settings)
    with app.spinner("Asking the nodes…" if all_chains else "Asking the node…"):
        report = analysis.gas(nodes, app.coingecko, chains, vs, on_note=app.note)
    for levels in report.levels:
        for note in levels.notes:
            app.note(note)
    rollups = [lv.title for lv in report.levels if lv.chain in analysis.L2_CHAINS]
    if rollups:
        app.note(f"{', '.join(rollups)}: costs are the L2 execution fee; the L1 data fee a "
                 "transaction also pays is not included")
    data = report.to_json() if all_chains else report.to_json()[0]
    rows = view.gas_rows(report)
    emit(app, data, lambda: view.gas_view(report, app.color, side_by_side=all_chains),
         csv_rows=rows, as_csv=as_csv)


def show_dca(app: AppContext, symbol: str | None, amount: str | float,
             every_days: str | int = "week", days: str | int = 365, chart: bool = False,
             coin_id: str | None = None, as_csv: bool = False) -> None:
    """Back-test buying `amount` every `every_days` over `days`, beside a lump sum."""
    from mobius_cli.core.dca import parse_every
    from mobius_cli.core.market import parse_amount
    from mobius_cli.render import analysis as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import analysis

    value = float(amount) if isinstance(amount, (int, float)) else parse_amount(str(amount))
    if not value > 0:
        from mobius_cli.errors import UsageError

        raise UsageError(f"--amount must be a positive number, not {amount!r}")
    every = parse_every(every_days)
    span = _days(days)
    vs = app.vs_currency
    with app.spinner("Back-testing…"):
        coin = _coin(app, symbol, coin_id)
        report = analysis.dca(app.coingecko, coin, vs, value, every, span)
    steps = report.result.steps
    if len(steps) < span:  # a young coin: the back-test starts at its first close
        app.note(f"{coin.symbol} has prices only since {steps[0].time:%Y-%m-%d}: the back-test "
                 f"covers {len(steps)} daily closes, not {span} days")
    if every >= len(steps):
        app.note(f"every {every} days over {len(steps)} closes is a single buy")
    if chart and not app.json and not as_csv:
        app.out.file.write(view.dca_chart(report, app.out.width, app.color) + "\n")
        return
    emit(app, report.to_json(), lambda: view.dca_view(report, app.color),
         csv_rows=view.dca_rows(report), as_csv=as_csv)


# --- the subcommands -------------------------------------------------------------------

CoinIdOpt = Annotated[str | None, typer.Option("--id", metavar="ID", help="A CoinGecko id.")]
SymbolArg = Annotated[str | None, typer.Argument(
    metavar="SYMBOL", help="A ticker, name or id (or use --id).")]
ChartOpt = Annotated[bool, typer.Option("--chart", help="Draw a chart in the terminal.")]


def register(app: typer.Typer) -> None:
    """Add ta, gas and dca to the app."""

    @app.command("ta")
    def ta(ctx: typer.Context, symbol: SymbolArg = None,
           days: Annotated[str, typer.Option("--days", "-d",
                                             help="Days of daily closes (1..3650).")] = "365",
           indicator: Annotated[str | None, typer.Option(
               "--indicator", "-i", metavar="NAME",
               help="Show one: rsi, macd, bollinger, sma or ema.")] = None,
           chart: ChartOpt = False, coin_id: CoinIdOpt = None, vs: VsOpt = None,
           json: JsonOpt = False, csv: CsvOpt = False) -> None:
        """RSI, MACD, Bollinger bands, SMA/EMA and what they show (TA-Lib's definitions).

        Signals describe momentum, trend and mean reversion with their reasons, and an
        overall view with a confidence (the share of signals that agree). Not advice.

        Examples: `mobius ta btc`, `mobius ta sol --indicator rsi`, `mobius ta eth --chart`.
        """
        show_ta(app_context(ctx, json=json, vs=vs), symbol, days, chart, indicator, coin_id,
                csv)

    @app.command("gas")
    def gas(ctx: typer.Context,
            chain: Annotated[str | None, typer.Option(
                "--chain", "-c", metavar="CHAIN",
                help="ethereum (default), arbitrum, optimism, base, polygon, bsc, avalanche.")]
            = None,
            all_chains: Annotated[bool, typer.Option(
                "--all", "-a", help="Every configured chain side by side.")] = False,
            vs: VsOpt = None, json: JsonOpt = False, csv: CsvOpt = False) -> None:
        """Gas fees from the chain's JSON-RPC node, and what a transfer and a swap cost.

        Node URLs: `mobius config set rpc_url_base URL`, or MOBIUS_RPC_URL (Ethereum) and
        MOBIUS_RPC_URL_<CHAIN> (any EVM chain).

        Examples: `mobius gas`, `mobius gas --chain arbitrum --vs eur`, `mobius gas --all`.
        """
        show_gas(app_context(ctx, json=json, vs=vs), chain, all_chains, csv)

    @app.command("dca")
    def dca(ctx: typer.Context, symbol: SymbolArg = None,
            amount: Annotated[str, typer.Option(
                "--amount", "-a", metavar="AMOUNT",
                help="Spent on each buy, in the quote currency (100, 1.5k).")] = "100",
            every: Annotated[str, typer.Option(
                "--every", "-e", metavar="PERIOD",
                help="day, week, month or a number of days.")] = "week",
            days: Annotated[str, typer.Option("--days", "-d",
                                              help="Days back to start (1..3650).")] = "365",
            chart: ChartOpt = False, coin_id: CoinIdOpt = None, vs: VsOpt = None,
            json: JsonOpt = False, csv: CsvOpt = False) -> None:
        """Dollar-cost averaging back-test: buys, average cost, value now, lump sum beside it.

        Buys at the first daily close of the period and every --every closes after it;
        values at the live price.

        Examples: `mobius dca btc --amount 50 --every week`,
        `mobius dca eth -a 100 -e month --days 730 --chart`.
        """
        show_dca(app_context(ctx, json=json, vs=vs), symbol, amount, every, days, chart,
                 coin_id, csv)
