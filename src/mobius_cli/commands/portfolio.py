"""`mobius portfolio`: holdings, trades, history, several portfolios, import and export.

Each `show_*` / action function here is what the subcommand, `ask` and the REPL run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from mobius_cli.commands._common import CsvOpt, JsonOpt, VsOpt, app_context

if TYPE_CHECKING:
    from mobius_cli.context import AppContext
    from mobius_cli.services.portfolio import PortfolioOptions

portfolio_app = typer.Typer(
    help="Your portfolios: a transaction ledger with exact cost basis and P&L.\n\n"
    "Examples: `mobius portfolio add btc 0.5 --price 60000`, `mobius portfolio show`, "
    "`mobius portfolio remove eth 2`, `mobius portfolio import koinly.csv --dry-run`.",
    no_args_is_help=False, invoke_without_command=True)

PortfolioOpt = Annotated[str | None, typer.Option(
    "--portfolio", "-p", metavar="NAME", help="Which portfolio (default: main).")]
MethodOpt = Annotated[str | None, typer.Option(
    "--method", "-m", metavar="METHOD",
    help="Cost basis: fifo, lifo, hifo or avg (default: config cost_basis_method, fifo).")]
PriceOpt = Annotated[str | None, typer.Option(
    "--price", metavar="P", help="Unit price (default: the market price then).")]
DateOpt = Annotated[str | None, typer.Option(
    "--date", "-d", metavar="D", help="When: YYYY-MM-DD or YYYY-MM-DDTHH:MM, UTC (default now).")]
FeeOpt = Annotated[str | None, typer.Option("--fee", metavar="F", help="Fee paid.")]
FeeCurOpt = Annotated[str | None, typer.Option(
    "--fee-currency", metavar="CUR", help="Fee currency (default: the price's currency; "
    "the coin's ticker for a fee in the coin).")]
CurrencyOpt = Annotated[str | None, typer.Option(
    "--currency", "-c", metavar="CUR",
    help="Currency of --price if not the portfolio's; converted at that day's rate.")]
NoteOpt = Annotated[str, typer.Option("--note", "-n", help="A note kept with the trade.")]
IdOpt = Annotated[str | None, typer.Option("--id", metavar="ID",
                                           help="A CoinGecko id, to pick one of a shared ticker.")]
TransferOpt = Annotated[bool, typer.Option(
    "--transfer", help="A transfer between your wallets, not a trade (no P&L but the fee).")]


def options(app: AppContext) -> PortfolioOptions:
    """The portfolio services' options from config and the global flags."""
    from mobius_cli.services.portfolio import PortfolioOptions

    return PortfolioOptions(
        default_currency=app.settings.get("vs_currency"),
        method=app.settings.get("cost_basis_method"),
        snapshot_dir=app.settings.paths.cache_dir / "ledger", fallback=app.defillama,
        offline=app.offline, on_note=app.note)


def _emit(app: AppContext, data: Any, human: Any, *, csv_rows: Any = None,
          as_csv: bool = False, csv_fields: Any = None) -> None:
    from mobius_cli.render.output import emit, print_csv

    if as_csv and not app.json and csv_fields is not None:  # the header even with no rows
        print_csv(csv_rows if csv_rows is not None else data, app.out.file, fields=csv_fields)
        return
    emit(app, data, human if callable(human) else (lambda: human), csv_rows=csv_rows,
         as_csv=as_csv)


# --- the answers, shared with `ask` and the REPL -------------------------------------------


