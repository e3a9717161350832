"""CoinGecko plans: which header carries the key, and the Pro base URL."""

import pytest

from mobius_cli.providers.coingecko import CoinGecko
from mobius_cli.providers.http import HttpClient
from mobius_cli.settings import COINGECKO_PRO_URL, Paths, Settings


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.delenv("MOBIUS_COINGECKO_URL")
    return Settings(Paths(tmp_path, tmp_path, tmp_path), {})


def client(settings):
    return HttpClient.from_settings(settings)


def test_keyless_uses_the_public_url_and_no_header(settings):
    cg = CoinGecko(client(settings), settings)
    assert cg.base_url == "https://api.coingecko.com/api/v3" and cg.headers == {}


def test_demo_key_header_on_the_public_url(settings):
    cg = CoinGecko(client(settings), settings, demo_key="d")
    assert cg.base_url == "https://api.coingecko.com/api/v3"
    assert cg.headers == {"x-cg-demo-api-key": "d"}


def test_pro_key_switches_to_the_pro_url(settings):
    cg = CoinGecko(client(settings), settings, demo_key="d", pro_key="p")
    assert cg.base_url == COINGECKO_PRO_URL == "https://pro-api.coingecko.com/api/v3"
    assert cg.headers == {"x-cg-pro-api-key": "p"}


def test_a_chosen_url_wins_over_the_pro_default(settings, monkeypatch):
    monkeypatch.setenv("MOBIUS_COINGECKO_URL", "http://127.0.0.1:8/mirror/api/v3")
    cg = CoinGecko(client(settings), settings, pro_key="p")
    assert cg.base_url == "http://127.0.0.1:8/mirror/api/v3"
