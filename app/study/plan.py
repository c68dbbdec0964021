"""The cram planner: "I have 45 minutes" -> an ordered list of concrete study steps.

Ranking: each section gets priority = IMP weight x weakness x due-ness, where
- IMP weight: how much of the section interviewers care about most ((IMP) sub-headings in the
  notes plus IMP questions in the bank), relative to the heaviest section, floored at 0.2;
- weakness: 1 - mastery (app.study.mastery);
- due-ness: 1 for an untouched section, else 0.5 + 0.5 x (1 - retention), so a section studied
  badly today still ranks, and one that has faded ranks higher.

Sections are visited in priority order; each gets a block (read its (IMP) notes if not yet
read or weak, answer its weakest IMP questions, do a hands-on task, review its due cards),
capped at half the budget so a plan covers more than one topic. Whatever minutes are left are
filled with due cards, then new cards (1 minute each), so the plan uses the budget exactly
when the question banks allow and never goes over.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from app.errors import BadInput
from app.knowledge import Knowledge, Section
from app.study.cards import due as due_cards
from app.study.cards import new_cards
from app.study.events import Event, utc
from app.study.mastery import section_status
from app.study.memory import ItemState, fold

if TYPE_CHECKING:
    from app.handson.model import TaskBook

MIN_MINUTES = 5
MAX_MINUTES = 480
READING_WPM = 200
QUESTION_MINUTES = 3
CARD_MINUTES = 1
WEAK = 0.6  # below this mastery a section's notes are worth re-reading
GOOD_ANSWER = 0.7  # strength above which a question needs no practice now

ItemKind = Literal["revise", "question", "task", "cards"]


@dataclass(frozen=True)
class PlanItem:
    kind: ItemKind
    section: int
    minutes: int
    title: str
    detail: str = ""
    refs: tuple[str, ...] = ()  # question, task or card ids
    priority: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "section": self.section,
            "minutes": self.minutes,
            "title": self.title,
            "detail": self.detail,
            "refs": list(self.refs),
            "priority": round(self.priority, 4),
        }


@dataclass
class Plan:
    budget: int
    items: list[PlanItem] = field(default_factory=list)
    ranking: list[tuple[int, float]] = field(default_factory=list)  # (section, priority)

    @property
    def total(self) -> int:
        return sum(i.minutes for i in self.items)

    def to_json(self) -> dict[str, Any]:
        return {
            "budget": self.budget,
            "total": self.total,
            "items": [i.to_json() for i in self.items],
            "ranking": [{"section": s, "priority": round(p, 4)} for s, p in self.ranking],
        }

    def to_markdown(self) -> str:
        lines = [f"**Your {self.budget}-minute plan** ({self.total} min planned)", ""]
        clock = 0
        for n, item in enumerate(self.items, start=1):
            lines.append(f"{n}. [{clock:>3}-{clock + item.minutes:>3} min] {item.title}")
            if item.detail:
                lines.append(f"   {item.detail}")
            clock += item.minutes
        return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- section facts

_SUB = re.compile(r"^###\s+(.+?)\s*$", re.M)


def imp_subsections(section: Section) -> list[tuple[str, int]]:
    """(heading, words) for each (IMP) sub-section of the notes."""
    text = section.markdown
    marks = list(_SUB.finditer(text))
    out = []
    for k, m in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(text)
        if "(IMP)" in m.group(1):
            out.append((m.group(1).replace("(IMP)", "").strip(), len(text[m.end() : end].split())))
    return out


def reading_minutes(words: int) -> int:
    return max(1, math.ceil(words / READING_WPM))


def imp_weights(kb: Knowledge) -> dict[int, float]:
    raw = {
        n: len(imp_subsections(s)) + sum(1 for q in s.questions if q.imp)
        for n, s in kb.sections.items()
    }
    top = max(raw.values(), default=0) or 1
    return {n: max(0.2, v / top) for n, v in raw.items()}


# ---------------------------------------------------------------- planning


def _check_minutes(minutes: int) -> int:
    if not isinstance(minutes, int) or isinstance(minutes, bool):
        raise BadInput(f"minutes must be a whole number, got {minutes!r}")
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise BadInput(
            f"a plan needs between {MIN_MINUTES} and {MAX_MINUTES} minutes, got {minutes}"
        )
    return minutes


def rank_sections(kb: Knowledge, events: Iterable[Event], now: datetime) -> list[tuple[int, float]]:
    """(section, priority) best first; ties go to the lower section number."""
    weights = imp_weights(kb)
    status = {s.section: s for s in section_status(events, now)}
    ranked = []
    for n in kb.sections:
        st = status[n]
        dueness = 1.0 if st.items == 0 else 0.5 + 0.5 * (1.0 - st.retention)
        ranked.append((n, weights[n] * (1.0 - st.mastery) * dueness))
    ranked.sort(key=lambda x: (-x[1], x[0]))
    return ranked


def cram_plan(
    kb: Knowledge,
    events: Iterable[Event],
    minutes: int,
    now: datetime,
    *,
    tasks: TaskBook | None = None,
) -> Plan:
    """An ordered plan that fits `minutes` exactly when there is enough material, never over."""
    budget = _check_minutes(minutes)
    now = utc(now)
    events = list(events)
    states = fold(events, now)
    status = {s.section: s for s in section_status(events, now)}
    ranking = rank_sections(kb, events, now)
    plan = Plan(budget=budget, ranking=ranking)
    left = budget
    due_all = due_cards(kb, events, now)
    used: set[str] = set()
    block_cap = max(10, budget // 2)
    # due cards are the cheapest way to keep what was learnt: keep up to a quarter of the time
    reserve = min(len(due_all) * CARD_MINUTES, budget // 4)

    for section, priority in ranking:
        if left - reserve <= 0 or priority <= 0:
            break
        block = _section_block(
            kb.sections[section],
            status[section].mastery,
            states,
            now,
            priority,
            min(left - reserve, block_cap),
            tasks,
            [d.card.id for d in due_all if d.card.section == section],
        )
        for item in block:
            plan.items.append(item)
            used.update(item.refs)
            left -= item.minutes
    # fill what is left with due cards, then new cards, one minute each
    fillers = [d.card for d in due_all if d.card.id not in used]
    if left > len(fillers):
        order = {s: k for k, (s, _) in enumerate(ranking)}
        fresh = new_cards(kb, events, now, limit=len(kb.questions))
        fresh.sort(key=lambda c: (not c.imp, order.get(c.section, len(order))))
        fillers += [c for c in fresh if c.id not in used and c not in fillers]
    fill = fillers[: max(0, left // CARD_MINUTES)]
    if fill:
        due_ids = {d.card.id for d in due_all}
        n_due = sum(1 for c in fill if c.id in due_ids)
        label = (
            f"Review {n_due} due flashcard(s)"
            if n_due == len(fill)
            else f"Flashcards: {n_due} due, {len(fill) - n_due} new (IMP first)"
        )
        plan.items.append(
            PlanItem(
                "cards",
                fill[0].section,
                len(fill) * CARD_MINUTES,
                f"{label} ~{len(fill) * CARD_MINUTES} min",
                detail="sections " + ", ".join(str(s) for s in sorted({c.section for c in fill})),
                refs=tuple(c.id for c in fill),
            )
        )
    return plan


def _section_block(
    section: Section,
    mastery: float,
    states: dict[str, ItemState],
    now: datetime,
    priority: float,
    room: int,
    tasks: TaskBook | None,
    due_here: list[str],
) -> list[PlanItem]:
    n = section.number
    out: list[PlanItem] = []
    read_state = states.get(f"notes:{n}")
    if read_state is None or mastery < WEAK:
        subs = imp_subsections(section)
        # the whole IMP part if it fits, else the biggest prefix that does
        while subs and reading_minutes(sum(w for _, w in subs)) > room:
            subs = subs[:-1]
        if subs:
            mins = reading_minutes(sum(w for _, w in subs))
            out.append(
                PlanItem(
                    "revise",
                    n,
                    mins,
                    f"Revise Section {n}: {section.title} - the (IMP) parts ~{mins} min",
                    detail="; ".join(h for h, _ in subs),
                    refs=(f"section:{n}",),
                    priority=priority,
                )
            )
            room -= mins

    def strength(qid: str) -> float:
        st = states.get(f"q:{qid}")
        return st.strength(now) if st else 0.0

    practice = [q for q in section.questions if strength(q.id) < GOOD_ANSWER]
    practice.sort(key=lambda q: (not q.imp, strength(q.id), q.line))
    for q in practice[:3]:
        if room < QUESTION_MINUTES:
            break
        out.append(
            PlanItem(
                "question",
                n,
                QUESTION_MINUTES,
                f"Answer aloud{' (IMP)' if q.imp else ''}: {q.question} ~{QUESTION_MINUTES} min",
                detail="then compare with the key points",
                refs=(q.id,),
                priority=priority,
            )
        )
        room -= QUESTION_MINUTES
    if tasks is not None and mastery < WEAK:
        for task in sorted(tasks.by_section().get(n, []), key=lambda t: (not t.imp, t.minutes)):
            st = states.get(f"task:{task.id}")
            if (st is None or st.strength(now) < GOOD_ANSWER) and task.minutes <= room:
                out.append(
                    PlanItem(
                        "task",
                        n,
                        task.minutes,
                        f"Hands-on: {task.title} ~{task.minutes} min",
                        detail=f"mentor check-task {task.id}",
                        refs=(task.id,),
                        priority=priority,
                    )
                )
                room -= task.minutes
                break
    cards = due_here[: max(0, room // CARD_MINUTES)]
    if cards:
        out.append(
            PlanItem(
                "cards",
                n,
                len(cards) * CARD_MINUTES,
                f"Review {len(cards)} due flashcard(s) from Section {n} ~{len(cards)} min",
                refs=tuple(cards),
                priority=priority,
            )
        )
    return out
