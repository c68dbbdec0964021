"""The repository on a real SQLite file and on a real PostgreSQL server (psycopg 3)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, insert, text

from app.conversation import ConversationState, SectionResult
from app.errors import BadInput, NotFound
from app.store import Database, Repository
from app.store.db import make_engine, normalise_url
from app.store.export import conversation_markdown, filename
from app.store.models import Base, SectionProgress
from app.store.repository import make_title


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Repository]:
    db = Database(f"sqlite:///{tmp_path / 'nested' / 'mentor.db'}")
    db.create_schema()
    yield Repository(db)
    db.dispose()


def exercise(repo: Repository) -> None:
    """The behaviour every backend must share."""
    conv = repo.create_conversation("alice", "Start   from\nSection 3")
    assert conv.title == "Start from Section 3" and conv.state == {}
    repo.add_message("alice", conv.id, "user", "Start from Section 3")
    reply = repo.add_message("alice", conv.id, "assistant", "", status="partial")

    before = ConversationState()
    after = ConversationState(current_section=3, offered_section=4, sections_seen=[3])
    repo.finish_turn(
        "alice",
        conv.id,
        reply.id,
        before,
        after,
        content="## Section 3: Docker Images",
        intent="section",
        section=3,
        citations=[{"section": 3, "heading": "Docker Images"}],
        status="ok",
    )
    msgs = repo.messages("alice", conv.id)
    assert [(m.role, m.status) for m in msgs] == [("user", "ok"), ("assistant", "ok")]
    assert msgs[1].citations == [{"section": 3, "heading": "Docker Images"}]
    assert repo.get_conversation("alice", conv.id).state["current_section"] == 3
    assert repo.progress("alice")[3].seen

    # an interview result is recorded once per change, and survives deleting the chat
    later = ConversationState(
        current_section=3,
        sections_seen=[3],
        results={5: SectionResult(score=6.5, answered=2, at=time.time())},
    )
    msg = repo.add_message("alice", conv.id, "assistant", "scorecard")
    repo.finish_turn("alice", conv.id, msg.id, after, later, status="ok")
    repo.finish_turn("alice", conv.id, msg.id, later, later, status="ok")
    p = repo.progress("alice")[5]
    assert p.last_score == 6.5 and p.answered == 2 and p.interviews == 1 and not p.seen

    # owner scoping: bob sees nothing and touches nothing
    for call in (
        lambda: repo.get_conversation("bob", conv.id),
        lambda: repo.messages("bob", conv.id),
        lambda: repo.rename("bob", conv.id, "mine"),
        lambda: repo.delete("bob", conv.id),
        lambda: repo.add_message("bob", conv.id, "user", "hi"),
        lambda: repo.finish_turn("bob", conv.id, msg.id, later, later),
    ):
        with pytest.raises(NotFound):
            call()
    assert repo.list_conversations("bob") == [] and repo.progress("bob") == {}

    second = repo.create_conversation("alice", "later chat")
    repo.add_message("alice", second.id, "user", "hello")
    listed = repo.list_conversations("alice")
    assert [c.id for c in listed] == [second.id, conv.id]
    assert [c.messages for c in listed] == [1, 3]

    assert repo.rename("alice", conv.id, "  Images  ").title == "Images"
    with pytest.raises(BadInput):
        repo.rename("alice", conv.id, " ")
    repo.delete("alice", conv.id)
    with pytest.raises(NotFound):
        repo.get_conversation("alice", conv.id)
    assert repo.progress("alice")[5].last_score == 6.5

    key = "k" * 64
    assert repo.api_state(key) is None
    repo.save_api_state(key, after)
    repo.save_api_state(key, later)
    restored = repo.api_state(key)
    assert restored is not None and restored.results[5].score == 6.5


def test_repository_on_sqlite(repo: Repository) -> None:
    exercise(repo)


@pytest.mark.postgres
def test_repository_on_postgresql(postgres_url: str) -> None:
    db = Database(postgres_url)
    db.create_schema()
    db.create_schema()  # idempotent: a restart finds the tables in place
    try:
        exercise(Repository(db))
    finally:
        Base.metadata.drop_all(db.engine)
        db.dispose()


@contextmanager
def _progress_statement_reached(repo: Repository) -> Iterator[threading.Event]:
    """An event set when `repo` sends a write from another thread: SQLite makes it wait for the
    other writer's lock at its first write, PostgreSQL at the statement on the progress row."""
    reached = threading.Event()
    main = threading.get_ident()
    postgres = repo.db.url.startswith("postgresql")

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sql = statement.lstrip().lower()
        if threading.get_ident() == main or not sql.startswith(("insert", "update", "delete")):
            return
        if not postgres or "progress" in sql:
            reached.set()

    event.listen(repo.db.engine, "before_cursor_execute", seen)
    try:
        yield reached
    finally:
        event.remove(repo.db.engine, "before_cursor_execute", seen)


def _wait_for_lock_waiter(conn: Any) -> None:
    """Until another backend of this server waits on a lock (the uncommitted row)."""
    query = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
    deadline = time.monotonic() + 30
    while conn.exec_driver_sql(str(query)).scalar() == 0:
        assert time.monotonic() < deadline, "the turn never waited for the uncommitted row"
        time.sleep(0.02)


