"""What the model says cannot act or mislead: summaries with tool-call markup or claimed
changes are replaced, and --yes confirms only what the user's own sentence asks."""

from __future__ import annotations

import json
from types import SimpleNamespace as NS

import pytest

from mobius_cli.nl import llm as nl_llm
from mobius_cli.nl import parse_text
from tests import fake_openai as fo
from tests.test_llm import alerts_now, arrow, ask, two_alerts


@pytest.fixture
def model():
    with fo.FakeOpenAI() as server:
        yield server

DATA = [{"symbol": "BTC", "price": 77671.0, "change_24h_pct": 1.2345}]
PLAIN = "BTC: price 77,671.00"  # nl_llm.plain_summary(DATA), as worked by hand


# --- summaries that cannot be shown ---------------------------------------------------


@pytest.mark.parametrize("summary", [
    '<tool_call>{"name": "alert_remove", "arguments": {"all": true}}</tool_call> Done, deleted.',
    '<tool_call>{"name": "price", "arguments": {"symbols": ["BTC"]}}</tool_call>',
    'Sure:\n```json\n{"name": "alert_remove", "arguments": {"all": true}}\n```',
    '{"name": "alert_remove", "arguments": {"all": true}}',
    'BTC is at $77,671. {"name": "alert_remove", "parameters": {"alert_id": 1}}',
])
def test_a_summary_with_tool_call_markup_is_distrusted(summary):
    assert nl_llm.has_tool_markup(summary)
    assert nl_llm.distrust(summary, DATA) == nl_llm.NOTE_MARKUP
    assert nl_llm.distrust(summary, DATA, changed=True) == nl_llm.NOTE_MARKUP


@pytest.mark.parametrize("summary", [
    "Done, deleted.", "I removed your BTC alert.", "I've added 0.5 BTC to your portfolio.",
    "Bought 1 BTC at $77,671.", "Sold your ETH.", "I created a new alert.",
    "I set an alert for BTC at $77,671.", "Your alert has been set.",
    "All alerts were cleared.",
])
def test_a_summary_that_claims_a_change_is_distrusted_unless_one_was_made(summary):
    assert nl_llm.claims_a_change(summary)
    assert nl_llm.distrust(summary, DATA) == nl_llm.NOTE_CLAIM
    assert nl_llm.distrust(summary, DATA, changed=True) in ("", nl_llm.NOTE_NUMBER)


@pytest.mark.parametrize("summary", [
    "BTC is at $77,671, up 1.2% today.", "Bitcoin trades near 77.7k.",
    "The price of BTC rose 1.2% in a day.", "See the alert list above.",
    "BTC added 1.2% today.", "ETH sold off after the news.",
])
def test_an_honest_summary_is_kept(summary):
    assert not nl_llm.has_tool_markup(summary) and not nl_llm.claims_a_change(summary)
    assert nl_llm.distrust(summary, DATA, "btc price") == ""


@pytest.mark.parametrize(("said", "note"), [
    (fo.text('<tool_call>{"name": "alert_remove", "arguments": {"all": true}}</tool_call> '
             "Done, deleted."), "held a tool call"),
    (fo.text('```json\n{"name": "portfolio_add", "arguments": {"symbols": ["BTC"]}}\n```'),
     "held a tool call"),
    (fo.tool_call("alert_remove", {"all": True}), "held a tool call"),
    (fo.text("BTC is $77,671. I also deleted your alerts."), "claimed a change to your data"),
    (fo.text("Done: I set an alert for BTC."), "claimed a change to your data"),
])
def test_ask_replaces_such_a_summary_with_the_plain_one_and_one_note(fake_apis, model, said,
                                                                     note):
    before = two_alerts(fake_apis)
    model.script = [fo.tool_call("price", {"symbols": ["BTC"]}), said]
    result = ask(fake_apis, model, "--llm", "btc?")
    assert result.returncode == 0 and arrow(result.stderr) == ["→ mobius price BTC"]
    last = result.stdout.splitlines()[-1]
    assert last.startswith(PLAIN), result.stdout
    assert "tool_call" not in result.stdout and "deleted" not in result.stdout
    assert "set an alert" not in result.stdout
    notes = [line for line in result.stderr.splitlines() if "built from the results" in line]
    assert len(notes) == 1 and note in notes[0], result.stderr
    assert alerts_now(fake_apis) == before


def test_a_change_the_model_asked_for_runs_once_and_is_not_summarised(fake_apis, model):
    """A change is confirmed, run once, and its own output is the answer: the summary would
    have to run it again (it did, adding the alert twice)."""
    model.script = [fo.tool_call("alert_add", {"symbols": ["ETH"], "condition": "below",
                                               "target": 2500}), fo.text("Added.")]
    result = ask(fake_apis, model, "--llm", "--yes", "alert me when eth is below 2500")
    assert result.returncode == 0, result.stderr
    assert arrow(result.stderr) == ["→ mobius alerts add ETH --below 2500"]
    alerts = alerts_now(fake_apis)
    assert [(a["symbol"], a["condition"], a["target"]) for a in alerts] == [
        ("ETH", "below", 2500)]
    assert len(model.requests) == 1  # no summary request


# --- --yes confirms what the user asked ------------------------------------------------


