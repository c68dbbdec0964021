"""Flashcards from the question banks, reviewed again/hard/good/easy and scheduled by FSRS.

A card's id is its question's id, so interview answers to that question count as reviews too
(see app.study.memory). Cards are pure data; reviewing one returns the Event to store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.knowledge import Knowledge
from app.study.events import Event, parse_rating, utc
from app.study.mastery import section_mastery
from app.study.memory import SCHEDULER, ItemState, fold


@dataclass(frozen=True)
class Flashcard:
    id: str
    section: int
    imp: bool
    level: str
    front: str
    back: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "section": self.section,
            "imp": self.imp,
            "level": self.level,
            "front": self.front,
            "back": self.back,
        }


@dataclass(frozen=True)
class DueCard:
    card: Flashcard
    due: datetime
    retrievability: float

    def to_json(self) -> dict[str, Any]:
        return {
            **self.card.to_json(),
            "due": self.due.isoformat(),
            "retrievability": round(self.retrievability, 3),
        }


def deck(kb: Knowledge) -> list[Flashcard]:
    """One card per question: front = the question, back = key points + model answer."""
    cards = []
    for q in kb.questions:
        points = "\n".join(f"- {p}" for p in q.key_points)
        cards.append(
            Flashcard(
                id=q.id,
                section=q.section,
                imp=q.imp,
                level=q.level,
                front=q.question,
                back=f"Key points:\n{points}\n\nModel answer: {q.model_answer.strip()}",
            )
        )
    return cards


def _states(events: Iterable[Event], now: datetime) -> dict[str, ItemState]:
    return {k[2:]: v for k, v in fold(events, now).items() if k.startswith("q:")}


def due(kb: Knowledge, events: Iterable[Event], now: datetime) -> list[DueCard]:
    """Cards already studied whose FSRS due time has passed: IMP first, most faded first."""
    now = utc(now)
    states = _states(events, now)
    out = []
    for card in deck(kb):
        st = states.get(card.id)
        if st is not None and st.due <= now:
            out.append(DueCard(card, st.due, st.retrievability(now)))
    out.sort(key=lambda d: (not d.card.imp, d.retrievability, d.due))
    return out


def new_cards(
    kb: Knowledge, events: Iterable[Event], now: datetime, limit: int = 10
) -> list[Flashcard]:
    """Cards never studied, IMP first, from the weakest sections first."""
    events = list(events)
    now = utc(now)
    seen = set(_states(events, now))
    mastery = section_mastery(events, now)
    fresh = [c for c in deck(kb) if c.id not in seen]
    fresh.sort(key=lambda c: (not c.imp, mastery.get(c.section, 0.0), c.section))
    return fresh[: max(0, limit)]


def find(kb: Knowledge, card_id: str) -> Flashcard:
    from app.errors import NotFound

    for card in deck(kb):
        if card.id == card_id:
            return card
    raise NotFound(f"there is no flashcard {card_id!r}")


def review(card: Flashcard, rating: str | int, now: datetime) -> Event:
    """The event recording this review (the caller stores it)."""
    return Event.card(card.section, card.id, parse_rating(rating), now, imp=card.imp)


def next_due(events: Iterable[Event], card_id: str) -> datetime | None:
    """When the card is due next after all its reviews, or None if never studied."""
    st = _states(events, datetime.max.replace(tzinfo=utc(0).tzinfo)).get(card_id)
    return st.due if st else None


__all__ = ["SCHEDULER", "DueCard", "Flashcard", "deck", "due", "find", "new_cards", "next_due",
           "review"]  # fmt: skip
