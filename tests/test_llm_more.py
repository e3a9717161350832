"""The LLM path's remaining promises: -v shows tokens and time, REPL /llm on, a stored key
goes to the model's base URL only, and commands without the LLM never import openai."""

from __future__ import annotations

import json
import os
import re

import pytest

from tests import fake_openai as fo
from tests.runner import run_python_forked
from tests.test_ask_repl import repl_session
from tests.test_llm import KEY, arrow, ask, llm_env


@pytest.fixture
def model():
    with fo.FakeOpenAI() as server:
        yield server


def with_usage(reply: fo.Reply, prompt: int, completion: int) -> fo.Reply:
    """`reply` ending with a usage chunk, as servers send it when asked."""
    reply.chunks.append({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1,
                         "model": "fake", "choices": [],
                         "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                                   "total_tokens": prompt + completion}})
    return reply


def test_verbose_shows_the_tokens_and_time_of_each_llm_call(fake_apis, model):
    model.script = [with_usage(fo.tool_call("price", {"symbols": ["BTC"]}), 311, 17),
                    fo.text("BTC is at $77,671.")]  # fo.text reports 42 + 7
    result = fake_apis.run_mobius("-v", "ask", "--llm", "btc?", env=llm_env(model))
    assert result.returncode == 0, result.stderr
    assert KEY not in result.stdout + result.stderr
    understood = [line for line in result.stderr.splitlines() if "LLM fake-small" in line]
    assert len(understood) == 1, result.stderr
    assert re.search(r"LLM fake-small: tools, 311 prompt \+ 17 completion tokens, "
                     r"\d+\.\d\d s$", understood[0]), understood[0]
    summary = [line for line in result.stderr.splitlines() if "summary: " in line]
    assert len(summary) == 1, result.stderr
    assert re.search(r"summary: 42 prompt \+ 7 completion tokens, \d+\.\d\d s$", summary[0])
    model.script = [fo.tool_call("price", {"symbols": ["BTC"]}), fo.text("BTC is at $77,671.")]
    quiet = ask(fake_apis, model, "--llm", "btc?")  # without -v: no such lines
    assert quiet.returncode == 0 and len(model.requests) == 4
    assert "completion tokens" not in quiet.stderr


def test_repl_llm_on_sends_the_next_question_to_the_model(fake_apis, model, monkeypatch):
    for key, value in llm_env(model).items():
        monkeypatch.setenv(key, value)
    model.script = [fo.tool_call("price", {"symbols": ["BTC"]}), fo.text("BTC is at $77,671.")]
    out, err = repl_session("eth price\n/llm on\nwhat does the orange coin cost\n\x04")
    assert arrow(err) == ["→ mobius price ETH", "→ mobius price BTC"]
    assert "LLM on" in out and "BTC is at $77,671." in out
    assert len(model.requests) == 2  # nothing for the turn before /llm on
    understanding, summary = model.requests
    assert understanding["messages"][-1] == {"role": "user",
                                             "content": "what does the orange coin cost"}
    assert understanding["tools"] and "tools" not in summary
    assert KEY not in out + err


def _keyring_env(tmp_path) -> dict[str, str]:
    from tests.conftest import REPO

    return {"PYTHON_KEYRING_BACKEND": "tests.file_keyring.FileKeyring", "PYTHONPATH": str(REPO),
            "TEST_KEYRING_FILE": str(tmp_path / "keyring.json")}


ASK = ("import sys; from mobius_cli.__main__ import main; sys.exit(main(sys.argv[1:]))")


def test_a_stored_key_goes_to_the_llm_base_url_and_nowhere_else(fake_apis, model, tmp_path):
    secret = "sk-stored-llm-key-987"
    env = {**_keyring_env(tmp_path), "OPENAI_API_KEY": ""}
    full = fake_apis.env({**os.environ, **llm_env(model), **env})
    # processes of their own: the keyring backend is chosen once per process
    stored = run_python_forked(ASK, "keys", "set", "llm", "--value", secret, env=full)
    assert stored.returncode == 0, stored.stderr
    assert secret not in stored.stdout + stored.stderr
    assert secret in (tmp_path / "keyring.json").read_text()  # in the keyring, not config
    model.script = [fo.tool_call("coin_info", {"symbols": ["LINK"]}),
                    fo.text("Chainlink is an oracle network.")]
    result = run_python_forked(ASK, "ask", "--llm", "what is chainlink", env=full)
    assert result.returncode == 0, result.stderr
    assert arrow(result.stderr) == ["→ mobius coin LINK"]
    assert secret not in result.stdout + result.stderr
    assert len(model.headers) == 2
    for headers in model.headers:
        lowered = {k.lower(): v for k, v in headers.items()}
        assert lowered["authorization"] == f"Bearer {secret}"
    assert fake_apis.count() > 0  # the data came from the fake APIs...
    for request in fake_apis.requests:  # ...which never saw the key
        seen = json.dumps([request.path, request.raw_query, request.query, request.headers,
                           request.body.decode("utf-8", "replace")])
        assert secret not in seen, request.path
        assert "authorization" not in {k.lower() for k in request.headers}


PROBE = """\
import contextlib, io, sys
from mobius_cli.__main__ import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
print(code)
print("\\n".join(sorted(sys.modules)))
"""


@pytest.mark.parametrize("args", [
    ["price", "btc", "--json"], ["defi", "yields", "--json"], ["ta", "btc", "--json"],
    ["portfolio", "show", "--json"], ["alerts", "list", "--json"],
], ids=" ".join)
def test_commands_without_the_llm_never_import_openai(fake_apis, model, args):
    """Even with a model configured, a plain command leaves openai (and the model) alone."""
    result = run_python_forked(PROBE, *args, env=fake_apis.env({**os.environ,
                                                                **llm_env(model)}))
    code, *modules = result.stdout.splitlines()
    assert code == "0", result.stderr
    assert "openai" not in {m.split(".")[0] for m in modules}
    assert model.requests == []
