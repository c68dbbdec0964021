"""Mock-interview state, events and actions: plain data the machine (interview_machine.py)
moves between. The state round-trips exactly through `to_json`/`from_json` and lives in
`ConversationState.interview` between turns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from app.mentor.rubric import Rubric

if TYPE_CHECKING:
    from app.knowledge import Question

Phase = Literal["question", "follow_up", "done"]
Status = Literal["pending", "answered", "skipped", "dont_know"]


# -- state -------------------------------------------------------------------------------------


@dataclass
class QuestionCard:
    """A snapshot of a bank question: the interview needs no bank lookups after it starts."""

    id: str
    section: int
    question: str
    level: str
    imp: bool
    key_points: list[str]
    model_answer: str
    follow_ups: list[str]
    misconceptions: list[str] = field(default_factory=list)

    @classmethod
    def from_question(cls, q: Question) -> QuestionCard:
        return cls(
            q.id,
            q.section,
            q.question,
            q.level,
            q.imp,
            list(q.key_points),
            q.model_answer,
            list(q.follow_ups),
            list(q.misconceptions),
        )

    def rubric(self) -> Rubric:
        return Rubric(
            self.question,
            tuple(self.key_points),
            tuple(self.misconceptions),
            self.model_answer,
            f"bank:{self.id}",
        )


@dataclass
class FollowUp:
    kind: Literal["own", "probe"]
    text: str  # the follow-up question (own) or the probed key point's cloze (probe)
    key_point: str | None = None  # probe: the missed key point it asks about
    hints: int = 0


@dataclass
class Record:
    """What happened to one asked question."""

    id: str
    section: int
    status: Status = "pending"
    grade: str | None = None
    score: int = 0
    covered: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    misconceptions: list[str] = field(default_factory=list)
    hints: int = 0
    follow_up: FollowUp | None = None
    follow_up_grade: str | None = None


@dataclass
class InterviewState:
    sections: list[int]
    questions: list[QuestionCard]
    records: list[Record] = field(default_factory=list)
    position: int = 0  # index of the current question in `questions`
    phase: Phase = "question"
    asked_before: list[str] = field(default_factory=list)  # earlier interviews, same conversation
    interrupted: list[str] = field(default_factory=list)  # asked, then stopped before an answer
    started_at: float = 0.0
    ended_at: float | None = None

    @property
    def count(self) -> int:
        return len(self.questions)

    @property
    def current(self) -> QuestionCard | None:
        return self.questions[self.position] if self.position < len(self.questions) else None

    @property
    def record(self) -> Record | None:
        return self.records[self.position] if self.position < len(self.records) else None

    def asked_ids(self) -> list[str]:
        """Every question id asked in this conversation, this interview included."""
        asked = [*self.asked_before, *(r.id for r in self.records), *self.interrupted]
        return list(dict.fromkeys(asked))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InterviewState:
        def record(r: dict[str, Any]) -> Record:
            fu = r.get("follow_up")
            return Record(**{**r, "follow_up": FollowUp(**fu) if fu else None})

        return cls(
            sections=list(data["sections"]),
            questions=[QuestionCard(**q) for q in data["questions"]],
            records=[record(r) for r in data.get("records", [])],
            position=int(data.get("position", 0)),
            phase=data.get("phase", "question"),
            asked_before=list(data.get("asked_before", [])),
            interrupted=list(data.get("interrupted", [])),
            started_at=float(data.get("started_at", 0.0)),
            ended_at=data.get("ended_at"),
        )


# -- events and actions ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Event:
    at: float = 0.0  # unix time; the machine never reads a clock


@dataclass(frozen=True, kw_only=True)
class Start(Event):
    sections: list[int]
    questions: list[QuestionCard]


@dataclass(frozen=True, kw_only=True)
class Answer(Event):
    """An answer to the current question or follow-up, already graded by the service."""

    text: str
    grade: dict[str, Any]  # Grade.to_json()


@dataclass(frozen=True, kw_only=True)
class Skip(Event):
    pass


@dataclass(frozen=True, kw_only=True)
class Hint(Event):
    pass


@dataclass(frozen=True, kw_only=True)
class DontKnow(Event):
    pass


@dataclass(frozen=True, kw_only=True)
class Repeat(Event):
    pass


@dataclass(frozen=True, kw_only=True)
class Stop(Event):
    pass


ActionKind = Literal[
    "ask", "follow_up", "hint", "graded", "reveal", "skipped", "scorecard", "finish", "notice"
]


@dataclass(frozen=True)
class Action:
    """Something to say or do; `data` is the card of the same name (see the module doc)."""

    kind: ActionKind
    data: dict[str, Any]
