"""Nothing typed is lost: the user's message is committed first; a reply that breaks or is
abandoned is stored as such with the text produced so far."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.conversation import ConversationState
from app.store.models import Message
from app.web.app import create_app
from tests.web.helpers import (
    ScriptedEngine,
    chat,
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
    # and the reply's row, marked unfinished until the reply is stored
    assert ("assistant", "") in seen


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


class Locker:
    """Another process's writer: holds SQLite's write lock until released."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.con: sqlite3.Connection | None = None

    def acquire(self, *_args: object) -> None:
        self.con = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.con.execute("BEGIN EXCLUSIVE")

    def release(self) -> None:
        if self.con is not None:
            self.con.execute("ROLLBACK")
            self.con.close()
            self.con = None


@pytest.fixture
def locker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Locker:
    """A second writer on the app's SQLite file; the app gives up waiting after 0.3 s."""
    monkeypatch.setattr("app.store.db.SQLITE_BUSY_TIMEOUT_MS", 300)
    return Locker(tmp_path / "data" / "mentor.db")


def test_a_locked_database_is_a_503_to_retry_and_loses_nothing(
    tmp_path: Path, locker: Locker
) -> None:
    settings = settings_for(tmp_path / "data")
    with running(settings, factory(ScriptedEngine())) as client:
        conv_id = chat(client, "first question")["conversation_id"]
        locker.acquire()
        try:
            for headers in ({}, {"Accept": "text/event-stream"}):
                r = client.post(
                    "/api/chat",
                    json={"message": "while locked", "conversation_id": conv_id},
                    headers=headers,
                )
                assert r.status_code == 503, r.text
                assert r.headers["retry-after"] == "5"
                detail = r.json()["detail"]
                assert "busy" in detail and "nothing was saved" in detail
                assert "sqlite" not in detail.lower() and "INSERT" not in detail
            # reading still works while another writer holds the lock (WAL)
            assert client.get(f"/api/conversations/{conv_id}").status_code == 200
        finally:
            locker.release()
        chat(client, "while locked", conv_id)  # the retry the error asked for
        conv = client.get(f"/api/conversations/{conv_id}").json()
        contents = [m["content"] for m in conv["messages"] if m["role"] == "user"]
        assert contents == ["first question", "while locked"]
        assert all(m["status"] == "ok" for m in conv["messages"])


def test_a_lock_taken_mid_turn_ends_the_stream_with_a_clear_error(
    tmp_path: Path, locker: Locker
) -> None:
    settings = settings_for(tmp_path / "data")
    with running(settings, factory(ScriptedEngine(on_start=locker.acquire))) as client:
        try:
            events = stream_chat(client, "how do overlay networks work?")
        finally:
            locker.release()
        assert [n for n, _ in events][-1] == "error"
        assert "busy" in events[-1][1]["message"]
        conv = client.get(f"/api/conversations/{events[0][1]['conversation_id']}").json()
        user, reply = conv["messages"]
        # the question survived; the reply is marked unfinished, not passed off as complete
        assert user["content"] == "how do overlay networks work?" and user["status"] == "ok"
        assert reply["status"] == "partial"


def test_a_read_only_database_is_a_clear_503_and_reads_still_work(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data")
    with running(settings, factory(ScriptedEngine())) as client:
        conv_id = chat(client, "written before")["conversation_id"]
        cookies = dict(client.cookies)
    path = tmp_path / "data" / "mentor.db"
    read_only = settings_for(
        tmp_path / "data", database_url=f"sqlite:///file:{path}?mode=ro&uri=true"
    )
    with running(read_only, factory(ScriptedEngine())) as client:
        client.cookies.update(cookies)
        assert client.get("/readyz").status_code == 200
        conv = client.get(f"/api/conversations/{conv_id}").json()
        assert conv["messages"][0]["content"] == "written before"
        r = client.post("/api/chat", json={"message": "a new one", "conversation_id": conv_id})
        assert r.status_code == 503
        assert r.json() == {
            "detail": "the database is read-only; nothing was saved: try again in a few seconds"
        }
        page = client.post(
            "/api/chat",
            json={"message": "a new one", "conversation_id": None},
            headers={"Accept": "text/event-stream"},
        )
        assert page.status_code == 503 and "read-only" in page.json()["detail"]
