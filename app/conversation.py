"""Conversation state: plain data, serialisable to JSON so the store can persist it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Mode = Literal["revision", "interview"]


@dataclass
class SectionResult:
    """The last interview result for one section."""

    score: float  # mean 0-10 over the questions asked
    answered: int
    at: float  # unix time


@dataclass
class ConversationState:
    current_section: int | None = None
    offered_section: int | None = None  # the section the last reply offered ("yes" goes here)
    offers_interview: bool = False  # the last reply offered a mock interview (after section 20)
    mode: Mode = "revision"
    sections_seen: list[int] = field(default_factory=list)
    results: dict[int, SectionResult] = field(default_factory=dict)
    interview: dict[str, Any] | None = None  # the interview state machine's own JSON
    last_topic: str | None = None  # the last clarified question (for "explain simpler")
    turns: int = 0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["results"] = {str(k): v for k, v in data["results"].items()}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> ConversationState:
        if not data:
            return cls()
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        results = {int(k): SectionResult(**v) for k, v in (known.pop("results", {}) or {}).items()}
        return cls(**known, results=results)

    def mark_seen(self, number: int) -> None:
        if number not in self.sections_seen:
            self.sections_seen.append(number)
