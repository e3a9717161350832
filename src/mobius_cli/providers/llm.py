"""Any OpenAI-compatible chat endpoint: the only module that imports `openai`.

Streams every reply, so tool calls arrive as deltas: some servers (Ollama, Gemini's
OpenAI layer) send them without an `index`, and some models write the call as JSON in
the text instead. Both are assembled here into the same `ToolCall`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mobius_cli.errors import SourceError, UsageError

SOURCE = "LLM"
# Presets for `mobius llm use`: base URL, a sensible default model (None: the server serves
# whatever it was started with, so the model is the one it lists), whether a key is needed.
PRESETS: dict[str, tuple[str, str | None, bool]] = {
    "openai": ("https://api.openai.com/v1", "gpt-4o-mini", True),
    "groq": ("https://api.groq.com/openai/v1", "llama-3.3-70b-versatile", True),
    "openrouter": ("https://openrouter.ai/api/v1", "openai/gpt-4o-mini", True),
    "ollama": ("http://localhost:11434/v1", "llama3.1", False),
    "lmstudio": ("http://localhost:1234/v1", None, False),
    "vllm": ("http://localhost:8000/v1", None, False),
}


class LlmUnavailable(SourceError):
    """The endpoint failed (5xx, timeout, unreachable): the rules answer instead."""

    def __init__(self, message: str):
        super().__init__(SOURCE, message)


class ToolsUnsupported(SourceError):
    """The model or server does not take `tools`."""

    def __init__(self, message: str):
        super().__init__(SOURCE, message)


@dataclass
class ToolCall:
    """One function call the model made."""

    name: str
    arguments: str  # JSON text, as sent

    def parsed(self) -> dict[str, Any]:
        """The arguments as an object, or ValueError."""
        try:
            value = json.loads(self.arguments or "{}")
        except json.JSONDecodeError as exc:
            raise ValueError(f"arguments are not JSON ({exc.msg})") from None
        if not isinstance(value, dict):
            raise ValueError("arguments must be a JSON object")
        return value


@dataclass
class Reply:
    """What one streamed completion said."""

    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0


_EMBEDDED = re.compile(r"<tool_call>\s*(\{.*?\})\s*</tool_call>|```(?:json)?\s*(\{.*?\})\s*```"
                       r"|^\s*(\{.*\})\s*$", re.S)


def embedded_tool_calls(text: str) -> list[ToolCall]:
    """Tool calls a model wrote as JSON in its text ({"name": ..., "arguments": {...}})."""
    calls = []
    for match in _EMBEDDED.finditer(text):
        blob = next(g for g in match.groups() if g)
        try:
            data = json.loads(blob)
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            args = data.get("arguments", data.get("parameters", {}))
            calls.append(ToolCall(data["name"], args if isinstance(args, str)
                                  else json.dumps(args)))
    return calls


def assemble(chunks: Iterable[Any], on_token: Callable[[str], None] | None = None) -> Reply:
    """A reply from streamed chunks; tool-call deltas with or without an index."""
    reply = Reply()
    calls: dict[int, dict[str, str]] = {}
    last: int | None = None
    for chunk in chunks:
        usage = getattr(chunk, "usage", None)
        if usage:
            reply.prompt_tokens = usage.prompt_tokens or 0
            reply.completion_tokens = usage.completion_tokens or 0
        for choice in getattr(chunk, "choices", None) or []:
            delta = getattr(choice, "delta", None)
            if delta is None:
                continue
            content = getattr(delta, "content", None)
            if content:
                reply.text += content
                if on_token:
                    on_token(content)
            for part in getattr(delta, "tool_calls", None) or []:
                function = getattr(part, "function", None)
                name = getattr(function, "name", None) if function else None
                index = getattr(part, "index", None)
                if index is None:  # no index: a delta with a name starts a new call
                    index = len(calls) if (name or last is None) else last
                slot = calls.setdefault(index, {"name": "", "arguments": ""})
                if name:
                    slot["name"] = name
                arguments = getattr(function, "arguments", None) if function else None
                if arguments:
                    slot["arguments"] += arguments
                last = index
    reply.tool_calls = [ToolCall(c["name"], c["arguments"]) for _, c in sorted(calls.items())
                        if c["name"]]
    if not reply.tool_calls and reply.text:
        reply.tool_calls = embedded_tool_calls(reply.text)
    return reply


class LlmClient:
    """A chat client for one endpoint and model."""

    def __init__(self, base_url: str, model: str, api_key: str | None, *,
                 timeout: float = 30.0, max_retry_wait: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.model = model
        self._key = api_key
        self.timeout = timeout
        self.max_retry_wait = max_retry_wait
        self._client: Any = None

    def _openai(self) -> Any:
        if self._client is None:
            import openai

            # Our own retries (below) bound the wait; the key goes to this base URL only.
            self._client = openai.OpenAI(base_url=self.base_url, api_key=self._key or "none",
                                         timeout=self.timeout, max_retries=0)
        return self._client

    def models(self) -> list[str]:
        """Model ids the endpoint offers."""
        return sorted(m.id for m in self._call(lambda c: c.models.list()))

    def supports_tools(self) -> bool:
        """Whether the model takes `tools` (one tiny request)."""
        probe = {"type": "function", "function": {
            "name": "ping", "description": "Answer a ping.",
            "parameters": {"type": "object", "properties": {}}}}
        try:
            self.complete([{"role": "user", "content": "ping"}], tools=[probe])
        except ToolsUnsupported:
            return False
        return True

    def complete(self, messages: Sequence[dict[str, Any]], *,
                 tools: Sequence[dict[str, Any]] | None = None, json_mode: bool = False,
                 on_token: Callable[[str], None] | None = None) -> Reply:
        """One streamed completion; tool calls and text assembled."""
        kwargs: dict[str, Any] = {"model": self.model, "messages": list(messages),
                                  "stream": True, "temperature": 0}
        if tools:
            kwargs["tools"] = list(tools)
        if json_mode:
            kwargs["response_format"] = {"type": "json_object"}
        started = time.monotonic()

        def run(client: Any) -> Reply:
            return assemble(client.chat.completions.create(**kwargs), on_token)

        reply = self._call(run, tools=bool(tools))
        reply.seconds = time.monotonic() - started
        return reply

    def _call(self, action: Callable[[Any], Any], *, tools: bool = False) -> Any:
        """Run an API call, mapping the endpoint's failures to Mobius errors."""
        import openai

        waited = 0.0
        while True:
            try:
                return action(self._openai())
            except openai.AuthenticationError:
                raise UsageError("the LLM endpoint refused the key: check the key",
                                 hint="`mobius keys set llm`, or OPENAI_API_KEY") from None
            except openai.RateLimitError as exc:
                delay = _retry_after(exc.response)
                if delay is None or waited + delay > self.max_retry_wait:
                    said = f" (it asked to wait {delay:g} s)" if delay is not None else ""
                    raise SourceError(SOURCE, f"rate limited{said}",
                                      hint="try again later") from None
                time.sleep(delay)
                waited += delay
            except openai.BadRequestError as exc:
                text = _message(exc)
                if tools and re.search(r"tool|function", text, re.I):
                    raise ToolsUnsupported(text) from None
                raise SourceError(SOURCE, f"the endpoint refused the request: {text}") from None
            except openai.NotFoundError as exc:
                raise UsageError(f"the LLM endpoint does not know that: {_message(exc)}",
                                 hint="check the model (`mobius llm models`) and base URL"
                                 ) from None
            except openai.APITimeoutError:
                raise LlmUnavailable("no answer from the endpoint in time") from None
            except openai.APIConnectionError:
                from mobius_cli.providers.urls import mask_url

                raise LlmUnavailable(f"could not connect to {mask_url(self.base_url)} "
                                     "(is the server running?)") from None
            except openai.APIStatusError as exc:
                raise LlmUnavailable(f"the endpoint failed (HTTP {exc.status_code})") from None
            except openai.APIError as exc:
                raise LlmUnavailable(f"the endpoint sent something unreadable "
                                     f"({type(exc).__name__})") from None


def _retry_after(response: Any) -> float | None:
    from mobius_cli.providers.http import parse_retry_after

    try:
        return parse_retry_after(response.headers.get("retry-after"))
    except Exception:
        return None


def _message(exc: Any) -> str:
    """The server's own error message, short and on one line."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        text = inner.get("message") if isinstance(inner, dict) else str(inner)
    else:
        text = getattr(exc, "message", None) or str(exc)
    return " ".join(str(text).split())[:200]
