"""`mobius portfolio risk | optimize | performance`: what a quant would ask of a portfolio.

Each `show_*` function is what the subcommand, `ask` and the REPL run.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mobius_cli.commands._common import CsvOpt, JsonOpt, VsOpt, app_context

if TYPE_CHECKING:
    from mobius_cli.context import AppContext
    from mobius_cli.services.analytics import AnalyticsOptions

PortfolioOpt = Annotated[str | None, typer.Option(
    "--portfolio", "-p", metavar="NAME", help="Which portfolio (default: main).")]
DaysOpt = Annotated[str, typer.Option("--days", "-d", metavar="N",
                                      help="Days of daily closes (2..3650).")]
ChartOpt = Annotated[bool, typer.Option("--chart", help="Draw a chart in the terminal.")]


@contextmanager
def _fetching(app: AppContext, options: AnalyticsOptions) -> Iterator[None]:
    """A progress bar on stderr while closes are fetched (a terminal only, never with
    --quiet or --json)."""
    if app.quiet or app.json or not sys.stderr.isatty():
        yield
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("Daily closes {task.description}"), BarColumn(),
                  MofNCompleteColumn(), console=app.err, transient=True) as bar:
        task = bar.add_task("", total=None)

        def advance(done: int, total: int, symbol: str) -> None:
            bar.update(task, completed=done, total=total, description=symbol)

        options.progress = advance
        yield


def options(app: AppContext) -> AnalyticsOptions:
    """The analytics services' options from config and the global flags."""
    from mobius_cli.services.analytics import AnalyticsOptions

    cache = app.settings.paths.cache_dir
    return AnalyticsOptions(closes_dir=cache / "closes", snapshot_dir=cache / "ledger",
                            risk_free_rate=float(app.settings.get("risk_free_rate")),
                            default_currency=app.settings.get("vs_currency"),
                            on_note=app.note)


class _Lazy:
    """CoinGecko built on first use: warm runs answer from the kept closes without ever
    loading the HTTP stack (httpx alone is ~80 ms of start-up)."""

    def __init__(self, app: AppContext) -> None:
        self._app = app

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app.coingecko, name)


def _cg(app: AppContext) -> Any:
    return _Lazy(app)


def _vs(app: AppContext) -> str | None:
    return app.vs_currency if app.vs else None


def _days(days: int | str) -> int:
    from mobius_cli.errors import UsageError
    from mobius_cli.services.analytics import MAX_DAYS

    text = str(days).strip().lower().rstrip("d")
    if not text.isdigit() or not 2 <= int(text) <= MAX_DAYS:
        raise UsageError(f"--days must be a whole number from 2 to {MAX_DAYS}, not {days!r}")
    return int(text)


# A valid example for each option _number reads (--confidence is from 0.5 to below 1).
_EXAMPLES = {"--confidence": "0.95 or 95%", "--max-weight": "0.4 or 40%"}


def _number(text: str, option: str) -> float:
    """A fraction as typed: 0.95, .4 or 40% (Typer's float parsing costs start-up time)."""
    from mobius_cli.errors import UsageError

    raw = text.strip()
    scale = 100.0 if raw.endswith("%") else 1.0
    try:
        value = float(raw.rstrip("%")) / scale
    except ValueError:
        example = _EXAMPLES.get(option, "0.95 or 95%")
        raise UsageError(f"{option} must be a number such as {example}, not {text!r}") \
            from None
    if value != value:
        raise UsageError(f"{option} must be a number, not {text!r}")
    return value


# --- the answers, shared with `ask` and the REPL -------------------------------------------


def show_risk(app: AppContext, portfolio: str | None = None, days: int | str = 365,
              confidence: float | str = 0.95, chart: bool = False,
              as_csv: bool = False) -> None:
    """Volatility, Sharpe, Sortino, drawdown, VaR/CVaR, beta, concentration, correlation."""
    if isinstance(confidence, str):
        confidence = _number(confidence, "--confidence")
    from mobius_cli.render import analytics as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import analytics

    opts = options(app)
    span = _days(days)
    vs = _vs(app)
    with _fetching(app, opts):
        report = analytics.risk(app.store, _cg(app), portfolio, span, confidence, vs,
                                opts)
    if chart and not app.json and not as_csv:
        app.out.file.write(view.risk_chart(report, app.out.width, app.color) + "\n")
        return
    emit(app, report.to_json(), lambda: view.risk_view(report, app.color),
         csv_rows=view.risk_rows(report), as_csv=as_csv)


