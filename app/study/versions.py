"""Version-aware facts: recognise an answer that was right years ago and say what changed.

The facts live in `knowledge/versions.yaml` (id, topic, regex `patterns` for the old way of
saying it, `current` regexes for a statement of today's behaviour, then, now, since, and a cite
into the notes). The grader calls `dated_claims(answer_text)`; each hit is a DatedClaim whose
`note` the feedback quotes ("“docker-compose up” was right before Compose v2: ...") with its
citation ("Section 8 > Compose v2 vs v1, ...").

Only claims are reported, not mentions. A match does not count when

- its sentence marks it as history or denies it: past or legacy wording ("used to", "v1",
  "legacy", "obsolete", "end of life", "no longer", "before Engine 23.0", "since Kubernetes
  1.24"), a negation ("not", "don't", "instead of", "people think"), or "ignored"/"warning".
  "Compose v1 used `docker-compose up`, end of life since 2023" is a modern answer;
- or the answer states the current behaviour anywhere (a `current` pattern matches): whoever
  writes "the version key is obsolete" knows what changed, even next to an old example.

Both rules err towards saying nothing: a missed dated claim costs a note, a wrongly flagged
modern answer would tell a correct candidate they are out of date.

`DatedClaim.concerns(text)` tells the grader whether a rubric key point is about the current
behaviour the claim contradicts (it matches one of the fact's `current` patterns).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.errors import KnowledgeError
from app.knowledge import yaml_list
from app.settings import content_dir

MAX_TEXT = 20_000


class _CiteSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    section: int = Field(ge=1, le=20)
    quote: str = Field(min_length=8)
    # filled in by load_facts from the notes next to versions.yaml, not written in the file
    heading: str = ""


class VersionFact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    topic: str
    patterns: tuple[str, ...] = Field(min_length=1)
    current: tuple[str, ...] = ()
    then: str
    now: str
    since: str
    cite: _CiteSpec

    def compiled(self) -> list[re.Pattern[str]]:
        return [re.compile(p, re.I) for p in self.patterns]

    def compiled_current(self) -> list[re.Pattern[str]]:
        return [re.compile(p, re.I) for p in self.current]


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
    heading: str = ""
    current: tuple[str, ...] = field(default=(), repr=False, compare=False)

    @property
    def note(self) -> str:
        """For feedback: what was true, and what changed."""
        return f"\u201c{self.matched}\u201d was right before {self.since}: {self.then} {self.now}"

    @property
    def citation(self) -> str:
        """'Section 8 > Compose v2 vs v1, ...', or 'Section 8' when the heading is unknown."""
        return f"Section {self.section}" + (f" > {self.heading}" if self.heading else "")

    def concerns(self, text: str) -> bool:
        """Is `text` (a rubric key point) about the current behaviour this claim contradicts?"""
        return any(re.search(p, text, re.I) for p in self.current)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "topic": self.topic,
            "matched": self.matched,
            "then": self.then,
            "now": self.now,
            "since": self.since,
            "note": self.note,
            "citation": self.citation,
            "cite": {"section": self.section, "heading": self.heading, "quote": self.quote},
        }


_IMP = re.compile(r"\s*\(IMP\)\s*$", re.I)
_MARKUP = re.compile(r"[*`_]")


def _headings(sections: Path, facts: list[VersionFact]) -> list[VersionFact]:
    """Each fact with the heading its cited phrase sits under, when the notes are there."""
    out = []
    for fact in facts:
        heading = ""
        want = " ".join(_MARKUP.sub("", fact.cite.quote).split()).lower()
        for path in sorted(sections.glob(f"{fact.cite.section:02d}-*.md")):
            current = ""
            for raw in path.read_text(encoding="utf-8").splitlines():
                if raw.startswith(("## ", "### ")):
                    current = _IMP.sub("", raw.lstrip("#")).strip()
                if want in " ".join(_MARKUP.sub("", raw).split()).lower():
                    heading = current
                    break
        cite = fact.cite.model_copy(update={"heading": heading})
        out.append(fact.model_copy(update={"cite": cite}))
    return out


def load_facts(path: Path) -> list[VersionFact]:
    """Parse versions.yaml; a bad file is a KnowledgeError naming it (and bad regexes too).
    Citations get their heading from `sections/` next to the file, when it exists."""
    try:
        # an empty (or comments-only) file states no facts
        items = yaml_list(path, "version facts must be a YAML list", empty_ok=True)
    except OSError as exc:
        raise KnowledgeError(f"{path}:1: cannot read version facts ({exc})") from None
    facts = []
    for i, (line, item) in enumerate(items):
        try:
            fact = VersionFact(**item)
            fact.compiled()
            fact.compiled_current()
        except (TypeError, ValidationError, re.error) as exc:
            raise KnowledgeError(f"{path}:{line}: fact #{i + 1}: {exc}") from None
        facts.append(fact)
    sections = path.parent / "sections"
    return _headings(sections, facts) if sections.is_dir() else facts


def fact_problems(knowledge_dir: Path) -> list[str]:
    """For `mentor check`: a versions.yaml that does not load, or a fact whose cited phrase is
    not in its section's notes (none when the folder has no versions.yaml)."""
    # imported here: the grader imports this module at start-up and never needs the task model
    from app.handson.model import CiteSpec, NoteIndex

    path = knowledge_dir / "versions.yaml"
    if not path.exists():
        return []
    try:
        facts = load_facts(path)
    except KnowledgeError as exc:
        return [str(exc)]
    notes = NoteIndex.load(knowledge_dir / "sections")
    return [
        f"{path}: fact {f.id} cites a phrase not in its section"
        for f in facts
        if notes.resolve(CiteSpec(section=f.cite.section, quote=f.cite.quote)) is None
    ]


