"""Mastery per section, 0-1, from the event list at a given moment (pure: events + now).

    mastery(s) = sum(w_i * quality_i * R_i(now)) / max(sum(w_i), TARGET_WEIGHT)

over the items i of section s the user has touched: w_i is the item's weight (IMP questions
and IMP tasks count double), quality_i how good the answers were, R_i(now) FSRS
retrievability. The `max(..., TARGET_WEIGHT)` is coverage: one good answer is not mastery of a
section; about three IMP questions, the notes and a hands-on task are. Without review R falls,
so mastery decays; good answers raise quality, weight and FSRS stability, so it rises and
then decays more slowly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.catalog import SECTION_TITLES
from app.study.events import Event, utc
from app.study.memory import ItemState, fold

TARGET_WEIGHT = 8.0


@dataclass(frozen=True)
class SectionStatus:
    """What the progress page shows for one section."""

    section: int
    title: str
    mastery: float  # 0-1
    retention: float  # weighted mean retrievability of touched items, 0-1 (0 when untouched)
    coverage: float  # touched weight / target, capped at 1
    items: int
    due: int  # items whose FSRS due date has passed
    imp_items: int

    def to_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "title": self.title,
            "mastery": round(self.mastery, 3),
            "retention": round(self.retention, 3),
            "coverage": round(self.coverage, 3),
            "items": self.items,
            "due": self.due,
            "imp_items": self.imp_items,
        }


def _by_section(states: dict[str, ItemState]) -> dict[int, list[ItemState]]:
    out: dict[int, list[ItemState]] = {}
    for st in states.values():
        out.setdefault(st.section, []).append(st)
    return out


def _mastery(items: list[ItemState], now: datetime, target: float) -> float:
    if not items:
        return 0.0
    total = sum(i.weight for i in items)
    gained = sum(i.weight * i.strength(now) for i in items)
    return max(0.0, min(1.0, gained / max(total, target)))


def section_mastery(
    events: Iterable[Event], now: datetime, *, target_weight: float = TARGET_WEIGHT
) -> dict[int, float]:
    """Section number (1-20) -> mastery 0-1 at `now`; untouched sections are 0.0."""
    now = utc(now)
    grouped = _by_section(fold(events, now))
    return {n: _mastery(grouped.get(n, []), now, target_weight) for n in SECTION_TITLES}


def section_status(
    events: Iterable[Event], now: datetime, *, target_weight: float = TARGET_WEIGHT
) -> list[SectionStatus]:
    """One SectionStatus per section 1-20, for charts and the sidebar."""
    now = utc(now)
    grouped = _by_section(fold(events, now))
    out = []
    for n, title in SECTION_TITLES.items():
        items = grouped.get(n, [])
        total = sum(i.weight for i in items)
        retention = sum(i.weight * i.retrievability(now) for i in items) / total if total else 0.0
        out.append(
            SectionStatus(
                section=n,
                title=title,
                mastery=_mastery(items, now, target_weight),
                retention=retention,
                coverage=min(1.0, total / target_weight),
                items=len(items),
                due=sum(1 for i in items if i.due <= now),
                imp_items=sum(1 for i in items if i.imp),
            )
        )
    return out


STRONG, LEARNING = 0.7, 0.35  # the cut-offs every view labels mastery with


def level(mastery: float, items: int = 1) -> str:
    """'not started', 'weak', 'learning' or 'strong': the words the chart and sidebar show."""
    if items == 0:
        return "not started"
    if mastery >= STRONG:
        return "strong"
    if mastery >= LEARNING:
        return "learning"
    return "weak"
