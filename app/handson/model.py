"""Hands-on tasks: the data model, citations into the notes, and the YAML loader.

A task is a prompt ("write a Dockerfile that ..."), a model answer, and a spec of named checks:
`require` rules must hold, `forbid` rules name anti-patterns that must not appear. Every rule
cites the note line it comes from by a short quoted phrase; the loader resolves the phrase to a
file line so findings can point at the exact place in the notes. Knowledge files keep changing,
so an unresolved quote is tolerated at run time (the citation keeps its section and phrase) and
is a hard error under `strict=True`, which the tests use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.catalog import SECTION_TITLES
from app.errors import KnowledgeError, NotFound
from app.handson.registry import known_check
from app.knowledge import yaml_list

Kind = Literal["dockerfile", "docker_run", "docker_cli", "compose"]
KINDS: tuple[Kind, ...] = ("dockerfile", "docker_run", "docker_cli", "compose")

# which family of checks (and which parser) serves each kind
FAMILY: dict[str, str] = {
    "dockerfile": "dockerfile",
    "docker_run": "cli",
    "docker_cli": "cli",
    "compose": "compose",
}


@dataclass(frozen=True)
class Citation:
    """Where a rule comes from: a section, its sub-heading and (when resolved) the file line."""

    section: int
    quote: str
    heading: str = ""
    line: int | None = None
    path: str = ""

    def label(self) -> str:
        where = f"Section {self.section}"
        if self.heading:
            where += f", {self.heading}"
        if self.line:
            where += f" (line {self.line})"
        return where

    def to_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "heading": self.heading,
            "line": self.line,
            "quote": self.quote,
            "path": self.path,
        }


class CiteSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    section: int = Field(ge=1, le=20)
    quote: str = Field(min_length=8, max_length=200)


class Rule(BaseModel):
    """One named check with its arguments, the message a user reads, and its citation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    check: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    args: dict[str, Any] = Field(default_factory=dict)
    message: str = Field(min_length=8)
    cite: CiteSpec
    id: str = ""

    @property
    def rule_id(self) -> str:
        return self.id or self.check


class WrongAnswer(BaseModel):
    """A mistake candidates really make: a whole answer that must fail the named rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fails: str = Field(pattern=r"^[a-z][a-z0-9_]*$")  # the check whose finding must fail
    answer: str = Field(min_length=10)
    rule: str = ""  # the rule id, when the task has several rules of that check

    @field_validator("answer")
    @classmethod
    def _strip(cls, text: str) -> str:
        return text.strip("\n") + "\n"


class Task(BaseModel):
    """One hands-on exercise; `forbid` already includes the kind's baseline anti-patterns."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    section: int = Field(ge=1, le=20)
    kind: Kind
    title: str = Field(min_length=4)
    prompt: str = Field(min_length=20)
    imp: bool = False
    level: Literal["junior", "mid", "senior"] = "mid"
    minutes: int = Field(default=5, ge=1, le=30)
    command: str | None = None  # docker_cli tasks: the command the rules look at ("build")
    model_answer: str = Field(min_length=10)
    require: tuple[Rule, ...] = Field(min_length=1)
    forbid: tuple[Rule, ...] = ()
    allow: tuple[str, ...] = ()  # baseline checks this task switches off
    baseline: bool = True
    hints: tuple[str, ...] = ()
    wrong_answers: tuple[WrongAnswer, ...] = ()  # validated by `mentor check`, never shown
    line: int = 0
    path: str = ""

    @field_validator("model_answer")
    @classmethod
    def _strip(cls, text: str) -> str:
        return text.strip("\n") + "\n"

    @property
    def family(self) -> str:
        return FAMILY[self.kind]

    def rules(self) -> list[tuple[str, Rule]]:
        return [("require", r) for r in self.require] + [("forbid", r) for r in self.forbid]

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "section": self.section,
            "kind": self.kind,
            "title": self.title,
            "prompt": self.prompt,
            "imp": self.imp,
            "level": self.level,
            "minutes": self.minutes,
        }


# ---------------------------------------------------------------- citations

_MARKUP = re.compile(r"[`*_]")


def _norm(text: str) -> str:
    return " ".join(_MARKUP.sub("", text).split()).lower()


@dataclass(frozen=True)
class NoteIndex:
    """The section notes as lines, for resolving quoted phrases to file lines and headings."""

    lines: dict[int, tuple[Path, list[str]]]

    @classmethod
    def load(cls, sections_dir: Path) -> NoteIndex:
        found: dict[int, tuple[Path, list[str]]] = {}
        for number in SECTION_TITLES:
            for path in sorted(sections_dir.glob(f"{number:02d}-*.md")):
                found[number] = (path, path.read_text(encoding="utf-8").splitlines())
        return cls(found)

    def resolve(self, spec: CiteSpec) -> Citation | None:
        """The citation for a quoted phrase, or None when the phrase is not in that section."""
        entry = self.lines.get(spec.section)
        if entry is None:
            return None
        path, lines = entry
        want = _norm(spec.quote)
        heading = ""
        for i, raw in enumerate(lines, start=1):
            stripped = raw.strip()
            if stripped.startswith("### ") or stripped.startswith("## "):
                heading = stripped.lstrip("#").strip()
            if want in _norm(raw):
                return Citation(spec.section, spec.quote, heading, i, str(path))
        return None


