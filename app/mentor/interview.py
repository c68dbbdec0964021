"""Mock interviews: a pure state machine, and the service that does the I/O around it.

`transition(state, event) -> (state, actions)` never grades, reads or writes anything: the
service grades an answer first and hands the grade in with the `Answer` event; the machine
decides what happens next and describes it as actions, which the service renders into the
reply (prompts/interview_reply.j2) and its card. The state is plain data (`to_json`/`from_json`
round-trip exactly) and lives in `ConversationState.interview` between turns; a finished
interview stays there (phase "done") so the next one in the conversation repeats no question.

Flow: one question at a time -> an answer is graded -> a follow-up (the question's own when
the answer was strong, else a probe of the first missed key point) -> its answer is graded
lightly (a strong follow-up adds a point) -> the next question ... -> the scorecard. At any
point the candidate may say hint, skip, I don't know, repeat or stop.

Scores: each hint costs a point; "I don't know" and skip score 0 (they count towards the
section mean, they are not "answered"); a question interrupted by stop is not counted.

Cards (`Reply.card`, rendered by the web UI; every card may carry `next`, the card after it):

- question:  {"type": "question", "number": 2, "of": 5, "id": "net-bridge", "section": 5,
              "title": "Docker Networking", "question": "...", "level": "mid", "imp": true,
              "repeat": false}
- follow_up: {"type": "follow_up", "number": 2, "of": 5, "section": 5, "kind": "own"|"probe",
              "question": "...", "repeat": false}
- hint:      {"type": "hint", "number": 2, "hint": "docker stop sends ____ first", "hints": 1}
- grade:     {"type": "grade", "number": 2, "follow_up": false, "grade": "partial", "score": 6,
              "covered": [...], "missed": [...], "misconceptions": [...], "feedback": "...",
              "model_answer": "...", "dated": [{"note", "citation", "cite", "key_point", ...}]}
              (dated: Grade.dated, claims that were right years ago; see grader.py)
- reveal:    {"type": "reveal", "number": 2, "follow_up": false, "model_answer": "...",
              "key_points": [...]}                         ("I don't know")
- skipped:   {"type": "skipped", "number": 2, "follow_up": false}
- scorecard: {"type": "scorecard", "rows": [{"number", "id", "section", "question", "level",
              "imp", "status": "answered"|"skipped"|"dont_know", "grade", "score", "hints",
              "follow_up_grade"}], "by_section": {"5": {"title", "score", "answered",
              "asked"}}, "total": {"score", "answered", "asked"}, "weakest": [{"section",
              "question", "score", "missed": [...]}], "revise": [5, 6]}
- notice:    {"type": "notice", "text": "..."}
"""

from __future__ import annotations

import asyncio
import copy
import random
import re
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from app.catalog import SECTION_TITLES
from app.conversation import ConversationState, SectionResult
from app.errors import BadInput
from app.mentor.grader import (
    Grade,
    Grader,
    Rubric,
    key_terms,
    rubric_for,
    stem,
    tokens,
    word_count,
)
from app.mentor.types import Reply
from app.prompts import Prompts

if TYPE_CHECKING:
    from app.knowledge import Knowledge, Question
    from app.retrieval.embeddings import Embedder

Phase = Literal["question", "follow_up", "done"]
Status = Literal["pending", "answered", "skipped", "dont_know"]
Command = Literal["skip", "hint", "dont_know", "repeat", "stop"]

LEVELS = {"junior": 0, "mid": 1, "senior": 2}
REVISE_BELOW = 7.0  # a section mean under this is offered for revision
REPLY_TEMPLATE = "interview_reply.j2"


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


# -- the machine -------------------------------------------------------------------------------


