"""Parse knowledge/ into typed Section, Question and Myth objects; check all of it.

Parsing errors raise KnowledgeError naming the file and line; `check()` collects every problem
(parse errors, the note format, the question-bank rules, the myth catalogue) without stopping at
the first. knowledge/asked/NN-stem.yaml maps each `###` sub-topic to the ways candidates type a
question it answers (search keys, never shown). The myth catalogue (knowledge/myths/NN-stem.yaml)
lists false or dated claims candidates make; the grader tests every answer against all of them,
so an entry without a correction or a citation would leave a learner told "wrong" with nothing
to read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app import notes_format
from app.catalog import SECTION_TITLES
from app.errors import KnowledgeError, NotFound

# libyaml's C loader when available: the pure-Python one takes seconds over all 20 banks
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_MODEL_ANSWER_WORDS = 120
MIN_QUESTIONS = 10
MIN_IMP_QUESTIONS = 3
_STEM = re.compile(r"^(\d{2})-[a-z0-9-]+$")
_H3 = re.compile(r"^###\s+(.+?)\s*$", re.M)
_IMP_MARK = re.compile(r"\s*\(IMP\)\s*$", re.IGNORECASE)
MAX_ASKED_AS = 5
MythKind = Literal["wrong-default", "wrong-mechanism", "unsafe-practice", "dated", "wrong-fact"]


class Question(BaseModel):
    """One interview question with its grading rubric."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    question: str = Field(min_length=10)
    imp: bool = False
    level: Literal["junior", "mid", "senior"]
    key_points: list[str] = Field(min_length=2, max_length=6)
    model_answer: str = Field(min_length=20)
    follow_ups: list[str] = Field(min_length=1, max_length=3)
    misconceptions: list[str] = Field(default_factory=list)
    # how candidates type this same question into a chat ("docker stop always takes 10 secs,
    # why"): search keys that tell the composer the user asked this very question; never shown
    asked_as: list[str] = Field(default_factory=list, max_length=5)
    section: int = 0
    line: int = 0

    @field_validator("key_points", "follow_ups", "misconceptions", "asked_as")
    @classmethod
    def _non_empty_items(cls, items: list[str]) -> list[str]:
        if any(not str(s).strip() for s in items):
            raise ValueError("items must be non-empty text")
        return [str(s).strip() for s in items]


class Myth(BaseModel):
    """A false or dated claim candidates make, how they phrase it, and where the notes say
    what is true."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    claims: list[str] = Field(min_length=2, max_length=4)
    correction: str = Field(min_length=10)
    section: int = Field(ge=1, le=20)
    heading: str = Field(min_length=3)
    kind: MythKind
    since: str | None = None
    line: int = 0
    path: str = ""

    @field_validator("claims")
    @classmethod
    def _claims_text(cls, items: list[str]) -> list[str]:
        if any(not str(s).strip() for s in items):
            raise ValueError("claims must be non-empty text")
        return [str(s).strip() for s in items]

    @field_validator("correction", "heading")
    @classmethod
    def _strip(cls, value: str) -> str:
        return str(value).strip()


@dataclass(frozen=True)
class Section:
    """One section note: front matter plus the Markdown body in the fixed note format."""

    number: int
    title: str
    aliases: tuple[str, ...]
    markdown: str
    path: Path
    body_line: int  # the file line where `markdown` starts (1-based)
    questions: tuple[Question, ...] = field(default=())
    # how candidates type a question each `###` sub-topic answers, by heading without "(IMP)"
    # (knowledge/asked/NN-stem.yaml): search keys, never shown
    asked_as: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.path.stem


@dataclass(frozen=True)
class Knowledge:
    sections: dict[int, Section]
    folder: Path | None = None

    @cached_property
    def myths(self) -> tuple[Myth, ...]:
        """The myth catalogue, parsed on first use: serving notes and answers never needs it,
        and parsing ~570 entries is a quarter of a start-up's knowledge load."""
        return load_myths(self.folder) if self.folder else ()

    def section(self, number: int) -> Section:
        try:
            return self.sections[number]
        except KeyError:
            raise NotFound(f"there is no Section {number}; sections are 1-20") from None

    @property
    def questions(self) -> list[Question]:
        return [q for s in self.sections.values() for q in s.questions]


