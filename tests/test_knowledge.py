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


@pytest.mark.parametrize(
    ("asked_as", "message"),
    [('[""]', "non-empty"), ("[a, b, c, d, e, f]", "at most 5")],
)
def test_asked_as_takes_up_to_five_phrasings(tmp_path: Path, asked_as: str, message: str) -> None:
    good = QUESTION.replace(
        "  level: junior\n", "  asked_as: [why r my builds slow]\n  level: junior\n"
    )
    write_section(tmp_path, 3, "03-images", good)
    (q,) = knowledge.load(tmp_path).section(3).questions
    assert q.asked_as == ["why r my builds slow"]
    bad = QUESTION.replace("  level: junior\n", f"  asked_as: {asked_as}\n  level: junior\n")
    write_section(tmp_path, 3, "03-images", bad)
    with pytest.raises(KnowledgeError, match=message):
        knowledge.load(tmp_path)


def test_asked_phrasings_for_a_sub_topic_load_and_bad_ones_name_their_line(
    tmp_path: Path,
) -> None:
    path = write_section(tmp_path, 3, "03-images")
    heading = knowledge.headings(path.read_text())[0]
    asked = tmp_path / "asked" / "03-images.yaml"
    asked.parent.mkdir()
    asked.write_text(f'"{heading}":\n  - why is my image so big\n  - what is a layer\n')
    kb = knowledge.load(tmp_path)
    assert kb.section(3).asked_as == {
        knowledge.topic(heading): ("why is my image so big", "what is a layer")
    }
    asked.write_text(f'"{heading}": [ok line]\n"No Such Heading": [why]\n')
    with pytest.raises(KnowledgeError, match=r"03-images.yaml:2: 'No Such Heading' is not a ###"):
        knowledge.load(tmp_path)
    asked.write_text(f'"{heading}": [a, b, c, d, e, f]\n')
    with pytest.raises(KnowledgeError, match=r"03-images.yaml:1: .* 1-5 non-empty lines"):
        knowledge.load(tmp_path)
    asked.write_text("- not a mapping\n")
    assert any("must map each ### heading" in p for p in knowledge.check(tmp_path))
    asked.unlink()
    (tmp_path / "asked" / "09-swarm.yaml").write_text("{}\n")
    assert any(
        "09-swarm.yaml:1: phrasings without a matching section" in p
        for p in knowledge.check(tmp_path)
    )


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
    # a whole-note problem names the file's first line
    line = next(p for p in problems if "Best Practice" in p)
    assert line.split(":")[1] == "1", line


def test_check_names_the_file_line_of_a_problem(tmp_path: Path) -> None:
    """A problem on one line of the body points at that line of the file (past the front
    matter), so an editor jumps to it."""
    sec = write_section(tmp_path, 3, "03-images")
    lines = sec.read_text().splitlines()
    fence = lines.index("```bash")
    lines[fence] = "```"  # a code block without a language tag
    sec.write_text("\n".join(lines) + "\n")
    problems = [p for p in knowledge.check(tmp_path) if "language tag" in p]
    assert problems == [f"{sec}:{fence + 1}: code blocks need a language tag (```bash ...)"]


def test_long_model_answer_and_duplicate_ids(tmp_path: Path) -> None:
    long_answer = " ".join(["word"] * 130)
    bank = QUESTION + QUESTION.replace(
        "model_answer: Layers", f"model_answer: {long_answer} Layers"
    )
    write_section(tmp_path, 3, "03-images", bank)
    text = "\n".join(knowledge.check(tmp_path))
    assert "already used" in text
    assert "has 143 words, at most 120" in text


MYTH = """\
- id: ok-myth
  claims:
    - Containers each run their own kernel.
    - Every container boots a small guest kernel.
  correction: All containers share the host kernel; isolation comes from namespaces.
  section: 3
  heading: "Containers vs Virtual Machines (IMP)"
  kind: wrong-mechanism
"""


def write_myths(root: Path, text: str) -> Path:
    (root / "myths").mkdir(parents=True, exist_ok=True)
    path = root / "myths" / "03-images.yaml"
    path.write_text(text)
    return path


def test_myths_load_with_their_citation(tmp_path: Path) -> None:
    write_section(tmp_path, 3, "03-images")
    write_myths(tmp_path, MYTH)
    kb = knowledge.load(tmp_path)
    (myth,) = kb.myths
    assert myth.id == "ok-myth" and myth.section == 3 and myth.kind == "wrong-mechanism"
    assert myth.claims[1] == "Every container boots a small guest kernel."
    assert myth.line == 1
    assert not [p for p in knowledge.check(tmp_path) if "/myths/" in p]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            (
                "  correction: All containers share the host kernel; isolation comes from namespaces.\n",
                "",
            ),
            "has no correction",
        ),
        (('  heading: "Containers vs Virtual Machines (IMP)"\n', ""), "has no citation"),
        (("  section: 3\n", "  section: 7\n"), "cites unknown section 7"),
        (("Containers vs Virtual Machines (IMP)", "Kernels"), "is not a ### heading of section 3"),
        (("kind: wrong-mechanism", "kind: bogus"), "unknown kind 'bogus'"),
        (("kind: wrong-mechanism", "kind: dated"), "is dated but says no 'since'"),
        (("    - Every container boots a small guest kernel.\n", ""), "at least 2 claims"),
    ],
)
def test_check_rejects_a_bad_myth_with_its_line(
    tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    write_section(tmp_path, 3, "03-images")
    path = write_myths(tmp_path, MYTH + "\n" + MYTH.replace("ok-myth", "bad-myth").replace(*edit))
    problems = [p for p in knowledge.check(tmp_path) if "/myths/" in p]
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}:10: ") and message in problems[0], problems


def test_check_rejects_duplicate_myth_ids(tmp_path: Path) -> None:
    write_section(tmp_path, 3, "03-images")
    path = write_myths(tmp_path, MYTH + "\n" + MYTH)
    problems = [p for p in knowledge.check(tmp_path) if "/myths/" in p]
    assert problems == [f"{path}:10: myth id 'ok-myth' already used in 03-images.yaml"]


def test_check_requires_a_misconception_per_question(tmp_path: Path) -> None:
    write_section(tmp_path, 3, "03-images")
    bank = tmp_path / "questions" / "03-images.yaml"
    problems = [p for p in knowledge.check(tmp_path) if "misconception" in p]
    assert problems == [f"{bank}:1: question 'img-layers' lists no misconception"]
    bank.write_text(QUESTION + "  misconceptions:\n    - Layers are rebuilt every time\n")
    assert not [p for p in knowledge.check(tmp_path) if "misconception" in p]
