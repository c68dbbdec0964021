"""The old CLI journal (JSON lines of study events) and its one-time move into the store.

The `mentor` CLI used to keep its own journal (<data_dir>/study-journal.jsonl) while the web app
kept the same events in the database: two stores for one history. Now both use the store; this
module only reads an old journal and imports it once. It knows the store by the two methods it
needs (`EventStore`), so app.study still imports nothing from app.store (which imports us).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from app.errors import BadInput
from app.study.events import Event

IMPORTED_SUFFIX = ".imported"
STORED_KINDS = ("handson", "card")  # the store derives reads and interview grades from the chat


class EventStore(Protocol):
    """What the import needs of app.store.Repository."""

    def add_study_event(self, owner: str, event: Event) -> None: ...

    def study_events(
        self, owner: str, imp_questions: frozenset[str] = frozenset()
    ) -> list[Event]: ...


@dataclass(frozen=True)
class Imported:
    """What an import did: events added, events already there, events the store cannot hold."""

    source: Path
    moved_to: Path
    added: int
    duplicates: int
    skipped: int


def load(path: Path) -> list[Event]:
    """Every event in the journal; a missing file is an empty history."""
    if not path.exists():
        return []
    events = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            events.append(Event.from_json(json.loads(line)))
        except (ValueError, KeyError, TypeError, BadInput) as exc:
            raise BadInput(f"{path}:{n}: not a study event ({exc})") from None
    return events


def _key(ev: Event) -> tuple[object, ...]:
    return (ev.kind, ev.section, ev.item, ev.at, ev.score, ev.rating)


def import_once(path: Path, store: EventStore, owner: str) -> Imported | None:
    """Move an old journal's events into `store` for `owner`, then rename the file.

    Once: the renamed file (`<name>.imported`, kept as a backup) is never read again, and events
    already in the store are not added twice, so an import cut short by a crash can simply run
    again. A malformed journal is a BadInput naming the line, and nothing is imported.
    """
    if not path.is_file():
        return None
    events = load(path)
    have = {_key(ev) for ev in store.study_events(owner)}
    added = duplicates = skipped = 0
    for ev in events:
        if ev.kind not in STORED_KINDS:
            skipped += 1
        elif _key(ev) in have:
            duplicates += 1
        else:
            store.add_study_event(owner, ev)
            have.add(_key(ev))
            added += 1
    moved_to = path.with_name(path.name + IMPORTED_SUFFIX)
    path.replace(moved_to)
    return Imported(path, moved_to, added, duplicates, skipped)
