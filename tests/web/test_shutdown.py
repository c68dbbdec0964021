"""Graceful shutdown: SIGTERM lets a reply in flight finish and be stored, then the server exits.

A real `mentor serve` process, its LLM a scripted OpenAI-compatible server on loopback that
streams slowly, so the signal certainly lands mid-reply.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.store.models import Conversation
from tests.support.openai_server import Script, ScriptedOpenAIServer
from tests.web.helpers import mentor_process, parse_sse, repo_for, settings_for

pytestmark = pytest.mark.slow

WORDS = [f"word{i}" for i in range(30)]


@pytest.fixture
def slow_llm() -> Iterator[ScriptedOpenAIServer]:
    server = ScriptedOpenAIServer()
    server.default = Script("slow", " ".join(WORDS), seconds=0.1)
    server.start()
    yield server
    server.stop()


def test_sigterm_finishes_the_reply_in_flight(
    tmp_path: Path, slow_llm: ScriptedOpenAIServer
) -> None:
    data = tmp_path / "data"
    env = {"OPENAI_API_KEY": "test-key", "OPENAI_BASE_URL": slow_llm.base_url}
    with mentor_process(data, tmp_path / "serve.log", **env) as (base, proc):
        received = ""
        with (
            httpx.Client(base_url=base, timeout=60) as http,
            http.stream(
                "POST",
                "/api/chat",
                json={"message": "why would a container exit with code 137?"},
                headers={"Accept": "text/event-stream"},
            ) as r,
        ):
            assert r.status_code == 200
            signalled_at = None
            for chunk in r.iter_text():
                received += chunk
                if signalled_at is None and received.count("event: delta") >= 3:
                    proc.send_signal(signal.SIGTERM)
                    signalled_at = time.monotonic()
        assert signalled_at is not None, "the reply never streamed"
        events = parse_sse(received)
        names = [n for n, _ in events]
        # the stream ran to its end after the signal: every word, then "done"
        assert names[-1] == "done", names[-3:]
        text = "".join(d["text"] for n, d in events if n == "delta")
        assert all(w in text for w in WORDS)
        assert time.monotonic() - signalled_at >= 1.0, "the signal did not land mid-reply"
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail("the server did not exit after its last reply")
        # uvicorn finishes its shutdown, then re-raises the signal it caught: a clean exit
        # by SIGTERM, as a process manager expects (never SIGKILL, never a crash code)
        assert code in (0, -signal.SIGTERM)
        log = (tmp_path / "serve.log").read_text()
        assert "Traceback" not in log
        # new connections are refused once it has gone
        with pytest.raises(httpx.ConnectError):
            httpx.get(base + "/healthz", timeout=2)

    repo = repo_for(settings_for(data))
    with repo.db.session() as s:
        conv = s.get(Conversation, events[0][1]["conversation_id"])
        assert conv is not None
        owner = conv.owner
    messages = repo.messages(owner, conv.id)
    repo.db.dispose()
    assert [m.role for m in messages] == ["user", "assistant"]
    assert messages[1].status == "ok"
    assert all(w in messages[1].content for w in WORDS)
