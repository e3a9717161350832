"""Settings: paths, typed config keys, environment overrides, secrets never shown."""

import os

import pytest

from mobius_cli.errors import UsageError
from mobius_cli.settings import Paths, Settings, parse_value, read_config, write_config


def test_mobius_home_holds_everything(tmp_path, monkeypatch):
    monkeypatch.setenv("MOBIUS_HOME", str(tmp_path))
    paths = Paths.resolve()
    assert paths.config_file == tmp_path / "config" / "config.toml"
    assert paths.data_dir == tmp_path / "data" and paths.cache_dir == tmp_path / "cache"


@pytest.mark.parametrize(("key", "raw", "value"), [
    ("vs_currency", "EUR", "eur"), ("timeout", "2.5", 2.5), ("retries", "0", 0),
    ("max_retry_wait", 60, 60.0), ("coingecko_url", "http://127.0.0.1:8/cg/api/v3/",
                                   "http://127.0.0.1:8/cg/api/v3"),
])
def test_valid_values_are_normalised(key, raw, value):
    assert parse_value(key, raw) == value


@pytest.mark.parametrize(("key", "raw", "message"), [
    ("timeout", "-1",
     "config key timeout: '-1' must be a number of seconds above 0 and at most 300"),
    ("timeout", "soon",
     "config key timeout: 'soon' must be a number of seconds above 0 and at most 300"),
    ("timeout", "inf", "config key timeout: 'inf' must be a number of seconds"),
    ("timeout", "1e309", "config key timeout: '1e309' must be a number of seconds"),
    ("timeout", "nan", "config key timeout: 'nan' must be a number of seconds"),
    ("timeout", True, "config key timeout: True must be a number of seconds"),
    ("max_retry_wait", "86400", "config key max_retry_wait: '86400' must be a number of "
                                "seconds above 0 and at most 3600"),
    ("retries", "-2", "config key retries: '-2' must be from 0 to 10"),
    ("retries", "1000000", "config key retries: '1000000' must be from 0 to 10"),
    ("retries", "1.5", "config key retries: '1.5' must be a whole number"),
    ("vs_currency", "e1", "config key vs_currency"),
    ("coingecko_url", "ftp://x", "config key coingecko_url: 'ftp://x' must be an http(s) URL"),
    ("tiemout", "3", "unknown config key 'tiemout'"),
])
def test_bad_values_name_the_key(key, raw, message):
    with pytest.raises(UsageError) as err:
        parse_value(key, raw)
    assert message in err.value.message


def test_unknown_key_suggests_the_close_one():
    with pytest.raises(UsageError) as err:
        parse_value("tiemout", 1)
    assert err.value.hint == "did you mean timeout?"


def test_round_trip_and_private_file(tmp_path):
    path = tmp_path / "c" / "config.toml"
    write_config(path, {"vs_currency": "eur", "timeout": 3.0})
    assert read_config(path) == {"vs_currency": "eur", "timeout": 3.0}
    assert os.stat(path).st_mode & 0o077 == 0


def test_broken_file_names_the_bad_key(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('timeout = "never"\n')
    with pytest.raises(UsageError, match="config key timeout"):
        read_config(path)
    path.write_text("timeout = [\n")
    with pytest.raises(UsageError, match="not valid TOML"):
        read_config(path)


def test_environment_overrides_config(tmp_path, monkeypatch):
    monkeypatch.delenv("MOBIUS_COINGECKO_URL")
    paths = Paths(tmp_path, tmp_path, tmp_path)
    write_config(paths.config_file, {"coingecko_url": "http://from-config"})
    settings = Settings.load(paths)
    assert settings.get("coingecko_url") == "http://from-config"
    assert settings.source_of("coingecko_url") == "config"
    monkeypatch.setenv("MOBIUS_COINGECKO_URL", "http://from-env/api/v3/")
    assert settings.get("coingecko_url") == "http://from-env/api/v3"
    assert settings.source_of("coingecko_url") == "env MOBIUS_COINGECKO_URL"
    assert settings.get("vs_currency") == "usd"