def transition(
    state: InterviewState | None, event: Event
) -> tuple[InterviewState | None, list[Action]]:
    """The next state and what to say. Pure: `state` is never modified."""
    if isinstance(event, Start):
        return _start(state, event)
    if state is None or state.phase == "done":
        return state, [Action("notice", {"type": "notice", "text": "no-interview"})]
    s = copy.deepcopy(state)
    if isinstance(event, Stop):
        return _finish(s, event.at)
    if isinstance(event, Repeat):
        return s, [_ask_follow_up(s, repeat=True) if s.phase == "follow_up" else _ask(s, True)]
    if isinstance(event, Hint):
        return _hint(s)
    if isinstance(event, Answer):
        return _answer(s, event)
    if isinstance(event, Skip | DontKnow):
        return _give_up(s, event)
    raise TypeError(f"unknown event {event!r}")


def _start(
    previous: InterviewState | None, event: Start
) -> tuple[InterviewState | None, list[Action]]:
    asked = previous.asked_ids() if previous else []
    questions = [q for q in event.questions if q.id not in asked]
    if not questions:
        return previous, [
            Action("notice", {"type": "notice", "text": "no-questions", "sections": event.sections})
        ]
    s = InterviewState(
        sections=list(event.sections),
        questions=copy.deepcopy(questions),
        records=[Record(questions[0].id, questions[0].section)],
        asked_before=asked,
        started_at=event.at,
    )
    return s, [_ask(s, repeat=False)]


def _ask(s: InterviewState, repeat: bool) -> Action:
    q = s.current
    assert q is not None
    return Action(
        "ask",
        {
            "type": "question",
            "number": s.position + 1,
            "of": s.count,
            "id": q.id,
            "section": q.section,
            "title": SECTION_TITLES.get(q.section, ""),
            "question": q.question,
            "level": q.level,
            "imp": q.imp,
            "repeat": repeat,
        },
    )


def _ask_follow_up(s: InterviewState, repeat: bool) -> Action:
    q, r = s.current, s.record
    assert q is not None and r is not None and r.follow_up is not None
    return Action(
        "follow_up",
        {
            "type": "follow_up",
            "number": s.position + 1,
            "of": s.count,
            "section": q.section,
            "kind": r.follow_up.kind,
            "question": r.follow_up.text,
            "key_point": r.follow_up.key_point,
            "repeat": repeat,
        },
    )


def _hint(s: InterviewState) -> tuple[InterviewState, list[Action]]:
    q, r = s.current, s.record
    assert q is not None and r is not None
    if s.phase == "follow_up":
        assert r.follow_up is not None
        if r.follow_up.kind == "own" or r.follow_up.hints >= 1:
            return s, [
                Action(
                    "notice", {"type": "notice", "text": "no-more-hints", "number": s.position + 1}
                )
            ]
        r.follow_up.hints += 1
        text = first_words(r.follow_up.key_point or "", q.question)
        return s, [
            Action(
                "hint",
                {"type": "hint", "number": s.position + 1, "hint": text, "hints": 1},
            )
        ]
    if r.hints >= len(q.key_points):
        return s, [
            Action("notice", {"type": "notice", "text": "no-more-hints", "number": s.position + 1})
        ]
    point = q.key_points[r.hints]
    r.hints += 1
    return s, [
        Action(
            "hint",
            {
                "type": "hint",
                "number": s.position + 1,
                "hint": cloze(point, q.question),
                "hints": r.hints,
            },
        )
    ]


def _answer(s: InterviewState, event: Answer) -> tuple[InterviewState | None, list[Action]]:
    q, r = s.current, s.record
    assert q is not None and r is not None
    g = Grade.from_json(event.grade)
    if s.phase == "follow_up":
        r.follow_up_grade = g.grade
        if g.grade == "strong" and r.grade != "strong":
            r.score = min(10, r.score + 1)  # followed up well: the missed point is recovered
        graded = Action("graded", {**_grade_card(s, g), "follow_up": True})
        return _advance(s, event.at, [graded])
    r.status, r.grade = "answered", g.grade
    r.score = max(0, g.score - r.hints)
    r.covered, r.missed, r.misconceptions = list(g.covered), list(g.missed), list(g.misconceptions)
    actions = [Action("graded", {**_grade_card(s, g), "follow_up": False})]
    if g.grade == "strong" and q.follow_ups:
        r.follow_up = FollowUp("own", q.follow_ups[0])
    elif g.grade != "strong":
        point = g.missed[0] if g.missed else q.key_points[0]
        r.follow_up = FollowUp("probe", cloze(point, q.question), key_point=point)
    if r.follow_up is None:
        return _advance(s, event.at, actions)
    s.phase = "follow_up"
    return s, [*actions, _ask_follow_up(s, repeat=False)]


