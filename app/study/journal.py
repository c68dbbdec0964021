"""A JSON-lines file of study events, for the `mentor` CLI (the web app keeps its own store)."""

from __future__ import annotations

import json
from pathlib import Path

from app.errors import BadInput
from app.study.events import Event


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


def append(path: Path, *events: Event) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        for ev in events:
            fh.write(json.dumps(ev.to_json()) + "\n")
