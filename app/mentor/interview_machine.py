"""The mock interview as a pure state machine: `transition(state, event) -> (state, actions)`
never grades, reads or writes anything; the service (interview.py) grades an answer first and
hands the grade in with the `Answer` event. Hints (clozes of key points) and the scorecard are
computed here too.

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

import copy
import re
from typing import Any

from app.catalog import SECTION_TITLES
from app.mentor.answer_text import key_terms
from app.mentor.grades import Grade
from app.mentor.interview_state import (
    Action,
    Answer,
    DontKnow,
    Event,
    FollowUp,
    Hint,
    InterviewState,
    Record,
    Repeat,
    Skip,
    Start,
    Stop,
)
from app.text import question_anchor, stem
from app.text import words as tokens

REVISE_BELOW = 7.0  # a section mean under this is offered for revision


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
        "myths": g.myths,
        "off_topic": g.off_topic,
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
            "anchor": question_anchor(by_id[r.id][1].id),  # its model answer on the page
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