def _grade_card(s: InterviewState, g: Grade) -> dict[str, Any]:
    return {
        "type": "grade",
        "number": s.position + 1,
        "grade": g.grade,
        "score": g.score,
        "covered": g.covered,
        "missed": g.missed,
        "misconceptions": g.misconceptions,
        "feedback": g.feedback,
        "model_answer": g.model_answer,
        "dated": g.dated,
    }


def _give_up(s: InterviewState, event: Event) -> tuple[InterviewState | None, list[Action]]:
    q, r = s.current, s.record
    assert q is not None and r is not None
    follow_up = s.phase == "follow_up"
    if isinstance(event, Skip):
        action = Action(
            "skipped", {"type": "skipped", "number": s.position + 1, "follow_up": follow_up}
        )
        if not follow_up:
            r.status, r.score, r.missed = "skipped", 0, list(q.key_points)
    else:
        if follow_up:
            assert r.follow_up is not None
            reveal = [r.follow_up.key_point] if r.follow_up.key_point else []
            model = r.follow_up.key_point or ""
            r.follow_up_grade = "wrong"
        else:
            reveal, model = list(q.key_points), q.model_answer
            r.status, r.grade, r.score, r.missed = "dont_know", "wrong", 0, list(q.key_points)
        action = Action(
            "reveal",
            {
                "type": "reveal",
                "number": s.position + 1,
                "follow_up": follow_up,
                "model_answer": model,
                "key_points": reveal,
            },
        )
    return _advance(s, event.at, [action])


def _advance(
    s: InterviewState, at: float, actions: list[Action]
) -> tuple[InterviewState | None, list[Action]]:
    """Move to the next question, or finish after the last."""
    s.position += 1
    s.phase = "question"
    if s.position >= s.count:
        s2, end = _finish(s, at)
        return s2, [*actions, *end]
    q = s.questions[s.position]
    s.records.append(Record(q.id, q.section))
    return s, [*actions, _ask(s, repeat=False)]


def _finish(s: InterviewState, at: float) -> tuple[InterviewState, list[Action]]:
    s.interrupted = [r.id for r in s.records if r.status == "pending"]
    s.records = [r for r in s.records if r.status != "pending"]
    s.phase, s.ended_at = "done", at
    card = scorecard(s)
    results = {
        sec: {"score": v["score"], "answered": v["answered"]}
        for sec, v in card["by_section"].items()
    }
    return s, [Action("scorecard", card), Action("finish", {"results": results, "at": at})]