def _front_matter(path: Path, text: str) -> tuple[dict[str, Any], str, int]:
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise KnowledgeError(f"{path}:1: a section file must start with '---' front matter")
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            try:
                meta = yaml.load("".join(lines[1:i]), Loader=_Loader) or {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                where = mark.line + 2 if mark else 1
                raise KnowledgeError(f"{path}:{where}: front matter is not valid YAML") from exc
            if not isinstance(meta, dict):
                raise KnowledgeError(f"{path}:2: front matter must be a mapping")
            return meta, "".join(lines[i + 1 :]), i + 2
    raise KnowledgeError(f"{path}:1: front matter is never closed with '---'")


def parse_section(path: Path) -> Section:
    meta, body, body_line = _front_matter(path, path.read_text(encoding="utf-8"))
    number, title = meta.get("number"), meta.get("title")
    if not isinstance(number, int) or number not in SECTION_TITLES:
        raise KnowledgeError(f"{path}:2: 'number' must be an integer 1-20, got {number!r}")
    if title != SECTION_TITLES[number]:
        raise KnowledgeError(
            f"{path}:2: title {title!r} should be {SECTION_TITLES[number]!r} for section {number}"
        )
    aliases = meta.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise KnowledgeError(f"{path}:2: 'aliases' must be a list of strings")
    return Section(
        number=number,
        title=title,
        aliases=tuple(a.strip().lower() for a in aliases),
        markdown=body.strip() + "\n",
        path=path,
        body_line=body_line,
    )


def parse_questions(path: Path, section: int) -> list[Question]:
    questions = []
    for line, data in yaml_list(path, "a question bank must be a YAML list of questions"):
        if not isinstance(data, dict):
            raise KnowledgeError(f"{path}:{line}: each question must be a mapping")
        try:
            questions.append(Question(**data, section=section, line=line))
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            raise KnowledgeError(f"{path}:{line}: question {where}: {err['msg']}") from None
    return questions


def headings(markdown: str) -> list[str]:
    """The `###` topic headings of a note, as written."""
    return _H3.findall(markdown)


def topic(heading: str) -> str:
    """A `###` heading without its "(IMP)" mark: how chunks and `asked_as` name a sub-topic."""
    return _IMP_MARK.sub("", heading).strip()


def parse_asked(path: Path, markdown: str) -> dict[str, tuple[str, ...]]:
    """knowledge/asked/NN-stem.yaml: a mapping from a `###` heading of the section's notes to
    the ways candidates type a question it answers (1-5 lines). KnowledgeError names the line
    of a heading the notes do not have or of a bad list."""
    known = {topic(h) for h in headings(markdown)}
    with _yaml_tree(path) as (loader, root):
        if root is None:
            return {}
        if not isinstance(root, yaml.MappingNode):
            raise KnowledgeError(f"{path}:1: must map each ### heading to a list of phrasings")
        asked: dict[str, tuple[str, ...]] = {}
        for key_node, value_node in root.value:
            line = key_node.start_mark.line + 1
            heading = loader.construct_object(key_node)
            value = loader.construct_object(value_node, deep=True)
            if not isinstance(heading, str) or topic(heading) not in known:
                raise KnowledgeError(
                    f"{path}:{line}: {heading!r} is not a ### heading of the notes"
                )
            if (
                not isinstance(value, list)
                or not 1 <= len(value) <= MAX_ASKED_AS
                or not all(isinstance(v, str) and v.strip() for v in value)
            ):
                raise KnowledgeError(
                    f"{path}:{line}: {heading!r} needs a list of 1-{MAX_ASKED_AS} non-empty lines"
                )
            asked[topic(heading)] = tuple(v.strip() for v in value)
        return asked


@contextmanager
def _yaml_tree(path: Path) -> Iterator[tuple[yaml.SafeLoader, yaml.Node | None]]:
    """The file's YAML node tree (one parse) and the loader that constructs values from its
    nodes; a YAML error inside the block becomes a KnowledgeError naming the line."""
    loader = _Loader(path.read_text(encoding="utf-8"))
    try:
        yield loader, loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise KnowledgeError(f"{path}:{mark.line + 1 if mark else 1}: invalid YAML") from exc
    finally:
        loader.dispose()


def yaml_list(path: Path, not_a_list: str, *, empty_ok: bool = False) -> list[tuple[int, Any]]:
    """(line, item) for each item of a YAML list file; KnowledgeError names the line
    (`not_a_list`: the message when the file is not a list). With `empty_ok` a file holding no
    YAML document (empty, or comments only) is an empty list."""
    # one parse: compose the node tree, then construct each item from its own node
    with _yaml_tree(path) as (loader, root):
        if root is None and empty_ok:
            return []
        if root is None or not isinstance(root, yaml.SequenceNode):
            raise KnowledgeError(f"{path}:1: {not_a_list}")
        return [(node.start_mark.line + 1, loader.construct_document(node)) for node in root.value]


def parse_myths(path: Path) -> list[Myth]:
    """One myth file; the first invalid entry raises KnowledgeError with its line."""
    myths = []
    for line, data in yaml_list(path, "a myth file must be a YAML list"):
        if not isinstance(data, dict):
            raise KnowledgeError(f"{path}:{line}: each myth must be a mapping")
        try:
            myths.append(Myth(**data, line=line, path=str(path)))
        except (ValidationError, TypeError) as exc:
            raise KnowledgeError(f"{path}:{line}: myth {_first_error(exc)}") from None
    return myths


def _first_error(exc: Exception) -> str:
    if not isinstance(exc, ValidationError):
        return str(exc)
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}"