def show_portfolio(app: AppContext, portfolio: str | None = None, method: str | None = None,
                   as_csv: bool = False) -> None:
    """Holdings with price, value, cost basis, P&L, 24h change and allocation; totals."""
    from mobius_cli.render import portfolio as view
    from mobius_cli.services import portfolio as svc

    vs = app.vs_currency if app.vs else None
    with app.spinner("Valuing the portfolio…"):
        result = svc.portfolio_view(app.store, app.coingecko, portfolio, method, vs,
                                    options(app))
    if result.fx_rate is not None:
        kept = result.portfolio.currency.upper()
        app.note(f"portfolio {result.portfolio.name} is kept in {kept}: cost basis and "
                 f"realized P&L converted at today's rate (1 {kept} = "
                 f"{view.rate(result.fx_rate)} {result.currency.upper()})")
    data = result.to_json()
    _emit(app, data, lambda: view.holdings_table(result, app.color), csv_rows=data["holdings"],
          as_csv=as_csv, csv_fields=svc.HOLDING_FIELDS)


def _trade(app: AppContext, symbol: str | None, amount: str, price: str | None, kind: str,
           **fields: Any) -> None:
    from mobius_cli.render.format import money
    from mobius_cli.render.portfolio import rate
    from mobius_cli.services import portfolio as svc

    with app.spinner("Recording…"):
        result = svc.add_trade(app.store, app.coingecko, symbol, amount, price, kind=kind,
                               options=options(app), **fields)
    tx = result.transaction
    shown = tx
    if result.price_fetched:  # a fetched price is shown as money, not to 15 decimals
        from dataclasses import replace
        from decimal import Decimal

        from mobius_cli.render.format import number

        app.note(f"market price {money(float(tx.price), tx.currency)} used")
        shown = replace(tx, price=Decimal(number(float(tx.price)).replace(",", "")))
    line = f"#{tx.id} {svc.describe(shown)} in portfolio {result.portfolio.name}"
    if tx.currency != result.portfolio.currency:
        line += (f" (1 {tx.currency.upper()} = {rate(tx.rate)} "
                 f"{result.portfolio.currency.upper()})")
    if result.realized_pnl is not None and kind == "sell":
        line += f"; realized P&L {money(float(result.realized_pnl), result.portfolio.currency)}"
    _emit(app, result.to_json(), lambda: _plain(line))


def _plain(text: str) -> Any:
    from rich.text import Text

    return Text(text)


def add_trade(app: AppContext, symbol: str | None, amount: str, price: str | None = None, *,
              date: str | None = None, fee: str | None = None, fee_currency: str | None = None,
              currency: str | None = None, note: str = "", portfolio: str | None = None,
              coin_id: str | None = None, transfer: bool = False) -> None:
    """Record a buy (or, with transfer=True, coins received from elsewhere)."""
    _trade(app, symbol, amount, price, "transfer_in" if transfer else "buy", when=date,
           fee=fee, fee_currency=fee_currency, currency=currency, note=note,
           portfolio=portfolio, coin_id=coin_id)


def remove_trade(app: AppContext, symbol: str | None, amount: str, price: str | None = None, *,
                 date: str | None = None, fee: str | None = None,
                 fee_currency: str | None = None, currency: str | None = None, note: str = "",
                 portfolio: str | None = None, coin_id: str | None = None,
                 transfer: bool = False) -> None:
    """Record a sale (or, with transfer=True, coins sent out of the portfolio)."""
    _trade(app, symbol, amount, price, "transfer_out" if transfer else "sell", when=date,
           fee=fee, fee_currency=fee_currency, currency=currency, note=note,
           portfolio=portfolio, coin_id=coin_id)


def show_portfolio_history(app: AppContext, portfolio: str | None = None,
                           symbol: str | None = None, since: str | None = None,
                           until: str | None = None, as_csv: bool = False) -> None:
    from mobius_cli.render import portfolio as view
    from mobius_cli.services import portfolio as svc

    result = svc.history(app.store, app.coingecko, portfolio, symbol, since, until,
                         options(app))
    rows = result.to_json()
    _emit(app, rows, lambda: view.history_table(result.transactions, result.portfolio.name,
                                                symbol, since, until), as_csv=as_csv,
          csv_fields=svc.TX_FIELDS)


def undo_transaction(app: AppContext, portfolio: str | None = None) -> None:
    """Remove the most recently entered transaction."""
    delete_transaction(app, None, portfolio)


