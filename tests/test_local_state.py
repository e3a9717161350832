"""Bad local state is one clear line and exit 2 (never "internal error"), and `doctor`
reports it instead of dying; folders are created private (0700), files 0600."""

from __future__ import annotations

import errno
import json
import os
import stat
import time
from pathlib import Path

import pytest

from tests.fakes import run_mobius


def home() -> Path:
    return Path(os.environ["MOBIUS_HOME"])


def one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "internal error" not in lines[0] and "Traceback" not in result.stderr
    return lines[0]


@pytest.fixture
def read_only_home(monkeypatch):
    """Every folder or file Mobius would create under MOBIUS_HOME fails with EROFS."""
    root = str(home())
    real_mkdir, real_open = os.mkdir, os.open

    def mkdir(path, *args, **kwargs):
        if str(path).startswith(root):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_mkdir(path, *args, **kwargs)

    def open_(path, flags, *args, **kwargs):
        if str(path).startswith(root) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", mkdir)
    monkeypatch.setattr(os, "open", open_)


@pytest.mark.parametrize("args", [("config", "set", "timeout", "5"), ("price", "btc")],
                         ids=" ".join)
def test_a_read_only_home_is_one_line_exit_2(fake_apis, read_only_home, args):
    result = run_mobius(*args)
    assert result.returncode == 2
    line = one_error_line(result)
    assert "the file system is read-only" in line and str(home()) in line


def test_doctor_reports_a_read_only_home(fake_apis, read_only_home):
    result = run_mobius("doctor")
    assert result.returncode == 1 and "internal error" not in result.stderr
    assert "Home" in result.stdout and "read-only" in result.stdout
    report = json.loads(run_mobius("doctor", "--json").stdout)
    assert report["home"]["status"] == "error" and not report["ok"]
    assert all(s["status"] == "ok" for s in report["sources"])  # still checked