def scorecard(s: InterviewState) -> dict[str, Any]:
    by_id = {q.id: (i, q) for i, q in enumerate(s.questions)}
    rows = []
    for r in s.records:
        i, q = by_id[r.id]
        rows.append(
            {
                "number": i + 1,
                "id": q.id,
                "section": q.section,
                "question": q.question,
                "level": q.level,
                "imp": q.imp,
                "status": r.status,
                "grade": r.grade,
                "score": r.score,
                "hints": r.hints,
                "follow_up_grade": r.follow_up_grade,
            }
        )
    by_section: dict[str, dict[str, Any]] = {}
    for sec in dict.fromkeys(r.section for r in s.records):
        mine = [r for r in s.records if r.section == sec]
        by_section[str(sec)] = {
            "title": SECTION_TITLES.get(sec, ""),
            "score": round(sum(r.score for r in mine) / len(mine), 1),
            "answered": sum(r.status == "answered" for r in mine),
            "asked": len(mine),
        }
    weakest = [
        {
            "section": r.section,
            "question": by_id[r.id][1].question,
            "score": r.score,
            "missed": r.missed[:3],
        }
        for r in sorted(s.records, key=lambda r: (r.score, by_id[r.id][0]))
        if r.score < REVISE_BELOW
    ][:3]
    revise = [
        int(sec)
        for sec, v in sorted(by_section.items(), key=lambda kv: (kv[1]["score"], int(kv[0])))
        if v["score"] < REVISE_BELOW
    ]
    total = {
        "score": round(sum(r.score for r in s.records) / len(s.records), 1) if s.records else 0.0,
        "answered": sum(r.status == "answered" for r in s.records),
        "asked": len(s.records),
    }
    return {
        "type": "scorecard",
        "rows": rows,
        "by_section": by_section,
        "total": total,
        "weakest": weakest,
        "revise": revise,
    }


# -- hints and probes --------------------------------------------------------------------------


_WORD = re.compile(r"`[^`]+`|--?[A-Za-z][\w-]*|[\w][\w./:+-]*[\w]|\w")


