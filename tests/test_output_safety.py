"""Output that cannot be hijacked: user and API text is never Rich markup, emoji codes or
terminal control sequences, whatever it holds."""

from __future__ import annotations

import io
import json
import re

import pytest
from rich.console import Console

from mobius_cli.context import AppContext
from mobius_cli.render.output import emit, new_table
from tests.fakes import run_mobius

NASTY = ["[/x]", "[bold]loud[/bold]", "[red", "x[/]", ":rocket: moon", "\x1b[31mred\x1b[0m",
         "bell\x07", "a\x9b2Jb"]


def shown(text: str) -> str:
    """How a value must appear: brackets as written, control characters as escapes."""
    return (text.replace("\x1b", "\\x1b").replace("\x07", "\\x07").replace("\x9b", "\\x9b"))


def render(renderable, **console_options) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=100, color_system=None, **console_options).print(renderable)
    return buffer.getvalue()


@pytest.mark.parametrize("text", NASTY)
@pytest.mark.parametrize("markup", [False, True])
def test_table_cells_titles_and_captions_are_text(text, markup):
    # Even a console that parses markup (Rich's default) prints house tables literally.
    table = new_table(f"Title {text}", "Name", "Value", caption=f"caption {text}")
    table.add_row(text, f"value {text}")
    out = render(table, markup=markup, emoji=True)
    assert f"Title {shown(text)}" in out and f"caption {shown(text)}" in out
    assert shown(text) in out and f"value {shown(text)}" in out
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    if ":rocket:" in text:
        assert "🚀" not in out


@pytest.mark.parametrize("text", NASTY)
def test_emitted_lines_and_notes_are_text(text, capsys, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = AppContext()
    emit(app, {}, lambda: [f"line {text}"])
    app.note(f"about {text}")
    out, err = capsys.readouterr()
    assert f"line {shown(text)}" in out
    assert f"note: about {shown(text)}" in err
    assert "\x1b" not in out + err


def test_quiet_silences_notes(capsys):
    AppContext(quiet=True).note("hello")
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("value", ["[/x]", "[bold]", "[bold]big[/bold]", "[link=x]y"])
def test_config_values_with_brackets_show_as_written(value):
    assert run_mobius("config", "set", "llm_model", value).returncode == 0
    shown_table = run_mobius("config", "show")
    assert shown_table.returncode == 0, shown_table.stderr
    assert value in shown_table.stdout and "internal error" not in shown_table.stderr
    assert json.loads(run_mobius("config", "show", "--json").stdout)["llm_model"] == value
    assert run_mobius("config", "get", "llm_model").stdout.strip() == value
    doctor = run_mobius("--offline", "doctor")
    assert doctor.returncode == 0, doctor.stderr
    assert "internal error" not in doctor.stderr


def test_ansi_in_a_config_value_is_shown_not_executed():
    value = "\x1b[31mred\x1b[0m"
    for args in (("config", "show"), ("config", "get", "llm_model"), ("--offline", "doctor")):
        result = run_mobius(*args, env={"MOBIUS_LLM_MODEL": value})
        assert result.returncode == 0, result.stderr
        assert "\x1b" not in result.stdout + result.stderr
    table = run_mobius("config", "show", env={"MOBIUS_LLM_MODEL": value}).stdout
    assert "\\x1b[31mred\\x1b[0m" in table
    # JSON stays exact: the escape is JSON-encoded, never raw.
    raw = run_mobius("config", "show", "--json", env={"MOBIUS_LLM_MODEL": value}).stdout
    assert "\x1b" not in raw and json.loads(raw)["llm_model"] == value


def test_a_bad_value_in_an_error_is_shown_not_executed():
    result = run_mobius("config", "set", "timeout", "\x1b[2J")
    assert result.returncode == 2 and "\x1b" not in result.stderr
    assert "config key timeout" in result.stderr


def _rename(fake, coin_id: str, name: str, symbol: str | None = None) -> None:
    fake.markets[coin_id]["name"] = name
    for row in fake.coins_list:
        if row["id"] == coin_id:
            row["name"] = name
    if symbol:
        fake.markets[coin_id]["symbol"] = symbol


@pytest.mark.parametrize("name", ["[/x]", "Bit[bold]coin", "[red]Bitcoin[/red]", ":rocket:"])
def test_coin_names_from_the_api_are_never_markup(fake_apis, name):
    _rename(fake_apis, "bitcoin", name)
    for args in (("price", "--id", "bitcoin"), ("market", "-n", "3"),
                 ("history", "--id", "bitcoin", "--days", "7"),
                 ("compare", "--id", "bitcoin", "--id", "ethereum")):
        result = run_mobius(*args)
        assert result.returncode == 0, (args, result.stderr)
        assert name in result.stdout, (args, result.stdout)
        assert "🚀" not in result.stdout


def test_styles_still_apply_in_colour(fake_apis):
    coloured = run_mobius("price", "btc", env={"NO_COLOR": "", "FORCE_COLOR": "1"})
    assert "\x1b[31m-0.95%" in coloured.stdout  # red for a fall, applied as a style
    assert "[red]" not in coloured.stdout


def test_a_long_note_wraps_at_words_on_a_terminal_and_stays_whole_in_a_pipe():
    import io

    from rich.console import Console

    words = "portfolio main is kept in USD: cost basis and realized P&L converted"
    for terminal in (True, False):
        app = AppContext()
        app.__dict__["err"] = Console(file=io.StringIO(), width=30, force_terminal=terminal,
                                      no_color=True)
        app.note(words)
        plain = re.sub(r"\x1b\[[0-9;]*m", "", app.err.file.getvalue())  # the dim "note:"
        lines = plain.splitlines()
        if terminal:
            assert len(lines) > 1 and all(len(line.rstrip()) <= 30 for line in lines)
            assert " ".join(line.strip() for line in lines) == f"note: {words}"
        else:
            assert lines == [f"note: {words}"]


@pytest.mark.parametrize(("raw", "clean"), [
    ("[bold red]Evil[/] \x1b[31mCoin\x1b[0m [link]", "[bold red]Evil[/] Coin [link]"),
    ("a\x1b]8;;http://x.example\x07link\x1b]8;;\x07 b", "alink b"),  # an OSC 8 hyperlink
    ("x\x9b2Jy\x07", "xy"), ("tab\there", "tab here"), ("[x] plain", "[x] plain")])
def test_api_text_loses_whole_escape_sequences(raw, clean):
    from mobius_cli.core.models import clean_text

    assert clean_text(raw) == clean
