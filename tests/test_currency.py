"""Quote currencies are checked wherever one is set or passed, against CoinGecko's list,
with a suggestion; without the network the built-in list still refuses junk."""

from __future__ import annotations

import pytest

from mobius_cli.errors import UsageError
from mobius_cli.settings import builtin_currencies, check_currency
from tests.fakes import load_fixture, run_mobius


def one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "internal error" not in result.stderr, result.stderr
    return lines[0]


def test_the_builtin_list_is_coingeckos_list():
    # Offline, every currency CoinGecko documents is still accepted.
    assert builtin_currencies() == set(load_fixture("coingecko_supported_vs_currencies"))


@pytest.mark.parametrize(("code", "suggestion"), [
    ("eru", "eur"), ("usdd", "usd"), ("btcc", "btc"), ("gpb", "gbp"), ("jyp", "jpy"),
])
def test_a_typo_gets_a_suggestion(code, suggestion):
    with pytest.raises(UsageError) as err:
        check_currency(code, lambda: None, where="--vs")
    assert err.value.message == f"--vs: unsupported currency {code!r}"
    assert err.value.hint == f"did you mean {suggestion}?"


def test_known_codes_need_no_list_and_others_ask_it():
    asked = []

    def supported():
        asked.append(1)
        return frozenset({"usd", "kes"})

    assert check_currency("EUR", supported) == "eur" and not asked
    assert check_currency("kes", supported) == "kes" and asked
    with pytest.raises(UsageError) as err:
        check_currency("qqq", supported)
    assert err.value.hint == "e.g. usd, eur, gbp, jpy or btc"


@pytest.mark.parametrize("args", [
    ("price", "btc", "--vs", "eru"), ("--vs", "eru", "market"), ("history", "btc", "--vs", "eru"),
    ("compare", "btc", "eth", "--vs", "eru"), ("movers", "--vs", "eru"),
    ("coin", "btc", "--vs", "eru"),
], ids=" ".join)
def test_vs_typo_is_refused_before_any_price_request(fake_apis, args):
    result = run_mobius(*args)
    assert result.returncode == 2
    assert one_error_line(result) == ("mobius: error: --vs: unsupported currency 'eru' "
                                      "(did you mean eur?)")
    assert not [r for r in fake_apis.requests if "eru" in str(r.query)]


def test_history_with_a_bad_currency_never_shows_the_raw_http_400(fake_apis):
    result = run_mobius("history", "btc", "--vs", "xyz")
    assert result.returncode == 2
    line = one_error_line(result)
    assert "unsupported currency 'xyz'" in line and "400" not in line


def test_config_set_vs_currency_is_checked_and_changes_nothing_when_refused(fake_apis):
    assert run_mobius("config", "set", "vs_currency", "eur").returncode == 0
    result = run_mobius("config", "set", "vs_currency", "xyz")
    assert result.returncode == 2
    assert "config key vs_currency: unsupported currency 'xyz'" in one_error_line(result)
    assert run_mobius("config", "get", "vs_currency").stdout.strip() == "eur"


def test_a_code_only_coingecko_knows_is_accepted(fake_apis):
    fake_apis.supported.append("kes")
    assert run_mobius("config", "set", "vs_currency", "kes").returncode == 0
    assert run_mobius("config", "get", "vs_currency").stdout.strip() == "kes"


@pytest.mark.parametrize("offline", [True, False], ids=["offline", "source-down"])
def test_without_the_list_junk_is_still_refused_and_good_codes_pass(fake_apis, offline):
    fake_apis.down("/cg", times=None)
    flags = ("--offline",) if offline else ()
    result = run_mobius(*flags, "config", "set", "vs_currency", "eru")
    assert result.returncode == 2 and "did you mean eur?" in one_error_line(result)
    assert run_mobius(*flags, "config", "set", "vs_currency", "sats").returncode == 0


def test_the_repl_suggests_too(fake_apis):
    out = run_mobius("repl", input="/vs eru\n/vs 12\n/vs chf\n")
    assert "error: 'eru' is not a currency code (did you mean eur?)" in out.stderr
    assert "error: '12' is not a currency code (e.g. /vs eur, /vs btc)" in out.stderr
    assert "prices in CHF" in out.stdout
