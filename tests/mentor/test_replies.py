"""The replies that are not notes, answers or interviews: help, progress, off-topic, analogies."""

from __future__ import annotations

from typing import Any

import pytest

from app.catalog import SECTION_TITLES
from app.conversation import ConversationState, SectionResult
from app.mentor import replies
from app.mentor.types import Route
from app.prompts import Prompts


def test_the_next_section_is_the_one_offered_else_the_first_unread() -> None:
    state = ConversationState()
    assert replies.next_section(state) == 1
    for n in (1, 2, 4):
        state.mark_seen(n)
    assert replies.next_section(state) == 3
    state.offered_section = 7
    assert replies.next_section(state) == 7
    everything = ConversationState(sections_seen=list(SECTION_TITLES))
    assert replies.next_section(everything) is None


def test_progress_lists_what_was_read_and_scored(prompts: Prompts) -> None:
    state = ConversationState(sections_seen=[5, 6])
    state.results[5] = SectionResult(score=8.0, answered=4, at=0.0)
    text = replies.help_reply(prompts, state, Route("help", command="progress")).markdown
    assert "5, 6" in text and SECTION_TITLES[5] in text  # read, and the one interviewed on
    assert "8.0" in text or "8/10" in text  # the score, however the template words it
    assert "Section 1**" in text  # the suggestion: the first section not read


@pytest.mark.parametrize("command", ["empty", "no", "injection", None])
def test_other_replies_name_a_next_step(prompts: Prompts, command: str | None) -> None:
    reply = replies.other(
        prompts, ConversationState(offered_section=9), Route("other", command=command)
    )
    assert reply.intent == "other" and reply.markdown.strip()
    assert "Section 9" in reply.markdown  # where the user was going, not back to the start


def test_every_section_has_an_analogy_for_the_simpler_answer(kb: Any) -> None:
    found = {n: replies.analogy(kb, n) for n in SECTION_TITLES}
    assert all(found.values()), [n for n, a in found.items() if not a]
    assert not any(a and a.startswith("**") for a in found.values())
