"""The terminal's study history lives in the web app's store, under the owner "local"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.history import LOCAL_OWNER
from app.handson import load_book
from app.settings import Settings
from app.store import Database, Repository
from app.study.events import Event
from tests.conftest import KNOWLEDGE

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def store_of(data: Path) -> Repository:
    """The store the web app would open on this data folder."""
    db = Database(Settings(data_dir=data).resolved_database_url)
    db.create_schema()
    return Repository(db)


@pytest.fixture
def run(tmp_path: Path, kb, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """`mentor ...` in-process on a temp data folder (the question banks load once a session)."""
    from app import knowledge
    from app.cli import cli

    monkeypatch.setattr(knowledge, "load", lambda _path: kb)
    monkeypatch.setenv("MENTOR_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MENTOR_DATABASE_URL", raising=False)
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args))


def test_check_task_records_in_the_store_the_web_app_reads(tmp_path: Path) -> None:
    task = load_book(KNOWLEDGE).tasks["ctr-postgres-volume-limits"]
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "check-task", task.id, "--now", "2026-03-01T09:00"],
        input=task.model_answer.encode(),
        capture_output=True,
        env={**os.environ, "MENTOR_DATA_DIR": str(tmp_path)},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "mentor.db").is_file() and not (tmp_path / "study-journal.jsonl").exists()
    repo = store_of(tmp_path)
    (event,) = repo.study_events(LOCAL_OWNER)
    assert (event.kind, event.item, event.score, event.at) == ("handson", task.id, 1.0, T0)


def test_review_then_cards_and_plan_read_the_store(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rev = run("review", "img-cache-order", "good", "--now", "2026-03-01T09:00")
    assert rev.exit_code == 0 and "next review 2026-03-01T09:10" in rev.stdout
    assert [e.item for e in store_of(tmp_path).study_events(LOCAL_OWNER)] == ["img-cache-order"]
    cards = run("cards", "--json", "--now", "2026-03-09T09:00")
    assert [c["id"] for c in json.loads(cards.stdout)["due"]] == ["img-cache-order"]
    plan = run("plan", "--json", "--now", "2026-03-09T09:00")
    assert plan.exit_code == 0 and json.loads(plan.stdout)["total"] == 45


def test_a_browser_users_history_is_not_the_terminals(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store_of(tmp_path).add_study_event("0123abcd" * 4, Event.card(3, "img-cache-order", "good", T0))
    cards = run("cards", "--json", "--now", "2026-03-09T09:00")
    assert json.loads(cards.stdout)["due"] == []


def test_the_old_journal_is_imported_once(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    old = tmp_path / "study-journal.jsonl"
    old.write_text(json.dumps(Event.card(3, "img-cache-order", "good", T0).to_json()) + "\n")
    first = run("cards", "--json", "--now", "2026-03-09T09:00")
    assert first.exit_code == 0, first.output
    assert [c["id"] for c in json.loads(first.stdout)["due"]] == ["img-cache-order"]
    assert "imported 1 study event(s)" in first.stderr
    assert not old.exists() and (tmp_path / "study-journal.jsonl.imported").is_file()
    again = run("cards", "--json", "--now", "2026-03-09T09:00")
    assert "imported" not in again.stderr
    assert len(store_of(tmp_path).study_events(LOCAL_OWNER)) == 1


def test_journal_option_imports_a_journal_from_elsewhere(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    old = tmp_path / "elsewhere" / "my.jsonl"
    old.parent.mkdir()
    old.write_text(json.dumps(Event.card(3, "img-cache-order", "easy", T0).to_json()) + "\n")
    result = run("review", "img-cache-order", "good", "--journal", str(old), "--now", "2026-03-20")
    assert result.exit_code == 0, result.output
    ratings = [e.rating for e in store_of(tmp_path).study_events(LOCAL_OWNER)]
    assert ratings == [4, 3]
    assert (old.parent / "my.jsonl.imported").is_file()


def test_a_malformed_journal_is_bad_input_naming_the_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.errors import BadInput

    (tmp_path / "study-journal.jsonl").write_text("{not json}\n")
    result = run("cards")
    assert isinstance(result.exception, BadInput)
    assert "study-journal.jsonl:1" in str(result.exception)