def load_myths(knowledge_dir: Path) -> tuple[Myth, ...]:
    myth_dir = knowledge_dir / "myths"
    files = sorted(myth_dir.glob("*.yaml")) if myth_dir.is_dir() else []
    return tuple(m for path in files for m in parse_myths(path))


def load(knowledge_dir: Path) -> Knowledge:
    """Parse every section and its question bank; raise KnowledgeError on the first bad file."""
    sections: dict[int, Section] = {}
    sec_dir = knowledge_dir / "sections"
    if not sec_dir.is_dir():
        raise KnowledgeError(f"{sec_dir}: no sections folder")
    for path in sorted(sec_dir.glob("*.md")):
        section = parse_section(path)
        if section.number in sections:
            raise KnowledgeError(f"{path}:2: section {section.number} is defined twice")
        bank = knowledge_dir / "questions" / f"{path.stem}.yaml"
        qs = tuple(parse_questions(bank, section.number)) if bank.exists() else ()
        keys = knowledge_dir / "asked" / f"{path.stem}.yaml"
        asked = parse_asked(keys, section.markdown) if keys.exists() else {}
        sections[section.number] = Section(
            **{**section.__dict__, "questions": qs, "asked_as": asked}
        )
    return Knowledge(sections=dict(sorted(sections.items())), folder=knowledge_dir)


def _words(text: str) -> int:
    return len(text.split())


def check(knowledge_dir: Path) -> list[str]:
    """Every problem in knowledge/, as 'file:line: message' lines; empty when all pass."""
    problems: list[str] = []
    sec_dir, q_dir = knowledge_dir / "sections", knowledge_dir / "questions"
    seen: dict[int, Path] = {}
    ids: dict[str, str] = {}
    for path in sorted(sec_dir.glob("*.md")) if sec_dir.is_dir() else []:
        if not _STEM.match(path.stem):
            problems.append(f"{path}:1: file name must look like NN-slug.md")
        try:
            section = parse_section(path)
        except KnowledgeError as exc:
            problems.append(str(exc))
            continue
        if f"{section.number:02d}" != path.stem[:2]:
            problems.append(f"{path}:2: number {section.number} does not match the file name")
        seen[section.number] = path
        for p in notes_format.find_problems(section.markdown, section.number):
            line = section.body_line + p.line - 1 if p.line else 1
            problems.append(f"{path}:{line}: {p.message}")
        keys = knowledge_dir / "asked" / f"{path.stem}.yaml"
        if keys.exists():
            try:
                parse_asked(keys, section.markdown)
            except KnowledgeError as exc:
                problems.append(str(exc))
        bank = q_dir / f"{path.stem}.yaml"
        if not bank.exists():
            problems.append(f"{bank}:1: missing question bank for section {section.number}")
            continue
        try:
            questions = parse_questions(bank, section.number)
        except KnowledgeError as exc:
            problems.append(str(exc))
            continue
        problems += _bank_problems(bank, questions, ids)
    problems += myth_problems(knowledge_dir, seen)
    for number, title in SECTION_TITLES.items():
        if number not in seen:
            problems.append(f"{sec_dir}: missing Section {number}: {title}")
    for path in sorted(q_dir.glob("*.yaml")) if q_dir.is_dir() else []:
        if not (sec_dir / f"{path.stem}.md").exists():
            problems.append(f"{path}:1: question bank without a matching section file")
    asked_dir = knowledge_dir / "asked"
    for path in sorted(asked_dir.glob("*.yaml")) if asked_dir.is_dir() else []:
        if not (sec_dir / f"{path.stem}.md").exists():
            problems.append(f"{path}:1: phrasings without a matching section file")
    return problems


