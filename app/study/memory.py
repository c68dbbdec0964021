"""The memory model: one FSRS card per studied item, folded from the event list.

Decision: cards are **per item** (per question, per hands-on task, plus one "notes" item per
section), not one card per section. An interview answer and a flashcard review of the same
question are two retrievals of the same memory, so they update the same card; a section's
mastery is then an (IMP-)weighted sum over its items. Per-item cards let the planner name the
exact questions that have faded, which a single per-section card could not.

Each event becomes an FSRS review (an interview score or hands-on result is mapped to a
rating), and each item also keeps a quality in [0, 1]: how good the last answers were
(an exponential moving average). FSRS stability says how fast that knowledge fades; FSRS
retrievability R(now) is the decay factor. Fuzzing is off, so the same events give the same
schedule (tests run on a simulated clock).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from fsrs import Card, Rating, Scheduler

from app.study.events import Event, utc

SCHEDULER = Scheduler(enable_fuzzing=False)

# how much one item counts towards its section's mastery
WEIGHT_NOTES = 1.0
WEIGHT_QUESTION = 1.0
WEIGHT_IMP_QUESTION = 2.0
WEIGHT_TASK = 1.5
WEIGHT_IMP_TASK = 2.0
READ_QUALITY = 0.5  # reading is exposure, not recall
QUALITY_ALPHA = 0.5  # weight of the newest result in the moving average
CARD_QUALITY = {1: 0.0, 2: 0.5, 3: 0.8, 4: 1.0}


@dataclass(frozen=True)
class ItemState:
    key: str  # notes:5, q:<question id>, task:<task id>
    section: int
    imp: bool
    weight: float
    quality: float
    card: Card
    reviews: int
    last: datetime

    def retrievability(self, now: datetime) -> float:
        return float(SCHEDULER.get_card_retrievability(self.card, utc(now)))

    def strength(self, now: datetime) -> float:
        """Quality decayed by forgetting: what the user could show right now, 0-1."""
        return self.quality * self.retrievability(now)

    @property
    def due(self) -> datetime:
        return self.card.due


def item_key(event: Event) -> str:
    if event.kind == "read":
        return f"notes:{event.section}"
    if event.kind == "handson":
        return f"task:{event.item}"
    return f"q:{event.item}"


def score_to_rating(event: Event) -> tuple[Rating, float]:
    """(FSRS rating, quality 0-1) for one event."""
    if event.kind == "card":
        rating = event.rating or 1
        return Rating(rating), CARD_QUALITY[rating]
    if event.kind == "read":
        return Rating.Good, READ_QUALITY
    # interview scores are 0-10, hands-on scores already 0-1
    q = (event.score or 0.0) / (10.0 if event.kind == "interview" else 1.0)
    if q < 0.4:
        rating = Rating.Again
    elif q < 0.65:
        rating = Rating.Hard
    elif q < 0.9 or event.kind == "handson":
        rating = Rating.Good
    else:
        rating = Rating.Easy
    return rating, q


def _weight(event: Event) -> float:
    if event.kind == "read":
        return WEIGHT_NOTES
    if event.kind == "handson":
        return WEIGHT_IMP_TASK if event.imp else WEIGHT_TASK
    return WEIGHT_IMP_QUESTION if event.imp else WEIGHT_QUESTION


def _card_id(key: str) -> int:
    # a stable id (Card() would otherwise sleep 1 ms and use the wall clock)
    import zlib

    return zlib.crc32(key.encode("utf-8"))


def fold(events: Iterable[Event], now: datetime | None = None) -> dict[str, ItemState]:
    """Replay events (oldest first, ignoring any after `now`) into per-item FSRS state."""
    cutoff = utc(now) if now is not None else None
    states: dict[str, ItemState] = {}
    for ev in sorted(events, key=lambda e: e.at):
        if cutoff is not None and ev.at > cutoff:
            continue
        key = item_key(ev)
        rating, quality = score_to_rating(ev)
        prev = states.get(key)
        card = prev.card if prev else Card(card_id=_card_id(key), due=ev.at)
        card, _ = SCHEDULER.review_card(card, rating, review_datetime=ev.at)
        if prev is None:
            q = quality
        elif ev.kind == "read":
            q = max(prev.quality, quality) if prev.key.startswith("notes:") else prev.quality
        else:
            q = QUALITY_ALPHA * quality + (1 - QUALITY_ALPHA) * prev.quality
        states[key] = ItemState(
            key=key,
            section=ev.section,
            imp=ev.imp or (prev.imp if prev else False),
            weight=max(_weight(ev), prev.weight if prev else 0.0),
            quality=q,
            card=card,
            reviews=(prev.reviews if prev else 0) + 1,
            last=ev.at,
        )
    return states
