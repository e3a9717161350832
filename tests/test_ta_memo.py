"""`ta` remembers what it computed from a series of closes: the same closes give the same
report without loading numpy, and any other closes (or a damaged entry) are computed."""

from __future__ import annotations

import json
import random

from mobius_cli.core.signals import analyse
from mobius_cli.providers.cache import ResponseCache
from mobius_cli.services.analysis import MEMO_PREFIX, analysed
from tests.runner import run_python_forked

PROBE = """\
import contextlib, io, json, sys
from mobius_cli.__main__ import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "stdout": out.getvalue(), "numpy": "numpy" in sys.modules}))
"""


def loaded_modules(args: list[str]) -> dict:
    """What a fresh `mobius ARGS` printed, and whether it loaded numpy."""
    result = run_python_forked(PROBE, *args)
    data = json.loads(result.stdout.splitlines()[-1])
    assert data["code"] == 0, result.stderr
    return data


def walk(n: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    price, out = 100.0, []
    for _ in range(n):
        price *= 1 + rng.gauss(0, 0.03)
        out.append(round(price, 6))
    return out


def report(tech) -> str:
    return json.dumps({"values": tech.values, "series": tech.series, "overall": tech.overall,
                       "confidence": tech.confidence, "missing": tech.missing,
                       "signals": [s.to_json() | {"indicator": s.indicator}
                                   for s in tech.signals]}, sort_keys=True)


def test_a_remembered_analysis_is_the_computed_one(tmp_path):
    cache = ResponseCache(tmp_path / "cache.sqlite")
    for n, seed in ((366, 1), (250, 2), (40, 3), (10, 4)):  # long, medium, short, too short
        closes = walk(n, seed)
        first = analysed(closes, cache)
        again = analysed(closes, ResponseCache(tmp_path / "cache.sqlite"))  # from disk
        assert report(first) == report(again) == report(analyse(closes))
        assert again.closes == closes
    assert len(cache.with_prefix(MEMO_PREFIX)) == 4


def test_other_closes_are_computed_afresh(tmp_path):
    cache = ResponseCache(tmp_path / "cache.sqlite")
    closes = walk(300, 5)
    analysed(closes, cache)
    moved = [*closes[:-1], closes[-1] * 1.2]
    assert report(analysed(moved, cache)) == report(analyse(moved))
    assert report(analysed(moved, cache)) != report(analyse(closes))


def test_a_damaged_entry_is_replaced(tmp_path):
    cache = ResponseCache(tmp_path / "cache.sqlite")
    closes = walk(300, 6)
    analysed(closes, cache)
    (key, _stored, _data), = cache.with_prefix(MEMO_PREFIX)
    cache.put(key, {"values": 1}, '{"values": 1}')
    assert report(analysed(closes, cache)) == report(analyse(closes))
    assert cache.get(key)[1]["overall"] == analyse(closes).overall


def test_a_second_ta_on_the_same_closes_never_loads_numpy(fake_apis):
    first = loaded_modules(["ta", "btc", "--json"])
    second = loaded_modules(["ta", "btc", "--json"])
    assert first["numpy"] and not second["numpy"]
    assert first["stdout"] == second["stdout"] and json.loads(second["stdout"])["rsi_14"]
