"""The real knowledge base: complete, in format, chained 1 -> 20, and enough questions."""

from __future__ import annotations

import re

from app import knowledge, notes_format
from app.catalog import SECTION_TITLES
from tests.conftest import KNOWLEDGE


def test_mentor_check_passes_for_all_20_sections_and_banks() -> None:
    assert knowledge.check(KNOWLEDGE) == []
    kb = knowledge.load(KNOWLEDGE)
    assert sorted(kb.sections) == list(range(1, 21))
    assert len(kb.questions) >= 200
    for number, section in kb.sections.items():
        qs = section.questions
        assert len(qs) >= 10, number
        assert sum(q.imp for q in qs) >= 3, number
        assert {q.level for q in qs} == {"junior", "mid", "senior"}, number
        words = len(section.markdown.split())
        assert 350 <= words <= 1700, (number, words)


def test_walking_the_closing_questions_visits_1_to_20_without_a_gap() -> None:
    kb = knowledge.load(KNOWLEDGE)
    number, visited = 1, []
    while True:
        visited.append(number)
        last = kb.section(number).markdown.strip().splitlines()[-1]
        offered = re.findall(r"Section (\d+): ([^*?]+)", last)
        if number == 20:
            assert not offered and "mock interview" in last.lower()
            break
        assert len(offered) == 1, last
        nxt, title = int(offered[0][0]), offered[0][1].strip()
        assert (nxt, title) == (number + 1, SECTION_TITLES[number + 1]), last
        number = nxt
    assert visited == list(range(1, 21))


def test_every_note_validates_on_its_own() -> None:
    kb = knowledge.load(KNOWLEDGE)
    for number, section in kb.sections.items():
        assert notes_format.validate(section.markdown, number) == [], number


def test_question_ids_are_unique_and_prefixed_by_topic() -> None:
    kb = knowledge.load(KNOWLEDGE)
    ids = [q.id for q in kb.questions]
    assert len(ids) == len(set(ids))
    for section in kb.sections.values():
        prefixes = {q.id.split("-")[0] for q in section.questions}
        assert len(prefixes) <= 2, (section.number, prefixes)
