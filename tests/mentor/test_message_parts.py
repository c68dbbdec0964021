"""Where the parts of a chat message sit (app/mentor/message_parts.py): corrections, questions
asked inside or at the end, a clause of section names beside a remark, the section a request
for notes is about."""

from __future__ import annotations

import re

import pytest

from app.mentor.intent_patterns import _norm
from app.mentor.message_parts import (
    _asked_first,
    _asks_inside,
    _asks_last,
    _corrected,
    _request_and_remark,
)
from app.mentor.section_matcher import SectionMatcher


@pytest.fixture(scope="module")
def matcher(kb) -> SectionMatcher:  # type: ignore[no-untyped-def]
    return SectionMatcher.from_knowledge(kb)


@pytest.mark.parametrize(
    ("bare", "section"),
    [("no wait i meant 12 not 11", 12), ("i meant section five", 5), ("not section 5 6", 6),
     ("no i wanted 12", 12), ("why would i want one", None), ("i want section two", 2)],
)  # fmt: skip
def test_corrected(bare: str, section: int | None) -> None:
    assert _corrected(bare) == section


@pytest.mark.parametrize(
    ("message", "asks"),
    [("we deploy :latest everywhere and rollbacks are a mess, whats a sane tagging strategy", True),
     ("compose notes pls, can u show me the notes", False),  # a request, not a question
     ("volumes", False)],
)  # fmt: skip
def test_asks_last(message: str, asks: bool) -> None:
    assert _asks_last(message) is asks


def test_asks_inside() -> None:
    assert _asks_inside("small team, one server: should we use compose or swarm? they might ask")
    assert not _asks_inside("compose notes please. i have an interview")


def _clauses(message: str) -> list[str]:
    return re.split(r"[,.;!]\s", message.lower())


@pytest.mark.parametrize(
    ("message", "i", "expected"),
    [("intro to docker pls, total beginner here", 0, True),
     ("cool. now security best practices", 1, True),
     ("self hosted registry:2 with tls, quick setup", 1, False),  # the other clause names one
     ("build cache in github actions ci, cache-from cache-to", 0, False)],  # two sections
)  # fmt: skip
def test_request_and_remark(matcher: SectionMatcher, message: str, i: int, expected: bool) -> None:
    assert _request_and_remark(i, _clauses(message), matcher) is expected


def test_asked_first_looks_in_the_nouns_own_sentence(matcher: SectionMatcher) -> None:
    text = _norm("never touched orchestration, pull up the kubernetes integration notes")
    assert _asked_first(text, [9, 10], matcher)[0] == 10
    text = _norm("wanna revise image layers, tags, docker pull/push basics. which section is that")
    assert _asked_first(text, [3, 1], matcher) == [3, 1]  # "basics" is in another sentence
