"""Parsing knowledge files: typed objects, and errors that name the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import knowledge
from app.errors import KnowledgeError, NotFound
from tests.conftest import build_note

QUESTION = """\
- id: img-layers
  question: How do image layers make builds faster?
  imp: true
  level: junior
  key_points:
    - Each RUN, COPY and ADD instruction creates a layer
    - Unchanged layers are reused from the build cache
  model_answer: Layers are cached; order instructions so the ones that change least come first.
  follow_ups:
    - What invalidates the cache?
"""


def write_section(root: Path, number: int, stem: str, bank: str | None = QUESTION) -> Path:
    from app.catalog import SECTION_TITLES

    (root / "sections").mkdir(parents=True, exist_ok=True)
    (root / "questions").mkdir(parents=True, exist_ok=True)
    path = root / "sections" / f"{stem}.md"
    path.write_text(
        f"---\nnumber: {number}\ntitle: {SECTION_TITLES[number]}\naliases: [Images, layers]\n---\n"
        + build_note(number)
    )
    if bank is not None:
        (root / "questions" / f"{stem}.yaml").write_text(bank)
    return path


def test_load_parses_sections_and_questions(tmp_path: Path) -> None:
    write_section(tmp_path, 3, "03-images")
    kb = knowledge.load(tmp_path)
    sec = kb.section(3)
    assert sec.title == "Docker Images"
    assert sec.aliases == ("images", "layers")
    assert sec.markdown.startswith("## Section 3: Docker Images")
    assert sec.body_line == 6
    (q,) = sec.questions
    assert q.id == "img-layers" and q.imp and q.level == "junior" and q.section == 3
    assert q.line == 1
    with pytest.raises(NotFound, match="1-20"):
        kb.section(7)


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("number: 3\ntitle: Images\n", "should be 'Docker Images'"),
        ("number: 33\ntitle: Docker Images\n", "integer 1-20"),
        ("number: 3\ntitle: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_front_matter_names_file_and_line(tmp_path: Path, front: str, message: str) -> None:
    (tmp_path / "sections").mkdir()
    path = tmp_path / "sections" / "03-images.md"
    path.write_text(f"---\n{front}---\n" + build_note(3))
    with pytest.raises(KnowledgeError, match=message) as exc:
        knowledge.load(tmp_path)
    assert str(path) in str(exc.value)


def test_bad_question_names_its_line(tmp_path: Path) -> None:
    bad = (
        QUESTION + "- id: img-second\n  question: Too few key points here?\n  level: mid\n"
        "  key_points: [one]\n  model_answer: An answer long enough to count.\n  follow_ups: [x]\n"
    )
    write_section(tmp_path, 3, "03-images", bad)
    with pytest.raises(KnowledgeError, match=r"03-images.yaml:11: question key_points"):
        knowledge.load(tmp_path)


def test_invalid_yaml_names_its_line(tmp_path: Path) -> None:
    write_section(tmp_path, 3, "03-images", QUESTION + "  - : : [\n")
    with pytest.raises(KnowledgeError, match=r"03-images.yaml:\d+: invalid YAML"):
        knowledge.load(tmp_path)


def test_check_collects_every_problem(tmp_path: Path) -> None:
    write_section(tmp_path, 3, "03-images")
    sec = write_section(tmp_path, 4, "04-containers", bank=None)
    sec.write_text(sec.read_text().replace("**Best Practice:**", "Best:"))
    problems = knowledge.check(tmp_path)
    text = "\n".join(problems)
    assert "03-images.yaml:1: 1 questions, at least 10 needed" in text
    assert "04-containers.md" in text and "Best Practice" in text
    assert "missing question bank for section 4" in text
    assert "missing Section 1: Introduction to Docker" in text
    # the problem line points into the file, past the front matter
    line = next(p for p in problems if "Best Practice" in p)
    assert line.split(":")[1] == "1" or int(line.split(":")[1]) >= 1


def test_long_model_answer_and_duplicate_ids(tmp_path: Path) -> None:
    long_answer = " ".join(["word"] * 130)
    bank = QUESTION + QUESTION.replace(
        "model_answer: Layers", f"model_answer: {long_answer} Layers"
    )
    write_section(tmp_path, 3, "03-images", bank)
    text = "\n".join(knowledge.check(tmp_path))
    assert "already used" in text
    assert "has 143 words, at most 120" in text
