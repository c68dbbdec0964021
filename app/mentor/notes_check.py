"""The mentor's second look at what the router left to it: a message no rule or vote claimed
(or small talk that names Docker) is a question when the notes are close to it.

`understand()` is what `Mentor.stream` routes with; bench/bench_intents.py `--mentor` scores it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from app.mentor.intents import route
from app.mentor.types import Route

if TYPE_CHECKING:
    from app.conversation import ConversationState
    from app.mentor.section_matcher import SectionMatcher
    from app.retrieval.index import HybridIndex

NOTES_CLAIM, KEY_CLAIM = 0.45, 0.40  # see claimed_by_notes


def understand(
    message: str, state: ConversationState, matcher: SectionMatcher, index: HybridIndex
) -> Route:
    """`route()`, with the notes check on the message and on a compound's second part."""
    r = claimed_by_notes(message, route(message, state, matcher), matcher, index)
    if r.then is not None:
        then = claimed_by_notes(r.then.text or message, r.then, matcher, index)
        r = replace(r, then=then)
    return r


def claimed_by_notes(message: str, r: Route, matcher: SectionMatcher, index: HybridIndex) -> Route:
    """A message no rule or vote claimed is a question when a passage of the notes is close
    to it ("does latest mean newest": 0.60; labelled off-topic messages 0.35 or less), or
    when it holds a word of the notes the model lacks and a typed question is close ("what
    is tini and why do people use it": 0.26 from any passage, 0.44 from a question; the
    off-topic ones 0.34 or less). Small talk that names Docker ("social") the same way."""
    if r.intent != "other" or r.command not in ("unclaimed", "social"):
        return r
    hits = index.search(message, k=1, mode="dense")
    near = bool(hits) and (hits[0].dense or 0.0) >= NOTES_CLAIM
    if near or (matcher.notes_term(message) and index.closest_question(message) >= KEY_CLAIM):
        return Route("clarify", command="by-notes", text=r.text)
    return r