def delete_transaction(app: AppContext, tx_id: int | None, portfolio: str | None = None) -> None:
    from mobius_cli.services import portfolio as svc

    book, tx = svc.delete_transaction(app.store, tx_id, portfolio, options(app))
    _emit(app, {"removed": svc.tx_json(tx, book)},
          lambda: _plain(f"removed #{tx.id}: {svc.describe(tx)} from portfolio {book.name}"))


def show_portfolios(app: AppContext, as_csv: bool = False) -> None:
    from mobius_cli.render import portfolio as view
    from mobius_cli.services import portfolio as svc

    items = svc.list_portfolios(app.store, options(app))
    rows = [s.to_json() for s in items]
    _emit(app, rows, lambda: view.portfolios_table(items), as_csv=as_csv)


def create_portfolio(app: AppContext, name: str, currency: str | None = None) -> None:
    from mobius_cli.services import portfolio as svc
    from mobius_cli.settings import check_currency

    if currency is not None:  # a portfolio valued in a currency CoinGecko lacks is unusable
        currency = check_currency(currency, app.supported_currencies, where="--currency")
    book = svc.create_portfolio(app.store, name, currency, options(app))
    _emit(app, {"name": book.name, "currency": book.currency},
          lambda: _plain(f"created portfolio {book.name} ({book.currency.upper()})"))


def rename_portfolio(app: AppContext, old: str, new: str) -> None:
    from mobius_cli.services import portfolio as svc

    book = svc.rename_portfolio(app.store, old, new)
    _emit(app, {"name": book.name, "currency": book.currency},
          lambda: _plain(f"renamed portfolio {old} to {book.name}"))


def delete_portfolio(app: AppContext, name: str) -> None:
    from mobius_cli.services import portfolio as svc

    alerts = svc.repos(app.store)[0].alerts_on(name)
    count = svc.delete_portfolio(app.store, name)
    also = f" and {len(alerts)} alert{'s' if len(alerts) != 1 else ''} on its value" \
        if alerts else ""
    _emit(app, {"deleted": name, "transactions": count, "alerts": alerts},
          lambda: _plain(f"deleted portfolio {name} and its {count} "
                         f"transaction{'s' if count != 1 else ''}{also}"))


def export_portfolio(app: AppContext, portfolio: str | None = None, fmt: str = "csv",
                     output: str | None = None) -> None:
    """Write the ledger as mobius CSV, JSON or the Koinly universal template."""
    from mobius_cli.errors import UsageError
    from mobius_cli.services import portfolio_io as io

    if output is not None and not output.strip():
        raise UsageError("--output needs a file name", hint="or - for stdout")
    text = io.export_text(app.store, portfolio, fmt, options(app))
    if output and output != "-":
        io.write_private(output, text)
        app.note(f"wrote {output}")
    else:
        app.out.file.write(text)


def import_portfolio(app: AppContext, path: str, fmt: str = "auto",
                     portfolio: str | None = None, dry_run: bool = False) -> None:
    """Import a file all-or-nothing: any bad row, and nothing is written."""
    from mobius_cli.services import portfolio_io as io

    with app.spinner("Importing…"):
        result = io.import_file(app.store, app.coingecko, path, fmt, portfolio,
                                dry_run=dry_run, options=options(app))
    _emit(app, result.to_json(), lambda: _plain(result.summary()))


# --- the subcommands ---------------------------------------------------------------------


@portfolio_app.callback()
def _root(ctx: typer.Context) -> None:
    """Your portfolios: a transaction ledger with exact cost basis and P&L.

    Examples: `mobius portfolio add btc 0.5 --price 60000`, `mobius portfolio show`.
    """
    if ctx.invoked_subcommand is None:
        show_portfolio(app_context(ctx))


