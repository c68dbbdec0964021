"""What the checker says about one answer: findings (each hit and miss, cited) and a verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from app.handson.model import Citation

Role = Literal["require", "forbid", "syntax", "lint", "hint"]
Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Finding:
    """One observation. `passed` is False for a missed requirement or a present anti-pattern."""

    role: Role
    check: str
    passed: bool
    message: str
    detail: str = ""
    line: int | None = None  # line in the user's answer
    cite: Citation | None = None
    severity: Severity = "error"
    rule: str = ""

    @property
    def counts(self) -> bool:
        """Does this finding decide the verdict? Lint notes and hints never do."""
        return self.role in ("require", "forbid") or (
            self.role == "syntax" and self.severity == "error"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "check": self.check,
            "rule": self.rule or self.check,
            "passed": self.passed,
            "severity": self.severity,
            "message": self.message,
            "detail": self.detail,
            "line": self.line,
            "cite": self.cite.to_json() if self.cite else None,
        }

    def to_text(self) -> str:
        mark = "ok  " if self.passed else ("FAIL" if self.counts else self.severity.upper()[:4])
        where = f"line {self.line}: " if self.line else ""
        text = f"[{mark}] {where}{self.message}"
        if self.detail:
            text += f" ({self.detail})"
        if self.cite:
            text += f"\n       see {self.cite.label()}: \u201c{self.cite.quote}\u201d"
        return text


@dataclass
class Report:
    """The verdict on one answer. `problem` is set (and findings empty) for unusable input."""

    task_id: str
    kind: str
    findings: list[Finding] = field(default_factory=list)
    problem: str | None = None
    linter: str = "not run"

    @property
    def ok(self) -> bool:
        return self.problem is None and all(f.passed for f in self.findings if f.counts)

    @property
    def score(self) -> float:
        """Share of rules satisfied, 0-1 (syntax errors count as failed rules)."""
        if self.problem is not None:
            return 0.0
        counted = [f for f in self.findings if f.counts]
        if not counted:
            return 0.0
        return round(sum(f.passed for f in counted) / len(counted), 3)

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.counts and not f.passed]

    @property
    def failed_checks(self) -> set[str]:
        return {f.check for f in self.failures}

    def to_json(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "kind": self.kind,
            "ok": self.ok,
            "score": self.score,
            "problem": self.problem,
            "linter": self.linter,
            "passed": sum(1 for f in self.findings if f.counts and f.passed),
            "failed": len(self.failures),
            "findings": [f.to_json() for f in self.findings],
        }

    def to_text(self) -> str:
        if self.problem is not None:
            return f"{self.task_id}: cannot check this answer.\n{self.problem}\n"
        head = "PASS" if self.ok else "NOT YET"
        counted = [f for f in self.findings if f.counts]
        lines = [
            f"{self.task_id}: {head} - {sum(f.passed for f in counted)}/{len(counted)} checks "
            f"passed (score {self.score:.0%})"
        ]
        order = {"syntax": 0, "forbid": 1, "require": 2, "hint": 3, "lint": 4}
        for f in sorted(self.findings, key=lambda f: (f.passed, order[f.role])):
            lines.append(f.to_text())
        lines.append(f"hadolint: {self.linter}")
        return "\n".join(lines) + "\n"
