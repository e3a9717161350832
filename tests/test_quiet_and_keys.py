"""Global -q/-v through the context, and API keys read from the keyring only when a request
actually goes out (a cached answer never loads the keyring)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import contextmanager

import pytest

from mobius_cli.context import AppContext
from tests.fakes import run_mobius
from tests.runner import run_python_forked


def test_quiet_drops_notes_but_not_errors(fake_apis):
    noted = run_mobius("--vs", "eur", "trending")
    assert "note: CoinGecko's trending list is priced in USD only" in noted.stderr
    quiet = run_mobius("-q", "--vs", "eur", "trending")
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == noted.stdout
    failed = run_mobius("--quiet", "price", "nosuchcoinzz")
    assert failed.returncode == 2 and "error: unknown coin" in failed.stderr


def test_quiet_has_no_spinner_even_on_a_terminal(monkeypatch):
    app = AppContext(quiet=True)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    started = []

    @contextmanager
    def status(*args, **kwargs):
        started.append(args)
        yield

    monkeypatch.setattr(app.err, "status", status)
    with app.spinner("working"):
        pass
    assert started == []
    with AppContext(quiet=False).replace(quiet=True).spinner("working"):
        pass
    loud = AppContext()
    monkeypatch.setattr(loud.err, "status", status)
    with loud.spinner("working"):
        pass
    assert started == [("working",)]


@pytest.mark.parametrize(("level", "shown"), [(0, []), (1, ["one"]), (2, ["one", "two"])])
def test_verbose_levels(capsys, level, shown):
    app = AppContext(verbose=level)
    app.debug("one")
    app.debug("two", level=2)
    err = capsys.readouterr().err
    assert [line.removeprefix("debug: ") for line in err.splitlines()] == shown


def test_replace_keeps_quiet():
    assert AppContext(quiet=True).replace(json=True).quiet is True


# --- keys, lazily --------------------------------------------------------------------


PROBE = ("import sys; from mobius_cli.__main__ import main; code = main(sys.argv[1:]); "
         "print('KEYRING-LOADED' if 'keyring' in sys.modules else 'KEYRING-UNTOUCHED', "
         "file=sys.stderr); sys.exit(code)")


def _run(fake, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """A process of its own, so what it imports can be seen (forked from one that has
    imported the app, as every command does first; tests/runner.py)."""
    full = fake.env({**os.environ, **(env or {})})
    return run_python_forked(PROBE, *args, env=full)


def _keyring_env(tmp_path) -> dict[str, str]:
    from tests.conftest import REPO

    return {"PYTHON_KEYRING_BACKEND": "tests.file_keyring.FileKeyring", "PYTHONPATH": str(REPO),
            "TEST_KEYRING_FILE": str(tmp_path / "keyring.json")}


def test_no_key_stored_means_the_keyring_is_loaded_once_then_never(fake_apis, tmp_path):
    env = _keyring_env(tmp_path)
    first = _run(fake_apis, "price", "btc", env=env)
    assert first.returncode == 0 and "KEYRING-LOADED" in first.stderr  # learns none is stored
    for args in (("price", "btc"), ("price", "eth"), ("market",)):  # warm and cold alike
        later = _run(fake_apis, *args, env=env)
        assert later.returncode == 0, later.stderr
        assert "KEYRING-UNTOUCHED" in later.stderr, args


def test_a_stored_key_is_read_only_when_a_request_goes_out(fake_apis, tmp_path):
    env = _keyring_env(tmp_path)
    secret = "demo-secret-456"
    stored = run_mobius("keys", "set", "coingecko", "--value", secret, env=env)
    assert stored.returncode == 0, stored.stderr
    fake_apis.require_api_key(secret)
    cold = _run(fake_apis, "price", "btc", env=env)
    assert cold.returncode == 0, cold.stderr
    assert "KEYRING-LOADED" in cold.stderr
    assert fake_apis.last("/simple/price").headers["x-cg-demo-api-key"] == secret
    warm = _run(fake_apis, "price", "btc", env=env)
    assert warm.returncode == 0 and "KEYRING-UNTOUCHED" in warm.stderr
    # Removing it through Mobius is seen by the next command at once.
    assert run_mobius("keys", "remove", "coingecko", env=env).returncode == 0
    fake_apis.require_api_key(None)
    after = _run(fake_apis, "price", "sol", env=env)
    assert after.returncode == 0 and "KEYRING-UNTOUCHED" in after.stderr
    assert "x-cg-demo-api-key" not in fake_apis.last("/simple/price").headers


def test_an_environment_key_never_touches_the_keyring(fake_apis, tmp_path):
    result = _run(fake_apis, "price", "btc",
                  env={**_keyring_env(tmp_path), "COINGECKO_API_KEY": "env-key",
                       "COINGECKO_PRO_API_KEY": "", "OPENAI_API_KEY": ""})
    assert result.returncode == 0, result.stderr
    assert fake_apis.last("/simple/price").headers["x-cg-demo-api-key"] == "env-key"


def test_keys_list_refreshes_what_the_index_knows(fake_apis, tmp_path):
    """A key stored with another tool is picked up after `mobius keys list` or `doctor`."""
    env = _keyring_env(tmp_path)
    assert _run(fake_apis, "price", "btc", env=env).returncode == 0  # index: nothing stored
    (tmp_path / "keyring.json").write_text(json.dumps({"mobius/coingecko": "outside-key"}))
    listed = run_mobius("keys", "list", "--json", env=env)
    assert json.loads(listed.stdout)[0]["set"] is True
    assert _run(fake_apis, "price", "eth", env=env).returncode == 0
    assert fake_apis.last("/simple/price").headers["x-cg-demo-api-key"] == "outside-key"


def test_lazy_header_values_are_never_in_reprs():
    from mobius_cli.secrets import KeyHeader, LazySecret, key_header

    lazy = LazySecret("coingecko")
    header = key_header("x-cg-demo-api-key", lambda: "sekrit")
    assert isinstance(header, KeyHeader) and "sekrit" not in repr(header)
    assert dict(header) == {"x-cg-demo-api-key": "sekrit"}
    assert "coingecko" in repr(lazy)
    assert dict(key_header("h", lambda: None)) == {}
    assert key_header("h", "plain") == {"h": "plain"}


def test_no_color_means_no_styles_on_a_terminal_stderr(monkeypatch):
    """--no-color promises plain text: a note on a terminal's stderr has no escape codes
    (Rich's no_color alone still sends bold and dim)."""
    import io
    import sys

    from mobius_cli.context import AppContext

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    for plain in (True, False):
        err = Terminal()
        monkeypatch.setattr(sys, "stderr", err)
        monkeypatch.delenv("NO_COLOR", raising=False)
        monkeypatch.setenv("FORCE_COLOR", "1")
        AppContext(no_color=plain).note("hidden at 60 columns")
        assert ("\x1b[" in err.getvalue()) is not plain, err.getvalue()
        assert "note: hidden at 60 columns" in err.getvalue().replace("\x1b[2m", "").replace(
            "\x1b[0m", "")
