"""The tables. Every row a user can see carries (or hangs off a row carrying) its owner."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

MessageStatus = Literal["ok", "partial", "failed"]
STATUSES: tuple[str, ...] = ("ok", "partial", "failed")


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads this class attribute)
        dict[str, Any]: JSON,
        list[dict[str, Any]]: JSON,
        datetime: DateTime(timezone=True),
    }


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_owner_updated", "owner", "updated_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    owner: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    # the mentor's ConversationState as JSON, saved after every turn
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("conversations.id", ondelete="CASCADE")
    )
    role: Mapped[str] = mapped_column(String(16))  # "user" | "assistant"
    content: Mapped[str] = mapped_column(Text, default="")
    intent: Mapped[str | None] = mapped_column(String(16), default=None)
    section: Mapped[int | None] = mapped_column(Integer, default=None)
    citations: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    card: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    notice: Mapped[str | None] = mapped_column(Text, default=None)
    backend: Mapped[str | None] = mapped_column(String(32), default=None)
    status: Mapped[str] = mapped_column(String(16), default="ok")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SectionProgress(Base):
    """Per owner and section: when it was first seen, the last interview score."""

    __tablename__ = "progress"

    owner: Mapped[str] = mapped_column(String(64), primary_key=True)
    section: Mapped[int] = mapped_column(Integer, primary_key=True)
    seen_at: Mapped[datetime | None] = mapped_column(default=None)
    last_score: Mapped[float | None] = mapped_column(Float, default=None)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    interviewed_at: Mapped[datetime | None] = mapped_column(default=None)


class InterviewResult(Base):
    """One finished (or updated) interview result; kept when its conversation is deleted."""

    __tablename__ = "interview_results"
    __table_args__ = (Index("ix_interview_results_owner", "owner", "section"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[str | None] = mapped_column(String(36), default=None)
    section: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    answered: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiState(Base):
    """Mentor state for /v1 clients, keyed by a hash of the message history that led to it."""

    __tablename__ = "api_states"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StudyEvent(Base):
    """A study event the chat does not already record: a hands-on check or a flashcard review.

    Reads and interview grades come from `progress`, `interview_results` and the scorecards in
    `messages`; together they are the owner's app.study event list.
    """

    __tablename__ = "study_events"
    __table_args__ = (Index("ix_study_events_owner_at", "owner", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # "handson" | "card"
    section: Mapped[int] = mapped_column(Integer)
    item: Mapped[str] = mapped_column(String(120))
    score: Mapped[float | None] = mapped_column(Float, default=None)
    rating: Mapped[int | None] = mapped_column(Integer, default=None)
    imp: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
