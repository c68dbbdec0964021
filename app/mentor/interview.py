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

The pieces: interview_state.py (state, events, actions), interview_machine.py (the machine,
hints, the scorecard and the cards it describes), interview_commands.py (skip, hint, ...).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from app.catalog import SECTION_TITLES
from app.conversation import ConversationState, SectionResult
from app.errors import BadInput
from app.mentor.answer_text import word_count
from app.mentor.grades import Grade, Grader
from app.mentor.interview_commands import Command, parse_command
from app.mentor.interview_machine import REVISE_BELOW, cloze, first_words, scorecard, transition
from app.mentor.interview_state import (
    Action,
    Answer,
    DontKnow,
    Event,
    FollowUp,
    Hint,
    InterviewState,
    Phase,
    QuestionCard,
    Record,
    Repeat,
    Skip,
    Start,
    Status,
    Stop,
)
from app.mentor.rubric import Rubric, rubric_for
from app.mentor.types import Reply
from app.prompts import Prompts

if TYPE_CHECKING:
    from app.knowledge import Knowledge, Question
    from app.retrieval.embeddings import Embedder

__all__ = [
    "LEVELS",
    "REPLY_TEMPLATE",
    "REVISE_BELOW",
    "Action",
    "Answer",
    "Command",
    "DontKnow",
    "Event",
    "FollowUp",
    "Hint",
    "InterviewService",
    "InterviewState",
    "Phase",
    "QuestionCard",
    "Record",
    "Repeat",
    "Skip",
    "Start",
    "Status",
    "Stop",
    "cards",
    "choose_questions",
    "cloze",
    "first_words",
    "parse_command",
    "scorecard",
    "transition",
]

LEVELS = {"junior": 0, "mid": 1, "senior": 2}
REPLY_TEMPLATE = "interview_reply.j2"


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


# -- the service -------------------------------------------------------------------------------


log = logging.getLogger(__name__)


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
        self.preparing: asyncio.Future[None] | None = None  # the next rubric, being encoded

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
        self._prepare_next(state)
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
        self._prepare_next(new_state)
        reply = self._reply(
            "answer", conv, actions, too_short=grade is not None and word_count(message) < 3
        )
        if grade is not None:
            reply.notice, reply.backend = grade.notice, grade.backend
        return reply

    def _prepare_next(self, state: InterviewState | None) -> None:
        """Encode what the next answer is graded against while the candidate reads the
        question (a worker thread; the turn does not wait): the first answer to a question
        then costs the answer's encoding only. A grader without `prepare` is left alone."""
        prepare = getattr(self.grader, "prepare", None)
        if prepare is None or state is None or state.phase == "done" or state.current is None:
            return

        def work() -> None:
            try:
                prepare(self.expected_rubric(state))
            except Exception:  # only a head start: grading encodes whatever is missing
                log.warning("could not prepare the next question's rubric", exc_info=True)

        self.preparing = asyncio.get_running_loop().run_in_executor(None, work)

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
