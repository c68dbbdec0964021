"""The verdict on one answer: `Grade`, the score bands, dated claims and the feedback text.

Both graders (offline_grader.py, llm_grader.py) end here, so a grade reads the same whoever
made it.

Dated claims (app/study/versions.py, knowledge/versions.yaml): an answer that says it the way
it was right years ago ("docker-compose up", `version: "3.8"`, DOCKER_BUILDKIT=1, "Kubernetes
uses Docker") gets `Grade.dated` (each: the note saying what was true and what changed, and
its citation into the notes) and a line of feedback per claim. Both graders attach them after
grading, from the same regexes, so they are identical offline, from an LLM and on fallback.
A dated claim is not a misconception: it was right once. So, conservatively, it changes the
grade only where the question is about the very change: when a rubric key point states the
current behaviour the claim contradicts (a `current` pattern of the fact matches the key
point), that key point is listed as missed and a "strong" becomes "partial" (score capped at
7, the top of the partial band). Otherwise the grade and score stay as graded: "docker-compose
up -d" in an answer about restart policies earns a note, not a lower grade. Nothing else
moves: no points off, and "partial" or "wrong" never get worse for being dated.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from app.mentor.rubric import Rubric
    from app.prompts import Prompts
    from app.study.versions import DatedClaim

GradeName = Literal["strong", "partial", "wrong"]
GRADES: tuple[GradeName, ...] = ("strong", "partial", "wrong")

FEEDBACK_TEMPLATE = "interview_feedback.j2"
MAX_ANSWER_CHARS = 8000


@dataclass(frozen=True)
class Grade:
    """One graded answer. `notice` says when the LLM grade fell back to the offline one."""

    grade: GradeName
    score: int  # 0-10
    covered: list[str]
    missed: list[str]
    misconceptions: list[str]
    feedback: str
    model_answer: str
    backend: str = "offline"
    notice: str | None = None
    # dated claims in the answer: DatedClaim.to_json() plus "key_point" (the rubric key point
    # about the current behaviour it contradicts, or None)
    dated: list[dict[str, Any]] = field(default_factory=list)
    # false claims the answer asserts: MythHit.to_json() each (quote, claim, correction, link)
    myths: list[dict[str, Any]] = field(default_factory=list)
    # the answer fits another question better than the one asked: that question, else None
    off_topic: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Grade:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class MythHit:
    """A false claim an answer asserts: the answer's own words, the claim it matched (from the
    myth catalogue or the rubric's misconceptions), what is true, and where the notes say so.
    `section` 0 and empty `heading`/`link`: a rubric misconception with no citation."""

    quote: str  # the sentence or clause of the answer that asserts it
    claim: str  # the catalogued phrasing (or rubric misconception) it matched
    correction: str
    section: int = 0
    heading: str = ""
    link: str = ""  # /sections/N#heading-slug
    myth_id: str = ""  # catalogue id; "" for a rubric misconception
    source: str = "catalogue"  # catalogue | rubric | fact (a detail the notes contradict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Grader(Protocol):
    """What the interview, the route and the CLI need: an async grade."""

    async def agrade(self, rubric: Rubric, answer: str) -> Grade: ...


def in_band(grade: GradeName, score: int) -> int:
    """The score kept inside its grade's band: strong 7-10, partial 3-7, wrong 0-3."""
    return {"strong": max(score, 7), "partial": min(max(score, 3), 7), "wrong": min(score, 3)}[
        grade
    ]


@dataclass(frozen=True)
class Dated:
    """A grade after its dated claims were applied."""

    grade: GradeName
    score: int
    covered: list[str]
    missed: list[str]
    dated: list[dict[str, Any]]


def apply_dated(
    rubric: Rubric,
    grade: GradeName,
    score: int,
    covered: list[str],
    missed: list[str],
    claims: list[DatedClaim],
) -> Dated:
    """Attach the dated claims; a claim contradicting a key point about the current behaviour
    makes that point missed and keeps the answer from strong (capped at partial, score <= 7).
    Anything else keeps its grade: a dated claim was right once, it is not a misconception."""
    covered, missed = list(covered), list(missed)
    dated: list[dict[str, Any]] = []
    on_point = False
    for claim in claims:
        points = [k for k in rubric.key_points if claim.concerns(k)]
        dated.append({**claim.to_json(), "key_point": points[0] if points else None})
        for k in points:
            on_point = True
            if k in covered:
                covered.remove(k)
            if k not in missed:
                missed.append(k)
    if on_point:
        order = {k: i for i, k in enumerate(rubric.key_points)}
        missed.sort(key=lambda k: order.get(k, len(order)))
    if on_point and grade == "strong":
        grade, score = "partial", min(score, 7)
    return Dated(grade, score, covered, missed, dated)


def render_grade(
    prompts: Prompts,
    rubric: Rubric,
    d: Dated,
    misconceptions: list[str],
    *,
    comment: str | None = None,
    too_short: bool = False,
    idk: bool = False,
    backend: str = "offline",
    myths: list[MythHit] | None = None,
    off_topic: str | None = None,
) -> Grade:
    """The Grade with its feedback (prompts/interview_feedback.j2), for either grader."""
    feedback = prompts.render(
        FEEDBACK_TEMPLATE,
        grade=d.grade,
        too_short=too_short,
        idk=idk,
        comment=comment,
        covered=d.covered,
        missed=d.missed,
        misconceptions=misconceptions,
        dated=d.dated,
        myths=[m.to_json() for m in myths or ()],
        off_topic=off_topic,
        model_answer=rubric.model_answer,
    )
    return Grade(
        d.grade,
        d.score,
        d.covered,
        d.missed,
        misconceptions,
        feedback,
        rubric.model_answer,
        backend=backend,
        dated=d.dated,
        myths=[m.to_json() for m in myths or ()],
        off_topic=off_topic,
    )
