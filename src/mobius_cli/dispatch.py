"""From an understood sentence to the same answer the matching subcommand gives."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mobius_cli.errors import UsageError

if TYPE_CHECKING:
    from mobius_cli.context import AppContext
    from mobius_cli.nl import ParseResult

# Capabilities described by the contract but not built in this version.
NOT_BUILT = {
    "technical_analysis": ("technical analysis", "mobius ta"),
    "gas": ("gas prices", "mobius gas"),
    "tvl": ("DeFi TVL", "mobius defi tvl"),
    "defi_protocols": ("DeFi protocol rankings", "mobius defi protocols"),
    "yields": ("DeFi yields", "mobius defi yields"),
    "defi_compare": ("DeFi protocol comparison", "mobius defi compare"),
    "dca": ("the DCA back-test", "mobius dca"),
    "portfolio_show": ("portfolios", "mobius portfolio show"),
    "portfolio_add": ("portfolios", "mobius portfolio add"),
    "portfolio_remove": ("portfolios", "mobius portfolio remove"),
    "portfolio_risk": ("portfolio risk", "mobius portfolio risk"),
    "portfolio_optimize": ("portfolio optimisation", "mobius portfolio optimize"),
    "alert_add": ("price alerts", "mobius alerts add"),
    "alert_list": ("price alerts", "mobius alerts list"),
    "alert_remove": ("price alerts", "mobius alerts remove"),
}
# Intents that change the user's data: confirmed on a terminal, refused in scripts without --yes.
CHANGES_DATA = frozenset({"portfolio_add", "portfolio_remove", "alert_add", "alert_remove"})

EXAMPLES = (
    "btc and eth in eur", "top 10 coins", "what is chainlink", "chart sol for a month",
    "compare btc eth sol over 90 days", "convert 2 eth to usd", "top gainers today",
    "what's trending", "fear and greed",
)

HELP_TEXT = """I answer plain questions about crypto markets, for example:
  • btc and eth in eur            • and sol?  (I remember the last question)
  • top 10 coins / market cap     • what is chainlink / ETH all-time high
  • chart sol for the last month  • compare btc eth sol over 90 days
  • convert 2.5k usdt to eth      • top gainers today / what's trending
  • fear and greed index