def progress_row_created_meanwhile(repo: Repository) -> None:
    """Another process (the same person's other tab) creates the progress row of section 7
    while this turn is being stored: the turn waits for it and updates it; no 500."""
    conv = repo.create_conversation("alice", "two tabs")
    reply = repo.add_message("alice", conv.id, "assistant", "", status="partial")
    after = ConversationState(current_section=7, sections_seen=[7])
    other = Database(repo.db.url)
    errors: list[BaseException] = []
    try:
        with other.engine.connect() as conn:
            tx = conn.begin()
            conn.execute(
                insert(SectionProgress).values(owner="alice", section=7, answered=0, seen_at=None)
            )

            def finish() -> None:
                try:
                    repo.finish_turn(
                        "alice", conv.id, reply.id, ConversationState(), after, status="ok"
                    )
                except BaseException as exc:  # reported below, not lost in the thread
                    errors.append(exc)

            with _progress_statement_reached(repo) as reached:
                worker = threading.Thread(target=finish)
                worker.start()
                # synchronise on the worker's own statement, not on a sleep: it has sent the
                # statement on the progress row; on PostgreSQL, also see it wait on the lock
                assert reached.wait(30), "the turn never touched the progress row"
                if repo.db.url.startswith("postgresql"):
                    _wait_for_lock_waiter(conn)
                tx.commit()
                worker.join(timeout=30)
    finally:
        other.dispose()
    assert not worker.is_alive()
    assert errors == []
    assert repo.progress("alice")[7].seen
    assert [m.status for m in repo.messages("alice", conv.id)] == ["ok"]


def test_a_progress_row_created_meanwhile_on_sqlite(repo: Repository) -> None:
    progress_row_created_meanwhile(repo)


@pytest.mark.postgres
def test_a_progress_row_created_meanwhile_on_postgresql(postgres_url: str) -> None:
    db = Database(postgres_url)
    db.create_schema()
    try:
        progress_row_created_meanwhile(Repository(db))
    finally:
        Base.metadata.drop_all(db.engine)
        db.dispose()


@pytest.mark.postgres
def test_several_processes_can_create_the_schema_at_once(postgres_url: str) -> None:
    dbs = [Database(postgres_url) for _ in range(4)]
    barrier = threading.Barrier(len(dbs))
    errors: list[BaseException] = []

    def start(db: Database) -> None:
        barrier.wait()
        try:
            db.create_schema()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(db,)) for db in dbs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    try:
        assert errors == []
        exercise(Repository(dbs[0]))
    finally:
        Base.metadata.drop_all(dbs[0].engine)
        for db in dbs:
            db.dispose()


def test_a_missing_conversation_id_is_not_found(repo: Repository) -> None:
    with pytest.raises(NotFound):
        repo.get_conversation("alice", "")
    with pytest.raises(NotFound):
        repo.get_conversation("alice", "not-a-uuid")


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("hello", "hello"),
        ("   ", "New chat"),
        ("a " * 50, ("a " * 30).strip()[:59].rstrip() + "…"),
    ],
)
def test_titles_are_one_short_line(text: str, title: str) -> None:
    assert make_title(text) == title
    assert len(make_title(text)) <= 60


def test_postgres_urls_mean_psycopg3() -> None:
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_export_is_readable_markdown(repo: Repository) -> None:
    conv = repo.create_conversation("alice", "Why 137?")
    repo.add_message("alice", conv.id, "user", "Why 137?")
    repo.add_message(
        "alice",
        conv.id,
        "assistant",
        "Exit code **137** is SIGKILL (128 + 9).",
        citations=[{"section": 14, "heading": "Exit codes"}],
    )
    repo.add_message("alice", conv.id, "assistant", "half a rep", status="partial")
    text = conversation_markdown(conv, repo.messages("alice", conv.id))
    assert text.startswith("# Why 137?\n")
    assert "### You\n\nWhy 137?" in text
    assert "### Mentor\n\nExit code **137** is SIGKILL (128 + 9)." in text
    assert "_Sources: Section 14 › Exit codes_" in text
    assert "_(this reply was interrupted)_" in text
    assert filename(conv) == "mentor-why-137.md"


def test_a_turn_begins_with_one_commit_and_only_in_the_owners_conversation(
    repo: Repository,
) -> None:
    commits: list[int] = []
    event.listen(repo.db.engine, "commit", lambda _conn: commits.append(1))
    conv, user, reply = repo.begin_turn("alice", None, "Why   137?\n")
    assert len(commits) == 1
    assert conv.title == "Why 137?" and conv.state == {}
    assert (user.role, user.content, user.status) == ("user", "Why   137?\n", "ok")
    # the reply's row exists before the reply starts: whatever happens next, it is stored
    assert (reply.role, reply.content, reply.status) == ("assistant", "", "partial")
    again, second, _ = repo.begin_turn("alice", conv.id, "and 143?")
    assert again.id == conv.id and user.id < reply.id < second.id
    msgs = repo.messages("alice", conv.id)
    assert [(m.role, m.content) for m in msgs] == [
        ("user", "Why   137?\n"),
        ("assistant", ""),
        ("user", "and 143?"),
        ("assistant", ""),
    ]
    # another owner's conversation is a NotFound and stores nothing
    with pytest.raises(NotFound):
        repo.begin_turn("bob", conv.id, "mine now")
    assert len(repo.messages("alice", conv.id)) == 4
    assert repo.list_conversations("bob") == []


def test_a_sqlite_uri_makes_no_folder_named_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "mentor.db"
    plain = make_engine(f"sqlite:///{path}")
    with plain.connect():  # the file exists now
        pass
    plain.dispose()
    monkeypatch.chdir(tmp_path)
    engine = make_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("select 1").scalar() == 1
    engine.dispose()
    assert not (tmp_path / "file:").exists()
