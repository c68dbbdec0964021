"""The backend interface: stream text for a request (rendered messages + the structured task).

The OpenAI-compatible backend sends `messages` to a model; the offline backend answers from
`task` (curated notes, retrieved passages). Both implement the same single method, so the
mentor treats them as equals.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal

from app.errors import MentorError

TaskKind = Literal["notes", "repair", "clarify", "grade", "other"]


class BackendError(MentorError):
    """The backend failed (timeout, refused, 4xx/5xx, cut stream, empty or bad output)."""


@dataclass
class Request:
    kind: TaskKind
    messages: list[dict[str, str]]
    task: dict[str, Any] = field(default_factory=dict)  # structured inputs, for offline
    json_mode: bool = False
    max_tokens: int | None = None


class Backend(ABC):
    name: str = "backend"

    @abstractmethod
    def stream(self, request: Request) -> AsyncIterator[str]:
        """Yield text pieces; raise BackendError on any failure."""

    async def complete(self, request: Request) -> str:
        parts = [piece async for piece in self.stream(request)]
        text = "".join(parts)
        if not text.strip():
            raise BackendError(f"{self.name} returned an empty answer")
        return text
