"""Flashcards from the banks, scheduled by FSRS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.errors import BadInput, NotFound
from app.study.cards import deck, due, find, new_cards, next_due, review
from app.study.events import Event, parse_rating

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_one_card_per_question_with_key_points_and_model_answer(kb) -> None:  # type: ignore[no-untyped-def]
    cards = deck(kb)
    assert len(cards) == len(kb.questions) >= 100
    q = kb.questions[0]
    card = find(kb, q.id)
    assert card.front == q.question and card.section == q.section and card.imp == q.imp
    assert all(p in card.back for p in q.key_points)
    assert "Model answer:" in card.back and q.model_answer.strip()[:40] in card.back
    with pytest.raises(NotFound):
        find(kb, "no-such-card")


def test_ratings_schedule_further_or_sooner(kb) -> None:  # type: ignore[no-untyped-def]
    card = find(kb, kb.questions[0].id)
    when = {}
    for rating in ("again", "hard", "good", "easy"):
        # a card seen once before, reviewed again two days later
        events = [
            review(card, "good", T0),
            review(card, "good", T0 + timedelta(minutes=10)),
            review(card, rating, T0 + timedelta(days=2)),
        ]
        when[rating] = next_due(events, card.id)
    assert when["again"] < when["hard"] < when["good"] < when["easy"]  # type: ignore[operator]
    assert next_due([], card.id) is None


def test_due_lists_cards_whose_time_has_come_imp_first(kb) -> None:  # type: ignore[no-untyped-def]
    imp = next(q for q in kb.questions if q.imp)
    plain = next(q for q in kb.questions if not q.imp)
    events = [review(find(kb, plain.id), "good", T0), review(find(kb, imp.id), "good", T0)]
    assert due(kb, events, T0) == []
    later = due(kb, events, T0 + timedelta(days=1))
    assert [d.card.id for d in later] == [imp.id, plain.id]
    assert all(0 <= d.retrievability <= 1 for d in later)
    # an interview answer to the same question counts as a review of its card
    answered = [Event.interview(imp.section, imp.id, 10, T0, imp=True)]
    assert imp.id not in {c.id for c in new_cards(kb, answered, T0, limit=500)}


def test_new_cards_are_imp_first() -> None:
    assert parse_rating("Good") == 3 and parse_rating(4) == 4 and parse_rating("1") == 1
    for bad in ("meh", 0, 5, "", "10"):
        with pytest.raises(BadInput):
            parse_rating(bad)


def test_new_cards_order(kb) -> None:  # type: ignore[no-untyped-def]
    fresh = new_cards(kb, [], T0, limit=15)
    assert len(fresh) == 15 and all(c.imp for c in fresh)
