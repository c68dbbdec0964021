"""The request and response bodies of the JSON API, as pydantic models: every JSON route names
its `response_model`, so the OpenAPI document (and schemathesis, and any client generator) knows
the real shapes.

Bodies built by other packages' `to_json()` (study, hands-on, grading) are open models
(`extra="allow"`): the fields listed here are documented and checked, and a field those
packages add later still reaches the client instead of being silently dropped.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.dataclasses import dataclass as pydantic_dataclass

from app.study.cards import Flashcard

Number = int | float  # an int stays an int in the JSON (a bare float would turn 6 into 6.0)


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


# -- ops -------------------------------------------------------------------------------------


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: Literal["ready", "starting", "failed"]
    index: bool
    mentor: bool
    database: bool


# -- sections and search ---------------------------------------------------------------------


class SectionTitle(BaseModel):
    number: int
    title: str


class SectionNote(BaseModel):
    number: int
    title: str
    markdown: str
    html: str = Field(description="sanitised HTML of the note")


class SearchHit(Open):
    section: int
    heading: str
    score: Number
    text: str
    citation: str
    anchor: str = Field(description="its spot on the printable page: /sections/N#anchor")
    kind: str
    id: str


# -- chat and conversations ------------------------------------------------------------------


class Citation(Open):
    section: int
    heading: str
    anchor: str | None = Field(default=None, description="the heading's slug: /sections/N#anchor")


class ChatIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    message: str = Field(description="what the user typed")
    conversation_id: str | None = Field(default=None, description="null starts a conversation")


class ChatReply(Open):
    """The whole turn (`Accept: application/json`); the SSE `done` event carries the same."""

    conversation_id: str
    message_id: int | None
    intent: str
    section: int | None
    citations: list[Citation]
    markdown: str
    html: str
    notice: str | None = None
    backend: str | None = None
    card: dict[str, Any] | None = None
    mode: str | None = None
    current_section: int | None = None
    status: str


class ConversationSummary(BaseModel):
    id: str
    title: str
    created_at: str
    updated_at: str
    messages: int


class MessageOut(BaseModel):
    id: int
    role: str
    content: str
    html: str
    intent: str | None
    section: int | None
    citations: list[Citation]
    card: dict[str, Any] | None
    notice: str | None
    status: str
    created_at: str


class ConversationOut(BaseModel):
    id: str
    title: str
    created_at: str
    updated_at: str
    state: dict[str, Any]
    messages: list[MessageOut]


class RenameIn(BaseModel):
    title: str


class Renamed(BaseModel):
    id: str
    title: str
    updated_at: str


class SectionProgress(Open):
    number: int
    title: str
    seen: bool
    interviewed: bool
    last_score: Number | None
    answered: int


class ProgressOut(BaseModel):
    seen: int
    interviewed: int
    total: int
    sections: list[SectionProgress]


# -- grading ---------------------------------------------------------------------------------


class GradeIn(BaseModel):
    question: str = Field(description="the interview question")
    answer: str = Field(description="the candidate's answer")
    key_points: list[str] | None = Field(
        default=None, description="what a good answer contains; omitted: found for you"
    )


class MythOut(Open):
    """A false claim the answer asserts (`MythHit`, app/mentor/grades.py): the answer's own
    words, the catalogued claim it matched, what is true, and the note heading that says so."""

    quote: str = Field(description="the sentence or clause of the answer that asserts it")
    claim: str = Field(description="the catalogued false claim (or rubric misconception) matched")
    correction: str = Field(description="what is true")
    section: int = Field(default=0, description="the note's section; 0: no citation")
    heading: str = Field(default="", description="the note heading that says what is true")
    link: str = Field(default="", description='/sections/N#heading-slug; "" without a citation')
    myth_id: str = Field(default="", description='the catalogue id; "" for a rubric misconception')
    source: str = Field(
        default="catalogue",
        description="catalogue (the myth files), rubric (the question's misconceptions) or fact "
        "(a detail the notes contradict)",
    )


class GradeOut(Open):
    grade: Literal["strong", "partial", "wrong"]
    score: Number = Field(description="0-10")
    covered: list[str]
    missed: list[str]
    feedback: str
    misconceptions: list[str] = []
    model_answer: str = ""
    backend: str = "offline"
    notice: str | None = None
    dated: list[dict[str, Any]] = Field(
        default=[], description="claims that were right years ago, with what changed"
    )
    myths: list[MythOut] = Field(
        default=[], description="false claims the answer asserts, each with what is true"
    )
    off_topic: str | None = Field(
        default=None, description="the other question the answer fits better, else null"
    )
    rubric_source: str
    key_points: list[str]


# -- study -----------------------------------------------------------------------------------


class SectionMastery(Open):
    section: int
    title: str
    mastery: Number
    retention: Number
    coverage: Number
    items: int
    due: int
    imp_items: int
    status: str
    due_cards: int


class MasteryOut(BaseModel):
    at: str
    sections: list[SectionMastery]
    due_cards: int
    events: int


class DashboardSection(BaseModel):
    section: int
    title: str
    mastery: Number = Field(description="0-1")
    level: str = Field(description="not started, weak, learning or strong")
    items: int = Field(description="questions, tasks and notes studied in this section")
    imp_topics: int = Field(description="the section's topics marked (IMP) in the notes")
    imp_questions: int = Field(description="the section's (IMP) interview questions")
    imp_recall: Number = Field(
        description="0-1: mean recall strength now over those (IMP) questions (0 if unstudied)"
    )


class InterviewSession(BaseModel):
    session: int = Field(description="1 for the first scorecard, oldest first")
    at: str
    score: Number = Field(description="the mean score of the graded questions, 0-10")
    questions: int
    sections: list[int]


class SectionPoint(BaseModel):
    session: int
    score: Number


class SectionSeries(BaseModel):
    section: int
    title: str
    points: list[SectionPoint]


class InterviewHistory(BaseModel):
    sessions: list[InterviewSession]
    by_section: list[SectionSeries]
    trend: Number | None = Field(description="points per session (least squares); null below 2")


class DayCount(BaseModel):
    date: str
    cards: int


class CardCalendar(BaseModel):
    due: list[DayCount] = Field(description="flashcards due per day, today first (overdue: today)")
    reviews: list[DayCount] = Field(description="flashcard reviews per day, today last")
    due_total: int
    reviews_total: int


class DashboardOut(BaseModel):
    at: str
    events: int
    mastery: list[DashboardSection]
    interviews: InterviewHistory
    cards: CardCalendar


class PlanItem(Open):
    kind: str
    section: int
    minutes: int
    title: str
    detail: str
    refs: list[str]
    priority: Number


class Ranked(BaseModel):
    section: int
    priority: Number


class PlanOut(Open):
    budget: int
    total: int
    items: list[PlanItem]
    ranking: list[Ranked]


class TaskSummary(Open):
    id: str
    section: int
    kind: str
    title: str
    prompt: str
    imp: bool
    level: str
    minutes: int


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    answer: str = Field(description="the Dockerfile, docker command or compose.yaml to check")


class Finding(Open):
    role: str
    check: str
    passed: bool
    message: str
    line: int | None
    cite: dict[str, Any] | None


class CheckReport(Open):
    task_id: str
    kind: str
    ok: bool
    score: Number
    problem: str | None
    passed: int
    failed: int
    findings: list[Finding]
    task: TaskSummary


# a card's JSON is the study package's Flashcard, field for field: its dataclass is the schema
@pydantic_dataclass(frozen=True)
class DueCard(Flashcard):
    due: str
    retrievability: Number


class DueCards(BaseModel):
    due: list[DueCard]
    new: list[Flashcard]


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    rating: str | int = Field(description="again, hard, good or easy (or 1-4)")


class Reviewed(BaseModel):
    card: str
    section: int
    rating: int | None
    next_due: str | None


# -- errors ----------------------------------------------------------------------------------


class ErrorOut(Open):
    """Every error: a sentence (or, for a malformed body, the list of validation errors)."""

    detail: str | list[dict[str, Any]]


def error_docs(
    codes: dict[int, str], *, stream: str | None = None
) -> dict[int | str, dict[str, Any]]:
    """A route's OpenAPI `responses=`: each error status with its sentence (an ErrorOut body;
    a 422 is FastAPI's validation list) and, with `stream`, a 200 that may be server-sent
    events."""
    docs: dict[int | str, dict[str, Any]] = {}
    if stream is not None:
        sse = {"text/event-stream": {"schema": {"type": "string"}}}
        docs[200] = {"description": stream, "content": sse}
    for code, text in codes.items():
        docs[code] = (
            {"description": text} if code == 422 else {"model": ErrorOut, "description": text}
        )
    return docs
