"""The conversation state as stored: one pydantic `TypeAdapter` both ways, so what is written
and what is read back are checked against the same dataclass (no hand-written JSON mapping)."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import TypeAdapter, ValidationError

from app.conversation import ConversationState

log = logging.getLogger(__name__)

STATE: TypeAdapter[ConversationState] = TypeAdapter(ConversationState)


def dump_state(state: ConversationState) -> dict[str, Any]:
    """JSON-ready: section numbers as string keys, as JSON objects need."""
    data: dict[str, Any] = STATE.dump_python(state, mode="json")
    return data


def load_state(data: Any) -> ConversationState:
    """A stored state; a row written by an incompatible older build starts afresh (logged)
    rather than making the whole conversation unreadable."""
    if not data:
        return ConversationState()
    try:
        return STATE.validate_python(data)
    except ValidationError as exc:
        log.warning("a stored conversation state does not validate; starting afresh: %s", exc)
        return ConversationState()
