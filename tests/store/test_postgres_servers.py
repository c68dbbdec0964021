"""Two `mentor serve` processes on one PostgreSQL database: interleaved turns of the same
conversations (the same signed identity cookie on both) keep every message exactly once,
and each server sees what the other stored."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.web.helpers import mentor_serve

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SECRET = "two-servers-share-this-signing-secret"
TURNS = 6  # per conversation, alternating between the servers
MESSAGES = ["what is a container", "yes", "next", "explain volumes", "sec 7", "go on"]


def turns(bases: list[str], cookie: str, label: str, out: dict[str, Any]) -> None:
    """One conversation, its turns alternating between the servers; errors land in `out`."""
    conv_id = None
    sent = []
    try:
        with httpx.Client(cookies={"mentor_id": cookie}, timeout=180) as client:
            for i in range(TURNS):
                text = f"{MESSAGES[i % len(MESSAGES)]} ({label} {i})"
                r = client.post(
                    f"{bases[i % 2]}/api/chat", json={"message": text, "conversation_id": conv_id}
                )
                if r.status_code != 200:
                    raise AssertionError(f"{label} turn {i}: HTTP {r.status_code} {r.text[:300]}")
                conv_id = r.json()["conversation_id"]
                sent.append(text)
    except Exception as exc:
        out[f"error {label}"] = repr(exc)
        return
    out[label] = (conv_id, sent)


def test_two_servers_one_database(postgres_url: str, tmp_path: Path) -> None:
    env = {"MENTOR_DATABASE_URL": postgres_url, "MENTOR_SECRET_KEY": SECRET}
    with (
        mentor_serve(tmp_path / "a", tmp_path / "a.log", **env) as a,
        mentor_serve(tmp_path / "b", tmp_path / "b.log", **env) as b,
    ):
        # one identity, minted by server A, honoured by server B (the same secret)
        first = httpx.get(f"{a}/api/conversations", timeout=30)
        cookie = first.cookies["mentor_id"]
        assert httpx.get(f"{b}/api/conversations", cookies={"mentor_id": cookie}).json() == []

        out: dict[str, Any] = {}
        threads = [
            threading.Thread(target=turns, args=([a, b], cookie, "one", out)),
            threading.Thread(target=turns, args=([b, a], cookie, "two", out)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        assert set(out) == {"one", "two"}, out

        for base in (a, b):
            listed = httpx.get(f"{base}/api/conversations", cookies={"mentor_id": cookie}).json()
            assert sorted(c["id"] for c in listed) == sorted(v[0] for v in out.values())
            for conv_id, sent in out.values():
                conv = httpx.get(
                    f"{base}/api/conversations/{conv_id}", cookies={"mentor_id": cookie}
                ).json()
                users = [m["content"] for m in conv["messages"] if m["role"] == "user"]
                replies = [m for m in conv["messages"] if m["role"] == "assistant"]
                assert users == sent  # each exactly once, in order
                assert len(replies) == TURNS
                assert all(m["status"] == "ok" for m in replies)
                ids = [m["id"] for m in conv["messages"]]
                assert len(ids) == len(set(ids)) == 2 * TURNS
        # a stranger sees nothing on either server
        assert httpx.get(f"{b}/api/conversations").json() == []
