"""End to end: config and keys through the installed CLI."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from tests.fakes import run_mobius


def cli(*args: str, **env: str):
    result = run_mobius(*args, env=env or None)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def config_file(**env: str) -> Path:
    """Where config.toml lives, as `config path --json` says."""
    return Path(json.loads(cli("config", "path", "--json", **env).stdout)["config_file"])


def test_config_set_get_show_and_path(fake_apis):
    assert cli("config", "set", "vs_currency", "EUR").returncode == 0
    assert cli("config", "get", "vs_currency").stdout.strip() == "eur"
    shown = json.loads(cli("config", "show", "--json").stdout)
    assert shown["vs_currency"] == "eur" and shown["timeout"] == 10.0
    path = config_file()
    assert path == Path(os.environ["MOBIUS_HOME"]) / "config" / "config.toml"
    assert 'vs_currency = "eur"' in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # The configured currency is used by commands that quote prices.
    assert json.loads(cli("price", "btc", "--json").stdout)[0]["currency"] == "eur"
    unset = cli("config", "unset", "vs_currency")
    assert unset.returncode == 0 and unset.stderr.strip() == "removed vs_currency (default: 'usd')"
    assert cli("config", "get", "vs_currency").stdout.strip() == "usd"
    assert "was not set" in cli("config", "unset", "vs_currency").stderr
    paths = json.loads(cli("config", "path", "--json").stdout)
    assert paths == {"config_file": str(path), "data_dir": str(path.parent.parent / "data"),
                     "cache_dir": str(path.parent.parent / "cache")}


def test_config_path_text_names_config_data_and_cache():
    paths = json.loads(cli("config", "path", "--json").stdout)
    text = cli("config", "path").stdout.splitlines()
    assert text == [f"config: {paths['config_file']}", f"data:   {paths['data_dir']}",
                    f"cache:  {paths['cache_dir']}"]


def test_config_show_table_never_cuts_a_value():
    url = "http://127.0.0.1:9/a/rather/long/mirror/path/api/v3"
    table = cli("config", "show", MOBIUS_COINGECKO_URL=url).stdout
    # The variable's name stays whole; a value too long for its column folds onto the
    # next line, never cut with "…" (tests/test_qa3_market_system.py: 60 and 80 columns).
    assert url[:40] in table and "MOBIUS_COINGECKO_URL" in table and "…" not in table
    assert url in cli("config", "show", MOBIUS_COINGECKO_URL=url, COLUMNS="140").stdout
    assert "vs_currency" in table and "default" in table


def test_config_errors_name_the_key_and_change_nothing():
    cli("config", "set", "timeout", "5")
    for args, needle in [(("set", "timeout", "-1"), "config key timeout"),
                         (("set", "tiemout", "3"), "did you mean timeout?"),
                         (("get", "nope"), "unknown config key 'nope'"),
                         (("set", "coingecko_url", "not a url"), "config key coingecko_url")]:
        result = cli("config", *args)
        assert result.returncode == 2 and needle in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert cli("config", "get", "timeout").stdout.strip() == "5.0"


def test_broken_config_file_is_one_line_naming_the_key():
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('retries = "lots"\n')
    result = cli("price", "btc")
    assert result.returncode == 2 and "config key retries" in result.stderr
    assert "must be a whole number" in result.stderr
    assert str(path) in result.stderr and "`mobius config set retries VALUE`" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    # The path is still shown, and `config set` repairs the file.
    assert config_file() == path
    assert f"config: {path}" in cli("config", "path").stdout
    assert cli("config", "set", "retries", "2").returncode == 0
    assert cli("config", "get", "retries").stdout.strip() == "2"


def test_unset_removes_an_unknown_key_to_repair_the_file():
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("tiemout = 3\nretries = 2\n")
    broken = cli("config", "get", "retries")
    assert broken.returncode == 2
    assert "unknown config key 'tiemout'" in broken.stderr and "did you mean timeout?" in \
        broken.stderr and "`mobius config unset tiemout`" in broken.stderr
    assert cli("config", "unset", "tiemout").stderr.strip() == "removed tiemout"
    assert cli("config", "get", "retries").stdout.strip() == "2"
    assert cli("config", "unset", "nope").returncode == 2  # not in the file and not a key


def test_environment_url_overrides_config(fake_apis):
    cli("config", "set", "fng_url", "http://127.0.0.1:9/nowhere")
    assert cli("fear-greed").returncode == 0  # MOBIUS_FNG_URL points at the fake


def test_keys_without_a_keyring_backend_say_so():
    result = cli("keys", "set", "coingecko", "--value", "abc")
    assert result.returncode == 2
    assert "no keyring backend" in result.stderr and "COINGECKO_API_KEY" in result.stderr
    assert "abc" not in result.stderr
    unknown = cli("keys", "set", "binance", "--value", "abc")
    assert unknown.returncode == 2 and "known keys: coingecko" in unknown.stderr


def test_keys_list_never_prints_values():
    listed = cli("keys", "list", OPENAI_API_KEY="sk-secret-value")
    assert "sk-secret-value" not in listed.stdout + listed.stderr
    assert "env OPENAI_API_KEY" in listed.stdout


def test_version_and_bare_invocation():
    assert cli("--version").stdout.strip().startswith("mobius ")
    bare = cli()  # not a terminal: help, not the REPL
    assert bare.returncode == 0 and "Usage" in bare.stdout


def test_usage_errors_are_one_line_exit_2():
    result = cli("price", "--bogus")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("mobius: error: No such option: --bogus")
    assert len(result.stderr.strip().splitlines()) == 1


def _with_keyring(tmp_path, backend: str = "FileKeyring") -> dict[str, str]:
    from tests.conftest import REPO

    return {"PYTHON_KEYRING_BACKEND": f"tests.file_keyring.{backend}",
            "PYTHONPATH": str(REPO), "TEST_KEYRING_FILE": str(tmp_path / "keyring.json")}


def test_keys_set_list_use_and_remove_through_the_keyring(fake_apis, tmp_path):
    secret = "demo-secret-123"
    env = _with_keyring(tmp_path)
    stored = fake_apis.run_mobius("keys", "set", "coingecko", input=secret + "\n", env=env)
    assert stored.returncode == 0, stored.stderr
    assert stored.stderr.strip() == "stored coingecko in the keyring"  # no prompt, no warning
    listed = fake_apis.run_mobius("keys", "list", "--json", env=env)
    assert json.loads(listed.stdout)[0] == {"name": "coingecko", "set": True,
                                            "source": "keyring", "env": "COINGECKO_API_KEY"}
    assert "FileKeyring" in fake_apis.run_mobius("keys", "list", env=env).stdout
    # The stored key is used, and printed nowhere, not even with -v or by doctor.
    fake_apis.require_api_key(secret)
    outputs = []
    for args in (("-v", "price", "btc"), ("-v", "price", "btc", "--json"),
                 ("doctor", "--json"), ("doctor",), ("config", "show"), ("keys", "list")):
        result = fake_apis.run_mobius(*args, env=env)
        assert result.returncode == 0, (args, result.stderr)
        outputs.append(result.stdout + result.stderr)
    assert fake_apis.last("/simple/price").headers["x-cg-demo-api-key"] == secret
    assert not [out for out in outputs if secret in out]
    removed = fake_apis.run_mobius("keys", "remove", "coingecko", env=env)
    assert removed.stderr.strip() == "removed coingecko"
    again = fake_apis.run_mobius("keys", "remove", "coingecko", env=env)
    assert again.returncode == 0 and again.stderr.strip() == "coingecko was not stored"


def test_keys_set_checks_the_name_and_backend_before_asking(tmp_path):
    for args, env in ((("keys", "set", "binance"), _with_keyring(tmp_path)),
                      (("keys", "set", "coingecko"), {})):  # the sealed null backend
        result = run_mobius(*args, input="typed-secret\n", env=env)
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "typed-secret" not in result.stderr and result.stdout == ""  # never prompted


def test_a_locked_keyring_is_one_clear_line(tmp_path):
    result = run_mobius("keys", "set", "llm", "--value", "sk-hidden",
                        env=_with_keyring(tmp_path, "LockedKeyring"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == ("mobius: error: the keyring (LockedKeyring) could not store "
                                     "llm: the collection is locked "
                                     "(or export OPENAI_API_KEY=...)")