@portfolio_app.command("show")
def show_cmd(ctx: typer.Context, portfolio: PortfolioOpt = None, method: MethodOpt = None,
             vs: VsOpt = None, json: JsonOpt = False, csv: CsvOpt = False) -> None:
    """Holdings: amount, price, value, cost basis, P&L, 24h change, allocation; totals.

    Examples: `mobius portfolio show`, `mobius portfolio show --method hifo --json`,
    `mobius portfolio show --vs eur` (cost basis converted at today's rate).
    """
    show_portfolio(app_context(ctx, json=json, vs=vs), portfolio, method, csv)


def _add_command(name: str, kind: str, hidden: bool = False) -> None:
    selling = kind == "sell"
    verb = "Sell" if selling else "Buy"

    # Unknown options pass through as arguments, so `add btc -1` is refused as a negative
    # amount with a clear message rather than as an unknown option.
    @portfolio_app.command(name, hidden=hidden,
                           context_settings={"ignore_unknown_options": True})
    def command(ctx: typer.Context,
                symbol: Annotated[str | None, typer.Argument(
                    metavar="SYMBOL", help="A ticker, name or id (or use --id).")] = None,
                amount: Annotated[str | None, typer.Argument(
                    metavar="AMOUNT", help="How many coins (a sale may say all).")] = None,
                price: PriceOpt = None, date: DateOpt = None, fee: FeeOpt = None,
                fee_currency: FeeCurOpt = None, currency: CurrencyOpt = None,
                note: NoteOpt = "", transfer: TransferOpt = False,
                coin_id: IdOpt = None, portfolio: PortfolioOpt = None,
                json: JsonOpt = False) -> None:
        from mobius_cli.errors import UsageError

        if amount is None:
            if symbol is not None and coin_id is not None:
                symbol, amount = None, symbol
            else:
                raise UsageError("give a coin and an amount",
                                 hint=f"e.g. `mobius portfolio {name} btc 0.5`")
        action = remove_trade if selling else add_trade
        action(app_context(ctx, json=json), symbol, amount, price, date=date, fee=fee,
               fee_currency=fee_currency, currency=currency, note=note, portfolio=portfolio,
               coin_id=coin_id, transfer=transfer)

    command.__doc__ = (
        f"{verb}: record {'a sale' if selling else 'a purchase'} (no --price: the market price)."
        f"\n\nExamples: `mobius portfolio {name} {'eth 2' if selling else 'btc 0.5 --price 60000'}`"
        + (f", `mobius portfolio {name} doge all`" if selling else "")
        + f", `mobius portfolio {name} sol 10 --price 150 --currency eur --date 2025-03-01"
        f" --fee 1.5`.")


_add_command("add", "buy")
_add_command("remove", "sell")
_add_command("buy", "buy")  # aliases
_add_command("sell", "sell")


@portfolio_app.command("history")
def history_cmd(ctx: typer.Context,
                symbol: Annotated[str | None, typer.Argument(
                    metavar="[SYMBOL]", help="Only this coin.")] = None,
                since: Annotated[str | None, typer.Option(
                    "--since", metavar="D", help="From this date (YYYY-MM-DD).")] = None,
                until: Annotated[str | None, typer.Option(
                    "--until", metavar="D", help="Up to this date, inclusive.")] = None,
                portfolio: PortfolioOpt = None, json: JsonOpt = False,
                csv: CsvOpt = False) -> None:
    """Transactions, oldest first, with their ids.

    Examples: `mobius portfolio history btc --since 2025-01-01`, `... history --csv`.
    """
    show_portfolio_history(app_context(ctx, json=json), portfolio, symbol, since, until, csv)


@portfolio_app.command("undo")
def undo_cmd(ctx: typer.Context, portfolio: PortfolioOpt = None, json: JsonOpt = False) -> None:
    """Remove the transaction entered last.

    Example: `mobius portfolio undo`.
    """
    undo_transaction(app_context(ctx, json=json), portfolio)