def show_optimize(app: AppContext, objective: str = "max-sharpe",
                  max_weight: float | str | None = None, days: int | str = 365,
                  portfolio: str | None = None, as_csv: bool = False) -> None:
    """Target weights for an objective, the figures before and after, and the trades."""
    if isinstance(max_weight, str):
        max_weight = _number(max_weight, "--max-weight")
    from mobius_cli.errors import UsageError
    from mobius_cli.render import analytics as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import analytics

    opts = options(app)
    span = _days(days)
    vs = _vs(app)
    held = analytics.holdings(app.store, portfolio, opts)  # local: no request yet
    if len(held.coins) < 2:
        raise UsageError(f"optimising needs at least two assets; portfolio "
                         f"{held.portfolio.name} holds only {held.coins[0].symbol}",
                         hint="nothing to reweight: 100% stays 100%")
    with _fetching(app, opts):
        report = analytics.optimize(app.store, _cg(app), objective, max_weight, span,
                                    portfolio, vs, opts)
    if len(report.coins) < 2:  # the others were left out for lack of history
        raise UsageError(f"optimising needs at least two assets with {span} days of "
                         f"history; only {report.coins[0].symbol} has them",
                         hint="try a shorter --days")
    emit(app, report.to_json(), lambda: view.optimize_view(report, app.color),
         csv_rows=view.optimize_rows(report), as_csv=as_csv)


def show_performance(app: AppContext, days: int | str = 365, chart: bool = False,
                     portfolio: str | None = None, as_csv: bool = False) -> None:
    """Time- and money-weighted returns, counting cash flows, beside holding BTC."""
    from mobius_cli.render import analytics as view
    from mobius_cli.render.output import emit
    from mobius_cli.services import analytics

    opts = options(app)
    span = _days(days)
    vs = _vs(app)
    with _fetching(app, opts):
        report = analytics.performance(app.store, _cg(app), span, portfolio, vs, opts)
    if chart and not app.json and not as_csv:
        app.out.file.write(view.performance_chart(report, app.out.width, app.color) + "\n")
        return
    emit(app, report.to_json(), lambda: view.performance_view(report, app.color),
         csv_rows=view.performance_rows(report), as_csv=as_csv)


# --- the subcommands ---------------------------------------------------------------------


def register(portfolio_app: typer.Typer) -> None:
    """Add risk, optimize and performance to the `portfolio` group."""

    @portfolio_app.command("risk")
    def risk_cmd(ctx: typer.Context, days: DaysOpt = "365",
                 confidence: Annotated[str, typer.Option(
                     "--confidence", "-c", metavar="C",
                     help="VaR/CVaR confidence, e.g. 0.95 or 0.99.")] = "0.95",
                 chart: ChartOpt = False, portfolio: PortfolioOpt = None, vs: VsOpt = None,
                 json: JsonOpt = False, csv: CsvOpt = False) -> None:
        """Risk: volatility, Sharpe, Sortino, max drawdown, VaR/CVaR, beta, correlation.

        The current holdings valued on each day's closes; 365 periods a year; every figure
        with its method. --chart draws the drawdown curve.

        Examples: `mobius portfolio risk`, `mobius portfolio risk --days 180 --confidence
        0.99 --json`, `mobius portfolio risk --chart`.
        """
        show_risk(app_context(ctx, json=json, vs=vs), portfolio, days,
                  _number(confidence, "--confidence"), chart, csv)

    @portfolio_app.command("optimize")
    def optimize_cmd(ctx: typer.Context,
                     objective: Annotated[str, typer.Option(
                         "--objective", "-o", metavar="OBJ",
                         help="max-sharpe, min-variance or risk-parity.")] = "max-sharpe",
                     max_weight: Annotated[str | None, typer.Option(
                         "--max-weight", "-w", metavar="W",
                         help="Most any one coin may weigh, e.g. 0.4 (or 40%).")] = None,
                     days: DaysOpt = "365", portfolio: PortfolioOpt = None, vs: VsOpt = None,
                     json: JsonOpt = False, csv: CsvOpt = False) -> None:
        """Target weights (long-only, summing to 1) and the trades to reach them.

        Expected returns = mean daily return × 365; covariance = sample covariance × 365.
        Nothing is executed. Infeasible requests say why and exit 2.

        Examples: `mobius portfolio optimize`, `mobius portfolio optimize --objective
        risk-parity --max-weight 0.4`, `... optimize -o min-variance --json`.
        """
        cap = None if max_weight is None else _number(max_weight, "--max-weight")
        show_optimize(app_context(ctx, json=json, vs=vs), objective, cap, days, portfolio,
                      csv)

    @portfolio_app.command("performance")
    def performance_cmd(ctx: typer.Context, days: DaysOpt = "365", chart: ChartOpt = False,
                        portfolio: PortfolioOpt = None, vs: VsOpt = None,
                        json: JsonOpt = False, csv: CsvOpt = False) -> None:
        """What the money did: time-weighted and money-weighted (XIRR) returns, vs BTC.

        Counts the ledger's buys and sales as money in and out. The window starts --days
        ago, or just before the first transaction if that is later. --chart draws the value
        against the money put in.

        Examples: `mobius portfolio performance`, `mobius portfolio performance --days 90
        --chart`.
        """
        show_performance(app_context(ctx, json=json, vs=vs), days, chart, portfolio, csv)
