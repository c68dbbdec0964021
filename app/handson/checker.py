"""Check one answer against one task: clean the input, parse it for real, run every rule.

Never raises for anything the user typed: unusable input becomes `Report.problem`, Docker
syntax errors become `syntax` findings, and a check that trips over odd input becomes an
`info` finding instead of a crash.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from app.handson import commands, compose_spec, dockerfile_model, hadolint, inputs
from app.handson.model import Citation, CiteSpec, Task, TaskBook
from app.handson.registry import run_check
from app.handson.report import Finding, Report

log = logging.getLogger(__name__)

_DOCKERIGNORE = CiteSpec(section=7, quote="`.dockerignore` at the context root excludes files")
_KIND_NAMES = {
    "dockerfile": "a Dockerfile",
    "docker_run": "a docker command line",
    "compose": "a Compose file",
}


def _parse(task: Task, text: str) -> tuple[Any, list[tuple[int, str]]]:
    """(parsed model, syntax errors); raises ValueError subclasses with a user-facing reason."""
    if task.family == "dockerfile":
        dockerfile = dockerfile_model.parse(text)
        return dockerfile, dockerfile_model.syntax_problems(dockerfile)
    if task.family == "cli":
        script = commands.parse(text)
        return script, [e for c in script.commands for e in c.errors]
    compose = compose_spec.parse(text)
    return compose, compose.errors


def _mismatch(task: Task, text: str) -> str:
    guess = inputs.sniff(text)
    if guess is None or guess == task.kind or inputs.WHAT.get(guess) == inputs.WHAT[task.kind]:
        return ""
    if task.family == "cli" and guess == "docker_run":
        return ""
    return (
        f" It looks like {_KIND_NAMES.get(guess, guess)}, but this task asks for "
        f"{inputs.WHAT[task.kind]}."
    )


def check_task(
    task: Task,
    answer: str | bytes | None,
    book: TaskBook | None = None,
    *,
    lint: bool = True,
    linter: Callable[[str], tuple[list[Any], str]] | None = None,
) -> Report:
    report = Report(task_id=task.id, kind=task.kind)
    cleaned = inputs.clean(answer, task.kind)
    if cleaned.text is None:
        report.problem = cleaned.problem
        return report
    text = cleaned.text
    try:
        parsed, syntax = _parse(task, text)
    except (ValueError, RecursionError) as exc:
        reason = str(exc) if isinstance(exc, ValueError) else "it nests too deeply"
        report.problem = (
            f"This cannot be read as {inputs.WHAT[task.kind]}: {reason}.{_mismatch(task, text)}"
        )
        return report
    for line, message in syntax:
        report.findings.append(Finding("syntax", "syntax", False, message, line=line))
    for role, rules in (("require", task.require), ("forbid", task.forbid)):
        for index, rule in enumerate(rules):
            args = dict(rule.args)
            if task.family == "cli":
                args.setdefault("command", task.command or "run")
            cite = (
                book.citation(task, role, index)
                if book
                else Citation(rule.cite.section, rule.cite.quote)
            )
            try:
                outcome = run_check(task.family, rule.check, parsed, args)
            except Exception as exc:  # a bug in one check must not take the report down
                log.exception("check %s failed on task %s", rule.check, task.id)
                report.findings.append(
                    Finding(
                        "syntax",
                        rule.check,
                        True,
                        f"could not evaluate {rule.check}: {exc}",
                        severity="info",
                        rule=rule.rule_id,
                    )
                )
                continue
            passed = outcome.hit if role == "require" else not outcome.hit
            report.findings.append(
                Finding(
                    role,  # type: ignore[arg-type]
                    rule.check,
                    passed,
                    rule.message,
                    detail=outcome.detail,
                    line=outcome.line,
                    cite=cite,
                    rule=rule.rule_id,
                )
            )
    report.findings.extend(_hints(task, parsed, book))
    if task.family == "dockerfile" and lint:
        _add_lint(report, text, linter)
    return report


def _hints(task: Task, parsed: Any, book: TaskBook | None) -> list[Finding]:
    out: list[Finding] = []
    if task.family == "dockerfile":
        copies_all = [
            i
            for i in parsed.instrs
            if i.cmd in ("COPY", "ADD")
            and not i.flag("--from")
            and any(a in (".", "./") for a in i.args[:-1])
        ]
        if copies_all:
            notes = book.notes if book else None
            cite = (notes.resolve(_DOCKERIGNORE) if notes else None) or Citation(
                _DOCKERIGNORE.section, _DOCKERIGNORE.quote
            )
            out.append(
                Finding(
                    "hint",
                    "dockerignore",
                    True,
                    "COPY . copies the whole build context: keep a .dockerignore that excludes "
                    ".git, node_modules/.venv, build output and .env",
                    line=copies_all[0].line,
                    cite=cite,
                    severity="info",
                )
            )
    return out


def _add_lint(
    report: Report, text: str, linter: Callable[[str], tuple[list[Any], str]] | None
) -> None:
    notes, status = (linter or hadolint.lint)(text)
    report.linter = status
    for n in notes:
        level = n.level if n.level in ("error", "warning") else "info"
        report.findings.append(
            Finding(
                "lint",
                n.code or "hadolint",
                False,
                f"{n.code}: {n.message}",
                detail=n.url,
                line=n.line,
                severity=level,  # type: ignore[arg-type]
            )
        )
