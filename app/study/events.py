"""Study events: everything the user did that says something about what they know.

Plain, JSON-serialisable records; the store keeps them, the study functions fold them. Every
timestamp is an aware UTC datetime (FSRS insists), so a simulated clock is just a datetime.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from app.errors import BadInput

EventKind = Literal["read", "interview", "handson", "card"]
RATINGS = {"again": 1, "hard": 2, "good": 3, "easy": 4}


def utc(at: datetime | float | int | str) -> datetime:
    """Any timestamp (aware or naive datetime, unix seconds, ISO text) as an aware UTC datetime."""
    if isinstance(at, int | float):
        return datetime.fromtimestamp(float(at), tz=UTC)
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    if at.tzinfo is None:
        return at.replace(tzinfo=UTC)
    return at.astimezone(UTC)


def parse_rating(value: str | int) -> int:
    """'again'/'hard'/'good'/'easy' (or 1-4) -> 1-4; anything else is a BadInput."""
    if isinstance(value, int) and 1 <= value <= 4:
        return value
    text = str(value).strip().lower()
    if text in RATINGS:
        return RATINGS[text]
    if text.isdigit() and 1 <= int(text) <= 4:
        return int(text)
    raise BadInput(f"{value!r} is not a rating: answer again, hard, good or easy (or 1-4)")


@dataclass(frozen=True)
class Event:
    """One thing the user did.

    - read: the user read section `section`'s notes.
    - interview: question `item` graded `score` 0-10 (`imp` if the question is an IMP one).
    - handson: task `item` checked with `score` 0-1 (share of rules passed).
    - card: flashcard `item` (a question id) reviewed with `rating` 1-4.
    """

    kind: EventKind
    section: int
    at: datetime
    item: str | None = None
    score: float | None = None
    imp: bool = False
    rating: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", utc(self.at))
        if self.kind == "interview" and not (self.score is not None and 0 <= self.score <= 10):
            raise BadInput("an interview event needs a score from 0 to 10")
        if self.kind == "handson" and not (self.score is not None and 0 <= self.score <= 1):
            raise BadInput("a hands-on event needs a score from 0 to 1")
        if self.kind == "card" and self.rating not in (1, 2, 3, 4):
            raise BadInput("a card event needs a rating from 1 (again) to 4 (easy)")
        if self.kind != "read" and not self.item:
            raise BadInput(f"a {self.kind} event needs the question, task or card id")

    # constructors that read like the thing that happened
    @classmethod
    def read(cls, section: int, at: datetime) -> Event:
        return cls("read", section, at)

    @classmethod
    def interview(
        cls, section: int, question_id: str, score: float, at: datetime, *, imp: bool = False
    ) -> Event:
        return cls("interview", section, at, item=question_id, score=float(score), imp=imp)

    @classmethod
    def handson(
        cls, section: int, task_id: str, score: float, at: datetime, *, imp: bool = False
    ) -> Event:
        return cls("handson", section, at, item=task_id, score=float(score), imp=imp)

    @classmethod
    def card(
        cls, section: int, card_id: str, rating: str | int, at: datetime, *, imp: bool = False
    ) -> Event:
        return cls("card", section, at, item=card_id, rating=parse_rating(rating), imp=imp)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "section": self.section,
            "at": self.at.isoformat(),
            "item": self.item,
            "score": self.score,
            "imp": self.imp,
            "rating": self.rating,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Event:
        return cls(
            kind=data["kind"],
            section=int(data["section"]),
            at=utc(data["at"]),
            item=data.get("item"),
            score=data.get("score"),
            imp=bool(data.get("imp", False)),
            rating=data.get("rating"),
        )
