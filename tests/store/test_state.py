"""The conversation state through its TypeAdapter: what is stored is what is read back."""

from __future__ import annotations

import json
import logging

import pytest

from app.conversation import ConversationState, SectionResult
from app.store.state import dump_state, load_state


def test_a_state_round_trips_through_json() -> None:
    state = ConversationState(
        current_section=5,
        offered_section=6,
        mode="interview",
        sections_seen=[3, 5],
        results={5: SectionResult(score=7.5, answered=2, at=1.0)},
        interview={"asked": ["q-1"], "index": 1},
        turns=4,
    )
    stored = json.loads(json.dumps(dump_state(state)))  # what the JSON column holds
    assert stored["results"] == {"5": {"score": 7.5, "answered": 2, "at": 1.0}}
    assert load_state(stored) == state
    assert dump_state(state) == state.to_json()  # the same JSON the old mapping wrote


@pytest.mark.parametrize("empty", [None, {}])
def test_no_state_is_a_fresh_one(empty: dict[str, object] | None) -> None:
    assert load_state(empty) == ConversationState()


def test_unknown_keys_are_ignored_and_a_broken_row_starts_afresh(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert load_state({"current_section": 2, "added_later": True}).current_section == 2
    with caplog.at_level(logging.WARNING):
        assert load_state({"mode": "karaoke", "turns": "many"}) == ConversationState()
    assert "does not validate" in caplog.text
