"""How the grader splits an answer (app/mentor/answer_text.py): sentences keep their flags and
code, and a clause that only sets the scene is told apart from one that claims something."""

from __future__ import annotations

import pytest

from app.mentor.answer_text import answer_units, sentences_of, sets_the_scene


def test_a_sentence_that_opens_with_a_flag_keeps_it() -> None:
    """ "--privileged only ..." was read as "privileged only ...": the flag was lost."""
    parts = sentences_of("--privileged only gives root inside the container.")
    assert parts == ["--privileged only gives root inside the container."]


def test_a_dash_between_clauses_still_splits() -> None:
    assert sentences_of("it runs as root - and that is the problem") == [
        "it runs as root",
        "and that is the problem",
    ]


def test_the_dots_of_copy_do_not_end_a_sentence() -> None:
    assert sentences_of("Put COPY . . at the top. Then build it.") == [
        "Put COPY . . at the top.",
        "Then build it.",
    ]


@pytest.mark.parametrize(
    ("answer", "scene"),
    [
        ("Under rootless Docker or userns-remap, the IDs are shifted on the host.", True),
        ("With the json-file driver and no rotation, logs grow until the disk fills.", False),
        ("Rootless Docker and userns-remap, the same thing, both shift IDs.", False),
    ],
)
def test_a_short_clause_opening_with_a_preposition_sets_the_scene(answer: str, scene: bool) -> None:
    units = answer_units(answer)[0]
    assert any(sets_the_scene(u) for u in units) is scene
    assert not any(sets_the_scene(u) for u in units if u.sentence)
