"""The mentor's second look at what the router leaves to it (app/mentor/notes_check.py), on
the real index and the packaged model."""

from __future__ import annotations

import pytest

from app.conversation import ConversationState
from app.mentor.notes_check import understand
from app.mentor.section_matcher import SectionMatcher


@pytest.fixture(scope="module")
def matcher(kb, embedder) -> SectionMatcher:  # type: ignore[no-untyped-def]
    return SectionMatcher.from_knowledge(kb, embedder)


@pytest.mark.parametrize(
    ("message", "intent", "command"),
    [
        ("what is tini and why do people use it", "clarify", "by-notes"),  # the router: other
        ("my swarm service wont scale past 3 replicas lol", "clarify", "by-notes"),  # social
        ("ngl the moby whale mascot is adorable", "other", "social"),
        ("what is the capital of peru", "other", "unclaimed"),
        ("open the volumes notes", "section", "by-name"),  # claimed by a rule: left alone
        # a compound's second part is looked at too: the router leaves "does latest mean
        # newest" to the notes, which are close (0.60)
        ("mock interview on images then does latest mean newest", "clarify", "by-notes"),
        ("mock interview on registries then tell me a joke about cats", "other", "off-topic"),
    ],
)
def test_what_the_router_leaves_is_a_question_when_the_notes_are_close(
    matcher: SectionMatcher,
    index,
    message: str,
    intent: str,
    command: str,  # type: ignore[no-untyped-def]
) -> None:
    r = understand(message, ConversationState(), matcher, index)
    if message.startswith("mock interview"):
        assert r.intent == "interview" and r.then is not None, r
        r = r.then
    assert (r.intent, r.command) == (intent, command), r
