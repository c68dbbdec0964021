"""Every query the web layer needs, each scoped by the owner it is given."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.conversation import ConversationState
from app.errors import BadInput, NotFound
from app.store.db import Database
from app.store.models import (
    ApiState,
    Conversation,
    InterviewResult,
    Message,
    SectionProgress,
    StudyEvent,
    utcnow,
)
from app.store.state import dump_state, load_state
from app.study.events import Event

TITLE_MAX = 80


def _insert_missing_progress(s: Session, owner: str, section: int) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL; elsewhere a savepoint."""
    values = {"owner": owner, "section": section, "answered": 0}
    dialect = s.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        module = sqlite if dialect == "sqlite" else postgresql
        s.execute(module.insert(SectionProgress).values(**values).on_conflict_do_nothing())
        return
    if s.get(SectionProgress, (owner, section)) is None:
        try:
            with s.begin_nested():
                s.add(SectionProgress(**values))
        except IntegrityError:
            pass  # another process created it between our read and our insert


def make_title(text: str, limit: int = 60) -> str:
    """A conversation title from its first message: one line, at most `limit` characters."""
    line = re.sub(r"\s+", " ", text).strip()
    if len(line) <= limit:
        return line or "New chat"
    return line[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class ConversationSummary:
    id: str
    title: str
    created_at: datetime
    updated_at: datetime
    messages: int


@dataclass(frozen=True)
class Progress:
    section: int
    seen: bool
    last_score: float | None
    answered: int
    interviews: int


class Repository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # conversations ------------------------------------------------------------------------

    def _owned(self, session: Session, owner: str, conversation_id: str) -> Conversation:
        conv = session.get(Conversation, conversation_id) if conversation_id else None
        # another owner's conversation answers exactly like a missing one
        if conv is None or conv.owner != owner:
            raise NotFound(f"no conversation {conversation_id!r}")
        return conv

    def create_conversation(self, owner: str, title: str) -> Conversation:
        with self.db.session() as s, s.begin():
            conv = Conversation(owner=owner, title=make_title(title), state={})
            s.add(conv)
        return conv

    def get_conversation(self, owner: str, conversation_id: str) -> Conversation:
        with self.db.session() as s:
            return self._owned(s, owner, conversation_id)

    def list_conversations(self, owner: str) -> list[ConversationSummary]:
        counts = (
            select(Message.conversation_id, func.count(Message.id).label("n"))
            .group_by(Message.conversation_id)
            .subquery()
        )
        query = (
            select(Conversation, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.conversation_id == Conversation.id)
            .where(Conversation.owner == owner)
            .order_by(Conversation.updated_at.desc(), Conversation.created_at.desc())
        )
        with self.db.session() as s:
            return [
                ConversationSummary(c.id, c.title, c.created_at, c.updated_at, int(n))
                for c, n in s.execute(query).all()
            ]

    def rename(self, owner: str, conversation_id: str, title: str) -> Conversation:
        title = re.sub(r"\s+", " ", title).strip()
        if not title:
            raise BadInput("the title is empty")
        if len(title) > TITLE_MAX:
            raise BadInput(f"the title has {len(title)} characters; at most {TITLE_MAX}")
        with self.db.session() as s, s.begin():
            conv = self._owned(s, owner, conversation_id)
            conv.title = title
            conv.updated_at = utcnow()
        return conv

    def delete(self, owner: str, conversation_id: str) -> None:
        with self.db.session() as s, s.begin():
            conv = self._owned(s, owner, conversation_id)
            s.execute(delete(Message).where(Message.conversation_id == conv.id))
            s.delete(conv)

    # messages -----------------------------------------------------------------------------

    def messages(self, owner: str, conversation_id: str) -> list[Message]:
        with self.db.session() as s:
            self._owned(s, owner, conversation_id)
            query = (
                select(Message)
                .where(Message.conversation_id == conversation_id)
                .order_by(Message.id)
            )
            return list(s.scalars(query))

    def add_message(
        self, owner: str, conversation_id: str, role: str, content: str, **fields: Any
    ) -> Message:
        """Commit one message now (the user's text is stored before any reply starts)."""
        with self.db.session() as s, s.begin():
            conv = self._owned(s, owner, conversation_id)
            msg = Message(conversation_id=conv.id, role=role, content=content, **fields)
            s.add(msg)
            conv.updated_at = utcnow()
        return msg

    def begin_turn(
        self, owner: str, conversation_id: str | None, message: str
    ) -> tuple[Conversation, Message, Message]:
        """Commit the user's message and an empty "partial" reply for the mentor to fill in,
        in a new conversation (titled by the message) when `conversation_id` is empty. One
        transaction: a turn pays for one commit here, not three."""
        with self.db.session() as s, s.begin():
            if conversation_id:
                conv = self._owned(s, owner, conversation_id)
                conv.updated_at = utcnow()
            else:  # created and updated now
                conv = Conversation(owner=owner, title=make_title(message), state={})
                s.add(conv)
                s.flush()  # its id, for the messages
            user = Message(conversation_id=conv.id, role="user", content=message, status="ok")
            s.add(user)
            reply = Message(conversation_id=conv.id, role="assistant", content="", status="partial")
            s.add(reply)
        return conv, user, reply

    def update_message(self, message_id: int, **fields: Any) -> None:
        with self.db.session() as s, s.begin():
            msg = s.get(Message, message_id)
            if msg is None:
                return
            for key, value in fields.items():
                setattr(msg, key, value)

    def finish_turn(
        self,
        owner: str,
        conversation_id: str,
        message_id: int,
        before: ConversationState,
        after: ConversationState,
        **fields: Any,
    ) -> None:
        """One transaction: the reply, the conversation state, and the owner's progress."""
        with self.db.session() as s, s.begin():
            conv = self._owned(s, owner, conversation_id)
            msg = s.get(Message, message_id)
            if msg is not None and msg.conversation_id == conv.id:
                for key, value in fields.items():
                    setattr(msg, key, value)
            conv.state = dump_state(after)
            conv.updated_at = utcnow()
            self._record_progress(s, owner, conversation_id, before, after)

    def _record_progress(
        self,
        s: Session,
        owner: str,
        conversation_id: str,
        before: ConversationState,
        after: ConversationState,
    ) -> None:
        now = utcnow()
        rows: dict[int, SectionProgress] = {}

        def row(section: int) -> SectionProgress:
            if section not in rows:
                # the same person in two tabs, served by two processes, can reach a section
                # at the same moment: create the row race-free, then lock it for the update
                _insert_missing_progress(s, owner, section)
                found = s.get(SectionProgress, (owner, section), with_for_update=True)
                assert found is not None
                rows[section] = found
            return rows[section]

        for section in after.sections_seen:
            if section not in before.sections_seen:
                r = row(section)
                r.seen_at = r.seen_at or now
        for section, result in after.results.items():
            old = before.results.get(section)
            if old is not None and old == result:
                continue
            r = row(section)
            r.last_score = result.score
            r.answered = result.answered
            r.interviewed_at = now
            s.add(
                InterviewResult(
                    owner=owner,
                    conversation_id=conversation_id,
                    section=section,
                    score=result.score,
                    answered=result.answered,
                )
            )

    # progress -----------------------------------------------------------------------------

    def progress(self, owner: str) -> dict[int, Progress]:
        with self.db.session() as s:
            counts = dict(
                s.execute(
                    select(InterviewResult.section, func.count(InterviewResult.id))
                    .where(InterviewResult.owner == owner)
                    .group_by(InterviewResult.section)
                ).all()
            )
            rows = s.scalars(select(SectionProgress).where(SectionProgress.owner == owner))
            return {
                r.section: Progress(
                    section=r.section,
                    seen=r.seen_at is not None,
                    last_score=r.last_score,
                    answered=r.answered,
                    interviews=int(counts.get(r.section, 0)),
                )
                for r in rows
            }

    # study events ---------------------------------------------------------------------------

    def add_study_event(self, owner: str, event: Event) -> None:
        """Store a hands-on result or a flashcard review (other kinds are derived, not stored)."""
        if event.kind not in ("handson", "card"):
            raise BadInput(f"{event.kind} events are derived from the chat, not stored")
        with self.db.session() as s, s.begin():
            s.add(
                StudyEvent(
                    owner=owner,
                    kind=event.kind,
                    section=event.section,
                    item=str(event.item),
                    score=event.score,
                    rating=event.rating,
                    imp=event.imp,
                    created_at=event.at,
                )
            )

    def study_events(self, owner: str, imp_questions: frozenset[str] = frozenset()) -> list[Event]:
        """Everything the owner did, as app.study events, oldest first.

        - a section seen in the chat -> a read event at `seen_at`;
        - each graded row of an interview scorecard -> an interview event for that question
          (IMP from the row, or from `imp_questions`, the bank's IMP question ids);
        - an interview result with no scorecard (its conversation was deleted) -> one
          interview event for the section as a whole;
        - stored hands-on checks and flashcard reviews.
        """
        events: list[Event] = []
        covered: set[tuple[str | None, int]] = set()
        with self.db.session() as s:
            for p in s.scalars(select(SectionProgress).where(SectionProgress.owner == owner)):
                if p.seen_at is not None:
                    events.append(Event.read(p.section, p.seen_at))
            cards = s.execute(
                select(Message.conversation_id, Message.card, Message.created_at)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(Conversation.owner == owner, Message.role == "assistant")
            ).all()
            for conversation_id, card, at in cards:
                for row in _scorecard_rows(card):
                    events.append(
                        Event.interview(
                            row["section"],
                            row["id"],
                            row["score"],
                            at,
                            imp=bool(row.get("imp")) or row["id"] in imp_questions,
                        )
                    )
                    covered.add((conversation_id, row["section"]))
            results = s.scalars(select(InterviewResult).where(InterviewResult.owner == owner))
            for r in results:
                if (r.conversation_id, r.section) in covered or r.answered <= 0:
                    continue
                score = min(10.0, max(0.0, float(r.score)))
                events.append(
                    Event.interview(
                        r.section, f"interview-section-{r.section}", score, r.created_at
                    )
                )
            stored = s.scalars(select(StudyEvent).where(StudyEvent.owner == owner))
            for e in stored:
                if e.kind == "handson":
                    events.append(
                        Event.handson(e.section, e.item, e.score or 0.0, e.created_at, imp=e.imp)
                    )
                elif e.kind == "card" and e.rating in (1, 2, 3, 4):
                    events.append(Event.card(e.section, e.item, e.rating, e.created_at, imp=e.imp))
        events.sort(key=lambda e: e.at)
        return events

    # state for OpenAI-compatible clients --------------------------------------------------

    def api_state(self, key: str) -> ConversationState | None:
        with self.db.session() as s:
            row = s.get(ApiState, key)
            return load_state(row.state) if row is not None else None

    def save_api_state(self, key: str, state: ConversationState) -> None:
        with self.db.session() as s, s.begin():
            row = s.get(ApiState, key)
            if row is None:
                s.add(ApiState(key=key, state=dump_state(state)))
            else:
                row.state = dump_state(state)


def _scorecard_rows(card: Any) -> list[dict[str, Any]]:
    """The graded rows of every scorecard in a reply's card chain (malformed rows skipped)."""
    rows: list[dict[str, Any]] = []
    depth = 0
    while isinstance(card, dict) and depth < 20:
        if card.get("type") == "scorecard":
            for row in card.get("rows") or []:
                if (
                    isinstance(row, dict)
                    and row.get("status") in ("answered", "dont_know")
                    and isinstance(row.get("id"), str)
                    and row["id"]
                    and isinstance(row.get("section"), int)
                    and isinstance(row.get("score"), int | float)
                    and 0 <= row["score"] <= 10
                ):
                    rows.append(row)
        card = card.get("next")
        depth += 1
    return rows