def _bank_problems(bank: Path, questions: list[Question], ids: dict[str, str]) -> list[str]:
    problems = []
    if len(questions) < MIN_QUESTIONS:
        problems.append(f"{bank}:1: {len(questions)} questions, at least {MIN_QUESTIONS} needed")
    if sum(q.imp for q in questions) < MIN_IMP_QUESTIONS:
        problems.append(f"{bank}:1: fewer than {MIN_IMP_QUESTIONS} questions marked imp")
    if len({q.level for q in questions}) < 3:
        problems.append(f"{bank}:1: mix junior, mid and senior questions")
    for q in questions:
        if not q.misconceptions:
            problems.append(f"{bank}:{q.line}: question {q.id!r} lists no misconception")
        if q.id in ids:
            problems.append(f"{bank}:{q.line}: id {q.id!r} already used in {ids[q.id]}")
        ids[q.id] = bank.name
        if _words(q.model_answer) > MAX_MODEL_ANSWER_WORDS:
            problems.append(
                f"{bank}:{q.line}: model_answer of {q.id!r} has {_words(q.model_answer)} words, "
                f"at most {MAX_MODEL_ANSWER_WORDS}"
            )
    return problems


def myth_problems(knowledge_dir: Path, sections: dict[int, Path]) -> list[str]:
    """Every problem of the myth catalogue: each entry is checked on its own, so one bad entry
    does not hide the others."""
    problems: list[str] = []
    myth_dir = knowledge_dir / "myths"
    heads: dict[int, set[str]] = {}
    for number, path in sections.items():
        try:
            heads[number] = set(headings(parse_section(path).markdown))
        except KnowledgeError:
            heads[number] = set()
    seen: dict[str, str] = {}
    for path in sorted(myth_dir.glob("*.yaml")) if myth_dir.is_dir() else []:
        try:
            entries = yaml_list(path, "a myth file must be a YAML list")
        except KnowledgeError as exc:
            problems.append(str(exc))
            continue
        for line, data in entries:
            problems += [f"{path}:{line}: {p}" for p in _entry_problems(data, heads, seen, path)]
    return problems


def _entry_problems(
    data: Any, heads: dict[int, set[str]], seen: dict[str, str], path: Path
) -> list[str]:
    if not isinstance(data, dict):
        return ["each myth must be a mapping"]
    mid = str(data.get("id", "?"))
    out = []
    if not str(data.get("correction") or "").strip():
        out.append(f"myth {mid!r} has no correction")
    if not data.get("section") or not str(data.get("heading") or "").strip():
        out.append(f"myth {mid!r} has no citation (section and heading)")
    claims = data.get("claims")
    if not isinstance(claims, list) or len([c for c in claims if str(c).strip()]) < 2:
        out.append(f"myth {mid!r} needs at least 2 claims (phrasings)")
    if mid in seen:
        out.append(f"myth id {mid!r} already used in {seen[mid]}")
    seen[mid] = path.name
    section, heading = data.get("section"), str(data.get("heading") or "").strip()
    if data.get("section") and section not in heads:
        out.append(f"myth {mid!r} cites unknown section {section!r}")
    elif heading and isinstance(section, int) and heading not in heads[section]:
        out.append(f"myth {mid!r}: heading {heading!r} is not a ### heading of section {section}")
    if data.get("kind") not in get_args(MythKind):
        out.append(f"myth {mid!r}: unknown kind {data.get('kind')!r}")
    elif data.get("kind") == "dated" and not data.get("since"):
        out.append(f"myth {mid!r} is dated but says no 'since'")
    if not out:
        try:
            Myth(**data)
        except (ValidationError, TypeError) as exc:
            out.append(f"myth {mid!r}: {_first_error(exc)}")
    return out
