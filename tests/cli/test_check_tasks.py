"""`mentor check` and `mentor tasks --check` validate the hands-on tasks: a copy of knowledge/
with one deliberately broken task fails, and the message names the task, its line and the
problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import KNOWLEDGE

TASK = """
- id: broken-task
  section: 1
  kind: docker_run
  title: A deliberately broken task
  prompt: Run a throwaway alpine:3.22 container that prints its own hostname.
  model_answer: |
    {model}
  require:
    - check: flag
      args: {{name: --rm}}
      message: Delete the throwaway container with --rm
      cite: {{section: 4, quote: "{quote}"}}
  wrong_answers:
    - fails: {fails}
      answer: |
        {wrong}
"""
GOOD = {
    "model": "docker run --rm alpine:3.22 hostname",
    "quote": "`--rm` (delete on exit, including anonymous volumes)",
    "fails": "flag",
    "wrong": "docker run alpine:3.22 hostname",
}
BROKEN = {
    "missing citation": (
        {"quote": "a phrase that is nowhere in the notes"},
        "require[0] flag: cited phrase 'a phrase that is nowhere in the notes'"
        " is not in Section 4's notes",
    ),
    "model answer fails": (
        {"model": "docker run alpine:3.22 hostname"},
        "the model answer fails its own rules: require flag: Delete the throwaway container"
        " with --rm (Section 4, ",
    ),
    "wrong answer passes": (
        {"wrong": "docker run --rm --hostname demo alpine:3.22 hostname"},
        "wrong answer 1 (flag) passes every rule; it should fail flag",
    ),
    "wrong answer fails another rule": (
        {"fails": "image"},
        "wrong answer 1 (image) does not fail image; it fails require flag",
    ),
}


def knowledge_copy(tmp_path: Path, **change: str) -> tuple[Path, str]:
    """A copy of knowledge/ with one more task in 01-introduction.yaml; (folder, 'file:line')."""
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    path = folder / "tasks" / "01-introduction.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + TASK.format(**{**GOOD, **change}), encoding="utf-8")
    line = text.count("\n") + 2  # the `- id:` line of the new task
    return folder, f"{path}:{line}: task broken-task"


def mentor(*args: str) -> tuple[int, str]:
    from app.cli import cli

    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout


def test_a_sound_extra_task_passes_both_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, _ = knowledge_copy(tmp_path)
    code, out = mentor("check", "--knowledge-dir", str(folder))
    assert code == 0, out
    assert "hands-on tasks in" in out
    monkeypatch.setenv("MENTOR_KNOWLEDGE_DIR", str(folder))
    code, out = mentor("tasks", "--check")
    assert code == 0, out
    assert out.startswith("ok: ") and "hands-on tasks" in out


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_task_fails_check_naming_the_task_and_the_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    change, problem = BROKEN[case]
    folder, where = knowledge_copy(tmp_path, **change)
    code, out = mentor("check", "--knowledge-dir", str(folder))
    assert code == 1
    *problems, total = out.splitlines()
    assert total == f"{len(problems)} problem(s) in {folder}", out
    # only the broken task is named (a missing citation also leaves its findings uncited)
    assert problems and all(p.startswith(where) for p in problems), out
    assert problem in problems[0], out
    # `mentor tasks --check` runs the same validation and says the same thing
    monkeypatch.setenv("MENTOR_KNOWLEDGE_DIR", str(folder))
    code, out = mentor("tasks", "--check")
    assert code == 1
    assert out.splitlines() == problems, out
