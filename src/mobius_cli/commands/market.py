"""Market commands: price, market, coin, history, compare, convert, trending, movers,
fear-greed. Each `show_*` function is what the subcommand, `ask` and the REPL run."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from mobius_cli.commands._common import CsvOpt, JsonOpt, VsOpt, app_context

if TYPE_CHECKING:
    from mobius_cli.context import AppContext
    from mobius_cli.core.models import CoinRef

IdOpt = Annotated[
    list[str] | None,
    typer.Option("--id", metavar="ID", help="A CoinGecko id, to pick one of a shared ticker."),
]
DaysOpt = Annotated[str, typer.Option("--days", "-d",
                                      help="Days back (1..3650: 7, 30, 365...) or max.")]


# --- the answers, shared with `ask` and the REPL ---------------------------------------
#
# Each parses its arguments, calls a library-first service with the providers it needs
# (wired by AppContext), and renders the typed result.


def _resolve(app: AppContext, symbols: list[str], ids: list[str]) -> list[CoinRef]:
    from mobius_cli.services import market

    return market.resolve(app.coingecko, symbols, ids, on_note=app.note)


def _resolve_one(app: AppContext, symbol: str | None, coin_id: str | None) -> CoinRef:
    from mobius_cli.services import market

    return market.resolve_one(app.coingecko, symbol, coin_id, on_note=app.note)


def show_price(app: AppContext, symbols: list[str], ids: list[str] = (),  # type: ignore[assignment]
               as_csv: bool = False) -> None:
    from mobius_cli.render import market as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import market

    vs = app.vs_currency
    with app.spinner("Fetching prices…"):
        coins = _resolve(app, symbols, ids)
        quotes = market.quotes(app.coingecko, coins, vs, fallback=app.defillama,
                               offline=app.offline, on_note=app.note)
    rows = [q.to_json() for q in quotes]
    # CSV keeps its columns; JSON rows carry `stale` beside `last_updated`.
    csv_rows = [{k: v for k, v in row.items() if k != "stale"} for row in rows]
    emit(app, rows, lambda: view.quotes_table(quotes, app.color), csv_rows=csv_rows,
         as_csv=as_csv)


def show_market(app: AppContext, limit: int = 10, as_csv: bool = False) -> None:
    from mobius_cli.render import market as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import market

    if not 1 <= limit <= 250:
        from mobius_cli.errors import UsageError

        raise UsageError(f"--limit must be a whole number from 1 to 250, not {limit}")
    with app.spinner("Fetching the market…"):
        result = market.overview(app.coingecko, app.vs_currency, limit)
    data = result.to_json()
    emit(app, data, lambda: view.overview(result, app.color), csv_rows=data["coins"],
         as_csv=as_csv)


def show_coin(app: AppContext, symbol: str | None, coin_id: str | None = None) -> None:
    from mobius_cli.render import coin as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import market

    vs = app.vs_currency
    with app.spinner("Fetching coin facts…"):
        coin = _resolve_one(app, symbol, coin_id)
        facts = market.coin_facts(app.coingecko, coin, vs)
    emit(app, facts.to_json(), lambda: view.coin_panel(facts, app.color))


def _days_in_range(days: str | int) -> str | int:
    """`days` unchanged when a number of days is within the bounds every --days shares
    (or is 'max'); else the shared message, which names 'max' here."""
    import re

    from mobius_cli.services.market import MAX_DAYS, days_error

    match = re.fullmatch(r"\s*([+-]?\d+)\s*[dD]?\s*", str(days))
    if match and not 1 <= int(match.group(1)) <= MAX_DAYS:
        raise days_error(int(match.group(1)), or_max=True)
    return days


def show_history(app: AppContext, symbol: str | None, days: str | int = 30, chart: bool = False,
                 coin_id: str | None = None, as_csv: bool = False) -> None:
    from mobius_cli.core.market import parse_days
    from mobius_cli.render import market as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import market

    span = parse_days(_days_in_range(days))
    with app.spinner("Fetching history…"):
        coin = _resolve_one(app, symbol, coin_id)
        result = market.history(app.coingecko, coin, app.vs_currency, span)
    data = result.to_json()
    if chart and not app.json and not as_csv:
        if not result.points:
            app.note("no price data for that period")
            return
        # Raw: the chart is already laid out (and coloured) for this width.
        app.out.file.write(view.history_chart(result, app.out.width, app.color) + "\n")
        return
    emit(app, data, lambda: view.history_table(result, app.color), csv_rows=data["prices"],
         as_csv=as_csv)


def show_compare(app: AppContext, symbols: list[str], days: str | int = 30,
                 ids: list[str] = (), as_csv: bool = False) -> None:  # type: ignore[assignment]
    from mobius_cli.core.market import parse_days
    from mobius_cli.errors import UsageError
    from mobius_cli.render import market as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import market

    span = parse_days(_days_in_range(days))
    with app.spinner("Comparing…"):
        coins = _resolve(app, symbols, ids)
        if len(coins) < 2:
            raise UsageError("compare needs at least two coins",
                             hint="e.g. `mobius compare btc eth`")
        result = market.compare(app.coingecko, coins, app.vs_currency, span)
    emit(app, result.to_json(), lambda: view.comparison_table(result, app.color),
         as_csv=as_csv)


def show_convert(app: AppContext, amount: str | float, from_: str, to: str) -> None:
    from mobius_cli.core.market import parse_amount
    from mobius_cli.render import market as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import market

    value = amount if isinstance(amount, float) else parse_amount(str(amount))
    with app.spinner("Converting…"):
        result = market.convert(app.coingecko, value, from_, to, on_note=app.note)
    emit(app, result.to_json(), lambda: view.conversion_line(result))


def show_trending(app: AppContext, as_csv: bool = False) -> None:
    from mobius_cli.render import market as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import market

    if app.vs and app.vs.strip().lower() != "usd":
        app.note("CoinGecko's trending list is priced in USD only")
    with app.spinner("Fetching trending coins…"):
        result = market.trending(app.coingecko)
    rows = result.to_json()
    emit(app, rows, lambda: view.trending_table(rows, app.color), as_csv=as_csv)


def show_movers(app: AppContext, direction: str | None = None, limit: int = 10,
                universe: int = 100, as_csv: bool = False) -> None:
    from mobius_cli.errors import UsageError
    from mobius_cli.render import market as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import market

    if direction not in (None, "gainers", "losers"):
        raise UsageError("direction must be gainers or losers")
    if not 1 <= limit <= 100:  # only what is wrong is named
        raise UsageError(f"--limit must be a whole number from 1 to 100, not {limit}")
    if not 10 <= universe <= 250:
        raise UsageError(f"--top must be a whole number from 10 to 250, not {universe}")
    vs = app.vs_currency
    with app.spinner("Finding movers…"):
        found = market.movers(app.coingecko, vs, universe=universe, limit=limit)
    sides = [direction] if direction else ["gainers", "losers"]
    data = found.to_json(sides)
    rows = [dict(side=side, **row) for side in sides for row in data[side]]
    emit(app, data, lambda: [view.market_rows_table(found.side(s), vs, ("24h",),
                                                    title=f"Top {s} (24h, top {universe})",
                                                    color=app.color) for s in sides],
         csv_rows=rows, as_csv=as_csv)


def show_fear_greed(app: AppContext, days: int = 1, as_csv: bool = False) -> None:
    from mobius_cli.render import market as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import market

    if not 1 <= days <= market.MAX_DAYS:
        raise market.days_error(days)
    with app.spinner("Fetching the Fear & Greed index…"):
        index = market.fear_greed(app.feargreed, days)
    points = [{"value": p.value, "classification": p.classification, "time": p.time}
              for p in index.points]
    emit(app, index.to_json(), lambda: view.fear_greed(points, app.color),
         csv_rows=index.rows(), as_csv=as_csv)


# --- the subcommands -------------------------------------------------------------------


def register(app: typer.Typer) -> None:
    """Add the market commands to the app."""

    @app.command("price")
    def price(ctx: typer.Context,
              symbols: Annotated[list[str] | None, typer.Argument(
                  metavar="SYMBOL...", help="Tickers, names or ids: btc eth solana.")] = None,
              ids: IdOpt = None, vs: VsOpt = None, json: JsonOpt = False,
              csv: CsvOpt = False) -> None:
        """Current price, 24h change, market cap and volume.

        Examples: `mobius price btc eth`, `mobius price sol --vs eur --json`.
        """
        show_price(app_context(ctx, json=json, vs=vs), symbols or [], ids or [], csv)

    @app.command("market")
    def market_cmd(ctx: typer.Context,
                   limit: Annotated[int, typer.Option("--limit", "-n",
                                                      help="How many top coins.")] = 10,
                   vs: VsOpt = None, json: JsonOpt = False, csv: CsvOpt = False) -> None:
        """Top coins and the global market: total cap, volume, BTC/ETH dominance.

        Example: `mobius market -n 20`.
        """
        show_market(app_context(ctx, json=json, vs=vs), limit, csv)

    @app.command("coin")
    def coin(ctx: typer.Context,
             symbol: Annotated[str | None, typer.Argument(
                 metavar="SYMBOL", help="A ticker, name or id (or use --id).")] = None,
             coin_id: Annotated[str | None, typer.Option("--id", metavar="ID",
                                                            help="A CoinGecko id.")] = None,
             vs: VsOpt = None, json: JsonOpt = False) -> None:
        """Facts about a coin: rank, supply, ATH/ATL, links, description.

        Examples: `mobius coin link`, `mobius coin --id tokamak-network --json`.
        """
        show_coin(app_context(ctx, json=json, vs=vs), symbol, coin_id)

    @app.command("history")
    def history(ctx: typer.Context,
                symbol: Annotated[str | None, typer.Argument(
                    metavar="SYMBOL", help="A ticker, name or id (or use --id).")] = None,
                days: DaysOpt = "30",
                chart: Annotated[bool, typer.Option("--chart", help="Draw a chart.")] = False,
                coin_id: Annotated[str | None, typer.Option("--id", metavar="ID",
                                                               help="A CoinGecko id.")] = None,
                vs: VsOpt = None, json: JsonOpt = False, csv: CsvOpt = False) -> None:
        """Past prices as a table, or a chart in the terminal.

        Examples: `mobius history btc --days 7`, `mobius history eth --days 90 --chart`.
        """
        show_history(app_context(ctx, json=json, vs=vs), symbol, days, chart, coin_id, csv)

    @app.command("compare")
    def compare(ctx: typer.Context,
                symbols: Annotated[list[str] | None, typer.Argument(
                    metavar="SYMBOL...", help="Two or more tickers, names or ids.")] = None,
                days: DaysOpt = "30", ids: IdOpt = None, vs: VsOpt = None,
                json: JsonOpt = False, csv: CsvOpt = False) -> None:
        """Coins side by side, with performance over a period.

        Example: `mobius compare btc eth sol --days 90`.
        """
        show_compare(app_context(ctx, json=json, vs=vs), symbols or [], days, ids or [], csv)

    @app.command("convert")
    def convert(ctx: typer.Context,
                amount: Annotated[str, typer.Argument(metavar="AMOUNT",
                                                       help="How much: 2, 0.5, 1,500, 2.5k.")],
                from_: Annotated[str, typer.Argument(metavar="FROM", help="Coin or currency.")],
                to: Annotated[str, typer.Argument(metavar="TO", help="Coin or currency.")],
                json: JsonOpt = False) -> None:
        """Convert an amount between coins and currencies, either way.

        Examples: `mobius convert 2 eth eur`, `mobius convert 500 usd sol`.
        """
        show_convert(app_context(ctx, json=json), amount, from_, to)

    @app.command("trending")
    def trending(ctx: typer.Context, json: JsonOpt = False, csv: CsvOpt = False) -> None:
        """Coins people are searching for on CoinGecko now (prices in USD).

        Example: `mobius trending --json | jq '.[].symbol'`.
        """
        show_trending(app_context(ctx, json=json), csv)

    @app.command("movers")
    def movers(ctx: typer.Context,
               gainers: Annotated[bool, typer.Option("--gainers", help="Only gainers.")] = False,
               losers: Annotated[bool, typer.Option("--losers", help="Only losers.")] = False,
               limit: Annotated[int, typer.Option("--limit", "-n", help="Rows per side.")] = 10,
               top: Annotated[int, typer.Option("--top", help="Among the N largest coins.")]
               = 100,
               vs: VsOpt = None, json: JsonOpt = False, csv: CsvOpt = False) -> None:
        """Biggest 24h gainers and losers among the largest coins.

        Example: `mobius movers --losers -n 5`.
        """
        direction = "gainers" if gainers and not losers else "losers" if losers and not gainers \
            else None
        show_movers(app_context(ctx, json=json, vs=vs), direction, limit, top, csv)

    @app.command("fear-greed")
    def fear_greed(ctx: typer.Context,
                   days: Annotated[int, typer.Option("--days", "-d",
                                                     help="Days of history (1..3650).")] = 1,
                   json: JsonOpt = False, csv: CsvOpt = False) -> None:
        """The Crypto Fear & Greed index (alternative.me), now or over --days.

        Example: `mobius fear-greed --days 7`.
        """
        show_fear_greed(app_context(ctx, json=json), days, csv)
