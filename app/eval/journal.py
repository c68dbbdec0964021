"""Per-item results of one row, appended to a JSON-lines file as each item finishes.

A slow model (SmolLM2 on two busy cores takes the better part of an hour for `--limit 20`) can
be interrupted and resumed (`mentor eval --resume`): finished items are read back instead of
asked again, and the row is computed from the records either way, so a resumed row is the row
an uninterrupted run would have written.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from app.errors import BadInput

Record = dict[str, Any]


def item_key(part: str, *texts: str) -> str:
    """A stable key for one item: its part and a hash of what it asks."""
    digest = hashlib.sha1("\x1f".join(texts).encode("utf-8")).hexdigest()[:12]
    return f"{part}:{digest}"


def journal_path(data_dir: Path, name: str, max_tokens: int | None) -> Path:
    """One file per (row name, reply cap) under <data_dir>/eval/runs/."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80] or "row"
    return data_dir / "eval" / "runs" / f"{slug}-cap{max_tokens or 'none'}.jsonl"


class Journal:
    """The records of one row; `path=None` keeps them in memory only."""

    def __init__(self, path: Path | None = None, *, header: Record, resume: bool = False) -> None:
        self.path = path
        self.header = header
        self.records: dict[str, Record] = {}
        self.resumed = 0
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        if resume and path.is_file():
            self._read(path)
            self.resumed = len(self.records)
        else:
            path.write_text(json.dumps({"header": header}) + "\n", encoding="utf-8")

    def _read(self, path: Path) -> None:
        lines = path.read_text(encoding="utf-8").splitlines()
        try:
            first = json.loads(lines[0]) if lines else {}
        except json.JSONDecodeError:
            first = {}
        found = first.get("header") if isinstance(first, dict) else None
        if found != self.header:
            raise BadInput(
                f"{path} was written by another run ({found}); "
                "drop --resume to start this row again"
            )
        for line in lines[1:]:
            try:
                entry = json.loads(line)
                self.records[str(entry["key"])] = dict(entry["record"])
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                continue  # a line cut short when the run was killed: that item runs again

    def get(self, key: str) -> Record | None:
        return self.records.get(key)

    def put(self, key: str, record: Record) -> None:
        self.records[key] = record
        if self.path is not None:
            with self.path.open("a", encoding="utf-8") as f:
                f.write(json.dumps({"key": key, "record": record}) + "\n")
