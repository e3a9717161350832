"""An in-process fake of an OpenAI-compatible endpoint (Chat Completions, streaming, models).

Each request to /v1/chat/completions takes the next scripted reply; a reply is a function
of the request's JSON, so a test can answer differently when tools are offered, or look at
what the model was shown. Every request is kept for assertions.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    chunks: list[dict[str, Any]] = field(default_factory=list)  # streamed as SSE
    body: Any = None  # a plain JSON body instead (errors)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1,
            "model": "fake", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def text(content: str, *, usage: bool = True) -> Reply:
    """A streamed text answer, a few characters per chunk."""
    chunks = [_chunk({"role": "assistant", "content": ""})]
    chunks += [_chunk({"content": content[i:i + 4]}) for i in range(0, len(content), 4)]
    chunks.append(_chunk({}, "stop"))
    if usage:
        chunks.append({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1,
                       "model": "fake", "choices": [],
                       "usage": {"prompt_tokens": 42, "completion_tokens": 7,
                                 "total_tokens": 49}})
    return Reply(chunks=chunks)


def tool_call(name: str, arguments: dict[str, Any] | str, *, index: bool = True) -> Reply:
    """A streamed tool call, its arguments split over several chunks (Ollama and Gemini
    send them without `index` when `index` is False)."""
    args = arguments if isinstance(arguments, str) else json.dumps(arguments)
    first: dict[str, Any] = {"id": "call_1", "type": "function",
                             "function": {"name": name, "arguments": ""}}
    if index:
        first["index"] = 0
    chunks = [_chunk({"role": "assistant", "tool_calls": [first]})]
    for i in range(0, len(args), 5):
        part: dict[str, Any] = {"function": {"arguments": args[i:i + 5]}}
        if index:
            part["index"] = 0
        chunks.append(_chunk({"tool_calls": [part]}))
    chunks.append(_chunk({}, "tool_calls"))
    return Reply(chunks=chunks)


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status=status, body={"error": {"message": message, "type": "error"}},
                 headers=headers or {})


Script = Callable[[dict[str, Any]], Reply]


class FakeOpenAI:
    """A loopback server; `script` holds one reply (or function of the request) per call."""

    def __init__(self) -> None:
        self.script: list[Reply | Script] = []
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.models = ["fake-small", "fake-large"]
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.headers.append(dict(self.headers))
                if self.path.rstrip("/").endswith("/models"):
                    fake._send(self, Reply(body={"object": "list", "data": [
                        {"id": m, "object": "model", "created": 1, "owned_by": "me"}
                        for m in fake.models]}))
                else:
                    fake._send(self, error(404, "not found"))

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(body)
                fake.headers.append(dict(self.headers))
                if not fake.script:
                    fake._send(self, error(500, "nothing scripted"))
                    return
                step = fake.script.pop(0)
                fake._send(self, step(body) if callable(step) else step)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def _send(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        try:
            handler.send_response(reply.status)
            for key, value in reply.headers.items():
                handler.send_header(key, value)
            if reply.body is not None or not reply.chunks:
                data = json.dumps(reply.body or {}).encode()
                handler.send_header("content-type", "application/json")
                handler.send_header("content-length", str(len(data)))
                handler.end_headers()
                handler.wfile.write(data)
                return
            handler.send_header("content-type", "text/event-stream")
            handler.end_headers()
            for chunk in reply.chunks:
                handler.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                handler.wfile.flush()
            handler.wfile.write(b"data: [DONE]\n\n")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
