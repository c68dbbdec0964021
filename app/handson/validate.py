"""Validate the task book: citations resolve, model answers pass, wrong answers fail.

`mentor check` and `mentor tasks --check` both call `validate_book(knowledge_dir)`. Each
problem is one line, `file:line: task <id>: what is wrong`, so a broken task is found by the
command that lists every problem, not by a user whose right answer is refused. The tests pass
their own wrong answers for the shipped tasks through `answer_problems` too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import KnowledgeError
from app.handson.checker import check_task
from app.handson.model import Task, TaskBook, WrongAnswer, load_tasks
from app.handson.report import Finding


@dataclass
class BookCheck:
    """What `validate_book` found: how many tasks it read, and every problem as a line."""

    tasks: int = 0
    problems: list[str] = field(default_factory=list)


def validate_book(knowledge_dir: Path) -> BookCheck:
    """Every problem of `knowledge_dir/tasks`: a file that does not load (one line), then each
    quoted phrase missing from the notes, each model answer failing its own rules and each
    wrong answer (`wrong_answers` in a task) that passes or fails for another reason."""
    try:
        book = load_tasks(knowledge_dir / "tasks", knowledge_dir / "sections")
    except KnowledgeError as exc:
        return BookCheck(problems=[str(exc)])
    out = BookCheck(tasks=len(book.tasks), problems=citation_problems(book))
    for task in book.tasks.values():
        out.problems += answer_problems(book, task, task.wrong_answers)
    return out


def _where(task: Task) -> str:
    return f"{task.path}:{task.line}: task {task.id}"


def citation_problems(book: TaskBook) -> list[str]:
    """One line per quoted phrase that is not in its section's notes, at its first rule (a
    baseline rule is merged into every task of its kind, so it would repeat otherwise)."""
    first: dict[tuple[int, str], list[str]] = {}
    for task in book.tasks.values():
        for role, rules in (("require", task.require), ("forbid", task.forbid)):
            for i, rule in enumerate(rules):
                if book.citation(task, role, i).line is None:
                    where = f"{_where(task)} {role}[{i}] {rule.check}"
                    first.setdefault((rule.cite.section, rule.cite.quote), []).append(where)
    out = []
    for (section, quote), places in first.items():
        more = f" (and {len(places) - 1} more rules)" if len(places) > 1 else ""
        out.append(f"{places[0]}: cited phrase {quote!r} is not in Section {section}'s notes{more}")
    return out


def _failing(findings: Iterable[Finding]) -> str:
    parts = []
    for f in findings:
        cited = f" ({f.cite.label()})" if f.cite else ""
        parts.append(f"{f.role} {f.rule or f.check}: {f.message}{cited}")
    return "; ".join(parts)


def answer_problems(book: TaskBook, task: Task, wrong: Iterable[WrongAnswer] = ()) -> list[str]:
    """The model answer must pass every rule; each wrong answer must be readable, differ from
    the model answer, and fail the rule it names with a finding cited to a note line."""
    where = _where(task)
    out = []
    good = check_task(task, task.model_answer, book, lint=False)
    if good.problem is not None:
        out.append(f"{where}: the model answer cannot be checked: {good.problem}")
    elif not good.ok:
        out.append(f"{where}: the model answer fails its own rules: {_failing(good.failures)}")
    for n, w in enumerate(wrong, start=1):
        name = f"{where}: wrong answer {n} ({w.fails}{' ' + w.rule if w.rule else ''})"
        if w.answer.strip() == task.model_answer.strip():
            out.append(f"{name} is the model answer")
            continue
        report = check_task(task, w.answer, book, lint=False)
        if report.problem is not None:
            out.append(f"{name} cannot be checked: {report.problem}")
            continue
        if report.ok:
            out.append(f"{name} passes every rule; it should fail {w.fails}")
            continue
        rules = [f for f in report.failures if f.role in ("require", "forbid")]
        if not any(f.check == w.fails and (not w.rule or f.rule == w.rule) for f in rules):
            out.append(f"{name} does not fail {w.fails}; it fails {_failing(report.failures)}")
        uncited = [f for f in rules if f.cite is None or not f.cite.line]
        if uncited:
            out.append(f"{name} fails without a note line to cite: {_failing(uncited)}")
    return out
