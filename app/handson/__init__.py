"""Hands-on tasks checked by rules: `check("ctr-postgres-volume-limits", answer) -> Report`.

The web layer and the CLI call only what is exported here:
- `check(task_or_id, answer)` -> Report (`.ok`, `.score`, `.findings`, `.to_json()`)
- `load_book()` -> TaskBook (every task, by id and by section)
- `validate.validate_book(knowledge_dir)` -> every problem of the task book, one line each
  (`mentor check` and `mentor tasks --check`)
"""

from __future__ import annotations

from pathlib import Path

from app.handson.checker import check_task
from app.handson.model import Task, TaskBook, load_tasks
from app.handson.report import Finding, Report

__all__ = ["Finding", "Report", "Task", "TaskBook", "check", "load_book"]

_APP = Path(__file__).resolve().parents[1]


def default_knowledge_dir() -> Path:
    """The checkout's `knowledge/`, else the copy a wheel ships in `app/_content/`.

    Only for callers without settings: app.web and app.cli pass `settings.knowledge_dir`, so
    nothing here reads the environment or the cached global settings.
    """
    checkout = _APP.parent / "knowledge"
    return checkout if checkout.is_dir() else _APP / "_content" / "knowledge"


_BOOKS: dict[tuple[str, float], TaskBook] = {}


def _stamp(knowledge_dir: Path) -> float:
    files = [*knowledge_dir.glob("tasks/*.yaml"), *knowledge_dir.glob("sections/*.md")]
    return max((f.stat().st_mtime for f in files), default=0.0)


def load_book(knowledge_dir: Path | None = None) -> TaskBook:
    """The task book for a knowledge folder, reloaded when a task or note file changes.

    Pass the folder from your settings (`settings.knowledge_dir`); without one this reads
    `default_knowledge_dir()`, never the environment.
    """
    knowledge_dir = knowledge_dir or default_knowledge_dir()
    key = (str(knowledge_dir.resolve()), _stamp(knowledge_dir))
    if key not in _BOOKS:
        _BOOKS.clear()
        _BOOKS[key] = load_tasks(knowledge_dir / "tasks", knowledge_dir / "sections")
    return _BOOKS[key]


def check(
    task: str | Task,
    answer: str | bytes | None,
    *,
    book: TaskBook | None = None,
    lint: bool = True,
) -> Report:
    """Check an answer against a task (by id or object). Never raises for bad input.

    Pass the `book` (from `load_book(settings.knowledge_dir)`); without one the default book is
    used. An unknown task id raises `app.errors.NotFound` (a caller error, not a user answer error).
    """
    book = book or load_book()
    obj = book.get(task) if isinstance(task, str) else task
    return check_task(obj, answer, book, lint=lint)
