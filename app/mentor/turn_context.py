"""What the caller lends one turn without changing `Mentor.stream(state, message)` (the
ChatEngine protocol the CLI and the test fakes implement): context variables the web layer sets
around a turn and the engine reads.

- The study history (card reviews, interview scores, hands-on checks) belongs to the user, not
  to one conversation, and lives in the store, which the engine never sees. The web layer lends
  a loader for it (`study_history`). Unset (CLI, tests), "review my due cards" only points to
  /progress.
- A caller that collects the whole reply (the JSON API) has no reader watching it arrive: within
  `whole_replies()` the offline engine's text comes as one Delta, not word by word. A
  clarification is ~250 words, and each piece passing up through the turn's generators cost
  ~1 ms per reply.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from contextvars import ContextVar
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from app.study.events import Event as StudyEvent

T = TypeVar("T")

STUDY_EVENTS: ContextVar[Callable[[], Sequence[StudyEvent]] | None] = ContextVar(
    "study_events", default=None
)
WHOLE_TEXT: ContextVar[bool] = ContextVar("whole_text", default=False)


@contextmanager
def _lend(var: ContextVar[T], value: T) -> Iterator[None]:
    token = var.set(value)
    try:
        yield
    finally:
        with suppress(ValueError):  # a generator finalised in another context: nothing to undo
            var.reset(token)


def study_history(loader: Callable[[], Sequence[StudyEvent]]) -> AbstractContextManager[None]:
    """Within this block, a turn may read the current user's study events (loaded lazily)."""
    return _lend(STUDY_EVENTS, loader)


def whole_replies() -> AbstractContextManager[None]:
    """Within this block, offline text is emitted in one piece (the reply itself is the same)."""
    return _lend(WHOLE_TEXT, True)
