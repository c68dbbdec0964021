"""The template filters prompts/ and the web templates share (app/prompts.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import UndefinedError

from app.mentor.grades import MythHit
from app.prompts import Prompts, myth_lines, other_misconceptions

LINKED = MythHit(
    "docker stop kills at once",
    "docker stop sends SIGKILL immediately.",
    "It sends SIGTERM, then SIGKILL after 10 s.",
    section=4,
    heading="Stopping",
    link="/sections/4#stopping",
)
RUBRIC = MythHit("docker stop kills at once", "docker stop sends SIGKILL immediately", "")
OTHER = MythHit("alpine is always smaller", "Alpine images are always the smallest.", "")


def test_one_line_per_quoted_sentence_the_linked_one_first() -> None:
    assert myth_lines([RUBRIC, OTHER, LINKED]) == [LINKED, OTHER]


def test_myth_lines_reads_stored_json_too() -> None:
    stored = [RUBRIC.to_json(), LINKED.to_json()]
    assert myth_lines(stored) == [LINKED.to_json()]
    assert myth_lines(None) == []


def test_misconceptions_already_shown_as_myths_are_not_repeated() -> None:
    rubric = ["Docker stop sends SIGKILL immediately", "docker kill waits 10 seconds"]
    assert other_misconceptions(rubric, [LINKED]) == ["docker kill waits 10 seconds"]
    assert other_misconceptions(rubric, None) == rubric
    assert other_misconceptions(None, [LINKED]) == []


def test_prompt_templates_get_the_filters(tmp_path: Path) -> None:
    (tmp_path / "t.j2").write_text(
        "{% for m in myths | myth_lines %}{{ m.quote }};{% endfor %}"
        "{{ rubric | other_misconceptions(myths) | join('|') }}"
    )
    prompts = Prompts(tmp_path)
    out = prompts.render(
        "t.j2", myths=[RUBRIC, LINKED], rubric=["x.", "Docker stop sends SIGKILL immediately."]
    )
    assert out == "docker stop kills at once;x."
    with pytest.raises(UndefinedError):  # still strict: a missing value fails
        prompts.render("t.j2", myths=[])
