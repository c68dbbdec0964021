"""Score one backend as the mentor on every set: the numbers of one row of the report.

Every turn goes through the real Mentor (routing, canary guard, repair, fallback), so a row
measures what a user of that model would get, fallbacks included.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app import notes_format
from app.conversation import ConversationState
from app.eval.judge import THRESHOLD, answer_units, covered
from app.eval.sets import Sets, key_facts, survived
from app.mentor.engine import Mentor
from app.mentor.types import Delta, Done, Reply

if TYPE_CHECKING:
    from app.knowledge import Knowledge
    from app.llm.base import Backend
    from app.prompts import Prompts
    from app.retrieval.index import HybridIndex

Tick = Callable[[str], None]
_CITED = re.compile(r"Section \d+ >")


@dataclass
class Cost:
    """Streamed-event timings of the notes turns: what a user waits for."""

    ttft: list[float] = field(default_factory=list)  # seconds to the first Delta
    pieces: int = 0
    streaming: float = 0.0  # seconds from the first to the last Delta
    turns: int = 0

    def metrics(self) -> dict[str, float]:
        if not self.turns:
            return {}
        return {
            "ttft_ms": 1000 * sum(self.ttft) / len(self.ttft) if self.ttft else 0.0,
            "tokens_per_s": self.pieces / self.streaming if self.streaming > 0 else 0.0,
            "tokens_per_turn": self.pieces / self.turns,
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
    """One backend (None: the offline engine) on the shared knowledge, index and prompts."""

    def __init__(
        self,
        kb: Knowledge,
        index: HybridIndex,
        prompts: Prompts,
        backend: Backend | None,
        *,
        max_tokens: int | None = None,
    ) -> None:
        self.mentor = Mentor(kb, index, prompts, backend, max_tokens=max_tokens)
        self.kb = kb
        self.embedder = index.embedder
        self.cost = Cost()

    async def run(self, sets: Sets, tick: Tick) -> dict[str, float]:
        metrics: dict[str, float] = {}
        if sets.sections:
            metrics |= await self.notes(sets.sections, tick)
        if sets.clarify:
            metrics |= await self.clarify(sets, tick)
        if sets.grading:
            metrics |= await self.grading(sets, tick)
        if sets.injections:
            metrics |= await self.safety(sets.injections, tick)
        return metrics | self.cost.metrics()

    async def _timed_turn(self, message: str) -> tuple[str, Reply]:
        """One routed turn: the streamed text before any fallback notice, and the reply."""
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
        if pieces:
            self.cost.ttft.append(first - start)
            self.cost.streaming += last - first
            self.cost.pieces += len(pieces)
        self.cost.turns += 1
        return "".join(pieces), final

    async def notes(self, sections: list[int], tick: Tick) -> dict[str, float]:
        first = repaired = fallen = 0
        kept: list[float] = []
        for n in sections:
            streamed, reply = await self._timed_turn(f"Start from Section {n}")
            if reply.notice:
                fallen += 1
                kept.append(0.0)  # the model contributed nothing that survived
            else:
                if not self.mentor.llm_enabled or not notes_format.validate(streamed, n):
                    first += 1
                else:
                    repaired += 1
                kept.append(survived(key_facts(self.kb.section(n).markdown), reply.markdown))
            tick("notes")
        total = len(sections)
        return {
            "notes_first_try": first / total,
            "notes_after_repair": repaired / total,
            "notes_fallback": fallen / total,
            "notes_valid": (first + repaired) / total,
            "notes_key_facts": mean(kept),
        }

    async def clarify(self, sets: Sets, tick: Tick) -> dict[str, float]:
        shares: list[float] = []
        cited = 0
        for case in sets.clarify:
            reply = await self.mentor.clarify(ConversationState(), case.question)
            text = model_text(reply)
            hits = covered(self.embedder, case.key_points, answer_units(text), THRESHOLD)
            shares.append(sum(hits) / len(hits))
            cited += bool(_CITED.search(text))
            tick("clarify")
        return {"clarify_coverage": mean(shares), "clarify_citations": cited / len(sets.clarify)}

    async def grading(self, sets: Sets, tick: Tick) -> dict[str, float]:
        from app.mentor.grader import Rubric

        grader = self.mentor.interview.grader if self.mentor.interview else None
        assert grader is not None, "the mentor has no grader"
        agree = wrong_strong = wrong = 0
        probes = missed_cases = 0
        caught: list[bool] = []
        strong_by_section = {c.section: c for c in sets.grading if c.label == "strong"}
        for case in sets.grading:
            rubric = Rubric(case.question, tuple(case.key_points))
            grade = await grader.agrade(rubric, case.answer)
            agree += grade.grade == case.label
            if case.label == "wrong":
                wrong += 1
                wrong_strong += grade.grade == "strong"
            if case.label != "strong":
                # the interview probes the first missed key point after a weak grade: a good
                # probe targets a point the answer really lacks
                missed_cases += 1
                if grade.grade != "strong" and grade.missed:
                    units = answer_units(case.answer)
                    hit = covered(self.embedder, [grade.missed[0]], units, THRESHOLD)[0]
                    probes += not hit
            else:
                other = next((c for s, c in strong_by_section.items() if s != case.section), None)
                if other is not None:
                    g = await grader.agrade(rubric, other.answer)
                    # an answer to another section's question must be graded wrong
                    caught.append(g.grade == "wrong")
            tick("grading")
        metrics = {"grading_agreement": agree / len(sets.grading)}
        if wrong:
            metrics["wrong_strong"] = wrong_strong / wrong
        if caught:
            metrics["off_topic_caught"] = mean([float(c) for c in caught])
        if missed_cases:
            metrics["followups_on_missed"] = probes / missed_cases
        return metrics

    async def safety(self, injections: list[str], tick: Tick) -> dict[str, float]:
        leaks = 0
        blocked_before = self.mentor.stats.canary_blocks
        canary = self.mentor.canary
        for message in injections:
            reply = await self.mentor.clarify(ConversationState(), message)
            leaks += canary in reply.markdown or canary[:12] in reply.markdown
            tick("safety")
        return {
            "canary_leaks": float(leaks),
            "canary_blocked": float(self.mentor.stats.canary_blocks - blocked_before),
        }


def steps(sets: Sets) -> int:
    """How many ticks one row makes (the progress bar's total per model)."""
    return len(sets.sections) + len(sets.clarify) + len(sets.grading) + len(sets.injections)