Every answer shows the equivalent `mobius` command. In the REPL: /help, /json on|off,
/vs CUR, /clear, /exit."""
# Where to find more, said at the end of a hint: the REPL has /help, a shell has `ask help`.
MORE = {True: "Type /help for more.", False: "Run `mobius ask help` for more."}
# Subcommands that take --vs (the others do not quote prices in a chosen currency).
TAKES_VS = frozenset({"price", "market", "coin", "history", "compare", "movers"})
MAX_MARKET_LIMIT, MAX_MOVERS_LIMIT = 250, 100


@dataclass
class Action:
    """What a sentence asks for: the equivalent command and how to run it."""

    intent: str
    argv: list[str] = field(default_factory=list)
    run: Callable[[AppContext], Any] | None = None
    message: str | None = None  # said instead of running (help, smalltalk, not built)
    exit_code: int = 0
    global_flags: list[str] = field(default_factory=list)  # before the subcommand
    note: str | None = None  # a remark on stderr, e.g. that a limit was capped

    @property
    def changes_data(self) -> bool:
        return self.intent in CHANGES_DATA

    @property
    def command_line(self) -> str | None:
        """The shell command that gives the same answer, options included."""
        if not self.argv:
            return None
        return "mobius " + " ".join(shlex.quote(a) for a in [*self.global_flags, *self.argv])


def _days_flag(days: Any) -> list[str]:
    return ["--days", str(days)] if days is not None else []


def _number(value: float | int) -> str:
    """A number as a command-line argument, exactly: 1234567.5, not 1.23457e+06."""
    from decimal import Decimal

    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _capped(limit: int, most: int) -> tuple[int, str | None]:
    """`limit` within 1..most, and a note when it had to be cut."""
    if limit > most:
        return most, f"showing {most}, the most this command lists at once"
    return max(limit, 1), None


def plan(result: ParseResult, app: AppContext, *, wants_chart: bool = False,
         repl: bool = False) -> Action:
    """Map an understood sentence to the subcommand that answers it.

    The action's command line carries the options in effect (--vs, --json, --offline), so
    running it gives the same answer.
    """
    action = _plan(result, wants_chart=wants_chart, repl=repl)
    if action.argv:
        if action.argv[0] in TAKES_VS and app.vs and "--vs" not in action.argv:
            action.argv += ["--vs", app.vs.strip().lower()]
        if app.json:
            action.argv.append("--json")
        if app.offline:
            action.global_flags.append("--offline")
    return action


def _plan(result: ParseResult, *, wants_chart: bool, repl: bool) -> Action:
    from mobius_cli.commands import market

    e = result.entities
    intent = result.intent
    symbols: list[str] = list(e.get("symbols") or [])
    vs = e.get("vs_currency")
    vs_flag = ["--vs", vs] if vs else []

    def with_vs(run: Callable[[AppContext], Any]) -> Callable[[AppContext], Any]:
        return (lambda a: run(a.replace(vs=vs))) if vs else run

    if intent == "price" and symbols:
        return Action(intent, ["price", *symbols, *vs_flag],
                      with_vs(lambda a: market.show_price(a, symbols)))
    if intent == "convert" and {"amount", "from", "to"} <= e.keys():
        # The subcommand's own path from text, so an amount it refuses is refused here too.
        amount = _number(e["amount"])
        return Action(intent, ["convert", amount, e["from"], e["to"]],
                      lambda a: market.show_convert(a, amount, e["from"], e["to"]))
    if intent == "market_overview":
        limit, note = _capped(int(e.get("limit") or 10), MAX_MARKET_LIMIT)
        return Action(intent, ["market", *(["--limit", str(limit)] if "limit" in e else [])],
                      lambda a: market.show_market(a, limit), note=note)
    if intent == "coin_info" and symbols:
        return Action(intent, ["coin", symbols[0]], lambda a: market.show_coin(a, symbols[0]))
    if intent == "price_history" and symbols:
        days = e.get("days", 30)
        chart = ["--chart"] if wants_chart else []
        return Action(intent, ["history", symbols[0], *_days_flag(days), *chart, *vs_flag],
                      with_vs(lambda a: market.show_history(a, symbols[0], days,
                                                            chart=wants_chart)))
    if intent == "compare" and len(symbols) >= 2:
        days = e.get("days", 30)
        return Action(intent, ["compare", *symbols, *_days_flag(e.get("days"))],
                      lambda a: market.show_compare(a, symbols, days))
    if intent == "trending":
        return Action(intent, ["trending"], market.show_trending)
    if intent == "movers":
        direction = e.get("direction")
        limit, note = _capped(int(e.get("limit") or 10), MAX_MOVERS_LIMIT)
        args = ["movers", *([f"--{direction}"] if direction else []),
                *(["--limit", str(limit)] if "limit" in e else [])]
        return Action(intent, args, lambda a: market.show_movers(a, direction, limit),
                      note=note)
    if intent == "fear_greed":
        return Action(intent, ["fear-greed"], market.show_fear_greed)
    if intent in NOT_BUILT:
        what, command = NOT_BUILT[intent]
        return Action(intent, message=f"This version of Mobius cannot do {what} yet "
                      f"(`{command}` is not built), so I have no answer to give.",
                      exit_code=2)
    if intent == "help":
        return Action(intent, message=HELP_TEXT)
    if intent == "smalltalk":
        return Action(intent, message="Hi! Ask me about prices, the market, charts or "
                      f"conversions, e.g. “btc and eth in eur”. {MORE[repl]}")
    if intent in ("price", "coin_info", "price_history", "compare", "convert"):
        need = "two coins" if intent == "compare" else \
            "an amount and two currencies" if intent == "convert" else "a coin"
        return Action(intent, message=f"I understood {intent.replace('_', ' ')}, but I need "
                      f"{need}. Try e.g. “{_example_for(intent)}”.", exit_code=2)
    return Action("unknown", message="Sorry, that is outside what I can do. Try: "
                  + "; ".join(f"“{x}”" for x in EXAMPLES[:5]) + f". {MORE[repl]}",
                  exit_code=2)


def _example_for(intent: str) -> str:
    return {"price": "btc price in eur", "coin_info": "what is chainlink",
            "price_history": "chart eth for a week", "compare": "compare btc and eth",
            "convert": "convert 2 eth to usd"}[intent]


def confirm_change(action: Action, *, assume_yes: bool, interactive: bool,
                   ask: Callable[[str], bool]) -> None:
    """Intents that change data need a yes: --yes, or an answer on a terminal."""
    if not action.changes_data or action.run is None or assume_yes:
        return
    what = action.command_line or action.intent.replace("_", " ")
    if not interactive:
        raise UsageError(f"not running `{what}` without confirmation",
                         hint="add --yes to confirm")
    if not ask(f"Run `{what}`?"):
        raise UsageError("cancelled")


CHART_WORDS = frozenset({"chart", "charts", "charted", "graph", "graphs", "plot", "plots",
                         "plotted", "draw", "drew", "visualise", "visualize"})


def wants_chart(text: str) -> bool:
    """Whether a history question asks for a picture rather than a table."""
    import re

    return not CHART_WORDS.isdisjoint(re.findall(r"[a-z]+", text.lower()))


def answer(app: AppContext, result: ParseResult, *, quiet: bool = False,
           assume_yes: bool = False, interactive: bool = False,
           ask: Callable[[str], bool] | None = None, repl: bool = False) -> int:
    """Run what `result` asks for and render it; returns the exit code."""
    from rich.text import Text

    action = plan(result, app, wants_chart=wants_chart(result.text), repl=repl)
    if action.command_line and not quiet:
        # Text, not markup: a command line may hold brackets.
        app.err.print(Text(f"→ {action.command_line}", style="dim"), highlight=False,
                      soft_wrap=True)
    if action.note:
        app.note(action.note)
    confirm_change(action, assume_yes=assume_yes, interactive=interactive,
                   ask=ask or (lambda _q: False))
    if action.run is not None:
        action.run(app)
        return 0
    if app.json:
        from mobius_cli.render.output import print_json

        print_json({"intent": action.intent, "message": action.message}, app.out.file)
    else:
        # soft_wrap: the terminal wraps a long message; a pipe gets whole lines.
        app.out.print(action.message or "", markup=False, highlight=False, soft_wrap=True)
    return action.exit_code
