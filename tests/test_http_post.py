"""POST and JSON-RPC through the shared client: bodies, retries only when safe, errors."""

from __future__ import annotations

import json

import httpx
import pytest

from mobius_cli.errors import SourceError
from mobius_cli.providers.cache import ResponseCache
from mobius_cli.providers.http import (
    BadResponse,
    HttpClient,
    HttpStatusError,
    JsonRpcError,
    RetryPolicy,
)
from tests.http_script import Script


def make_client(tmp_path, script, *, retries=3, offline=False):
    slept: list[float] = []
    client = HttpClient(
        ResponseCache(tmp_path / "cache.sqlite3"), timeout=1.0,
        policy=RetryPolicy(retries=retries, rand=lambda: 1.0), offline=offline,
        sleep=slept.append, transport=httpx.MockTransport(script))
    return client, slept


def sent_json(request: httpx.Request):
    return json.loads(request.content)


# --- POST ------------------------------------------------------------------------------


def test_post_sends_json_and_returns_the_parsed_reply(tmp_path):
    script = Script(httpx.Response(200, json={"ok": True}))
    client, _ = make_client(tmp_path, script)
    reply = client.post_json("webhook", "http://hook/x", {"text": "BTC above 100k"},
                             headers={"X-Trace": "1"})
    assert reply == {"ok": True}
    (request,) = script.requests
    assert request.method == "POST" and sent_json(request) == {"text": "BTC above 100k"}
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-trace"] == "1"


@pytest.mark.parametrize(("response", "expected"), [
    (httpx.Response(204), None),
    (httpx.Response(200, text="ok"), "ok"),  # Slack's webhook answer
])
def test_post_accepts_empty_and_plain_text_replies(tmp_path, response, expected):
    client, _ = make_client(tmp_path, Script(response))
    assert client.post_json("webhook", "http://hook/x", {"a": 1}) == expected


def test_post_is_never_cached(tmp_path):
    script = Script(httpx.Response(200, json={"n": 1}))
    client, _ = make_client(tmp_path, script)
    client.post_json("S", "http://x/a", {"q": 1})
    client.post_json("S", "http://x/a", {"q": 1})
    assert len(script.requests) == 2
    assert client.cache.info()["entries"] == 0


def test_post_without_retry_does_not_repeat_after_a_server_error(tmp_path):
    script = Script(httpx.Response(502, text="bad gateway"), httpx.Response(200, json={}))
    client, slept = make_client(tmp_path, script)
    with pytest.raises(SourceError, match=r"server error \(HTTP 502\); gave up after 1 attempt$"):
        client.post_json("webhook", "http://hook/x", {"a": 1})
    assert len(script.requests) == 1 and slept == []


def test_post_without_retry_does_not_repeat_after_a_dropped_connection(tmp_path):
    script = Script(httpx.RemoteProtocolError("dropped"), httpx.Response(200, json={}))
    client, _ = make_client(tmp_path, script)
    with pytest.raises(SourceError, match="cannot connect"):
        client.post_json("webhook", "http://hook/x", {"a": 1})
    assert len(script.requests) == 1


def test_post_without_retry_still_retries_what_never_reached_the_server(tmp_path):
    script = Script(httpx.ConnectError("refused"),
                    httpx.Response(429, headers={"retry-after": "1"}),
                    httpx.Response(200, json={"ok": 1}))
    client, slept = make_client(tmp_path, script)
    assert client.post_json("webhook", "http://hook/x", {"a": 1}) == {"ok": 1}
    assert len(script.requests) == 3 and slept == [0.5, 1.0]


def test_post_with_retry_repeats_server_errors(tmp_path):
    script = Script(httpx.Response(503), httpx.Response(500), httpx.Response(200, json=[1]))
    client, slept = make_client(tmp_path, script)
    assert client.post_json("S", "http://x/a", {"a": 1}, retry=True) == [1]
    assert len(script.requests) == 3 and slept == [0.5, 1.0]
    assert all(sent_json(r) == {"a": 1} for r in script.requests)


def test_post_4xx_carries_the_server_message(tmp_path):
    script = Script(httpx.Response(400, json={"message": "invalid payload"}))
    client, _ = make_client(tmp_path, script)
    with pytest.raises(HttpStatusError) as err:
        client.post_json("webhook", "http://hook/x", {"a": 1}, retry=True)
    assert err.value.message == "webhook: HTTP 400: invalid payload"
    assert len(script.requests) == 1


def test_post_offline_is_refused_without_a_request(tmp_path):
    script = Script(httpx.Response(200, json={}))
    client, _ = make_client(tmp_path, script, offline=True)
    with pytest.raises(SourceError, match="offline"):
        client.post_json("webhook", "http://hook/x", {"a": 1})
    with pytest.raises(SourceError, match="offline"):
        client.json_rpc("ethereum node", "http://node/", "eth_gasPrice", [])
    assert script.requests == []


# --- JSON-RPC --------------------------------------------------------------------------


def rpc_echo(results: dict[str, object]):
    """A node answering each call by method name, batches in reverse order (as allowed)."""

    def answer(request: httpx.Request) -> httpx.Response:
        body = sent_json(request)
        if isinstance(body, list):
            return httpx.Response(200, json=[
                {"jsonrpc": "2.0", "id": c["id"], "result": results[c["method"]]}
                for c in reversed(body)])
        return httpx.Response(200, json={"jsonrpc": "2.0", "id": body["id"],
                                         "result": results[body["method"]]})

    return answer