@portfolio_app.command("delete-tx")
def delete_tx_cmd(ctx: typer.Context,
                  tx_id: Annotated[int, typer.Argument(metavar="ID",
                                                       help="The id from `history`.")],
                  portfolio: PortfolioOpt = None, json: JsonOpt = False) -> None:
    """Remove one transaction by its id.

    Example: `mobius portfolio delete-tx 42`.
    """
    delete_transaction(app_context(ctx, json=json), tx_id, portfolio)


@portfolio_app.command("list")
def list_cmd(ctx: typer.Context, json: JsonOpt = False, csv: CsvOpt = False) -> None:
    """Your portfolios, their currencies and sizes.

    Example: `mobius portfolio list --json`.
    """
    show_portfolios(app_context(ctx, json=json), csv)


@portfolio_app.command("create")
def create_cmd(ctx: typer.Context,
               name: Annotated[str, typer.Argument(metavar="NAME", help="A new portfolio's name.")],
               currency: Annotated[str | None, typer.Option(
                   "--currency", "-c", metavar="CUR",
                   help="Its base currency (default: config vs_currency).")] = None,
               json: JsonOpt = False) -> None:
    """Create a portfolio.

    Example: `mobius portfolio create savings --currency eur`.
    """
    create_portfolio(app_context(ctx, json=json), name, currency)


@portfolio_app.command("rename")
def rename_cmd(ctx: typer.Context, old: Annotated[str, typer.Argument(metavar="OLD")],
               new: Annotated[str, typer.Argument(metavar="NEW")],
               json: JsonOpt = False) -> None:
    """Rename a portfolio.

    Example: `mobius portfolio rename main trading`.
    """
    rename_portfolio(app_context(ctx, json=json), old, new)


@portfolio_app.command("delete")
def delete_cmd(ctx: typer.Context, name: Annotated[str, typer.Argument(metavar="NAME")],
               yes: Annotated[bool, typer.Option("--yes", "-y",
                                                 help="Do not ask for confirmation.")] = False,
               json: JsonOpt = False) -> None:
    """Delete a portfolio and all its transactions.

    Example: `mobius portfolio delete old --yes`.
    """
    import sys

    from mobius_cli.errors import UsageError

    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(f"deleting portfolio {name!r} needs --yes")
        typer.confirm(f"Delete portfolio {name!r} and all its transactions?", abort=True,
                      err=True)
    delete_portfolio(app_context(ctx, json=json), name)


@portfolio_app.command("export")
def export_cmd(ctx: typer.Context,
               fmt: Annotated[str, typer.Option(
                   "--format", "-f", metavar="FMT",
                   help="csv (mobius), json or koinly.")] = "csv",
               output: Annotated[str | None, typer.Option(
                   "--output", "-o", metavar="FILE", help="Write here (default stdout).")]
               = None,
               portfolio: PortfolioOpt = None) -> None:
    """Write every transaction out; `portfolio import` reads it back exactly.

    Examples: `mobius portfolio export > ledger.csv`, `... export --format koinly -o k.csv`.
    """
    export_portfolio(app_context(ctx), portfolio, fmt, output)


@portfolio_app.command("import")
def import_cmd(ctx: typer.Context,
               path: Annotated[str, typer.Argument(metavar="FILE", help="A CSV or JSON file.")],
               fmt: Annotated[str, typer.Option(
                   "--format", "-f", metavar="FMT",
                   help="auto, mobius, koinly, coinbase, kraken or binance.")] = "auto",
               dry_run: Annotated[bool, typer.Option(
                   "--dry-run", help="Check and report; write nothing.")] = False,
               portfolio: PortfolioOpt = None, json: JsonOpt = False) -> None:
    """Import transactions all-or-nothing (bad rows reported by line; duplicates skipped).

    Examples: `mobius portfolio import koinly.csv --dry-run`, `... import kraken_ledgers.csv`.
    """
    import_portfolio(app_context(ctx, json=json), path, fmt, portfolio, dry_run)


from mobius_cli.commands import portfolio_analytics  # noqa: E402 - risk, optimize, performance

portfolio_analytics.register(portfolio_app)
