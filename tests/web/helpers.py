"""Test helpers for the web layer: a ready app, fake engines, SSE parsing, a real server."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.conversation import ConversationState
from app.mentor.types import Citation, Delta, Done, Event, Meta, Reply
from app.settings import ROOT, Settings
from app.store import Database, Repository
from app.web.app import create_app
from tests.support.process import stop, wait_for_readyz

KNOWLEDGE = ROOT / "knowledge"
# the index cache `mentor index` fills: keyed by a hash of the knowledge files and the model,
# so sharing it between tests and runs is safe and saves building it each time
SHARED_INDEX = Path(os.environ.get("MENTOR_TEST_INDEX_DIR", ROOT / "data" / "index"))
READY_TIMEOUT = 300  # a cold start builds the index first (about a minute on 2 cores)


def settings_for(data_dir: Path, **overrides: Any) -> Settings:
    return Settings(knowledge_dir=KNOWLEDGE, data_dir=data_dir, index_dir=SHARED_INDEX, **overrides)


def wait_ready(client: TestClient, timeout: float = READY_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = client.get("/readyz")
        if r.status_code == 200:
            return
        assert r.json().get("status") != "failed", "the app failed to load its index"
        time.sleep(0.05)
    raise AssertionError("the app never became ready")


@contextlib.contextmanager
def running(settings: Settings, engine_factory: Any = None) -> Iterator[TestClient]:
    """A TestClient with the lifespan running and the mentor ready."""
    app = create_app(settings, engine_factory=engine_factory)
    with TestClient(app) as client:
        wait_ready(client)
        yield client


def second_identity(client: TestClient) -> TestClient:
    """Another browser on the same running app (its own cookie jar)."""
    return TestClient(client.app)


def parse_sse(text: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in text.split("\n\n"):
        name, data = "message", []
        for line in block.splitlines():
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events


def stream_chat(client: TestClient, message: str, conversation_id: str | None = None) -> Any:
    with client.stream(
        "POST",
        "/api/chat",
        json={"message": message, "conversation_id": conversation_id},
        headers={"Accept": "text/event-stream"},
    ) as r:
        assert r.status_code == 200, r.read()
        assert r.headers["content-type"].startswith("text/event-stream")
        return parse_sse(r.read().decode())


def chat(client: TestClient, message: str, conversation_id: str | None = None) -> dict[str, Any]:
    r = client.post("/api/chat", json={"message": message, "conversation_id": conversation_id})
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


# -- fake engines: real classes with canned behaviour -----------------------------------------


class ScriptedEngine:
    """Streams a fixed text word by word; can fail after `fail_after` pieces or go slowly."""

    def __init__(
        self,
        text: str = "one two three four five six seven eight nine ten",
        *,
        fail_after: int | None = None,
        delay: float = 0.0,
        on_start: Callable[[ConversationState, str], None] | None = None,
    ) -> None:
        self.text = text
        self.fail_after = fail_after
        self.delay = delay
        self.on_start = on_start
        self.cancelled = threading.Event()

    async def stream(self, state: ConversationState, message: str) -> AsyncIterator[Event]:
        if self.on_start is not None:
            self.on_start(state, message)
        state.turns += 1
        state.current_section = 9
        state.mark_seen(9)
        yield Meta("clarify", 9, [Citation(9, "Swarm basics")])
        try:
            for i, word in enumerate(self.text.split(" ")):
                if self.fail_after is not None and i == self.fail_after:
                    raise RuntimeError("the fake engine broke down")
                if self.delay:
                    await asyncio.sleep(self.delay)
                yield Delta(word + " ")
        except asyncio.CancelledError:
            self.cancelled.set()
            raise
        yield Done(Reply("clarify", self.text, 9, [Citation(9, "Swarm basics")]))


def factory(engine: Any) -> Callable[[Settings, Any, Any], Any]:
    return lambda _settings, _kb, _index: engine


def repo_for(settings: Settings) -> Repository:
    """An independent connection to the app's database (sees only committed rows)."""
    db = Database(settings.resolved_database_url)
    db.create_schema()
    return Repository(db)


# -- a real server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def mentor_serve(data_dir: Path, log_path: Path, **env_extra: str) -> Iterator[str]:
    """`mentor serve` as a subprocess on a free loopback port; yields its base URL."""
    with mentor_process(data_dir, log_path, **env_extra) as (base, _proc):
        yield base


@contextlib.contextmanager
def mentor_process(
    data_dir: Path, log_path: Path, **env_extra: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`mentor serve` as a subprocess once it is ready: its base URL and the process."""
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "MENTOR_API_TOKEN")
    }
    env.update(
        MENTOR_DATA_DIR=str(data_dir),
        MENTOR_INDEX_DIR=str(SHARED_INDEX),
        MENTOR_KNOWLEDGE_DIR=str(KNOWLEDGE),
        HF_HUB_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        **env_extra,
    )
    base = f"http://127.0.0.1:{port}"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            if not wait_for_readyz(base, READY_TIMEOUT, died=lambda: proc.poll() is not None):
                if proc.poll() is not None:
                    raise AssertionError(f"mentor serve exited: {log_path.read_text()[-3000:]}")
                raise AssertionError(f"mentor serve never got ready: {log_path.read_text()}")
            yield base, proc
        finally:
            stop(proc)


@contextlib.contextmanager
def uvicorn_thread(app: Any) -> Iterator[str]:
    """An app served by uvicorn in this process (for disconnect tests with a fake engine)."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_for_readyz(base, READY_TIMEOUT, every=0.05):
            raise AssertionError("the threaded server never got ready")
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=15)
