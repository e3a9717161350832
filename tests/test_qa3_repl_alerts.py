"""QA pass 3 as a new user: a question typed at a yes/no prompt, /help at narrow widths,
`alerts cron` with channels whose target is only in the environment, `remove --all`
needing a yes, the same wording in every alerts table, absurd percentages refused, and
unreadable import files named in one line. The real app, in-process, against the loopback
fakes."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from mobius_cli.context import AppContext
from mobius_cli.repl import run_repl
from tests.fakes import ok


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


@pytest.mark.parametrize("reply", ["ok", "sure", "Yeah!", "oui", "yes please"])
def test_a_yes_in_other_words_cancels_and_says_what_confirms(fake, reply):
    ok(fake.run_mobius("alerts", "add", "eth", "--below", "2500"))
    out, err = session(f"delete alert 1\n{reply}\n\x04")
    assert alert_ids(fake) == [1]
    assert "cancelled: nothing changed (only y or yes confirms a change)" in err
    assert arrows(err) == ["→ mobius alerts remove 1"] and "Sorry" not in out


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


# --- 3. `alerts cron` and channels whose target is only in the environment ------------

SECRET_URL = "https://hooks.example.com/services/T0KEN1234567890abcdef"
NO_KEYRING = "keyring.backends.null.Keyring"


def file_keyring(tmp_path) -> dict[str, str]:
    return {"PYTHON_KEYRING_BACKEND": "tests.file_keyring.FileKeyring",
            "TEST_KEYRING_FILE": str(tmp_path / "keyring.json")}


def test_cron_names_a_channel_variable_cron_will_not_see_never_its_value(fake):
    env = {"MOBIUS_CHANNEL_HOOK": SECRET_URL}
    ok(fake.run_mobius("alerts", "channels", "add", "hook", "webhook", env=env))
    for args in (("alerts", "cron"), ("alerts", "cron", "--json")):
        done = fake.run_mobius(*args, env=env)
        assert done.returncode == 0, done.stderr
        assert SECRET_URL not in done.stdout + done.stderr
        assert "T0KEN" not in done.stdout + done.stderr
        assert "MOBIUS_CHANNEL_HOOK" not in done.stdout  # the line carries no secret
        notes = [line for line in done.stderr.splitlines() if "cron will not see" in line]
        assert len(notes) == 1, done.stderr
        assert "MOBIUS_CHANNEL_HOOK" in notes[0] and "channel hook" in notes[0]
        assert "define MOBIUS_CHANNEL_HOOK=... on its own line at the top of the crontab" \
            in notes[0]
        assert "keyring" not in notes[0]  # there is none here: not offered
    done = fake.run_mobius("alerts", "cron")  # no variable set here: nothing to say
    assert "cron will not see" not in done.stderr


def test_cron_offers_the_keyring_and_following_it_silences_the_note(fake, tmp_path):
    env = {"MOBIUS_CHANNEL_HOOK": SECRET_URL, **file_keyring(tmp_path)}
    ok(fake.run_mobius("alerts", "channels", "add", "hook", "webhook", env=env))
    done = fake.run_mobius("alerts", "cron", env=env)
    assert "keep it in the keyring with `mobius alerts channels add hook webhook URL`, or " \
           "define MOBIUS_CHANNEL_HOOK=..." in done.stderr
    assert SECRET_URL not in done.stdout + done.stderr
    # Doing what it says stores the URL for the existing channel...
    added = fake.run_mobius("alerts", "channels", "add", "hook", "webhook", SECRET_URL,
                            env=file_keyring(tmp_path))
    assert added.returncode == 0, added.stderr
    assert "Channel hook (webhook): its URL is in the keyring now" in added.stdout
    assert SECRET_URL not in added.stdout + added.stderr
    assert SECRET_URL in (tmp_path / "keyring.json").read_text()
    listed = json.loads(ok(fake.run_mobius("alerts", "channels", "list", "--json",
                                           env=file_keyring(tmp_path))))
    hook = next(c for c in listed if c["name"] == "hook")
    assert hook["target_source"] == "keyring" and hook["target"] == "https://hooks.example.com/…"
    # ...and cron needs the variable no more.
    done = fake.run_mobius("alerts", "cron", env=env)
    assert done.returncode == 0 and "cron will not see" not in done.stderr
    # A channel that has its own URL is still not added twice.
    again = fake.run_mobius("alerts", "channels", "add", "hook", "webhook", SECRET_URL,
                            env=file_keyring(tmp_path))
    assert again.returncode == 2 and "a channel named 'hook' exists" in again.stderr


def test_a_command_channel_from_the_environment_is_named_too(fake):
    env = {"MOBIUS_CHANNEL_LOG": "echo secret-ish >> /dev/null"}
    ok(fake.run_mobius("alerts", "channels", "add", "log", "command", env=env))
    done = fake.run_mobius("alerts", "cron", env=env)
    assert "cron will not see MOBIUS_CHANNEL_LOG, where channel log's command comes from" \
        in done.stderr
    assert "keep it with the channel with `mobius alerts channels add log command COMMAND`" \
        in done.stderr
    assert "secret-ish" not in done.stdout + done.stderr
    kept = fake.run_mobius("alerts", "channels", "add", "log", "command", "true")
    assert "Channel log (command): it keeps its command now" in ok(kept)
    assert "cron will not see" not in fake.run_mobius("alerts", "cron", env=env).stderr


def test_without_a_keyring_the_hint_gives_the_order_that_works(fake):
    done = fake.run_mobius("alerts", "channels", "add", "hook", "webhook", SECRET_URL,
                           env={"PYTHON_KEYRING_BACKEND": NO_KEYRING})
    assert done.returncode == 2 and SECRET_URL not in done.stderr
    assert "export MOBIUS_CHANNEL_HOOK=URL first, then add `mobius alerts channels add hook " \
           "webhook` without the URL" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    # without the variable, adding without the URL says the same order
    bare = fake.run_mobius("alerts", "channels", "add", "hook", "webhook")
    assert bare.returncode == 2
    assert "export MOBIUS_CHANNEL_HOOK=TARGET first, then run this again" in bare.stderr
    # in that order it works
    added = fake.run_mobius("alerts", "channels", "add", "hook", "webhook",
                            env={"MOBIUS_CHANNEL_HOOK": SECRET_URL})
    assert added.returncode == 0, added.stderr
    assert "its URL comes from MOBIUS_CHANNEL_HOOK" in added.stdout


# --- 4. `alerts remove --all` needs a yes -----------------------------------------------


def test_remove_all_needs_yes(fake):
    for coin in ("eth", "btc"):
        ok(fake.run_mobius("alerts", "add", coin, "--below", "2500"))
    done = fake.run_mobius("alerts", "remove", "--all")
    assert done.returncode == 2
    assert done.stderr.strip() == "mobius: error: removing all 2 alerts needs --yes: " \
                                  "`mobius alerts remove --all --yes`"
    assert alert_ids(fake) == [1, 2]
    done = fake.run_mobius("alerts", "remove", "--all", "--yes")
    assert ok(done).strip() == "Removed alerts #1, #2." and alert_ids(fake) == []
    # nothing to remove: nothing to confirm
    assert ok(fake.run_mobius("alerts", "remove", "--all")).strip() == "There were no alerts."
    # by id or by coin, as before
    ok(fake.run_mobius("alerts", "add", "eth", "--below", "2500"))
    ok(fake.run_mobius("alerts", "add", "eth", "--below", "2400"))
    assert "Removed alerts #3, #4." in ok(fake.run_mobius("alerts", "remove", "--symbol", "eth"))


def test_remove_all_asks_on_a_terminal(fake, monkeypatch):
    import sys

    import typer

    for coin in ("eth", "btc"):
        ok(fake.run_mobius("alerts", "add", coin, "--below", "2500"))
    from mobius_cli.commands import alerts as cmd

    asked: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(typer, "confirm", lambda text, **kw: asked.append(text) or False)
    app = AppContext()
    with pytest.raises(Exception, match="cancelled: nothing changed"):
        cmd.confirm_remove_all(app)
    assert asked == ["Remove all 2 alerts?"] and alert_ids(fake) == [1, 2]
    monkeypatch.setattr(typer, "confirm", lambda text, **kw: True)
    cmd.confirm_remove_all(app)  # a yes: goes on
    app.close()


# --- 5. the same words in every table; times say UTC -----------------------------------


def test_history_uses_the_words_of_the_list(fake):
    row = fake.markets["ethereum"]
    row["price_change_percentage_24h"] = row["price_change_percentage_24h_in_currency"] = -4.2
    ok(fake.run_mobius("alerts", "add", "eth", "--down", "3"))
    ok(fake.run_mobius("alerts", "add", "eth", "--change", "3"))
    assert fake.run_mobius("alerts", "check").returncode == 3
    listed = ok(fake.run_mobius("alerts", "list"))
    history = ok(fake.run_mobius("alerts", "history"))
    for words in ("24h down 3%", "24h move ± 3%"):
        assert words in listed and words in history
    assert "change_down" not in history and "change " not in history
    data = json.loads(ok(fake.run_mobius("alerts", "history", "--json")))
    assert {f["condition"] for f in data} == {"change_down", "change"}  # JSON keeps names


@pytest.mark.parametrize("width", [60, 80, 120])
def test_history_reads_well_at_narrow_widths(fake, width):
    row = fake.markets["ethereum"]
    row["price_change_percentage_24h"] = row["price_change_percentage_24h_in_currency"] = -4.2
    ok(fake.run_mobius("alerts", "add", "eth", "--down", "3"))
    ok(fake.run_mobius("alerts", "add", "eth", "--above", "1000"))
    assert fake.run_mobius("alerts", "check").returncode == 3
    out = ok(fake.run_mobius("alerts", "history", env={"COLUMNS": str(width)}))
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= width
    price = f"${row['current_price']:,.2f}"
    assert sum(line.count(price) for line in lines) == 2  # every price whole
    assert sum(line.count("terminal:") for line in lines) == 2  # no channel cut
    assert "Delivery" in out and "…" not in out and "Times in UTC" in out
    if width >= 80:  # room enough: one line per firing
        assert "24h down 3%" in out and "above $1,000.00" in out and "terminal: sent" in out


def test_snooze_says_utc(fake):
    ok(fake.run_mobius("alerts", "add", "eth", "--below", "2500"))
    out = ok(fake.run_mobius("alerts", "snooze", "1", "--for", "1h"))
    assert re.fullmatch(r"Snoozed #1 until \d{4}-\d\d-\d\d \d\d:\d\d UTC\.\n", out), out
    assert "times in UTC" in ok(fake.run_mobius("alerts", "list", env={"COLUMNS": "160"}))


# --- 6. absurd percentages ---------------------------------------------------------------


@pytest.mark.parametrize(("flag", "value"), [("--up", "5000"), ("--change", "1001"),
                                             ("--up", "1000.5"), ("--down", "100")])
def test_an_absurd_percentage_is_refused(fake, flag, value):
    done = fake.run_mobius("alerts", "add", "eth", flag, value)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert alert_ids(fake) == []


@pytest.mark.parametrize(("flag", "value"), [("--up", "1000"), ("--change", "250"),
                                             ("--down", "99"), ("--above", "5000000"),
                                             ("--below", "0.000001"), ("--above", "5000")])
def test_sane_targets_are_accepted(fake, flag, value):
    ok(fake.run_mobius("alerts", "add", "eth", flag, value))
    assert alert_ids(fake) == [1]


def test_the_percentage_bound_is_in_the_help_and_the_error(fake):
    done = fake.run_mobius("alerts", "add", "eth", "--up", "5000")
    assert done.stderr.strip() == "mobius: error: the target percentage 5000 is too large " \
                                  "(a 24h-move alert takes at most 1000%)"
    assert "up to 1000" in ok(fake.run_mobius("alerts", "add", "--help"))


# --- import of what is not a CSV/JSON file -----------------------------------------------


def test_import_of_a_directory_an_empty_name_or_a_binary_file_is_one_clear_line(fake, tmp_path):
    binary = tmp_path / "blob.csv"
    binary.write_bytes(b"\x7fELF\xff\xfe\x00\x01" * 20)
    nul = tmp_path / "nul.csv"
    nul.write_bytes(b"symbol\x00condition")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    cases = {str(tmp_path): f"{tmp_path} is a directory, not a CSV/JSON file",
             "": "the file name is empty",
             str(binary): f"{binary} is not a text CSV/JSON file (it is not UTF-8)",
             str(nul): f"{nul} is not a text CSV/JSON file (it holds binary data)",
             str(empty): f"{empty} is empty: nothing to import",
             str(tmp_path / "none.csv"): f"no such file: {tmp_path / 'none.csv'}"}
    for path, message in cases.items():
        done = fake.run_mobius("alerts", "import", path)
        assert done.returncode == 2, (path, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], (path, done.stderr)
        assert "Errno" not in done.stderr and "codec" not in done.stderr
    assert alert_ids(fake) == []


def test_ask_delete_all_my_alerts_with_yes_still_removes_them(fake):
    for coin in ("eth", "btc"):
        ok(fake.run_mobius("alerts", "add", coin, "--below", "2500"))
    refused = fake.run_mobius("ask", "delete all my alerts")
    assert refused.returncode == 2 and alert_ids(fake) == [1, 2]
    done = fake.run_mobius("ask", "delete all my alerts", "--yes")
    assert "Removed alerts #1, #2." in ok(done) and alert_ids(fake) == []


def test_leaving_words_at_the_prompt_cancel_then_leave(fake):
    ok(fake.run_mobius("alerts", "add", "eth", "--below", "2500"))
    out, err = session("delete alert 1\nexit\nbtc price\n\x04")
    assert alert_ids(fake) == [1] and "cancelled: nothing changed\n" in err
    assert "answering" not in err
    assert "$77,671.00" not in out  # "exit" ended the session, as at the prompt


def test_list_of_a_coin_without_alerts_says_so_not_no_alerts_yet(fake):
    assert "No alerts yet" in ok(fake.run_mobius("alerts", "list", "--symbol", "sol"))
    ok(fake.run_mobius("alerts", "add", "eth", "--below", "2500"))
    out = ok(fake.run_mobius("alerts", "list", "--symbol", "sol"))
    assert out.strip() == "No alerts on SOL (see `mobius alerts list` for all)."
    assert json.loads(ok(fake.run_mobius("alerts", "list", "--symbol", "sol", "--json"))) == []
