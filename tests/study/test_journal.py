"""The old CLI journal moves into the store once: real Repository, real SQLite."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.errors import BadInput
from app.store import Database, Repository
from app.study import journal
from app.study.events import Event

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OWNER = "local"


@pytest.fixture
def repo(tmp_path: Path) -> Repository:
    db = Database(f"sqlite:///{tmp_path / 'mentor.db'}")
    db.create_schema()
    yield Repository(db)  # type: ignore[misc]
    db.dispose()


def write(path: Path, *events: Event, extra: str = "") -> None:
    path.write_text("".join(json.dumps(e.to_json()) + "\n" for e in events) + extra)


def test_import_once_moves_events_and_renames_the_file(repo: Repository, tmp_path: Path) -> None:
    path = tmp_path / "study-journal.jsonl"
    events = [
        Event.handson(8, "cmp-wait-healthy-db", 0.8, T0, imp=True),
        Event.card(3, "img-cache-order", "good", T0.replace(hour=10)),
        Event.read(8, T0),  # the store derives reads from the chat: not imported
    ]
    write(path, *events)
    done = journal.import_once(path, repo, OWNER)
    assert done is not None
    assert (done.added, done.duplicates, done.skipped) == (2, 0, 1)
    assert not path.exists() and done.moved_to == tmp_path / "study-journal.jsonl.imported"
    assert done.moved_to.is_file()  # kept as a backup
    assert repo.study_events(OWNER) == events[:2]
    assert repo.study_events("someone-else") == []
    # once: the file is gone, so a second run imports nothing
    assert journal.import_once(path, repo, OWNER) is None
    assert repo.study_events(OWNER) == events[:2]


def test_an_interrupted_import_does_not_duplicate(repo: Repository, tmp_path: Path) -> None:
    first = Event.card(3, "img-cache-order", "good", T0)
    second = Event.card(3, "img-cache-order", "easy", T0.replace(day=5))
    repo.add_study_event(OWNER, first)  # imported before a crash, file not yet renamed
    path = tmp_path / "j.jsonl"
    write(path, first, second)
    done = journal.import_once(path, repo, OWNER)
    assert done is not None and (done.added, done.duplicates) == (1, 1)
    assert repo.study_events(OWNER) == [first, second]


def test_a_malformed_journal_imports_nothing(repo: Repository, tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    write(path, Event.card(3, "img-cache-order", "good", T0), extra="{not json}\n")
    with pytest.raises(BadInput, match=r"j\.jsonl:2"):
        journal.import_once(path, repo, OWNER)
    assert path.exists() and repo.study_events(OWNER) == []


def test_no_journal_is_nothing_to_do(repo: Repository, tmp_path: Path) -> None:
    assert journal.import_once(tmp_path / "missing.jsonl", repo, OWNER) is None
