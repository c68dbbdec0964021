"""A loopback OpenAI-compatible server whose reply is computed from the request.

The shared scripted server (tests/support/openai_server.py) answers fixed texts; the eval tests
need a "good" model that copies its context and a "bad" one that invents facts, whatever
the prompt, so the reply here is a function of the request body. Same wire format (its SSE).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import Response, StreamingResponse

from tests.support.openai_server import _sse, free_port

Responder = Callable[[dict[str, Any]], str]

_NOTES = re.compile(r"Write the revision notes for Section (\d+):")
_CONTEXT = re.compile(r"<context>(.*?)</context>", re.S)

BAD_TEXT = (
    "Docker containers are small virtual machines, each booting its own Windows kernel. "
    "The command docker stop deletes the image and all its volumes for good, and "
    "Compose files must be written in XML."
)


def good(markdown_for: Callable[[int], str]) -> Responder:
    """Copies its context: the curated note for a notes request, the passages for a question."""

    def respond(body: dict[str, Any]) -> str:
        user = body["messages"][-1]["content"]
        wanted = _NOTES.search(user)
        if wanted:
            return markdown_for(int(wanted.group(1)))
        context = _CONTEXT.search(user)
        if not context:
            return "I can only answer from the notes."
        # "[Section 5 > Heading]" lines become inline citations, like a model told to cite
        return re.sub(
            r"^\[(Section \d+ > [^\]]+)\]$", r"(\1)", context.group(1).strip(), flags=re.M
        )

    return respond


def bad(_body: dict[str, Any]) -> str:
    """Invents facts and cites nothing, whatever it is asked."""
    return BAD_TEXT


class ComputedServer:
    def __init__(self, responder: Responder) -> None:
        self.responder = responder
        self.port = free_port()
        self.requests = 0
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def completions(request: Request) -> Response:
            body = await request.json()
            self.requests += 1
            return StreamingResponse(
                _sse(body, self.responder(body), "text"), media_type="text/event-stream"
            )

        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> ComputedServer:
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            assert time.monotonic() < deadline, "the computed server did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