def cite(index: NoteIndex | None, spec: CiteSpec, *, strict: bool, where: str) -> Citation:
    resolved = index.resolve(spec) if index else None
    if resolved is not None:
        return resolved
    if strict:
        raise KnowledgeError(
            f"{where}: cited phrase {spec.quote!r} is not in Section {spec.section}'s notes"
        )
    return Citation(spec.section, spec.quote)


# ---------------------------------------------------------------- loading


@dataclass(frozen=True)
class TaskBook:
    """Every task by id, the resolved citation of every rule, and the baseline rules."""

    tasks: dict[str, Task]
    citations: dict[tuple[str, str, int], Citation]  # (task id, require/forbid, index)
    notes: NoteIndex | None = None

    def get(self, task_id: str) -> Task:
        try:
            return self.tasks[task_id]
        except KeyError:
            raise NotFound(
                f"there is no hands-on task {task_id!r}; `mentor tasks` lists them"
            ) from None

    def citation(self, task: Task, role: str, index: int) -> Citation:
        found = self.citations.get((task.id, role, index))
        if found is not None:
            return found
        rule = (task.require if role == "require" else task.forbid)[index]
        return Citation(rule.cite.section, rule.cite.quote)

    def by_section(self) -> dict[int, list[Task]]:
        out: dict[int, list[Task]] = {}
        for task in self.tasks.values():
            out.setdefault(task.section, []).append(task)
        return dict(sorted(out.items()))


_NOT_A_LIST = "a task file must be a YAML list of tasks"


def _yaml_mapping(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise KnowledgeError(f"{path}:{mark.line + 1 if mark else 1}: invalid YAML") from exc


def load_baseline(path: Path) -> dict[str, list[Rule]]:
    """`_baseline.yaml`: kind -> anti-pattern rules every task of that kind forbids."""
    if not path.exists():
        return {}
    data = _yaml_mapping(path)
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise KnowledgeError(f"{path}:1: the baseline must map a kind to a list of rules")
    out: dict[str, list[Rule]] = {}
    for kind, rules in data.items():
        if kind not in KINDS or not isinstance(rules, list):
            raise KnowledgeError(f"{path}:1: {kind!r} is not a task kind with a list of rules")
        try:
            out[kind] = [Rule(**r) for r in rules]
        except (TypeError, ValidationError) as exc:
            raise KnowledgeError(f"{path}:1: baseline rule for {kind}: {exc}") from None
    return out


def load_tasks(
    tasks_dir: Path, sections_dir: Path | None = None, *, strict: bool = False
) -> TaskBook:
    """Parse every `knowledge/tasks/NN-*.yaml`, merge baselines, resolve citations.

    With `strict`, a rule whose quoted phrase is missing from the notes, or whose check does not
    exist for the task's kind, raises KnowledgeError naming the file and line.
    """
    if not tasks_dir.is_dir():
        raise KnowledgeError(f"{tasks_dir}: no tasks folder")
    notes = NoteIndex.load(sections_dir or tasks_dir.parent / "sections")
    baseline = load_baseline(tasks_dir / "_baseline.yaml")
    tasks: dict[str, Task] = {}
    citations: dict[tuple[str, str, int], Citation] = {}
    for path in sorted(tasks_dir.glob("[0-9][0-9]-*.yaml")):
        # a file without tasks (empty, or comments only) adds none
        for line, data in yaml_list(path, _NOT_A_LIST, empty_ok=True):
            if not isinstance(data, dict):
                raise KnowledgeError(f"{path}:{line}: each task must be a mapping")
            try:
                task = Task(**data, line=line, path=str(path))
            except ValidationError as exc:
                err = exc.errors()[0]
                loc = ".".join(str(p) for p in err["loc"])
                raise KnowledgeError(f"{path}:{line}: task {loc}: {err['msg']}") from None
            if task.id in tasks:
                raise KnowledgeError(f"{path}:{line}: task id {task.id!r} is used twice")
            if task.kind == "docker_cli" and not task.command:
                raise KnowledgeError(f"{path}:{line}: a docker_cli task needs `command`")
            if task.baseline:
                own = {r.check for r in task.forbid} | set(task.allow)
                extra = tuple(r for r in baseline.get(task.kind, []) if r.check not in own)
                task = task.model_copy(update={"forbid": task.forbid + extra})
            for role, rules in (("require", task.require), ("forbid", task.forbid)):
                for i, rule in enumerate(rules):
                    where = f"{path}:{line}: task {task.id} {role}[{i}] {rule.check}"
                    if not known_check(task.family, rule.check):
                        raise KnowledgeError(f"{where}: no such check for {task.kind}")
                    citations[(task.id, role, i)] = cite(
                        notes, rule.cite, strict=strict, where=where
                    )
            tasks[task.id] = task
    return TaskBook(tasks, citations, notes)
