"""Persistence: conversations, messages, progress and interview results (SQLAlchemy 2).

SQLite under data/ by default (WAL, synchronous=NORMAL, busy timeout); any SQLAlchemy URL via
MENTOR_DATABASE_URL (PostgreSQL through psycopg 3). Only portable SQL: no SQLite-only statements
outside the connection pragmas.
"""

from app.store.db import Database
from app.store.repository import Repository
from app.store.state import dump_state, load_state

__all__ = ["Database", "Repository", "dump_state", "load_state"]
