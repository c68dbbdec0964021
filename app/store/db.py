"""Engine and sessions: SQLite (WAL, synchronous=NORMAL, busy timeout) by default, any
SQLAlchemy URL otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.errors import StoreUnavailable
from app.store.models import Base

SQLITE_BUSY_TIMEOUT_MS = 10_000
# In WAL mode NORMAL fsyncs at checkpoints, not at every commit: a committed turn survives the
# app crashing or being killed (only an OS crash or power cut can undo the last few commits),
# and a commit stops costing an fsync (~4 ms on the 2-core box; a chat turn commits twice).
SQLITE_SYNCHRONOUS = "NORMAL"
SCHEMA_LOCK = 0x6D656E746F72  # "mentor": the advisory lock key for creating the schema


def normalise_url(url: str) -> str:
    """`postgresql://` means psycopg 3 here (SQLAlchemy's bare default is psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_uri(database: str) -> bool:
    """`sqlite:///file:/data/mentor.db?mode=ro&uri=true` names a file by URI: no folder to
    make (it once made a folder called `file:` in the working directory)."""
    return database.startswith("file:")


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:" and not _sqlite_uri(parsed.database):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    return engine


class Database:
    """One engine and its session factory; `create_schema()` runs at start."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def create_schema(self) -> None:
        """Create missing tables. On PostgreSQL under an advisory lock: several processes
        starting together on an empty database would otherwise race on CREATE TABLE."""
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
            Base.metadata.create_all(conn)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose operational failures (locked, read-only, gone) are StoreUnavailable:
        the one domain error the web app answers with 503 + Retry-After and the CLI with a line."""
        with self.sessions() as s:
            try:
                yield s
            except OperationalError as exc:
                raise StoreUnavailable(describe(exc)) from exc

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def dispose(self) -> None:
        self.engine.dispose()


def describe(exc: OperationalError) -> str:
    """What the user should read; never the SQL or the URL (it may carry a password)."""
    reason = str(exc.orig).lower() if exc.orig is not None else ""
    if "locked" in reason or "busy" in reason:
        what = "the database is busy (locked by another writer)"
    elif "readonly" in reason or "read-only" in reason or "read only" in reason:
        what = "the database is read-only"
    else:
        what = "the database cannot be reached"
    return f"{what}; nothing was saved: try again in a few seconds"