def test_a_full_disk_is_one_line_and_leaves_the_config_as_it_was(monkeypatch):
    assert run_mobius("config", "set", "timeout", "5").returncode == 0
    config = home() / "config" / "config.toml"
    before = config.read_bytes()

    def fsync(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", fsync)
    result = run_mobius("config", "set", "timeout", "7")
    assert result.returncode == 2
    line = one_error_line(result)
    assert "the disk is full" in line and "config.toml" in line
    assert config.read_bytes() == before
    assert sorted(p.name for p in config.parent.iterdir()) == ["config.toml"]  # no debris


def _write_config(data: bytes | None) -> Path:
    path = home() / "config" / "config.toml"
    path.parent.mkdir(parents=True)
    if data is None:
        path.mkdir()
    else:
        path.write_bytes(data)
    return path


@pytest.mark.parametrize(("content", "needle"), [
    (b'llm_model = "caf\xe9"\n', "not UTF-8 text"),
    (None, "is a folder, not a config file"),
], ids=["latin-1", "directory"])
def test_an_unreadable_config_is_one_line_and_doctor_says_so(fake_apis, content, needle):
    path = _write_config(content)
    for args in (("price", "btc"), ("config", "show"), ("config", "get", "timeout")):
        result = run_mobius(*args)
        assert result.returncode == 2, (args, result.stderr)
        line = one_error_line(result)
        assert needle in line and str(path) in line
    doctor = run_mobius("doctor", "--json")
    assert doctor.returncode == 1 and "internal error" not in doctor.stderr
    report = json.loads(doctor.stdout)
    assert report["config"]["status"] == "error" and needle in report["config"]["detail"]
    assert all(s["status"] == "ok" for s in report["sources"])  # checked on defaults
    assert run_mobius("doctor").returncode == 1


@pytest.mark.parametrize("url", ["http://[::1", "ftp://example.org", "http://", "http://a b"])
def test_a_bad_url_from_the_environment_is_named_as_the_variable(fake_apis, url):
    result = run_mobius("price", "btc", env={"MOBIUS_COINGECKO_URL": url})
    assert result.returncode == 2
    line = one_error_line(result)
    assert "environment variable MOBIUS_COINGECKO_URL" in line and "unset" in line
    assert "config key" not in line
    doctor = run_mobius("doctor", "--json", env={"MOBIUS_COINGECKO_URL": url})
    assert doctor.returncode == 1 and "internal error" not in doctor.stderr
    sources = {s["source"]: s for s in json.loads(doctor.stdout)["sources"]}
    assert sources["CoinGecko"]["status"] == "error"
    assert "MOBIUS_COINGECKO_URL" in sources["CoinGecko"]["detail"]
    assert sources["DeFiLlama"]["status"] == "ok"  # the others are still checked
    table = run_mobius("doctor", env={"MOBIUS_COINGECKO_URL": url})
    assert table.returncode == 1 and "MOBIUS_COINGECKO_URL" in table.stdout


def test_a_bad_url_in_the_config_file_is_named_as_the_key(monkeypatch):
    monkeypatch.delenv("MOBIUS_FNG_URL")
    _write_config(b'fng_url = "http://[::1"\n')
    line = one_error_line(run_mobius("fear-greed"))
    assert "config key fng_url" in line and "config.toml" in line


def test_home_and_folders_are_private(fake_apis):
    assert not home().exists()
    assert run_mobius("config", "set", "timeout", "5").returncode == 0
    assert run_mobius("price", "btc").returncode == 0
    mode = {p: stat.S_IMODE(p.stat().st_mode) for p in (home(), home() / "config",
                                                        home() / "cache")}
    assert set(mode.values()) == {0o700}, mode
    assert stat.S_IMODE((home() / "config" / "config.toml").stat().st_mode) == 0o600


def test_doctor_checks_sources_at_the_same_time(fake_apis):
    assert run_mobius("config", "set", "timeout", "1").returncode == 0
    fake_apis.delay("/", seconds=3)
    started = time.monotonic()
    result = run_mobius("doctor", "--json")
    took = time.monotonic() - started
    report = json.loads(result.stdout)
    assert result.returncode == 1
    assert [s["status"] for s in report["sources"]] == ["error"] * 6
    assert all("timed out" in s["detail"] for s in report["sources"])
    assert took < 2.8, f"doctor took {took:.1f} s for six 1 s timeouts"


def test_credentials_in_urls_are_masked_wherever_shown(fake_apis):
    bad = "http://bob:hunter2@[::1"
    line = one_error_line(run_mobius("price", "btc", env={"MOBIUS_COINGECKO_URL": bad}))
    assert "hunter2" not in line and "MOBIUS_COINGECKO_URL" in line
    refused = run_mobius("config", "set", "fng_url", "ftp://bob:hunter2@example.org")
    assert refused.returncode == 2 and "hunter2" not in refused.stderr
    good = fake_apis.url("coingecko").replace("http://", "http://bob:hunter2@")
    for args in (("config", "show"), ("config", "show", "--json"), ("doctor",),
                 ("doctor", "--json")):
        result = run_mobius(*args, env={"MOBIUS_COINGECKO_URL": good})
        assert "hunter2" not in result.stdout + result.stderr, args
        assert "***" in result.stdout, args
    # A script still gets the URL it set.
    assert run_mobius("config", "get", "coingecko_url",
                      env={"MOBIUS_COINGECKO_URL": good}).stdout.strip() == good


@pytest.mark.parametrize("first", [("portfolio", "list"), ("alerts", "list"),
                                   ("keys", "list"), ("price", "btc")], ids=" ".join)
def test_whichever_command_comes_first_the_home_is_private(fake_apis, first):
    assert not home().exists()
    result = run_mobius(*first)
    assert result.returncode == 0, result.stderr
    made = [home(), *(p for p in home().rglob("*") if p.is_dir())]
    assert {stat.S_IMODE(p.stat().st_mode) for p in made} == {0o700}, made
    files = [p for p in home().rglob("*") if p.is_file()]
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} <= {0o600}, files
