"""A scripted study week on a simulated clock: mastery rises with good answers, decays without
review, comes back with review, and the 45-minute cram plan fits and starts with the weakest
IMP topic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.study.cards import due, review
from app.study.events import Event
from app.study.mastery import section_mastery, section_status
from app.study.plan import cram_plan, imp_weights, rank_sections

MON = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def day(n: float, hour: int = 0) -> datetime:
    return MON + timedelta(days=n, hours=hour)


def imp_questions(kb, section: int, n: int = 3):  # type: ignore[no-untyped-def]
    return [q for q in kb.section(section).questions if q.imp][:n]


@pytest.fixture(scope="module")
def week(kb):  # type: ignore[no-untyped-def]
    """Mon: Compose notes + good answers; Tue: flashcards + a hands-on pass; Wed: Images,
    answered badly. Nothing after Wednesday."""
    ev: list[Event] = [Event.read(8, day(0))]
    for i, q in enumerate(imp_questions(kb, 8)):
        ev.append(Event.interview(8, q.id, 9, day(0, 1) + timedelta(minutes=i), imp=True))
    for q in imp_questions(kb, 8):
        ev.append(Event.card(8, q.id, "good", day(1), imp=True))
    ev.append(Event.handson(8, "cmp-wait-healthy-db", 1.0, day(1, 1), imp=True))
    ev.append(Event.read(3, day(2)))
    for q in imp_questions(kb, 3):
        ev.append(Event.interview(3, q.id, 3, day(2, 1), imp=True))
    return ev


def upto(events: list[Event], when: datetime) -> list[Event]:
    return [e for e in events if e.at <= when]


def test_mastery_rises_with_good_answers(week) -> None:  # type: ignore[no-untyped-def]
    before = section_mastery(upto(week, day(0))[:0], day(0))[8]
    after_reading = section_mastery(upto(week, day(0)), day(0))[8]
    after_answers = section_mastery(upto(week, day(0, 2)), day(0, 2))[8]
    after_day_two = section_mastery(upto(week, day(1, 2)), day(1, 2))[8]
    assert before == 0.0
    assert 0.0 < after_reading < after_answers < after_day_two
    assert after_day_two > 0.6


def test_good_answers_beat_bad_ones_and_imp_counts_double(kb, week) -> None:  # type: ignore[no-untyped-def]
    m = section_mastery(week, day(3))
    assert m[8] > 2 * m[3] > 0
    imp = next(q for q in kb.section(5).questions if q.imp)
    plain = next(q for q in kb.section(5).questions if not q.imp)
    with_imp = section_mastery([Event.interview(5, imp.id, 9, day(0), imp=True)], day(1))[5]
    with_plain = section_mastery([Event.interview(5, plain.id, 9, day(0))], day(1))[5]
    assert with_imp == pytest.approx(2 * with_plain)


def test_mastery_decays_without_review_and_returns_with_it(kb, week) -> None:  # type: ignore[no-untyped-def]
    curve = [section_mastery(week, day(d))[8] for d in (2, 7, 30, 90, 365)]
    assert curve == sorted(curve, reverse=True) and len(set(curve)) == len(curve), curve
    assert curve[-1] < 0.75 * curve[0]
    # a month later the cards are due; reviewing them brings mastery back up
    due_ids = {d.card.id for d in due(kb, week, day(30))}
    assert {q.id for q in imp_questions(kb, 8)} <= due_ids
    refreshed = week + [review(d.card, "good", day(30)) for d in due(kb, week, day(30))]
    assert section_mastery(refreshed, day(30, 1))[8] > curve[2]
    # and the refreshed knowledge fades more slowly than the first time (FSRS stability grew)
    first_drop = curve[0] - section_mastery(week, day(2 + 28))[8]
    second_drop = section_mastery(refreshed, day(30, 1))[8] - section_mastery(refreshed, day(58))[8]
    assert second_drop < first_drop


def test_status_for_the_progress_page(week) -> None:  # type: ignore[no-untyped-def]
    status = {s.section: s for s in section_status(week, day(3))}
    assert len(status) == 20
    s8 = status[8]
    assert s8.items == 5 and s8.imp_items == 4 and 0 < s8.retention <= 1 and s8.coverage == 1.0
    assert status[12].to_json() == {
        "section": 12,
        "title": "Docker Registries",
        "mastery": 0.0,
        "retention": 0.0,
        "coverage": 0.0,
        "items": 0,
        "due": 0,
        "imp_items": 0,
    }


def test_cram_plan_fits_45_minutes_and_starts_with_the_weakest_imp_topic(kb, week) -> None:  # type: ignore[no-untyped-def]
    plan = cram_plan(kb, week, 45, day(3))
    assert plan.total == 45 and all(i.minutes > 0 for i in plan.items)
    first = plan.items[0]
    mastery = section_mastery(week, day(3))
    weights = imp_weights(kb)
    # the first step is about a section nobody has touched yet (mastery 0, the weakest) whose
    # IMP weight is the highest of those: the weakest IMP topic (the heaviest of all may be one
    # the week studied, such as Compose)
    weakest = min(mastery[n] for n in kb.sections)
    assert mastery[first.section] == weakest
    assert weights[first.section] == max(w for n, w in weights.items() if mastery[n] == weakest)
    assert first.kind == "revise" and "(IMP)" in first.title
    # the well-studied Compose section is not in the first half of the plan
    half = plan.items[: len(plan.items) // 2]
    assert 8 not in {i.section for i in half if i.kind != "cards"}
    # ranking is IMP weight x weakness x due-ness, best first
    ranking = rank_sections(kb, week, day(3))
    assert ranking[0][0] == first.section
    assert [p for _, p in ranking] == sorted((p for _, p in ranking), reverse=True)
    assert dict(ranking)[8] < dict(ranking)[3]  # bad answers on Images rank above good Compose


@pytest.mark.parametrize("minutes", [5, 7, 12, 20, 31, 45, 60, 90, 120, 240])
def test_plans_never_go_over_and_fill_the_budget(kb, week, minutes: int) -> None:  # type: ignore[no-untyped-def]
    for when in (day(0), day(3), day(40)):
        plan = cram_plan(kb, upto(week, when), minutes, when)
        assert plan.total == minutes, plan.to_markdown()
        refs = [r for i in plan.items for r in i.refs]
        assert len(refs) == len(set(refs)), "an item appears twice"


def test_plan_includes_due_cards_and_hands_on_tasks(kb, week) -> None:  # type: ignore[no-untyped-def]
    from app.handson import load_book
    from tests.conftest import KNOWLEDGE

    plan = cram_plan(kb, week, 60, day(30), tasks=load_book(KNOWLEDGE))
    kinds = [i.kind for i in plan.items]
    assert "task" in kinds and "question" in kinds and "revise" in kinds
    due_ids = {d.card.id for d in due(kb, week, day(30))}
    planned = {r for i in plan.items if i.kind == "cards" for r in i.refs}
    assert due_ids & planned
    text = plan.to_markdown()
    assert text.startswith("**Your 60-minute plan**") and "mentor check-task" in text
    assert plan.to_json()["total"] == 60
