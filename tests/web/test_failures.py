"""Nothing typed is lost: the user's message is committed first; a reply that breaks or is
abandoned is stored as such with the text produced so far."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from app.mentor.state import ConversationState
from app.store.models import Message
from app.web.app import create_app
from tests.web.helpers import (
    ScriptedEngine,
    factory,
    parse_sse,
    repo_for,
    running,
    settings_for,
    stream_chat,
    uvicorn_thread,
)


def test_the_user_message_is_committed_before_the_reply_starts(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data")
    seen: list[Any] = []

    def probe(_state: ConversationState, message: str) -> None:
        # another connection: only committed rows are visible to it
        repo = repo_for(settings)
        with repo.db.session() as s:
            seen.extend((m.role, m.content) for m in s.scalars(select(Message)))
        repo.db.dispose()

    with running(settings, factory(ScriptedEngine(on_start=probe))) as client:
        events = stream_chat(client, "how do swarm services scale?")
    assert events[-1][0] == "done"
    assert ("user", "how do swarm services scale?") in seen


def test_a_reply_that_breaks_midway_is_stored_as_failed(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data")
    with running(settings, factory(ScriptedEngine(fail_after=3))) as client:
        events = stream_chat(client, "tell me about swarm")
        names = [n for n, _ in events]
        assert names == ["meta", "delta", "delta", "delta", "error"]
        error = events[-1][1]
        assert "saved" in error["message"]
        conv_id = events[0][1]["conversation_id"]
        conv = client.get(f"/api/conversations/{conv_id}").json()
        user, reply = conv["messages"]
        assert user["content"] == "tell me about swarm" and user["status"] == "ok"
        assert reply["status"] == "failed"
        assert reply["content"] == "one two three "
        # the state is not advanced by a failed turn
        assert conv["state"].get("turns", 0) == 0

        # the JSON API answers a failure with a JSON 500 and keeps the message too
        r = client.post("/api/chat", json={"message": "again", "conversation_id": conv_id})
        assert r.status_code == 500 and "saved" in r.json()["detail"]
        conv = client.get(f"/api/conversations/{conv_id}").json()
        assert [m["status"] for m in conv["messages"]] == ["ok", "failed", "ok", "failed"]


def test_a_client_that_goes_away_leaves_a_partial_reply(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data")
    words = " ".join(f"w{i}" for i in range(400))
    engine = ScriptedEngine(words, delay=0.02)
    app = create_app(settings, engine_factory=factory(engine))
    with uvicorn_thread(app) as base, httpx.Client(base_url=base, timeout=30) as http:
        received = ""
        with http.stream(
            "POST",
            "/api/chat",
            json={"message": "stream a lot", "conversation_id": None},
            headers={"Accept": "text/event-stream"},
        ) as r:
            for chunk in r.iter_text():
                received += chunk
                if received.count("event: delta") >= 5:
                    break  # the Stop button: close the connection mid-reply
        conv_id = parse_sse(received.split("\n\n", 1)[0] + "\n\n")[0][1]["conversation_id"]
        assert engine.cancelled.wait(10), "the mentor kept working after the client left"
        deadline = time.monotonic() + 10
        while True:
            conv = http.get(f"/api/conversations/{conv_id}").json()
            reply = conv["messages"][-1]
            if (reply["status"] == "partial" and reply["content"]) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert reply["status"] == "partial"
        assert reply["content"].startswith("w0 w1 w2 w3")
        assert len(reply["content"].split()) < 400
        # the mentor had decided the turn: its state is kept
        assert conv["state"]["current_section"] == 9
