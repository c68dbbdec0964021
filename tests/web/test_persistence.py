"""Restarting the server loses nothing: messages, conversation state, progress, identity."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import Settings
from tests.web.helpers import chat, running, settings_for


def test_a_restart_on_the_same_sqlite_file_keeps_everything(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data")
    restart_keeps_everything(settings)
    assert (tmp_path / "data" / "mentor.db").exists()
    assert (tmp_path / "data" / "secret_key").exists()


@pytest.mark.postgres
def test_a_restart_on_postgresql_keeps_everything(tmp_path: Path, postgres_url: str) -> None:
    restart_keeps_everything(settings_for(tmp_path / "data", database_url=postgres_url))
    assert not (tmp_path / "data" / "mentor.db").exists()


def restart_keeps_everything(settings: Settings) -> None:
    with running(settings) as client:
        cid = chat(client, "Start from Section 3")["conversation_id"]
        cookies = dict(client.cookies)

    with running(settings) as client:
        client.cookies = cookies  # the same browser comes back
        conv = client.get(f"/api/conversations/{cid}").json()
        assert [m["role"] for m in conv["messages"]] == ["user", "assistant"]
        assert conv["state"]["current_section"] == 3 and conv["state"]["offered_section"] == 4
        assert client.get("/api/progress").json()["seen"] == 1
        # the state survived: "yes" continues with Section 4, not from scratch
        reply = chat(client, "yes", cid)
        assert reply["section"] == 4 and reply["markdown"].startswith("## Section 4")

    with running(settings) as client:
        client.cookies = cookies
        conv = client.get(f"/api/conversations/{cid}").json()
        assert len(conv["messages"]) == 4 and conv["state"]["current_section"] == 4


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data")
    with running(settings) as client:
        db = client.app.state.db  # type: ignore[attr-defined]
        with db.engine.connect() as conn:
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
            synchronous = conn.exec_driver_sql("PRAGMA synchronous").scalar()
    assert mode == "wal" and timeout >= 5000
    # NORMAL (1): in WAL mode a commit survives the app crashing without an fsync per commit
    assert synchronous == 1
