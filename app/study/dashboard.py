"""The study dashboard's numbers: mastery per section, interview scores over time, flashcards
due per day and reviews done. Pure: the event list, the knowledge base and a clock in, plain
JSON-ready dicts out (the web layer turns them into charts and their text alternatives).

An interview *session* is one scorecard: the store dates every graded row of a scorecard with
the reply's time, so events sharing a timestamp are one session. The trend is the least-squares
slope of the session averages, in points (0-10) per session.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from app.catalog import SECTION_TITLES
from app.knowledge import Knowledge
from app.study.events import Event, utc
from app.study.mastery import level, section_status
from app.study.memory import fold

DAYS = 14  # flashcards due over the next two weeks, reviews over the last two
IMP_HEADING = re.compile(r"^###\s.*\(IMP\)\s*$", re.M)


def imp_topics(kb: Knowledge) -> dict[int, int]:
    """Section -> how many of its `###` topics are marked (IMP) in the notes."""
    return {n: len(IMP_HEADING.findall(s.markdown)) for n, s in kb.sections.items()}


def trend(values: list[float]) -> float | None:
    """Least-squares slope of `values` against 0, 1, 2...; None for fewer than two points."""
    n = len(values)
    if n < 2:
        return None
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    num = sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values))
    den = sum((i - mean_x) ** 2 for i in range(n))
    return num / den


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def mastery_sections(kb: Knowledge, events: list[Event], now: datetime) -> list[dict[str, Any]]:
    """Per section: mastery, and `imp_recall`, the mean FSRS strength (quality x
    retrievability, 0 when never studied) over the section's (IMP) bank questions: how much of
    what interviews ask most the user could answer right now."""
    topics = imp_topics(kb)
    states = fold(events, now)
    imp_questions: dict[int, list[str]] = defaultdict(list)
    for q in kb.questions:
        if q.imp:
            imp_questions[q.section].append(q.id)
    out = []
    for s in section_status(events, now):
        ids = imp_questions.get(s.section, [])
        strengths = [st.strength(now) if (st := states.get(f"q:{i}")) else 0.0 for i in ids]
        out.append(
            {
                "section": s.section,
                "title": s.title,
                "mastery": round(s.mastery, 3),
                "level": level(s.mastery, s.items),
                "items": s.items,
                "imp_topics": topics.get(s.section, 0),
                "imp_questions": len(ids),
                "imp_recall": round(_mean(strengths), 3) if ids else 0.0,
            }
        )
    return out


def interview_sessions(events: Iterable[Event]) -> dict[str, Any]:
    """Sessions oldest first (date, mean score, sections, questions), per-section series, trend."""
    by_time: dict[datetime, list[Event]] = defaultdict(list)
    for e in events:
        if e.kind == "interview" and e.score is not None:
            by_time[e.at].append(e)
    sessions: list[dict[str, Any]] = []
    per_section: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for index, at in enumerate(sorted(by_time), start=1):
        rows = by_time[at]
        scores = [float(e.score or 0.0) for e in rows]
        sections = sorted({e.section for e in rows})
        sessions.append(
            {
                "session": index,
                "at": at.isoformat(),
                "score": round(_mean(scores), 2),
                "questions": len(rows),
                "sections": sections,
            }
        )
        for n in sections:
            mine = [float(e.score or 0.0) for e in rows if e.section == n]
            per_section[n].append({"session": index, "score": round(_mean(mine), 2)})
    slope = trend([float(s["score"]) for s in sessions])
    return {
        "sessions": sessions,
        "by_section": [
            {"section": n, "title": SECTION_TITLES.get(n, ""), "points": per_section[n]}
            for n in sorted(per_section)
        ],
        "trend": round(slope, 3) if slope is not None else None,
    }


def card_calendar(
    kb: Knowledge, events: list[Event], now: datetime, days: int = DAYS
) -> dict[str, Any]:
    """Flashcards due per UTC day for the next `days` days (FSRS due dates; overdue cards count
    on today) and flashcard reviews done per day over the last `days` days."""
    today = now.date()
    deck_ids = {q.id for q in kb.questions}
    due: Counter[date] = Counter()
    for key, st in fold(events, now).items():
        if key.startswith("q:") and key[2:] in deck_ids:
            due[max(st.due.date(), today)] += 1
    reviews: Counter[date] = Counter(e.at.date() for e in events if e.kind == "card")
    ahead = [today + timedelta(days=i) for i in range(days)]
    behind = [today - timedelta(days=i) for i in range(days - 1, -1, -1)]
    return {
        "due": [{"date": d.isoformat(), "cards": due[d]} for d in ahead],
        "reviews": [{"date": d.isoformat(), "cards": reviews[d]} for d in behind],
        "due_total": sum(due[d] for d in ahead),
        "reviews_total": sum(reviews[d] for d in behind),
    }


def dashboard(kb: Knowledge, events: list[Event], now: datetime) -> dict[str, Any]:
    """Everything the progress page draws, from one pass over the caller's history."""
    now = utc(now)
    return {
        "at": now.isoformat(),
        "events": len(events),
        "mastery": mastery_sections(kb, events, now),
        "interviews": interview_sessions(events),
        "cards": card_calendar(kb, events, now),
    }
