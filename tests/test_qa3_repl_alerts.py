"""QA pass 3 as a new user: a question typed at a yes/no prompt, /help at narrow widths,
`alerts cron` with channels whose target is only in the environment, `remove --all`
needing a yes, the same wording in every alerts table, absurd percentages refused, and
unreadable import files named in one line. The real app, in-process, against the loopback
fakes."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from mobius_cli.context import AppContext
from mobius_cli.repl import run_repl
from tests.fakes import iso_ms


def session(keys: str, width: int = 100) -> tuple[str, str]:
    """Drive the REPL with keystrokes on a `width`-column terminal; (stdout, stderr)."""
    app = AppContext()
    out, err = io.StringIO(), io.StringIO()
    app.__dict__["out"] = Console(file=out, width=width, no_color=True, highlight=False)
    app.__dict__["err"] = Console(file=err, width=width, no_color=True, highlight=False)
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        run_repl(app, input=pipe, output=DummyOutput())
    app.close()
    return out.getvalue(), err.getvalue()


def arrows(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("→")]


@pytest.fixture
def fake(fake_apis):
    stamp = iso_ms(time.time())  # the fixtures were recorded days ago: fresh prices
    for row in fake_apis.markets.values():
        row["last_updated"] = stamp
    return fake_apis


def ok(done) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def alert_ids(fake) -> list[int]:
    return [a["id"] for a in json.loads(ok(fake.run_mobius("alerts", "list", "--json")))]


# --- 1. a question typed at a [y/N] prompt --------------------------------------------


def test_a_question_at_the_yes_no_prompt_cancels_and_is_answered(fake):
    ok(fake.run_mobius("alerts", "add", "eth", "--below", "2500"))
    out, err = session("delete alert 1\ntop lending protocols on base\n\x04")
    assert alert_ids(fake) == [1]  # not a yes: nothing changed
    assert "cancelled: nothing changed; answering “top lending protocols on base” as a new " \
           "question" in err
    assert arrows(err) == ["→ mobius alerts remove 1",
                           "→ mobius defi protocols --chain base --category lending"]
    assert "Aave V3" in out and "error:" not in err
    history = (Path(os.environ["MOBIUS_HOME"]) / "data" / "repl-history").read_text()
    assert "+top lending protocols on base" in history  # as if typed at the prompt


@pytest.mark.parametrize("reply", ["", "n", "no", "No", "nope"])
def test_empty_or_no_at_the_prompt_only_cancels(fake, reply):
    ok(fake.run_mobius("alerts", "add", "eth", "--below", "2500"))
    _out, err = session(f"delete alert 1\n{reply}\n\x04")
    assert alert_ids(fake) == [1]
    assert "cancelled: nothing changed" in err and "answering" not in err
    assert arrows(err) == ["→ mobius alerts remove 1"] and "error:" not in err


@pytest.mark.parametrize("reply", ["y", "yes", "YES"])
def test_yes_at_the_prompt_runs_the_change(fake, reply):
    ok(fake.run_mobius("alerts", "add", "eth", "--below", "2500"))
    out, err = session(f"delete alert 1\n{reply}\n\x04")
    assert alert_ids(fake) == []
    assert "Removed alert #1." in out and "cancelled" not in err


def test_a_change_typed_at_the_prompt_is_asked_about_in_turn(fake):
    """The question answered next may itself change data: it gets its own prompt."""
    ok(fake.run_mobius("alerts", "add", "eth", "--below", "2500"))
    ok(fake.run_mobius("alerts", "add", "btc", "--below", "2500"))
    _out, err = session("delete alert 1\ndelete alert 2\ny\n\x04")
    assert alert_ids(fake) == [1]
    assert arrows(err) == ["→ mobius alerts remove 1", "→ mobius alerts remove 2"]


def test_delete_all_my_alerts_still_asks_and_runs_on_yes(fake):
    for coin in ("eth", "btc"):
        ok(fake.run_mobius("alerts", "add", coin, "--below", "2500"))
    _out, err = session("delete all my alerts\n\n\x04")
    assert alert_ids(fake) == [1, 2] and "cancelled: nothing changed" in err
    out, err = session("delete all my alerts\ny\n\x04")
    assert alert_ids(fake) == [] and "Removed alerts #1, #2." in out
    assert arrows(err) == ["→ mobius alerts remove --all"]


# --- 2. /help at 60, 80 and 120 columns ----------------------------------------------


def examples() -> list[str]:
    from mobius_cli.core import registry

    return [i.examples[0] for i in registry.built() if i.examples]


@pytest.mark.parametrize("width", [60, 80, 120])
@pytest.mark.parametrize("typed", ["/help", "help"])
def test_help_fits_the_width_and_splits_no_item(fake_apis, width, typed):
    out, _err = session(f"{typed}\n\x04", width=width)
    lines = out.splitlines()
    assert lines[0].startswith("I answer plain questions")
    assert max(len(line) for line in lines) <= width
    for example in examples():  # each example whole, on one line
        assert any(f"• {example}" in line for line in lines), (example, out)
    for item in ("/help", "/json on|off", "/vs CUR", "/llm on|off", "/clear", "/exit"):
        assert any(item in line for line in lines), (item, out)
    assert "“and sol?”" in out and "“in euros?”" in out
    assert "In the REPL: /help, /json on|off, /vs CUR" in out  # no break after "/help,"
    if width < 78:  # narrow: one example to a line
        assert sum(line.count("•") for line in lines) == len(examples()) == \
            sum(1 for line in lines if "•" in line)


def test_help_wraps_a_long_example_at_words_with_a_hanging_indent():
    from mobius_cli.repl_help import help_text

    text = help_text(40)
    assert "  • what if I bought $50 of btc every\n    week for a year" in text
    assert max(len(line) for line in text.splitlines()) <= 40