@lru_cache(maxsize=4)
def _cached(path: str, mtime: float) -> tuple[VersionFact, ...]:
    return tuple(load_facts(Path(path)))


def facts_for(knowledge_dir: Path) -> tuple[VersionFact, ...]:
    """The facts of a knowledge folder (`settings.knowledge_dir`), reloaded when it changes."""
    path = knowledge_dir / "versions.yaml"
    if not path.exists():
        return ()
    return _cached(str(path), path.stat().st_mtime)


def default_facts() -> tuple[VersionFact, ...]:
    """The facts of the default knowledge folder (the checkout's, or the wheel's copy).

    For callers that pass no facts; it reads neither the environment nor the cached global
    settings, so a caller with its own settings passes `facts_for(settings.knowledge_dir)`.
    """
    return facts_for(content_dir("knowledge"))


# A sentence with one of these talks about history, or denies the old claim.
_HISTORY = re.compile(
    r"\b(?:used\s+to|no\s+longer|any\s?more|deprecated|obsolete|legacy|end[-\s]of[-\s]life|eol|"
    r"removed|retired|replaced|superseded|old|older|outdated|historically|in\s+the\s+past|"
    r"previously|formerly|back\s+then|years\s+ago|originally|v1|version\s+1|"
    r"(?:before|until|prior\s+to|pre)[-\s]+(?:the\s+)?(?:compose|engine|docker|kubernetes|k8s|"
    r"v?\d|version|buildkit|20\d\d|april|june|may|february)|"
    r"since\s+(?:compose|engine|docker|kubernetes|k8s|v?\d|version|buildkit|20\d\d|april|june|"
    r"may|february)|"
    r"ignored|ignores|warning|warns|no\s+need|not\s+needed|unnecessary|"
    r"not|never|nor|instead\s+of|rather\s+than|myth|misconception|mistake|wrong|incorrect|untrue|"
    r"(?:people|many|some|others|juniors|beginners|tutorials)\s+(?:\w+\s+)?"
    r"(?:think|believe|assume|say|claim))\b"
    r"|\b\w+n['\u2019]t\b",
    re.I,
)
# Sentence ends: . ! ? before a space, a line break, a semicolon.
_BOUNDARY = re.compile(r"[.!?](?=\s)|\n|;")


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence (or line) holding text[start:end], widened to whole sentences."""
    span = text[start:end]
    start += len(span) - len(span.lstrip())
    end -= len(span) - len(span.rstrip())
    left, right = 0, len(text)
    for b in _BOUNDARY.finditer(text):
        if b.end() <= start:
            left = b.end()
        elif b.start() >= end:
            right = b.start()
            break
    return text[left:right]


def historical(sentence: str) -> bool:
    """Does the sentence put its claim in the past, or deny it?"""
    return bool(_HISTORY.search(sentence))


def dated_claims(
    answer_text: str, facts: tuple[VersionFact, ...] | list[VersionFact] | None = None
) -> list[DatedClaim]:
    """Every version-sensitive fact the answer states the old way, first claim per fact; no
    claim where the sentence is history or a denial, or the answer states the current way."""
    if not answer_text:
        return []
    text = answer_text[:MAX_TEXT]
    out = []
    for fact in facts if facts is not None else default_facts():
        if any(p.search(text) for p in fact.compiled_current()):
            continue
        m = next(
            (
                m
                for pattern in fact.compiled()
                for m in pattern.finditer(text)
                if not historical(sentence_around(text, m.start(), m.end()))
            ),
            None,
        )
        if m is None:
            continue
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
                heading=fact.cite.heading,
                current=fact.current,
            )
        )
    return out
