"""Answers that contradict the notes: a clarification asserting a catalogued myth.

The myth catalogue (knowledge/myths/) lists, per section, false or dated claims in the words
candidates use, each with the correction the notes give. An answer contradicts the notes when
one of its sentences or clauses asserts a claim of the question's sections, judged exactly the
way the offline grader spots a misconception (app/mentor/grader.py): close in meaning to the
claim, closer to it than to everything correct (the case's key points and the myths'
corrections), not negated ("a container is not a VM"), not about other details ("10 s" vs
"30 s"). One addition: a unit that is nearly the claim itself (cosine >= NEAR) asserts it when
it is closer to it than to any truth at all, since a correction that mentions the old state
("arrived as experimental in 19.03, generally available since 20.10") otherwise shields the
plain false claim ("rootless mode is still experimental"). And quoted text is mentioned, not
asserted: 'Pitfall: saying "containers are as secure as VMs"' contradicts nothing. Last, the
grader's plainness checks (app.mentor.evidence.plainly_asserts): a unit that lacks the claim's
numbers, flags or absolute words, or says the opposite word, does not assert it.
tests/eval/test_contradict.py checks it on hand-labelled answers.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from app.mentor.evidence import plainly_asserts
from app.mentor.grader import MisEvidence, OfflineGrader, Rubric, Thresholds, asserts

if TYPE_CHECKING:
    from app.knowledge import Knowledge
    from app.prompts import Prompts
    from app.retrieval.embeddings import Embedder

NEAR = 0.9
_QUOTED = re.compile(r'"[^"\n]{3,}"|“[^”\n]{3,}”')


def contradicts(e: MisEvidence, th: Thresholds) -> bool:
    """The grader's rule, or nearly the claim's own words and still closer to it than to truth."""
    plain = not e.denied and not e.contrast
    return asserts(e, th) or (plain and e.cosine >= NEAR and e.margin > 0)


class ContradictionJudge:
    def __init__(self, kb: Knowledge, embedder: Embedder, prompts: Prompts) -> None:
        self.myths = kb.myths
        self.grader = OfflineGrader(embedder, prompts)

    def asserted(
        self, question: str, key_points: list[str], sections: list[int], answer: str
    ) -> list[str]:
        """The myth claims of `sections` that `answer` asserts (empty: no contradiction)."""
        myths = [m for m in self.myths if m.section in sections]
        answer = _QUOTED.sub('""', answer)
        if not myths or not answer.strip():
            return []
        claims = tuple(dict.fromkeys(c for m in myths for c in m.claims))
        truth = tuple(dict.fromkeys([*key_points, *(m.correction for m in myths)]))
        features = self.grader.features(Rubric(question, truth, claims), answer)
        th = self.grader.thresholds
        return [
            e.misconception
            for e in features.mis_candidates
            if contradicts(e, th) and plainly_asserts(e.quote, e.misconception)
        ]
