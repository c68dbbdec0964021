"""Version-aware facts: recognise an answer that was right years ago and say what changed.

The facts live in `knowledge/versions.yaml` (id, topic, regex patterns, then, now, since, and a
cite into the notes). The grader calls `dated_claims(answer_text)`; each hit is a DatedClaim
the feedback can quote ("Compose v1 reached end of life in June 2023 ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.errors import KnowledgeError

MAX_TEXT = 20_000


class _CiteSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    section: int = Field(ge=1, le=20)
    quote: str = Field(min_length=8)


class VersionFact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    topic: str
    patterns: tuple[str, ...] = Field(min_length=1)
    then: str
    now: str
    since: str
    cite: _CiteSpec

    def compiled(self) -> list[re.Pattern[str]]:
        return [re.compile(p, re.I) for p in self.patterns]


@dataclass(frozen=True)
class DatedClaim:
    """One dated statement found in an answer."""

    id: str
    topic: str
    matched: str  # the text that matched, as the user wrote it
    then: str
    now: str
    since: str
    section: int
    quote: str

    @property
    def note(self) -> str:
        """One sentence for feedback: what was true, what changed."""
        return f"\u201c{self.matched}\u201d is dated ({self.topic}): {self.now}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "topic": self.topic,
            "matched": self.matched,
            "then": self.then,
            "now": self.now,
            "since": self.since,
            "note": self.note,
            "cite": {"section": self.section, "quote": self.quote},
        }


def load_facts(path: Path) -> list[VersionFact]:
    """Parse versions.yaml; a bad file is a KnowledgeError naming it (and bad regexes too)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"{path}:1: cannot read version facts ({exc})") from None
    if not isinstance(data, list):
        raise KnowledgeError(f"{path}:1: version facts must be a YAML list")
    facts = []
    for i, item in enumerate(data):
        try:
            fact = VersionFact(**item)
            fact.compiled()
        except (TypeError, ValidationError, re.error) as exc:
            raise KnowledgeError(f"{path}: fact #{i + 1}: {exc}") from None
        facts.append(fact)
    return facts


@lru_cache(maxsize=4)
def _cached(path: str, mtime: float) -> tuple[VersionFact, ...]:
    return tuple(load_facts(Path(path)))


def default_facts() -> tuple[VersionFact, ...]:
    from app.settings import get_settings

    path = get_settings().knowledge_dir / "versions.yaml"
    if not path.exists():
        return ()
    return _cached(str(path), path.stat().st_mtime)


def dated_claims(
    answer_text: str, facts: tuple[VersionFact, ...] | list[VersionFact] | None = None
) -> list[DatedClaim]:
    """Every version-sensitive fact the answer states the old way, first match per fact."""
    if not answer_text:
        return []
    text = answer_text[:MAX_TEXT]
    out = []
    for fact in facts if facts is not None else default_facts():
        for pattern in fact.compiled():
            m = pattern.search(text)
            if m:
                out.append(
                    DatedClaim(
                        id=fact.id,
                        topic=fact.topic,
                        matched=" ".join(m.group(0).split())[:80],
                        then=fact.then,
                        now=fact.now,
                        since=fact.since,
                        section=fact.cite.section,
                        quote=fact.cite.quote,
                    )
                )
                break
    return out
