"""Defects found trying the market, analysis and DeFi commands as a new user would."""

from __future__ import annotations

NASTY_NAME = "[/x]Bad\x1b[31mRed"


def test_defi_compare_header_with_api_text_is_not_executed(fake_apis):
    for protocol in fake_apis.protocols:
        if protocol.get("slug") == "lido":
            protocol["name"] = NASTY_NAME
    result = fake_apis.run_mobius("defi", "compare", "lido", "aave")
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout
    assert "[/x]Bad\\x1b[31mRed" in result.stdout
