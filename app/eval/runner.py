"""Score one backend as the mentor on every set: the numbers of one row of the report.

Every turn goes through the real Mentor (routing, canary guard, repair, fallback), so a row
measures what a user of that model would get, fallbacks included. Each item's outcome is a
record in a Journal (app/eval/journal.py), written as it finishes; the row is computed from
the records, so an interrupted run resumes without asking the model again.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from app import notes_format
from app.conversation import ConversationState
from app.eval.contradict import ContradictionJudge
from app.eval.journal import Journal, Record, item_key
from app.eval.judge import THRESHOLD, answer_units, covered
from app.eval.sets import ClarifyCase, GradeCase, Sets, key_facts, survived
from app.mentor.engine import Mentor
from app.mentor.types import Delta, Done, Reply

if TYPE_CHECKING:
    from app.knowledge import Knowledge
    from app.llm.base import Backend
    from app.prompts import Prompts
    from app.retrieval.index import HybridIndex

Tick = Callable[[str], None]
Ask = Callable[[Any], Awaitable[Record]]
_CITED = re.compile(r"Section \d+ >")


def cost_metrics(records: list[Record]) -> dict[str, float]:
    """Streamed-event timings of the notes turns (what a user waits for): the mean time to the
    first Delta, Deltas per second of streaming, Deltas per turn."""
    turns = [r for r in records if "pieces" in r]
    if not turns:
        return {}
    ttft = [r["ttft"] for r in turns if r["pieces"]]
    streaming = sum(r["streaming"] for r in turns)
    pieces = sum(r["pieces"] for r in turns)
    return {
        "ttft_ms": 1000 * mean(ttft),
        "tokens_per_s": pieces / streaming if streaming > 0 else 0.0,
        "tokens_per_turn": pieces / len(turns),
    }


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def model_text(reply: Reply) -> str:
    """The reply without the lines the mentor adds itself: its offers, and the sources footer
    it appends when a model cited nothing (the offline composer's own sources line stays)."""
    added: tuple[str, ...] = ("Say **next**", "Want the full notes")
    if reply.backend != "offline":
        added = (*added, "*Sources:")
    lines = [line for line in reply.markdown.splitlines() if not line.startswith(added)]
    return "\n".join(lines)


class Evaluation:
    """One backend (None: the offline engine) on the shared knowledge, index and prompts.

    `max_tokens` caps every generated reply, the grader's JSON verdict included (the mentor
    caps notes with it and clarifications at the smaller of it and its own cap)."""

    def __init__(
        self,
        kb: Knowledge,
        index: HybridIndex,
        prompts: Prompts,
        backend: Backend | None,
        *,
        max_tokens: int | None = None,
        journal: Journal | None = None,
    ) -> None:
        from app.mentor.grader import LLMGrader

        self.mentor = Mentor(kb, index, prompts, backend, max_tokens=max_tokens)
        grader = self.mentor.interview.grader if self.mentor.interview else None
        if max_tokens and isinstance(grader, LLMGrader):
            grader.max_tokens = min(grader.max_tokens, max_tokens)
        self.kb = kb
        self.embedder = index.embedder
        self.contradictions = ContradictionJudge(kb, index.embedder, prompts)
        self.journal = journal or Journal(header={})
        self.seconds = 0.0  # the items' own time, resumed ones included: the row's wall time

    async def run(self, sets: Sets, tick: Tick) -> dict[str, float]:
        metrics: dict[str, float] = {}
        notes: list[Record] = []
        if sets.sections:
            notes = [await self._item("notes", self._note, n, tick) for n in sets.sections]
            metrics |= notes_metrics(notes)
        if sets.clarify:
            clarify = [await self._item("clarify", self._clarify, c, tick) for c in sets.clarify]
            metrics |= self.clarify_metrics(sets.clarify, clarify)
        if sets.grading:
            metrics |= await self.grading(sets, tick)
        if sets.injections:
            safety = [await self._item("safety", self._inject, m, tick) for m in sets.injections]
            metrics |= {
                "canary_leaks": float(sum(r["leak"] for r in safety)),
                "canary_blocked": float(sum(r["blocked"] for r in safety)),
            }
        return metrics | cost_metrics(notes)

    async def _item(self, part: str, ask: Ask, item: Any, tick: Tick) -> Record:
        """The journal's record for `item`, or a fresh one from `ask(item)` (then journalled)."""
        key = item_key(part, repr(item))
        record = self.journal.get(key)
        if record is None:
            start = time.perf_counter()
            record = await ask(item)
            record["seconds"] = time.perf_counter() - start
            self.journal.put(key, record)
        self.seconds += record["seconds"]
        tick(part)
        return record

    async def _timed_turn(self, message: str) -> tuple[str, Reply, Record]:
        """One routed turn: the streamed text before any fallback notice, the reply, timings."""
        state = ConversationState()
        start = time.perf_counter()
        first = last = 0.0
        pieces: list[str] = []
        final: Reply | None = None
        async for event in self.mentor.stream(state, message):
            if isinstance(event, Delta):
                last = time.perf_counter()
                if not pieces:
                    first = last
                pieces.append(event.text)
            elif isinstance(event, Done):
                final = event.reply
        assert final is not None
        timing = {
            "ttft": first - start if pieces else 0.0,
            "streaming": last - first if pieces else 0.0,
            "pieces": len(pieces),
        }
        return "".join(pieces), final, timing

    async def _note(self, n: int) -> Record:
        streamed, reply, timing = await self._timed_turn(f"Start from Section {n}")
        if reply.notice:
            # fallen back to the curated note: the model contributed nothing that survived
            return {"outcome": "fallback", "kept": 0.0, **timing}
        first = not self.mentor.llm_enabled or not notes_format.validate(streamed, n)
        kept = survived(key_facts(self.kb.section(n).markdown), reply.markdown)
        return {"outcome": "first" if first else "repaired", "kept": kept, **timing}

    async def _clarify(self, case: ClarifyCase) -> Record:
        reply = await self.mentor.clarify(ConversationState(), case.question)
        text = model_text(reply)
        hits = covered(self.embedder, case.key_points, answer_units(text), THRESHOLD)
        return {
            "coverage": sum(hits) / len(hits),
            "cited": bool(_CITED.search(text)),
            "text": text,
        }

    def clarify_metrics(self, cases: list[ClarifyCase], records: list[Record]) -> dict[str, float]:
        """Coverage and citations as recorded; contradictions judged here, from the recorded
        texts, so a journal from before the judge existed still gets them."""
        contradicting = sum(
            bool(self.contradictions.asserted(c.question, c.key_points, c.sections, r["text"]))
            for c, r in zip(cases, records, strict=True)
        )
        return {
            "clarify_coverage": mean([r["coverage"] for r in records]),
            "clarify_citations": sum(r["cited"] for r in records) / len(records),
            "clarify_contradictions": contradicting / len(records),
        }

    async def _inject(self, message: str) -> Record:
        blocked_before = self.mentor.stats.canary_blocks
        reply = await self.mentor.clarify(ConversationState(), message)
        canary = self.mentor.canary
        return {
            "leak": canary in reply.markdown or canary[:12] in reply.markdown,
            "blocked": self.mentor.stats.canary_blocks - blocked_before,
        }

    async def grading(self, sets: Sets, tick: Tick) -> dict[str, float]:
        from app.mentor.grader import Rubric

        grader = self.mentor.interview.grader if self.mentor.interview else None
        assert grader is not None, "the mentor has no grader"
        strong_by_section = {c.section: c for c in sets.grading if c.label == "strong"}

        async def grade_one(case: GradeCase) -> Record:
            rubric = Rubric(case.question, tuple(case.key_points))
            grade = await grader.agrade(rubric, case.answer)
            record: Record = {"label": case.label, "grade": grade.grade}
            if case.label != "strong":
                # the interview probes the first missed key point after a weak grade: a good
                # probe targets a point the answer really lacks
                probe = False
                if grade.grade != "strong" and grade.missed:
                    units = answer_units(case.answer)
                    probe = not covered(self.embedder, [grade.missed[0]], units, THRESHOLD)[0]
                record["probe"] = probe
            else:
                other = next((c for s, c in strong_by_section.items() if s != case.section), None)
                if other is not None:
                    g = await grader.agrade(rubric, other.answer)
                    # an answer to another section's question must be graded wrong
                    record["caught"] = g.grade == "wrong"
            return record

        records = [await self._item("grading", grade_one, c, tick) for c in sets.grading]
        return grading_metrics(records)


def notes_metrics(records: list[Record]) -> dict[str, float]:
    total = len(records)
    count = {o: sum(r["outcome"] == o for r in records) for o in ("first", "repaired", "fallback")}
    return {
        "notes_first_try": count["first"] / total,
        "notes_after_repair": count["repaired"] / total,
        "notes_fallback": count["fallback"] / total,
        "notes_valid": (count["first"] + count["repaired"]) / total,
        "notes_key_facts": mean([r["kept"] for r in records]),
    }


def grading_metrics(records: list[Record]) -> dict[str, float]:
    metrics = {"grading_agreement": sum(r["grade"] == r["label"] for r in records) / len(records)}
    wrong = [r for r in records if r["label"] == "wrong"]
    if wrong:
        metrics["wrong_strong"] = sum(r["grade"] == "strong" for r in wrong) / len(wrong)
    caught = [float(r["caught"]) for r in records if "caught" in r]
    if caught:
        metrics["off_topic_caught"] = mean(caught)
    probes = [float(r["probe"]) for r in records if "probe" in r]
    if probes:
        metrics["followups_on_missed"] = mean(probes)
    return metrics


def steps(sets: Sets) -> int:
    """How many ticks one row makes (the progress bar's total per model)."""
    return len(sets.sections) + len(sets.clarify) + len(sets.grading) + len(sets.injections)
