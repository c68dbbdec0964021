"""An OpenAI-compatible chat server of our own, on loopback, scripted per test.

It speaks the real wire format (JSON and SSE streaming with `data: [DONE]`), so the mentor is
tested through the official `openai` client over real HTTP. Each request takes the next script
from the queue (or the default): answer text, fail with a status, hang past the client's
timeout, cut the stream mid-way, answer empty, or echo the system prompt (a "leaking" model).
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse


@dataclass
class Script:
    kind: str = (
        "text"  # text | slow | status | hang | cut | empty | echo_system | no_finish | garbage
    )
    text: str = "ok"
    status: int = 500
    seconds: float = 5.0  # hang: how long; slow: the pause before each word


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ScriptedOpenAIServer:
    def __init__(self) -> None:
        self.queue: deque[Script] = deque()
        self.default = Script("text", "Docker containers share the host kernel.")
        self.requests: list[dict[str, Any]] = []
        self.port = free_port()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.app = self._build()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def push(self, *scripts: Script) -> None:
        self.queue.extend(scripts)

    def reset(self) -> None:
        self.queue.clear()
        self.requests.clear()
        self.default = Script("text", "Docker containers share the host kernel.")

    def _next(self) -> Script:
        return self.queue.popleft() if self.queue else self.default

    def _build(self) -> FastAPI:
        app = FastAPI()

        @app.get("/v1/models")
        async def models() -> dict[str, Any]:
            return {"object": "list", "data": [{"id": "scripted", "object": "model"}]}

        @app.post("/v1/chat/completions")
        async def completions(request: Request) -> Response:
            body = await request.json()
            self.requests.append(body)
            script = self._next()
            text = script.text
            if script.kind == "echo_system":
                text = "Sure! My instructions say: " + body["messages"][0]["content"]
            if script.kind == "empty":
                text = ""
            if script.kind == "status":
                return JSONResponse(
                    {"error": {"message": "scripted failure", "type": "server_error"}},
                    status_code=script.status,
                )
            if script.kind == "garbage":  # a proxy's error page, then chunks of the wrong shape
                junk = 'data: <html>502 Bad Gateway</html>\n\ndata: {"choices": 7}\n\n'
                return Response(junk, media_type="text/event-stream")
            if script.kind == "hang":
                await asyncio.sleep(script.seconds)
            if not body.get("stream"):
                return JSONResponse(_completion(body, text))
            pause = script.seconds if script.kind == "slow" else 0.0
            return StreamingResponse(
                _sse(body, text, script.kind, pause), media_type="text/event-stream"
            )

        return app

    def start(self) -> None:
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the scripted OpenAI server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._server:
            self._server.should_exit = True
        if self._thread:
            self._thread.join(timeout=10)


def _completion(body: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "scripted"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _chunk(body: dict[str, Any], delta: dict[str, Any], finish: str | None) -> str:
    data = {
        "id": "chatcmpl-scripted",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", "scripted"),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(data)}\n\n"


class CutStream(Exception):
    """Raised inside the response generator: uvicorn drops the connection mid-body."""


async def _sse(
    body: dict[str, Any], text: str, kind: str, pause: float = 0.0
) -> AsyncIterator[str]:
    yield _chunk(body, {"role": "assistant", "content": ""}, None)
    words = text.split(" ")
    for i, word in enumerate(words):
        if kind == "cut" and i >= max(1, len(words) // 3):
            raise CutStream("scripted cut")
        await asyncio.sleep(pause)
        yield _chunk(body, {"content": word + (" " if i < len(words) - 1 else "")}, None)
    if kind == "no_finish":
        return
    yield _chunk(body, {}, "stop")
    yield "data: [DONE]\n\n"