def cloze(key_point: str, question: str = "", blanks: int = 3) -> str:
    """The key point with its most telling terms blanked: a hint that leaves the answer out."""
    exclude = {stem(t) for t in tokens(question)}
    terms = key_terms(key_point, exclude=exclude)
    if not terms:
        return first_words(key_point, question)
    words = list(_WORD.finditer(key_point))
    ranked: list[tuple[float, int, int]] = []
    for i, m in enumerate(words):
        found = key_terms(m.group(0).strip("`"), exclude=exclude)
        if found:
            ranked.append((max(found.values()), len(m.group(0)), i))
    ranked.sort(key=lambda t: (-t[0], -t[1]))
    limit = max(1, min(blanks, (len(words) + 2) // 3))
    chosen = {i for _, _, i in ranked[:limit]}
    out, last = [], 0
    for i, m in enumerate(words):
        if i in chosen:
            out.append(key_point[last : m.start()] + "____")
            last = m.end()
    out.append(key_point[last:])
    return "".join(out).strip()


def first_words(text: str, question: str = "") -> str:
    """The opening of a key point: a gentler hint when there is nothing to blank."""
    words = text.split()
    keep = max(2, len(words) // 3)
    return " ".join(words[:keep]) + " …"


# -- choosing questions ------------------------------------------------------------------------


def choose_questions(
    bank: Sequence[Question],
    sections: Sequence[int],
    count: int,
    exclude: Sequence[str] = (),
    rng: random.Random | None = None,
) -> list[Question]:
    """(IMP) questions first, spread over the sections, asked in a junior -> senior ramp."""
    wanted = list(dict.fromkeys(sections))
    pools: dict[int, list[Question]] = {}
    for sec in wanted:
        pool = [q for q in bank if q.section == sec and q.id not in exclude]
        jitter = {q.id: rng.random() if rng else 0.0 for q in pool}
        pool.sort(key=lambda q: (not q.imp, LEVELS.get(q.level, 1), jitter[q.id]))
        if pool:
            pools[sec] = pool
    order = list(pools)
    if rng is not None:
        rng.shuffle(order)
    chosen: list[Question] = []
    while len(chosen) < count and any(pools.values()):
        for sec in order:
            if pools[sec] and len(chosen) < count:
                chosen.append(pools[sec].pop(0))
    rank = {q.id: i for i, q in enumerate(chosen)}
    return sorted(chosen, key=lambda q: (LEVELS.get(q.level, 1), not q.imp, rank[q.id]))


# -- commands ----------------------------------------------------------------------------------

_COMMANDS: list[tuple[Command, re.Pattern[str]]] = [
    (
        "stop",
        re.compile(
            r"^(?:stop|quit|exit|end|finish|done|enough|i'?m done|that'?s enough|"
            r"(?:stop|end|finish|quit|exit|cancel) (?:the |this )?(?:mock )?"
            r"(?:interview|quiz|test)|"
            r"stop (?:here|now|please)|let'?s stop|no more(?: questions)?)$"
        ),
    ),
    (
        "skip",
        re.compile(
            r"^(?:skip|pass|next|next one|next question|move on|skip (?:it|this|this one|"
            r"the question|question)|can we skip(?: this| it)?|skip please)$"
        ),
    ),
    (
        "hint",
        re.compile(
            r"^(?:hint|a hint|clue|a clue|hints?|give me a (?:hint|clue)|any hints?|"
            r"can i (?:get|have) a (?:hint|clue)|(?:hint|clue) please|i need a hint|help me)$"
        ),
    ),
    (
        "dont_know",
        re.compile(
            r"^(?:i (?:don'?t|do not|dont) know|idk|no idea|dunno|not sure|no clue|i give up|"
            r"i have no idea|i'?m not sure|no idea sorry|sorry,? (?:i )?(?:don'?t|do not) know|"
            r"(?:i )?(?:don'?t|do not) know)(?: (?:sorry|tbh|honestly|this one|the answer))?$"
        ),
    ),
    (
        "repeat",
        re.compile(
            r"^(?:repeat|again|say again|come again|pardon|repeat (?:the |that )?question|"
            r"repeat (?:that|please)|what was the question|"
            r"can you repeat(?: (?:that|the question))?|"
            r"sorry,? what was the question)$"
        ),
    ),
]


def parse_command(message: str) -> Command | None:
    text = re.sub(r"\s+", " ", message.lower().replace("’", "'")).strip(" .!?,")
    for name, pattern in _COMMANDS:
        if pattern.match(text):
            return name
    return None


# -- the service -------------------------------------------------------------------------------


class InterviewService:
    """The I/O around the machine: choose questions, grade answers, render, keep results."""

    def __init__(
        self,
        kb: Knowledge,
        index: Any,
        grader: Grader,
        prompts: Prompts,
        *,
        embedder: Embedder | None = None,
        seed: int | None = None,
    ) -> None:
        self.kb = kb
        self.index = index
        self.embedder = embedder or getattr(index, "embedder", None)
        self.grader = grader
        self.prompts = prompts
        self.rng = random.Random(seed)

    @staticmethod
    def is_command(message: str) -> bool:
        return parse_command(message) is not None

    @staticmethod
    def state_of(conv: ConversationState) -> InterviewState | None:
        return InterviewState.from_json(conv.interview) if conv.interview else None

    async def start(self, conv: ConversationState, sections: list[int], count: int = 5) -> Reply:
        sections = [s for s in dict.fromkeys(sections) if s in SECTION_TITLES]
        if not sections:
            raise BadInput("choose sections from 1-20 for the interview")
        count = max(1, min(count, 20))
        previous = self.state_of(conv)
        prefix: list[Action] = []
        if previous is not None and previous.phase != "done":
            previous, prefix = transition(previous, Stop(at=time.time()))
            assert previous is not None
            self._record_results(conv, prefix)
        asked = previous.asked_ids() if previous else []
        chosen = choose_questions(self.kb.questions, sections, count, asked, self.rng)
        event = Start(
            sections=sections,
            questions=[QuestionCard.from_question(q) for q in chosen],
            at=time.time(),
        )
        state, actions = transition(previous, event)
        if state is not None and state.phase != "done":
            conv.interview = state.to_json()
            conv.mode = "interview"
        return self._reply("interview", conv, [*prefix, *actions], intro=True)

    async def handle(self, conv: ConversationState, message: str) -> Reply:
        state = self.state_of(conv)
        if state is None or state.phase == "done":
            conv.mode = "revision"
            return self._reply(
                "answer", conv, [Action("notice", {"type": "notice", "text": "no-interview"})]
            )
        command = parse_command(message)
        now = time.time()
        grade: Grade | None = None
        event: Event
        if command == "stop":
            event = Stop(at=now)
        elif command == "skip":
            event = Skip(at=now)
        elif command == "hint":
            event = Hint(at=now)
        elif command == "dont_know":
            event = DontKnow(at=now)
        elif command == "repeat":
            event = Repeat(at=now)
        else:
            rubric = await asyncio.to_thread(self.expected_rubric, state)
            grade = await self.grader.agrade(rubric, message)
            event = Answer(text=message, grade=grade.to_json(), at=now)
        new_state, actions = transition(state, event)
        assert new_state is not None
        conv.interview = new_state.to_json()
        self._record_results(conv, actions)
        reply = self._reply(
            "answer", conv, actions, too_short=grade is not None and word_count(message) < 3
        )
        if grade is not None:
            reply.notice, reply.backend = grade.notice, grade.backend
        return reply

    def expected_rubric(self, state: InterviewState) -> Rubric:
        """What the next answer is graded against: the question, or its follow-up."""
        q, r = state.current, state.record
        assert q is not None and r is not None
        if state.phase != "follow_up" or r.follow_up is None:
            return q.rubric()
        fu = r.follow_up
        if fu.kind == "probe" and fu.key_point:
            return Rubric(fu.text, (fu.key_point,), (), fu.key_point, "probe")
        try:
            return rubric_for(fu.text, None, self.kb, self.index, self.embedder)
        except BadInput:
            return Rubric(fu.text, (fu.text,), (), "", "follow-up")

    def reminder(self, conv: ConversationState) -> str | None:
        """'Back to the question: ...' after a clarification in the middle of an interview."""
        state = self.state_of(conv)
        if state is None or state.phase == "done" or state.current is None:
            return None
        r = state.record
        follow_up = state.phase == "follow_up" and r is not None and r.follow_up is not None
        text = r.follow_up.text if follow_up and r and r.follow_up else state.current.question
        return self.prompts.render(
            REPLY_TEMPLATE, actions=[], reminder=text, follow_up=follow_up, intro=None
        )

    def _record_results(self, conv: ConversationState, actions: list[Action]) -> None:
        for a in actions:
            if a.kind == "finish":
                for sec, v in a.data["results"].items():
                    conv.results[int(sec)] = SectionResult(
                        score=float(v["score"]), answered=int(v["answered"]), at=a.data["at"]
                    )
                conv.mode = "revision"

    def _reply(
        self,
        intent: Literal["interview", "answer"],
        conv: ConversationState,
        actions: list[Action],
        *,
        intro: bool = False,
        too_short: bool = False,
    ) -> Reply:
        state = self.state_of(conv)
        intro_data = None
        if intro and state is not None and state.phase != "done":
            intro_data = {
                "count": state.count,
                "sections": [
                    {"number": n, "title": SECTION_TITLES[n]}
                    for n in dict.fromkeys(q.section for q in state.questions)
                ],
                "repeats_avoided": len(state.asked_before),
            }
        markdown = self.prompts.render(
            REPLY_TEMPLATE,
            actions=[{**a.data, "action": a.kind} for a in actions if a.kind != "finish"],
            reminder=None,
            follow_up=False,
            intro=intro_data,
            too_short=too_short,
        )
        section = state.current.section if state and state.current else None
        if section is None and state and state.records:
            section = state.records[-1].section
        return Reply(intent, markdown, section=section, card=cards(actions))


def cards(actions: list[Action]) -> dict[str, Any] | None:
    """The actions' cards chained through `next` (the first card is the head)."""
    chain = [a.data for a in actions if a.kind != "finish"]
    head: dict[str, Any] | None = None
    for card in reversed(chain):
        head = {**card, "next": head}
    return head
