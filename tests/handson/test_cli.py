"""`mentor check-task`, `mentor tasks`, `mentor plan`, `mentor cards`, `mentor review` as run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.handson.model import TaskBook
from app.settings import Settings


def mentor(*args: str, stdin: bytes = b"", data: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "MENTOR_DATA_DIR": str(data)}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=60,
    )


def test_check_task_from_stdin_records_the_result(book: TaskBook, tmp_path: Path) -> None:
    task = book.tasks["ctr-postgres-volume-limits"]
    good = mentor(
        "check-task",
        task.id,
        "--now",
        "2026-03-01T09:00",
        stdin=task.model_answer.encode(),
        data=tmp_path,
    )
    assert good.returncode == 0, good.stderr
    assert b"PASS" in good.stdout
    bad = mentor("check-task", task.id, "--json", stdin=b"docker run postgres", data=tmp_path)
    assert bad.returncode == 1
    report = json.loads(bad.stdout)
    assert report["ok"] is False and report["failed"] >= 3
    assert any(f["check"] == "latest_tag" and not f["passed"] for f in report["findings"])
    # both checks are study events in the same store the web app uses
    from app.cli.history import LOCAL_OWNER
    from app.store import Database, Repository

    db = Database(Settings(data_dir=tmp_path).resolved_database_url)
    try:
        kinds = [e.kind for e in Repository(db).study_events(LOCAL_OWNER)]
    finally:
        db.dispose()
    assert kinds == ["handson", "handson"]


def test_check_task_from_file_and_unusable_input(book: TaskBook, tmp_path: Path) -> None:
    answer = tmp_path / "Dockerfile"
    answer.write_bytes(b"\x00\x01\x02" * 10)
    result = mentor("check-task", "df-python-nonroot-cache", "--file", str(answer), data=tmp_path)
    assert result.returncode == 2 and b"binary" in result.stdout
    missing = mentor("check-task", "no-such-task", data=tmp_path)
    assert missing.returncode == 2 and missing.stderr.count(b"\n") == 1


def test_tasks_plan_cards_review(tmp_path: Path, kb, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    # in-process: loading the question banks takes seconds, so reuse the session's copy
    from typer.testing import CliRunner

    from app import knowledge
    from app.cli import cli
    from app.errors import BadInput

    monkeypatch.setattr(knowledge, "load", lambda _path: kb)
    monkeypatch.setenv("MENTOR_DATA_DIR", str(tmp_path))
    runner = CliRunner()

    def run(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(cli, list(args))

    checked = run("tasks", "--check")
    assert checked.exit_code == 0 and checked.stdout.startswith("ok: "), checked.output
    listing = run("tasks", "--section", "8", "--json")
    assert listing.exit_code == 0
    assert {t["section"] for t in json.loads(listing.stdout)} == {8}
    plan = run("plan", "--minutes", "45", "--json", "--now", "2026-03-01T09:00")
    assert plan.exit_code == 0, plan.output
    assert json.loads(plan.stdout)["total"] == 45
    bad = run("plan", "--minutes", "1000")
    assert isinstance(bad.exception, BadInput) and "between 5 and 480" in str(bad.exception)
    rev = run("review", "img-cache-order", "good", "--now", "2026-03-01T09:00")
    assert rev.exit_code == 0 and "next review 2026-03-01T09:10" in rev.stdout
    cards = run("cards", "--json", "--now", "2026-03-09T09:00")
    assert [c["id"] for c in json.loads(cards.stdout)["due"]] == ["img-cache-order"]
    wrong = run("review", "img-cache-order", "meh")
    assert isinstance(wrong.exception, BadInput)
    assert "again, hard, good or easy" in str(wrong.exception)