def test_json_rpc_single_call(tmp_path):
    script = Script(rpc_echo({"eth_gasPrice": "0x3b9aca00"}))
    client, _ = make_client(tmp_path, script)
    assert client.json_rpc("ethereum node", "http://node/", "eth_gasPrice", []) == "0x3b9aca00"
    body = sent_json(script.requests[0])
    assert body == {"jsonrpc": "2.0", "id": 1, "method": "eth_gasPrice", "params": []}


def test_json_rpc_batch_returns_results_in_the_order_asked(tmp_path):
    script = Script(rpc_echo({"eth_blockNumber": "0x10", "eth_gasPrice": "0x5",
                              "eth_maxPriorityFeePerGas": "0x1"}))
    client, _ = make_client(tmp_path, script)
    results = client.json_rpc("ethereum node", "http://node/", batch=[
        ("eth_blockNumber", []), ("eth_gasPrice", None), ("eth_maxPriorityFeePerGas", [])])
    assert results == ["0x10", "0x5", "0x1"]
    (request,) = script.requests
    assert [c["method"] for c in sent_json(request)] == [
        "eth_blockNumber", "eth_gasPrice", "eth_maxPriorityFeePerGas"]
    assert client.json_rpc("ethereum node", "http://node/", batch=[]) == []


def test_json_rpc_error_object_becomes_a_source_error_with_the_node_message(tmp_path):
    script = Script(httpx.Response(200, json={
        "jsonrpc": "2.0", "id": 1,
        "error": {"code": -32000, "message": "execution reverted", "data": "0x"}}))
    client, slept = make_client(tmp_path, script)
    with pytest.raises(JsonRpcError) as err:
        client.json_rpc("ethereum node", "http://node/", "eth_call", [{}, "latest"])
    assert err.value.message == "ethereum node: execution reverted (code -32000)"
    assert err.value.code == -32000 and err.value.exit_code == 1
    assert len(script.requests) == 1 and slept == []  # an answer, not a fault: no retry


def test_json_rpc_error_inside_a_batch(tmp_path):
    script = Script(httpx.Response(200, json=[
        {"jsonrpc": "2.0", "id": 0, "result": "0x1"},
        {"jsonrpc": "2.0", "id": 1, "error": {"code": -32601,
                                              "message": "the method eth_foo does not exist"}}]))
    client, _ = make_client(tmp_path, script)
    with pytest.raises(JsonRpcError, match=r"^ethereum node: the method eth_foo does not exist "
                                           r"\(code -32601\)$"):
        client.json_rpc("ethereum node", "http://node/", batch=[("eth_x", []), ("eth_foo", [])])


def test_json_rpc_error_sent_with_an_http_error_status(tmp_path):
    script = Script(httpx.Response(400, json={
        "jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "invalid request"}}))
    client, _ = make_client(tmp_path, script)
    with pytest.raises(JsonRpcError, match=r"ethereum node: invalid request \(code -32600\)"):
        client.json_rpc("ethereum node", "http://node/", "eth_gasPrice", [])


def test_json_rpc_batch_refused_as_a_whole(tmp_path):
    script = Script(httpx.Response(200, json={
        "jsonrpc": "2.0", "id": None, "error": {"code": -32005, "message": "batch too large"}}))
    client, _ = make_client(tmp_path, script)
    with pytest.raises(JsonRpcError, match=r"batch too large \(code -32005\)"):
        client.json_rpc("ethereum node", "http://node/", batch=[("a", []), ("b", [])])


def test_json_rpc_reads_are_retried_after_server_errors(tmp_path):
    script = Script(httpx.Response(502), httpx.ReadTimeout("slow"),
                    rpc_echo({"eth_gasPrice": "0x1"}))
    client, slept = make_client(tmp_path, script)
    assert client.json_rpc("ethereum node", "http://node/", "eth_gasPrice") == "0x1"
    assert len(script.requests) == 3 and len(slept) == 2


@pytest.mark.parametrize("body", ["", "<html>502</html>", '{"jsonrpc": "2.0", "id": 1}',
                                  "[1, 2]"])
def test_json_rpc_malformed_reply_is_retried_once_then_bad_response(tmp_path, body):
    script = Script(httpx.Response(200, text=body))
    client, _ = make_client(tmp_path, script)
    with pytest.raises(BadResponse, match=r"^ethereum node: bad response \(.*\); same after"):
        client.json_rpc("ethereum node", "http://node/", "eth_gasPrice", [])
    assert len(script.requests) == 2


def test_json_rpc_malformed_then_good_reply_recovers(tmp_path):
    script = Script(httpx.Response(200, text="{"), rpc_echo({"eth_gasPrice": "0x2"}))
    client, _ = make_client(tmp_path, script)
    assert client.json_rpc("ethereum node", "http://node/", "eth_gasPrice", []) == "0x2"


def test_json_rpc_batch_with_missing_answers_is_a_bad_response(tmp_path):
    script = Script(httpx.Response(200, json=[{"jsonrpc": "2.0", "id": 0, "result": "0x1"}]))
    client, _ = make_client(tmp_path, script)
    with pytest.raises(BadResponse, match="expected 2 JSON-RPC responses"):
        client.json_rpc("ethereum node", "http://node/", batch=[("a", []), ("b", [])])
