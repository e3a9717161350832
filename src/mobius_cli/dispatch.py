"""From an understood sentence to the same answer the matching subcommand gives."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mobius_cli.core import registry
from mobius_cli.errors import UsageError

if TYPE_CHECKING:
    from datetime import date as date_type

    from mobius_cli.context import AppContext
    from mobius_cli.nl import Conversation, ParseResult

# Example sentences offered when a question is outside what Mobius answers.
EXAMPLES = (
    "btc and eth in eur", "top 10 coins", "what is chainlink", "chart sol for a month",
    "compare btc eth sol over 90 days", "convert 2 eth to usd", "top gainers today",
    "what's trending", "fear and greed",
)
# Where to find more, said at the end of a hint: the REPL has /help, a shell has `ask help`.
MORE = {True: "Type /help for more.", False: "Run `mobius ask help` for more."}


def help_text(width: int = 80) -> str:
    """The help answer, derived from the registry, fitted to `width` columns."""
    from mobius_cli.repl_help import help_text as fitted

    return fitted(width)


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
        spec = registry.INTENTS.get(self.intent)
        return bool(spec and spec.changes_data)

    @property
    def command_line(self) -> str | None:
        """The shell command that gives the same answer, options included."""
        if not self.argv:
            return None
        return "mobius " + " ".join(shlex.quote(a) for a in [*self.global_flags, *self.argv])


def plan(result: ParseResult, app: AppContext, *, wants_chart: bool = False,
         repl: bool = False) -> Action:
    """Map an understood sentence to the subcommand that answers it.

    The action's command line carries the options in effect (--vs, --json, --offline), so
    running it gives the same answer.
    """
    portfolio = None
    if result.intent in PORTFOLIO_INTENTS:
        portfolio = named_portfolio(result.text, _portfolio_names(app))
    action = _plan(result, wants_chart=wants_chart, repl=repl, portfolio=portfolio,
                   vs_default=app.vs_currency if result.intent == "convert" else "usd")
    if action.intent == "help" and action.message:
        action.message = help_text(app.out.width)
    if action.argv:
        spec = registry.INTENTS.get(action.intent)
        if spec and spec.takes_vs and app.vs and "--vs" not in action.argv:
            action.argv += ["--vs", app.vs.strip().lower()]
        if app.json:
            action.argv.append("--json")
        if app.offline:
            action.global_flags.append("--offline")
    return action


PORTFOLIO_INTENTS = frozenset({"portfolio_show", "portfolio_add", "portfolio_remove",
                               "portfolio_risk", "portfolio_optimize"})


def _portfolio_names(app: AppContext) -> list[str]:
    """The portfolios kept, by name (none when the store cannot be read)."""
    from mobius_cli.errors import MobiusError
    from mobius_cli.services.portfolio import repos

    try:
        return [p.name for p in repos(app.store)[0].list()]
    except (MobiusError, OSError):
        return []


def named_portfolio(text: str, names: list[str]) -> str | None:
    """A kept portfolio the sentence names ("add 1 eth to eurobag", "my long-term
    portfolio"); an everyday word counts only right before "portfolio" or after "to" or
    "from" ("add 2 eth to trading")."""
    import re

    from mobius_cli.nl.text import COMMON_WORDS

    low = text.lower()
    for name in sorted(names, key=len, reverse=True):
        key = name.lower()
        if not re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", low):
            continue
        if key not in COMMON_WORDS or re.search(
                rf"{re.escape(key)} portfolio|\b(?:to|from|into|out of) (?:my |the )?"
                rf"{re.escape(key)}(?![\w-])", low):
            return name
    return None


def _plan(result: ParseResult, *, wants_chart: bool, repl: bool,
          portfolio: str | None = None, vs_default: str = "usd") -> Action:
    """The registry's answer for the intent, or what to say instead."""
    intent = result.intent
    spec = registry.INTENTS.get(intent) or registry.INTENTS["unknown"]
    entities = registry.clean(spec.name, result.entities)
    if spec.name == "help":
        return Action(intent, message=help_text())
    if spec.name == "smalltalk":
        return Action(intent, message="Hi! Ask me about prices, the market, charts or "
                      f"conversions, e.g. “btc and eth in eur”. {MORE[repl]}")
    if spec.name == "unknown":
        return Action("unknown", message="Sorry, that is outside what I can do. Try: "
                      + "; ".join(f"“{x}”" for x in EXAMPLES[:5]) + f". {MORE[repl]}",
                      exit_code=2)
    if spec.build is None:
        return Action(intent, message=f"This version of Mobius cannot answer "
                      f"{spec.summary.split(':')[0].split(' / ')[0]} yet "
                      f"(`mobius {spec.command}` is not built), so I have no answer to give.",
                      exit_code=2)
    snooze = snooze_request(result)
    if snooze is not None:
        return Action("alert_add", snooze.argv, snooze.run)  # changes data: confirmed
    if intent == "convert" and entities.get("from") and not entities.get("to") and \
            str(entities["from"]).lower() != vs_default.lower():
        entities = {**entities, "to": vs_default.upper()}  # "how much is 0.25 btc"
    if intent == "portfolio_remove" and "amount" not in entities and sells_everything(
            result.text):
        entities = {**entities, "amount": "all"}  # "sell all my eth": what is held
    if spec.missing(entities):
        example = spec.examples[0] if spec.examples else spec.name
        return Action(intent, message=f"I understood {intent.replace('_', ' ')}, but I need "
                      f"{spec.need}. Try e.g. “{example}”.", exit_code=2)
    stated = getattr(result, "unhonoured", None) or {}
    trade = intent in ("portfolio_add", "portfolio_remove")
    call = spec.build(entities, registry.Options(
        chart=wants_chart, disable=wants_disable(result.text),
        staking=wants_staking(result.text), days=stated.get("days"),
        performance=intent == "portfolio_show" and wants_performance(result.text),
        date=trade_date(result.text) if trade else None,
        currency=stated.get("vs_currency") if trade else None, portfolio=portfolio))
    vs = stated.get("vs_currency")
    if vs and spec.takes_vs and "--vs" not in call.argv:
        # "gas in euros": the intent carries no currency, but its command quotes in one.
        call.argv += ["--vs", vs]
        call.vs = call.vs or vs
    return Action(intent, call.argv, call.run, note=call.note)


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
        from mobius_cli.errors import Cancelled

        raise Cancelled("cancelled: nothing changed")


CHART_WORDS = frozenset({"chart", "charts", "charted", "graph", "graphs", "plot", "plots",
                         "plotted", "draw", "drew", "visualise", "visualize"})


_SNOOZE = r"\bsnooze\b"
_ALERT_ID = r"(?:alert|#)\s*#?\s*(\d+)"
_FOR = (r"\bfor\s+(?:(an?|one|\d+)\s*)?(m|min|mins|minutes?|h|hrs?|hours?|d|days?|w|weeks?)"
        r"\b")


def snooze_request(result: ParseResult) -> registry.Call | None:
    """'snooze the btc alert for a day', 'snooze alert 3 for 2 hours': `alerts snooze`.

    The contract has no snooze intent (such sentences read as an alert to add or remove),
    so the verb is recognised here; what is snoozed comes from the alert id or the coin
    named, for how long from the "for N unit" phrase (a day when none is said).
    """
    import re

    text = result.text
    if not re.search(_SNOOZE, text, re.I) or not (
            result.intent.startswith("alert_") or re.search(r"\balerts?\b", text, re.I)):
        return None
    found = re.search(_ALERT_ID, text, re.I)
    ids = [int(found.group(1))] if found else []
    symbols = result.entities.get("symbols") or []
    symbol = None if ids else (symbols[0] if symbols else None)
    span = re.search(_FOR, text, re.I)
    duration = "1d"
    if span:
        count = span.group(1) or "1"
        count = "1" if count.lower() in ("a", "an", "one") else count
        unit = span.group(2).lower()
        duration = count + ("m" if unit.startswith("m") else unit[0])
    argv = ["alerts", "snooze", *map(str, ids), *(["--symbol", symbol] if symbol else []),
            "--for", duration]
    return registry.Call(argv, f"{registry.ALERTS}:snooze_alert",
                         {"ids": ids, "duration": duration, "symbol": symbol})


# Verbs that stop alerts without deleting them.
SWITCH_OFF_WORDS = r"\b(?:disable|mute|pause|silence|deactivate|switch off|turn off)\b"


def wants_disable(text: str) -> bool:
    """Whether a request to stop alerts asks to switch them off rather than delete them."""
    import re

    return re.search(SWITCH_OFF_WORDS, text, re.I) is not None


def sells_everything(text: str) -> bool:
    """Whether a sale is of the whole holding ("sell all my eth", "dump everything")."""
    import re

    return re.search(r"\b(?:all|everything|whole|entire)\b|\btodo\b|\btout\b|\balles\b",
                     text, re.I) is not None


def wants_performance(text: str) -> bool:
    """Whether a portfolio question asks what the money did rather than what is held now
    ("how has my portfolio done", "how did my bag perform", "my returns", "twr")."""
    import re

    return re.search(r"\b(?:perform(?:ed|ance|ing|s)?|returns?|roi|twr|xirr|irr|"
                     r"(?:has|have)\b(?:\W+\w+){0,4}?\W+done|did\b(?:\W+\w+){0,4}?\W+do)\b",
                     text, re.I) is not None


def wants_staking(text: str) -> bool:
    """Whether a yields question is about staking a coin ("where can I stake eth", "eth
    staking apy", "restake", es/pt "hacer staking", fr "staker", de "staken")."""
    import re

    return re.search(r"\b(?:re)?stak(?:e|es|ed|ing|er|en)\b", text, re.I) is not None


_AGO = r"\b(\d{1,3}) days? ago\b|\bhace (\d{1,3}) d[ií]as\b|\bil y a (\d{1,3}) jours\b|" \
    r"\bvor (\d{1,3}) tagen\b|\bh[áa] (\d{1,3}) dias\b"
_YESTERDAY = r"\b(?:yesterday|ayer|hier|gestern|ontem|ieri)\b"


def trade_date(text: str, today: date_type | None = None) -> str | None:
    """The day a trade was made when the sentence says so ("yesterday", "3 days ago"), as
    YYYY-MM-DD (UTC); None when it does not."""
    import re
    from datetime import datetime, timedelta, timezone

    today = today or datetime.now(timezone.utc).date()
    iso = re.search(r"\b(20\d\d)-(\d\d)-(\d\d)\b", text)
    if iso:
        return iso.group(0)
    if re.search(_YESTERDAY, text, re.I):
        return (today - timedelta(days=1)).isoformat()
    found = re.search(_AGO, text, re.I)
    if found:
        days = int(next(g for g in found.groups() if g))
        return (today - timedelta(days=days)).isoformat()
    if re.search(r"\blast week\b", text, re.I):
        return (today - timedelta(days=7)).isoformat()
    named = _month_day(text.lower(), today)
    return named.isoformat() if named else None


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _month_day(text: str, today: date_type) -> date_type | None:
    """"on march 3", "on 3 march", "on mar 3rd": that day, in the last twelve months."""
    import re
    from datetime import date

    month = "(" + "|".join(_MONTHS) + r")[a-z]*\.?"
    found = re.search(rf"\bon {month} (\d{{1,2}})(?:st|nd|rd|th)?\b", text) or re.search(
        rf"\bon (\d{{1,2}})(?:st|nd|rd|th)? (?:of )?{month}", text)
    if not found:
        return None
    a, b = found.groups()
    name, day = (a, b) if not a.isdigit() else (b, a)
    try:
        moment = date(today.year, _MONTHS.index(name[:3]) + 1, int(day))
    except ValueError:
        return None
    return moment if moment <= today else moment.replace(year=today.year - 1)


def wants_chart(text: str) -> bool:
    """Whether a history question asks for a picture rather than a table."""
    import re

    return not CHART_WORDS.isdisjoint(re.findall(r"[a-z]+", text.lower()))


def answer(app: AppContext, result: ParseResult, *, quiet: bool = False,
           assume_yes: bool = False, interactive: bool = False,
           ask: Callable[[str], bool] | None = None, repl: bool = False,
           after: Callable[[Action], None] | None = None,
           action: Action | None = None) -> int:
    """Run what `result` asks for and render it; returns the exit code.

    `after` runs once the command has answered (the LLM's summary); `action` is the plan
    when the caller has made it already.
    """
    from rich.text import Text

    if action is None:
        action = plan(result, app, wants_chart=wants_chart(result.text), repl=repl)
    if action.command_line and not quiet:
        # Text, not markup: a command line may hold brackets.
        from mobius_cli.render.format import printable

        app.err.print(Text(printable(f"→ {action.command_line}"), style="dim"), highlight=False,
                      soft_wrap=True)
    if action.note:
        app.note(action.note)
    if action.argv:
        for line in unhonoured_notes(action, getattr(result, "unhonoured", None) or {}):
            app.note(line)
    confirm_change(action, assume_yes=assume_yes, interactive=interactive,
                   ask=ask or (lambda _q: False))
    if action.run is not None:
        action.run(app)
        if after is not None:
            after(action)
        return 0
    if app.json:
        from mobius_cli.render.output import print_json

        print_json({"intent": action.intent, "message": action.message}, app.out.file)
    else:
        # A terminal wraps a long message at word boundaries; a pipe gets whole lines.
        from mobius_cli.render.output import safe

        app.out.print(safe(action.message or ""), highlight=False,
                      soft_wrap=not app.out.is_terminal)
    return action.exit_code


def unhonoured_notes(action: Action, unhonoured: dict[str, Any]) -> list[str]:
    """One line for each period, year or currency the sentence stated that the command
    answering it cannot take: said, never dropped silently."""
    command = "mobius " + " ".join(action.argv[:2] if action.argv[0] in (
        "defi", "portfolio", "alerts") else action.argv[:1])
    lines = []
    if "year" in unhonoured:
        lines.append(f"`{command}` cannot look at a calendar year: {unhonoured['year']} is "
                     "not applied")
    if "days" in unhonoured and not {"--days", "--date"} & set(action.argv):
        days = unhonoured["days"]
        period = "all time" if days == "max" else f"{days} day{'s' if days != 1 else ''}"
        lines.append(f"the {period} asked for is not applied: `{command}` answers for now")
    if "vs_currency" in unhonoured and not {"--vs", "--currency"} & set(action.argv):
        lines.append(f"`{command}` does not take a currency: "
                     f"{str(unhonoured['vs_currency']).upper()} is not applied")
    return lines


def understand(app: AppContext, conversation: Conversation, text: str, *,
               use_llm: bool = False) -> tuple[ParseResult, bool]:
    """The rules' reading of `text`, or the LLM's when asked for or when the rules are
    unsure and an LLM is configured; (result, whether the LLM gave it)."""
    result = conversation.parse(text)
    client = app.llm
    if client is None:
        if use_llm:
            app.note("no LLM is configured, so the rules answered "
                     "(`mobius llm use ollama`, or see `mobius llm --help`)")
        return result, False
    if not (use_llm or result.intent == "unknown"
            or result.confidence < app.settings.get("llm_threshold")):
        return result, False
    from mobius_cli.errors import SourceError
    from mobius_cli.nl import llm

    try:
        with app.spinner("Asking the model…"):
            outcome = llm.understand(text, client, history=conversation.history)
    except SourceError as exc:  # 5xx, timeouts, rate limits: the rules' answer stands
        app.note(f"{exc.message}; the rules answered")
        return result, False
    for note in outcome.notes:
        app.note(note)
    if app.verbose:
        app.note(f"LLM {client.model}: {outcome.mode}, {outcome.prompt_tokens} prompt + "
                 f"{outcome.completion_tokens} completion tokens, {outcome.seconds:.2f} s")
    if outcome.result is None:
        return result, False
    conversation.adopt(outcome.result)
    return outcome.result, True


def summarise(app: AppContext, action: Action, question: str) -> None:
    """The LLM's short summary of what the command answered, streamed, numbers checked."""
    import io

    from rich.console import Console

    from mobius_cli.errors import SourceError
    from mobius_cli.nl import llm

    client = app.llm
    if client is None or app.json or action.run is None or action.changes_data:
        return  # a change is never run again to be summarised: its own output says what it did
    capture = app.replace(json=True)
    capture.__dict__["out"] = Console(file=io.StringIO(), width=200)
    capture.__dict__["err"] = Console(file=io.StringIO(), width=200)
    action.run(capture)
    import json

    try:
        data = json.loads(capture.out.file.getvalue() or "null")
    except ValueError:
        return
    live = app.out.is_terminal
    streamed: list[str] = []
    try:
        if live:
            from rich.live import Live
            from rich.text import Text

            with Live(Text(""), console=app.out, transient=True) as view:
                def show(token: str) -> None:
                    streamed.append(token)
                    view.update(Text("".join(streamed)))
                text, replaced, reply = llm.summarise(client, question, data, show)
        else:
            text, replaced, reply = llm.summarise(client, question, data)
    except SourceError as exc:
        app.note(f"no summary: {exc.message}")
        return
    from mobius_cli.render.output import safe

    app.out.print(safe(text), highlight=False, soft_wrap=True)  # the model's words are data
    if replaced:
        app.note(replaced)  # why the model's own words were not shown
    if app.verbose:
        app.note(f"summary: {reply.prompt_tokens} prompt + {reply.completion_tokens} "
                 f"completion tokens, {reply.seconds:.2f} s")


_PRONOUN = r"\b(?:it|that|this)\b(?:\s+(?:one|alert))?"


def the_alert_just_added(result: ParseResult, last: tuple[int, str] | None) -> ParseResult:
    """"delete it" right after adding an alert removes that alert, by its id, not every
    alert on its coin (the contract reads the sentence as the coin the context holds)."""
    import re
    from dataclasses import replace

    if last is None or result.intent != "alert_remove" or \
            set(result.entities) != {"symbols"} or result.entities["symbols"] != [last[1]]:
        return result
    text = result.text.lower()
    if re.search(rf"\b{re.escape(last[1].lower())}\b", text) or not re.search(_PRONOUN, text):
        return result  # the coin is named ("delete my btc alerts"): every alert on it
    return replace(result, entities={"alert_id": last[0]})


def respond(app: AppContext, conversation: Conversation, text: str, *,
            use_llm: bool = False, **options: Any) -> int:
    """Understand one turn (rules, then the LLM when it helps) and answer it.

    A follow-up that would make the conversation's last change again ("and eth?" right
    after "add 0.1 eth at 2000") is refused: repeating a trade or an alert takes saying it
    in full. The same sentence typed again is a new request, confirmed as usual.
    """
    result, by_llm = understand(app, conversation, text, use_llm=use_llm)
    summary = (lambda action: summarise(app, action, text)) if by_llm else None

    def after(action: Action) -> None:
        if action.changes_data:
            conversation.last_change = (text.strip().lower(), list(action.argv))
            if action.intent == "alert_add":
                from mobius_cli.services.alerts import newest_alert

                conversation.last_alert = newest_alert(app.store)
        if summary is not None:
            summary(action)

    result = the_alert_just_added(result, conversation.last_alert)
    action = plan(result, app, wants_chart=wants_chart(result.text),
                  repl=bool(options.get("repl")))
    last = conversation.last_change
    if last is not None and last[0] != text.strip().lower() and action.changes_data and \
            action.run is not None and list(action.argv) == last[1]:
        raise UsageError(f"that would run `{action.command_line}` again",
                         hint="say it in full to do it twice")
    return answer(app, result, after=after, action=action, **options)
