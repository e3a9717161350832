"""A scripted httpx MockTransport handler shared by the HTTP client's tests."""

from __future__ import annotations

import httpx

RATE_LIMITED = {"status": {"error_code": 429, "error_message": "You've exceeded the Rate Limit."}}


class Script:
    """A MockTransport handler answering from a list of responses, recording requests.

    Each request takes the next answer (the last one repeats): a response, an exception to
    raise, or a function of the request.
    """

    def __init__(self, *responses):
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer
