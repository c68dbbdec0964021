"""app.study.dashboard: the numbers the progress charts draw, from a scripted event list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.knowledge import Knowledge
from app.study.dashboard import DAYS, card_calendar, dashboard, interview_sessions, trend
from app.study.events import Event

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def interview(at: datetime, section: int, item: str, score: float) -> Event:
    return Event("interview", section, at, item=item, score=score)


def test_trend_is_the_least_squares_slope() -> None:
    assert trend([]) is None and trend([7.0]) is None
    assert trend([1.0, 2.0, 3.0]) == pytest.approx(1.0)
    assert trend([8.0, 6.0, 4.0, 2.0]) == pytest.approx(-2.0)
    assert trend([4.0, 5.5, 7.25, 8.5]) == pytest.approx(1.525)


def test_rows_sharing_a_time_are_one_session_with_per_section_means() -> None:
    first, second = NOW - timedelta(days=2), NOW - timedelta(days=1)
    events = [
        interview(second, 5, "net-1", 9),  # listed out of order on purpose
        interview(first, 5, "net-2", 4),
        interview(first, 5, "net-3", 6),
        interview(first, 6, "vol-1", 2),
        interview(second, 6, "vol-2", 7),
        Event("read", 5, first),  # not an interview: ignored
    ]
    out = interview_sessions(events)
    assert [s["session"] for s in out["sessions"]] == [1, 2]
    assert [s["score"] for s in out["sessions"]] == [4.0, 8.0]  # (4+6+2)/3, (9+7)/2
    assert [s["questions"] for s in out["sessions"]] == [3, 2]
    assert out["sessions"][0]["sections"] == [5, 6]
    by = {row["section"]: row["points"] for row in out["by_section"]}
    assert by[5] == [{"session": 1, "score": 5.0}, {"session": 2, "score": 9.0}]
    assert by[6] == [{"session": 1, "score": 2.0}, {"session": 2, "score": 7.0}]
    assert out["trend"] == pytest.approx(4.0)


def test_the_calendar_counts_reviews_by_day_and_overdue_cards_today(kb: Knowledge) -> None:
    qid = kb.questions[0].id
    reviewed = [
        Event("card", kb.questions[0].section, NOW - timedelta(days=3), item=qid, rating=1),
        Event(
            "card", kb.questions[0].section, NOW - timedelta(days=3, hours=1), item=qid, rating=3
        ),
        Event("card", kb.questions[0].section, NOW - timedelta(days=40), item=qid, rating=3),
    ]
    cal = card_calendar(kb, reviewed, NOW)
    assert len(cal["due"]) == DAYS and len(cal["reviews"]) == DAYS
    assert cal["due"][0]["date"] == NOW.date().isoformat()
    assert cal["reviews"][-1]["date"] == NOW.date().isoformat()
    three_days_ago = (NOW - timedelta(days=3)).date().isoformat()
    assert {r["date"]: r["cards"] for r in cal["reviews"]}[three_days_ago] == 2
    assert cal["reviews_total"] == 2  # the review 40 days ago is outside the window
    # one reviewed card: due within the window or overdue (counted today), never twice
    assert cal["due_total"] <= 1
    assert sum(d["cards"] for d in cal["due"]) == cal["due_total"]


def test_a_new_user_gets_empty_series_not_errors(kb: Knowledge) -> None:
    out = dashboard(kb, [], NOW)
    assert out["events"] == 0
    assert out["interviews"] == {"sessions": [], "by_section": [], "trend": None}
    assert out["cards"]["reviews_total"] == 0 and out["cards"]["due_total"] == 0
    assert len(out["mastery"]) == 20
