"""Study events: validation, time zones, JSON round trip, reading the old CLI journal."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.errors import BadInput
from app.study import journal
from app.study.events import Event, utc

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_timestamps_become_aware_utc() -> None:
    assert utc(datetime(2026, 3, 2, 9, 0)) == T0
    assert utc(datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))) == T0
    assert utc(T0.timestamp()) == T0 and utc("2026-03-02T09:00:00+00:00") == T0
    assert Event.read(3, datetime(2026, 3, 2, 9, 0)).at.tzinfo is UTC


@pytest.mark.parametrize(
    "make",
    [
        lambda: Event.interview(3, "q", 11, T0),
        lambda: Event.interview(3, "q", -1, T0),
        lambda: Event.handson(3, "t", 1.5, T0),
        lambda: Event.card(3, "c", "meh", T0),
        lambda: Event("interview", 3, T0, score=5),
    ],
)
def test_invalid_events_are_bad_input(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BadInput):
        make()


def test_json_round_trip_and_journal(tmp_path: Path) -> None:
    events = [
        Event.read(8, T0),
        Event.interview(8, "cmp-v1-v2", 7.5, T0, imp=True),
        Event.handson(8, "cmp-wait-healthy-db", 0.8, T0, imp=True),
        Event.card(8, "cmp-v1-v2", "easy", T0, imp=True),
    ]
    assert [Event.from_json(e.to_json()) for e in events] == events
    path = tmp_path / "j" / "study.jsonl"
    assert journal.load(path) == []
    path.parent.mkdir()
    path.write_text("".join(json.dumps(e.to_json()) + "\n" for e in events))
    assert journal.load(path) == events
    path.write_text(path.read_text() + "{not json}\n")
    with pytest.raises(BadInput, match=r"study\.jsonl:5"):
        journal.load(path)
