"""Reading an interview request: the count from the whole text, sections from the part that asks."""

from __future__ import annotations

import pytest

from app.catalog import SECTION_TITLES
from app.conversation import ConversationState
from app.mentor.interview_request import asking_part, interview_route, numbers_and_count
from app.mentor.section_matcher import SectionMatcher


@pytest.fixture(scope="module")
def matcher(kb, embedder) -> SectionMatcher:  # type: ignore[no-untyped-def]
    return SectionMatcher.from_knowledge(kb, embedder)


@pytest.mark.parametrize(
    ("text", "sections", "count"),
    [
        ("sec 19 only, two q", [19], 2),  # the section number is not the count
        ("3 networking qs", [], 3),
        ("give me 25 questions", [], 20),  # at most twenty
        ("quiz me on volumes", [], None),
    ],
)
def test_numbers_and_count(text: str, sections: list[int], count: int | None) -> None:
    referenced, got, rest = numbers_and_count(text)
    assert (referenced, got) == (sections, count)
    if count is not None:
        assert str(count) not in rest.split()  # the count is taken out of the rest


def test_a_range_is_every_section_in_it(matcher: SectionMatcher) -> None:
    r = interview_route("sections 2 to 4, 5 questions", ConversationState(), matcher)
    assert (r.sections, r.count) == ((2, 3, 4), 5)


def test_the_count_survives_when_sections_come_from_the_asking_part(
    matcher: SectionMatcher,
) -> None:
    r = interview_route(
        "quiz me on volumes because the job ad says kubernetes, 3 questions",
        ConversationState(),
        matcher,
        about="quiz me on volumes",
    )
    assert (r.intent, r.sections, r.count) == ("interview", (6,), 3)


@pytest.mark.parametrize(
    "text", ["mock interview in 2 days", "quiz me on all 20 sections", "interview me for 15 min"]
)
def test_durations_and_totals_name_no_section(matcher: SectionMatcher, text: str) -> None:
    r = interview_route(text, ConversationState(), matcher)
    assert r.sections == tuple(SECTION_TITLES) and r.command == "any"


def test_this_section_means_the_current_one(matcher: SectionMatcher) -> None:
    state = ConversationState(current_section=9)
    assert interview_route("quiz me on this section", state, matcher).sections == (9,)


def test_the_asking_part_drops_the_reason(matcher: SectionMatcher) -> None:
    message = "can you test me on the emerging topics section, because the company does supply chain security"
    part = asking_part(message, message.lower(), matcher)
    assert part is not None and "supply chain" not in part
    assert asking_part("ask me 5 questions", "ask me 5 questions", matcher) is None
