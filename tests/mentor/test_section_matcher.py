"""Sections named by words (app/mentor/section_matcher.py): a name every section's notes use
("container") gives way to a rarer one ("wasm") when a message says both."""

from __future__ import annotations

import pytest

from app.mentor.section_matcher import SectionMatcher, spread


@pytest.fixture(scope="module")
def matcher(kb) -> SectionMatcher:  # type: ignore[no-untyped-def]
    return SectionMatcher.from_knowledge(kb)


def test_spread_counts_the_sections_whose_words_hold_a_name() -> None:
    words = {1: "a wasm container".split(), 2: "two containers here".split(), 3: "ci/cd".split()}
    got = spread({"container", "wasm", "ci/cd", "two containers"}, words)
    assert got == {"container": 2, "wasm": 1, "two containers": 1}  # "ci/cd": not words alone


def test_a_rarer_name_wins_a_tie(matcher: SectionMatcher) -> None:
    assert matcher.spread["container"] > matcher.spread["wasm"]
    assert matcher.by_words("wasm containers")[0] == 20
    assert matcher.by_words("containers")[0] == 4  # alone, the common name still names its own
