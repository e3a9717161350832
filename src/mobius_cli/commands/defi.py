"""DeFi commands: `defi tvl|protocols|chains|yields|compare`. Each `show_*` function is
what the subcommand, `ask` and the REPL run."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from mobius_cli.commands._common import CsvOpt, JsonOpt, app_context

if TYPE_CHECKING:
    from mobius_cli.context import AppContext

defi_app = typer.Typer(
    name="defi", no_args_is_help=True,
    help="DeFi from DeFiLlama: TVL, protocol and chain rankings, yields, comparisons.\n\n"
    "Examples: `mobius defi tvl aave`, `mobius defi yields --chain arbitrum --stable`.")

ChainOpt = Annotated[str | None, typer.Option("--chain", "-c", metavar="CHAIN",
                                              help="A chain: ethereum, arbitrum, optimism...")]
LimitOpt = Annotated[int, typer.Option("--limit", "-n", help="How many rows.")]


# --- the answers, shared with `ask` and the REPL ---------------------------------------


def _usd_only(app: AppContext) -> None:
    """DeFiLlama reports in USD: say so when another currency was asked for."""
    if app.vs and app.vs.strip().lower() != "usd":
        app.note("DeFiLlama figures are in USD (--vs does not apply to them)")


def show_tvl(app: AppContext, protocol: str | None = None, chain: str | None = None,
             days: int | None = None, chart: bool = False, as_csv: bool = False) -> None:
    """TVL of a protocol (a parent sums its versions), a chain, or all of DeFi; `days`
    (default 30 with `chart`) adds the daily history."""
    from mobius_cli.render import defi as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import defi

    _usd_only(app)
    if chart and days is None:
        days = 30
    drawing = chart and not app.json and not as_csv
    report = defi.tvl(app.defillama, protocol, chain, days, changes=not (app.json or as_csv),
                      progress=app.spinner, on_note=app.note)
    if drawing:
        if not report.history:
            app.note("no TVL history for that period")
            return
        # Raw: the chart is already laid out (and coloured) for this width.
        app.out.file.write(view.tvl_chart(report, app.out.width, app.color) + "\n")
        return
    emit(app, report.to_json(), lambda: view.tvl_view(report, app.color),
         csv_rows=report.csv_rows(), as_csv=as_csv)


def show_protocols(app: AppContext, chain: str | None = None, category: str | None = None,
                   limit: int = 20, sort: str = "tvl", as_csv: bool = False) -> None:
    """The top protocols by TVL (on a chain, in a category) or by 24h/7d change."""
    from mobius_cli.render import defi as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import defi

    _usd_only(app)
    ranking = defi.protocols(app.defillama, chain, category, limit, sort, progress=app.spinner)
    if not ranking.rows:
        app.note("no protocol matches")
    emit(app, ranking.to_json(), lambda: view.protocols_table(ranking, app.color),
         csv_rows=ranking.csv_rows(), as_csv=as_csv)


def show_chains(app: AppContext, limit: int = 20, as_csv: bool = False) -> None:
    """Chains by TVL, with share, protocol count and estimated 24h/7d change."""
    from mobius_cli.render import defi as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import defi

    _usd_only(app)
    ranking = defi.chains(app.defillama, limit, progress=app.spinner, on_note=app.note)
    emit(app, ranking.to_json(), lambda: view.chains_table(ranking, app.color),
         as_csv=as_csv)


def show_yields(app: AppContext, token: str | None = None, chain: str | None = None,
                protocol: str | None = None, min_apy: float | str | None = None,
                stablecoin: bool = False, min_tvl: float | str | None = None,
                exposure: str | None = None, no_il: bool = False, sort: str = "apy",
                limit: int = 20, show_all: bool = False, as_csv: bool = False,
                staking: bool = False) -> None:
    """Yield pools, best first; outliers and pools under $10k TVL hidden unless show_all."""
    from mobius_cli.render import defi as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import defi

    _usd_only(app)
    answer = defi.yields(app.defillama, token, chain, protocol, min_apy, min_tvl, stablecoin,
                         exposure, no_il, sort, limit, show_all, staking,
                         progress=app.spinner)
    table = bool(answer.pools) and not (app.json or as_csv)
    if not answer.pools:
        app.note("no pool matches" + ("" if show_all else "; try --all or fewer filters"))
    hidden = answer.hidden_note()
    if hidden and not table:  # a table says it in its caption
        app.note(hidden)
    related = answer.related_note()
    if related:
        app.note(related)
    if not answer.pools and not (app.json or as_csv):
        return  # the notes say it all: no empty table
    emit(app, answer.to_json(), lambda: view.yields_table(answer, app.color),
         csv_rows=answer.csv_rows(), as_csv=as_csv)


def show_defi_compare(app: AppContext, protocols: list[str], as_csv: bool = False) -> None:
    """Protocols side by side: TVL, changes, category, chains and their best pools."""
    from mobius_cli.render import defi as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import defi

    _usd_only(app)
    result = defi.compare(app.defillama, protocols, progress=app.spinner)
    emit(app, result.to_json(), lambda: view.compare_table(result, app.color),
         csv_rows=result.csv_rows(), as_csv=as_csv)


# --- the subcommands -------------------------------------------------------------------


@defi_app.command("tvl")
def tvl_cmd(ctx: typer.Context,
            protocol: Annotated[str | None, typer.Argument(
                metavar="[PROTOCOL]", help="A protocol (aave, lido, uniswap-v3); "
                "none for a chain or all DeFi.")] = None,
            chain: ChainOpt = None,
            days: Annotated[int | None, typer.Option(
                "--days", "-d", help="Add the daily history of the last N days (1..3650).")] = None,
            chart: Annotated[bool, typer.Option("--chart", help="Draw the history "
                                                "(30 days unless --days).")] = False,
            json: JsonOpt = False, csv: CsvOpt = False) -> None:
    """Total value locked: of a protocol, a chain, or all of DeFi.

    A parent such as `aave` sums its versions; staking, pool2 and borrowed amounts are
    not TVL (borrowed is shown apart for lending).

    Examples: `mobius defi tvl aave`, `mobius defi tvl --chain optimism`,
    `mobius defi tvl lido --days 90 --chart`.
    """
    show_tvl(app_context(ctx, json=json), protocol, chain, days, chart, csv)


@defi_app.command("protocols")
def protocols_cmd(ctx: typer.Context, chain: ChainOpt = None,
                  category: Annotated[str | None, typer.Option(
                      "--category", metavar="CATEGORY",
                      help="Lending, Dexs, Liquid Staking, CDP, Bridge...")] = None,
                  limit: LimitOpt = 20,
                  sort: Annotated[str, typer.Option(
                      "--sort", help="tvl, change_1d or change_7d.")] = "tvl",
                  json: JsonOpt = False, csv: CsvOpt = False) -> None:
    """Top DeFi protocols by TVL (CEXs left out unless --category cex).

    Examples: `mobius defi protocols --chain base --category lending`,
    `mobius defi protocols --sort change_7d -n 10`.
    """
    show_protocols(app_context(ctx, json=json), chain, category, limit, sort, csv)


@defi_app.command("chains")
def chains_cmd(ctx: typer.Context, limit: LimitOpt = 20, json: JsonOpt = False,
               csv: CsvOpt = False) -> None:
    """Chains by DeFi TVL, with share and protocol count.

    The 24h/7d change is estimated from the changes of the protocols on each chain.

    Example: `mobius defi chains -n 10`.
    """
    show_chains(app_context(ctx, json=json), limit, csv)


@defi_app.command("yields")
def yields_cmd(ctx: typer.Context,
               token: Annotated[str | None, typer.Option(
                   "--token", "-t", metavar="TOKEN",
                   help="One of the pool's tokens, exactly (USDC is not USDC.E); "
                   "several as usdc,usdt.")] = None,
               chain: ChainOpt = None,
               protocol: Annotated[str | None, typer.Option(
                   "--protocol", "-p", metavar="PROTOCOL",
                   help="A protocol or parent (aave covers aave-v2 and aave-v3).")] = None,
               min_apy: Annotated[str | None, typer.Option(
                   "--min-apy", metavar="PCT", help="Only pools with at least this APY.")]
               = None,
               min_tvl: Annotated[str | None, typer.Option(
                   "--min-tvl", metavar="USD",
                   help="Only pools with at least this TVL in USD (1m, 250k); "
                   "default: pools under $10k hidden.")]
               = None,
               stable: Annotated[bool, typer.Option("--stable",
                                                    help="Stablecoin pools only.")] = False,
               exposure: Annotated[str | None, typer.Option(
                   "--exposure", help="single or multi (LP) token exposure.")] = None,
               no_il: Annotated[bool, typer.Option(
                   "--no-il", help="Only pools without impermanent-loss risk.")] = False,
               sort: Annotated[str, typer.Option("--sort",
                                                 help="apy, tvl or apy_base.")] = "apy",
               limit: LimitOpt = 20,
               show_all: Annotated[bool, typer.Option(
                   "--all", help="Include outliers and pools under $10k TVL.")] = False,
               staking: Annotated[bool, typer.Option(
                   "--staking", help="Staking protocols' pools only (liquid staking, "
                   "restaking); --token eth then matches stETH, rETH, weETH too.")] = False,
               json: JsonOpt = False, csv: CsvOpt = False) -> None:
    """Yield pools, best APY first, with base and reward APY apart.

    By default pools under $10k TVL and outliers (absurd APYs DeFiLlama flags) are hidden
    unless --all, and a note says how many; --min-tvl sets the TVL floor instead, e.g.
    --min-tvl 1m for large pools only.

    Examples: `mobius defi yields --chain arbitrum --stable --min-apy 8`,
    `mobius defi yields --token eth --no-il --sort tvl`,
    `mobius defi yields --token eth --staking`.
    """
    show_yields(app_context(ctx, json=json), token, chain, protocol, min_apy, stable,
                min_tvl, exposure, no_il, sort, limit, show_all, csv, staking)


@defi_app.command("compare")
def compare_cmd(ctx: typer.Context,
                protocols: Annotated[list[str], typer.Argument(
                    metavar="PROTOCOL...", help="Two or more protocols.")],
                json: JsonOpt = False, csv: CsvOpt = False) -> None:
    """Protocols side by side: TVL, 24h/7d change, category, chains, best pools.

    Example: `mobius defi compare aave compound-v3 spark`.
    """
    show_defi_compare(app_context(ctx, json=json), protocols, csv)
