"""The turn service: one chat turn with its persistence. The user's message is committed
before the reply starts; the reply is stored as "ok", or as "partial"/"failed" with whatever
text was produced; the conversation state is saved after every turn.

It lives beside the mentor (not in the store, which only persists, nor in the web layer, which
only relays) so a CLI chat could run the same turns. The web routes stay thin: they call
`begin()` (which raises the domain errors that become 404/413/422) and then relay `events()` as
SSE or collect it as JSON.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.conversation import ConversationState
from app.errors import BadInput, MentorError, StoreUnavailable
from app.mentor.types import Delta, Done, Event, Meta, Reply
from app.store.repository import Repository
from app.store.state import load_state

log = logging.getLogger(__name__)

FAILED_TEXT = "The mentor failed while answering. Your message is saved: send it again to retry."


class MessageTooLong(MentorError):
    status_code = 413
    exit_code = 2


class ChatEngine(Protocol):
    """What the web layer needs from the mentor (app.mentor.engine.Mentor provides it)."""

    def stream(self, state: ConversationState, message: str) -> AsyncIterator[Event]: ...


@dataclass
class Turn:
    """A turn that has begun: the user's message and an empty "partial" reply are committed."""

    owner: str
    conversation_id: str
    title: str
    created: bool
    user_message_id: int
    message: str
    state: ConversationState
    before: ConversationState
    assistant_message_id: int | None = None
    reply: Reply | None = None
    text: list[str] = field(default_factory=list)


TurnEvent = tuple[str, dict[str, Any]]


def check_message(message: str, max_chars: int) -> str:
    """An empty message is a 422, an over-long one a 413 naming the limit."""
    if not message.strip():
        raise BadInput("the message is empty: type a question, a section number or 'help'")
    if len(message) > max_chars:
        raise MessageTooLong(f"the message has {len(message)} characters; the limit is {max_chars}")
    return message


class ChatService:
    """Runs turns of `engine` and stores them through `repo`."""

    def __init__(self, repo: Repository, engine: ChatEngine, max_chars: int) -> None:
        self.repo = repo
        self.engine = engine
        self.max_chars = max_chars

    def check(self, message: str) -> str:
        return check_message(message, self.max_chars)

    def begin(self, owner: str, conversation_id: str | None, message: str) -> Turn:
        """Validate, find or create the conversation, commit the user's message (and the
        reply's "partial" row that events() fills in)."""
        message = self.check(message)
        conv, user, reply = self.repo.begin_turn(owner, conversation_id, message)
        state = load_state(conv.state)
        return Turn(
            owner=owner,
            conversation_id=conv.id,
            title=conv.title,
            created=not conversation_id,
            user_message_id=user.id,
            message=message,
            state=state,
            before=copy.deepcopy(state),
            assistant_message_id=reply.id,
        )

    async def events(self, turn: Turn) -> AsyncGenerator[TurnEvent, None]:
        """Run the mentor; yield ("meta"|"delta"|"done"|"error", data); persist the outcome."""
        assert turn.assistant_message_id is not None  # begin() stored the "partial" reply
        try:
            async for event in self.engine.stream(turn.state, turn.message):
                if isinstance(event, Meta):
                    yield "meta", self._meta(turn, event)
                elif isinstance(event, Delta):
                    turn.text.append(event.text)
                    yield "delta", {"text": event.text}
                elif isinstance(event, Done):
                    turn.reply = event.reply
            if turn.reply is None:
                raise RuntimeError("the mentor's stream ended without a reply")
        except (asyncio.CancelledError, GeneratorExit):
            # the client went away (Stop button, closed tab): keep what was produced; the
            # mentor had already decided the turn, so its state is kept too
            self._store_unfinished(turn, "partial", save_state=True)
            raise
        except Exception:
            log.exception("a chat turn failed")
            self._store_unfinished(turn, "failed", save_state=False)
            yield "error", {"message": FAILED_TEXT, "conversation_id": turn.conversation_id}
            return
        reply = turn.reply
        try:
            await asyncio.to_thread(
                self.repo.finish_turn,
                turn.owner,
                turn.conversation_id,
                turn.assistant_message_id,
                turn.before,
                turn.state,
                content=reply.markdown,
                intent=reply.intent,
                section=reply.section,
                citations=[c.to_json() for c in reply.citations],
                card=reply.card,
                notice=reply.notice,
                backend=reply.backend,
                status="ok",
            )
        except StoreUnavailable as exc:
            # the reply was produced but cannot be stored: say so rather than pretend it was
            log.warning("could not store a finished reply: %s", exc)
            yield (
                "error",
                {"message": str(exc), "conversation_id": turn.conversation_id, "retry": True},
            )
            return
        yield "done", self._done(turn, reply)

    async def complete(self, turn: Turn) -> dict[str, Any]:
        """The whole turn at once (the JSON API); a failure is a MentorError (500)."""
        meta: dict[str, Any] = {}
        events = self.events(turn)
        try:
            async for name, data in events:
                if name == "meta":
                    meta = data
                elif name == "error":
                    raise (StoreUnavailable if data.get("retry") else MentorError)(data["message"])
                elif name == "done":
                    return {**meta, **data}
        finally:
            await events.aclose()
        raise MentorError(FAILED_TEXT)

    def _store_unfinished(self, turn: Turn, status: str, *, save_state: bool) -> None:
        """Synchronous on purpose: this runs while the task is being cancelled."""
        if turn.assistant_message_id is None:
            return
        fields: dict[str, Any] = {"content": "".join(turn.text), "status": status}
        try:
            if save_state:
                self.repo.finish_turn(
                    turn.owner,
                    turn.conversation_id,
                    turn.assistant_message_id,
                    turn.before,
                    turn.state,
                    **fields,
                )
            else:
                self.repo.update_message(turn.assistant_message_id, **fields)
        except Exception:
            log.exception("could not store the unfinished reply")

    @staticmethod
    def _about(turn: Turn, head: Meta | Reply) -> dict[str, Any]:
        """What the first and the last event of a turn both say: the message and its topic."""
        return {
            "message_id": turn.assistant_message_id,
            "intent": head.intent,
            "section": head.section,
            "citations": [c.to_json() for c in head.citations],
        }

    @staticmethod
    def _meta(turn: Turn, event: Meta) -> dict[str, Any]:
        return {
            "conversation_id": turn.conversation_id,
            "title": turn.title,
            "created": turn.created,
            "user_message_id": turn.user_message_id,
            **ChatService._about(turn, event),
        }

    @staticmethod
    def _done(turn: Turn, reply: Reply) -> dict[str, Any]:
        return {
            "conversation_id": turn.conversation_id,
            **ChatService._about(turn, reply),
            "markdown": reply.markdown,
            "notice": reply.notice,
            "backend": reply.backend,
            "card": reply.card,
            "mode": turn.state.mode,
            "current_section": turn.state.current_section,
            "status": "ok",
        }
