"""The terminal user's study history: the web app's store, on the same database.

`mentor check-task`, `review`, `cards` and `plan` read and write study events through
app.store.Repository on `settings.resolved_database_url` (default: the SQLite file
<data_dir>/mentor.db, the one `mentor serve` uses), so there is one store for study events.

The terminal user is the owner `LOCAL_OWNER` ("local"). The web app's owners are random
128-bit hex ids from its identity cookie, so the two never collide, and a browser's history stays
invisible to the terminal (and the other way round), as one user's data is to another's.

The CLI used to keep a JSON-lines journal (<data_dir>/study-journal.jsonl). The first command
that opens the store imports it once for LOCAL_OWNER and renames it `*.imported`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.exc import OperationalError

from app.cli.console import note
from app.errors import StoreUnavailable
from app.knowledge import Knowledge
from app.settings import Settings
from app.store import Database, Repository
from app.store.db import describe
from app.study import journal
from app.study.events import Event

LOCAL_OWNER = "local"
JOURNAL_NAME = "study-journal.jsonl"


def default_journal(conf: Settings) -> Path:
    return conf.data_dir / JOURNAL_NAME


@contextmanager
def study_store(conf: Settings, old_journal: Path | None = None) -> Iterator[Repository]:
    """The store for this command, with any old journal imported first (once)."""
    db = Database(conf.resolved_database_url)
    try:
        try:
            db.create_schema()
        except OperationalError as exc:
            raise StoreUnavailable(describe(exc)) from exc
        repo = Repository(db)
        done = journal.import_once(old_journal or default_journal(conf), repo, LOCAL_OWNER)
        if done is not None:
            note(
                f"imported {done.added} study event(s) from {done.source} into the database"
                f" ({done.duplicates} already there, {done.skipped} not stored);"
                f" the old file is kept as {done.moved_to.name}"
            )
        yield repo
    finally:
        db.dispose()


def events(repo: Repository, kb: Knowledge) -> list[Event]:
    """The terminal user's events, IMP questions marked from the bank (as the web app does)."""
    return repo.study_events(LOCAL_OWNER, frozenset(q.id for q in kb.questions if q.imp))