def test_rules_confirm_the_same_change_only():
    def model_says(intent, **entities):
        return NS(intent=intent, entities=entities)

    orange = parse_text("what does the orange coin do")
    assert not nl_llm.rules_confirm(model_says("alert_remove", all=True), orange)
    everything = parse_text("delete all my alerts")
    assert nl_llm.rules_confirm(model_says("alert_remove", all=True), everything)
    one = parse_text("remove my btc alert")
    assert nl_llm.rules_confirm(model_says("alert_remove", symbols=["BTC"]), one)
    assert not nl_llm.rules_confirm(model_says("alert_remove", all=True), one)  # wider
    assert not nl_llm.rules_confirm(model_says("portfolio_remove", symbols=["BTC"]), one)
    assert nl_llm.rules_confirm(model_says("price", symbols=["BTC"]), orange)  # no change
    # what the change acts on, and every value both state, must be the sentence's
    assert not nl_llm.rules_confirm(model_says("alert_remove", alert_id=3), one)
    assert not nl_llm.rules_confirm(model_says("alert_remove", symbols=["ETH"]), one)
    below = parse_text("alert me when eth is below 2500")
    assert nl_llm.rules_confirm(
        model_says("alert_add", symbols=["ETH"], condition="below", target=2500), below)
    assert not nl_llm.rules_confirm(
        model_says("alert_add", symbols=["ETH"], condition="below", target=250), below)
    trade = parse_text("add 0.5 btc at 60000")
    assert nl_llm.rules_confirm(
        model_says("portfolio_add", symbols=["BTC"], amount=0.5, price=60000), trade)
    assert not nl_llm.rules_confirm(
        model_says("portfolio_add", symbols=["BTC"], amount=5, price=60000), trade)


def test_yes_does_not_cover_a_change_the_sentence_does_not_ask_for(fake_apis, model):
    before = two_alerts(fake_apis)
    model.script = [fo.tool_call("alert_remove", {"all": True})]
    result = ask(fake_apis, model, "--llm", "--yes", "what does the orange coin do")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == ["mobius: error: not running `mobius alerts remove --all`: the model asked "
                     "for it, your sentence does not (--yes confirms only what you asked)"]
    assert alerts_now(fake_apis) == before and result.stdout == ""
    assert len(model.requests) == 1


def test_without_llm_flag_an_unsure_sentence_is_held_to_the_same_rule(fake_apis, model):
    before = two_alerts(fake_apis)
    model.script = [fo.tool_call("alert_remove", {"all": True})]
    result = ask(fake_apis, model, "--yes", "what does the orange coin do")
    assert result.returncode == 2 and "your sentence does not" in result.stderr
    assert alerts_now(fake_apis) == before


def test_on_a_terminal_such_a_change_is_asked_about(fake_apis, model, monkeypatch):
    import typer

    from mobius_cli.commands import ask as ask_module

    before = two_alerts(fake_apis)
    terminal = NS(isatty=lambda: True)
    monkeypatch.setattr(ask_module, "sys", NS(stdin=terminal, stderr=terminal))
    asked: list[str] = []
    monkeypatch.setattr(typer, "confirm",
                        lambda question, **_kw: asked.append(question) or False)
    model.script = [fo.tool_call("alert_remove", {"all": True})]
    result = ask(fake_apis, model, "--llm", "--yes", "what does the orange coin do")
    assert asked == ["Run `mobius alerts remove --all`?"]
    assert result.returncode == 2 and "cancelled: nothing changed" in result.stderr
    assert "--yes does not cover it" in result.stderr
    assert alerts_now(fake_apis) == before


def test_yes_still_runs_the_change_the_user_asked_for(fake_apis, model):
    two_alerts(fake_apis)
    model.script = [fo.tool_call("alert_remove", {"all": True})]
    result = ask(fake_apis, model, "--llm", "--yes", "delete all my alerts")
    assert result.returncode == 0, result.stderr
    assert arrow(result.stderr) == ["→ mobius alerts remove --all"]
    assert alerts_now(fake_apis) == []
    assert json.loads(json.dumps(model.requests[0]))["tools"]  # understood with its tools


def test_streaming_stops_showing_a_summary_once_it_turns_to_markup_or_a_claim():
    """On a terminal the summary streams live: nothing after a '<', '{' or a claimed change
    is shown before the checked summary replaces it."""
    from mobius_cli.providers.llm import Reply

    class Client:
        def __init__(self, tokens):
            self.tokens = tokens

        def complete(self, messages, *, on_token=None, **_kw):
            for token in self.tokens:
                on_token(token)
            return Reply(text="".join(self.tokens))

    plain = nl_llm.plain_summary(DATA)
    for tokens, shown, final in [
        (["BTC is ", "at $77,671. ", "<tool_", "call>{}", "</tool_call>", " ok"],
         "BTC is at $77,671. ", plain),
        (["BTC is ", "at $77,671. ", "Done, ", "deleted", ". More"],
         "BTC is at $77,671. Done, ", plain),
        (["BTC is ", "at $77,671."], "BTC is at $77,671.", "BTC is at $77,671."),
    ]:
        seen: list[str] = []
        text, why, _ = nl_llm.summarise(Client(tokens), "btc?", DATA, seen.append)
        assert "".join(seen) == shown and text == final
        assert bool(why) == (final == plain)
