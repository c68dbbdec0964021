"""`mentor tasks`, `mentor check-task`, `mentor plan`, `mentor cards`, `mentor review`.

The CLI keeps study events in a JSON-lines journal (default: <data_dir>/study-journal.jsonl);
`check-task` and `review` append to it, `plan` and `cards` read it.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from app import knowledge
from app.cli import cli, parse_section_number
from app.errors import BadInput
from app.settings import Settings

JournalOpt = Annotated[
    Path | None,
    typer.Option("--journal", help="study events file (default: <data_dir>/study-journal.jsonl)"),
]
NowOpt = Annotated[
    str | None, typer.Option("--now", help="pretend it is this ISO time (simulated clock)")
]


def _journal(path: Path | None) -> Path:
    return path or Settings().data_dir / "study-journal.jsonl"


def _now(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    from app.study.events import utc

    try:
        return utc(text)
    except ValueError:
        raise BadInput(f"--now {text!r} is not an ISO date/time such as 2026-03-01T09:00") from None


@cli.command()
def tasks(
    section: Annotated[
        str | None, typer.Option("--section", "-s", help="only this section")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    validate: Annotated[
        bool,
        typer.Option(
            "--check", help="validate tasks, citations and version facts; exit 1 on any problem"
        ),
    ] = False,
) -> None:
    """List the hands-on tasks (id, section, kind, title)."""
    from app.handson import load_book

    if validate:
        _validate_study_files(Settings().knowledge_dir)
        return
    book = load_book(Settings().knowledge_dir)
    only = parse_section_number(section) if section else None
    chosen = [t for t in book.tasks.values() if only is None or t.section == only]
    if as_json:
        sys.stdout.write(json.dumps([t.summary() for t in chosen], indent=2) + "\n")
        return
    for t in chosen:
        imp = " (IMP)" if t.imp else ""
        sys.stdout.write(f"{t.id:<32} s{t.section:<3} {t.kind:<11} {t.title}{imp}\n")


def _validate_study_files(folder: Path) -> None:
    """Strict load (every cited phrase must be in the notes) and every model answer must pass."""
    from app.errors import KnowledgeError
    from app.handson import check
    from app.handson.model import CiteSpec, NoteIndex, load_tasks
    from app.study.versions import load_facts

    problems: list[str] = []
    try:
        book = load_tasks(folder / "tasks", folder / "sections", strict=True)
    except KnowledgeError as exc:
        problems.append(str(exc))
    else:
        for t in book.tasks.values():
            report = check(t, t.model_answer, book=book, lint=False)
            if not report.ok:
                failed = ", ".join(sorted(report.failed_checks)) or report.problem
                problems.append(f"{t.path}:{t.line}: model answer of {t.id} fails: {failed}")
    versions = folder / "versions.yaml"
    if versions.exists():
        notes = NoteIndex.load(folder / "sections")
        try:
            for f in load_facts(versions):
                if notes.resolve(CiteSpec(section=f.cite.section, quote=f.cite.quote)) is None:
                    problems.append(f"{versions}: fact {f.id} cites a phrase not in its section")
        except KnowledgeError as exc:
            problems.append(str(exc))
    for p in problems:
        sys.stdout.write(p + "\n")
    if problems:
        raise typer.Exit(1)
    sys.stdout.write(f"ok: {len(book.tasks)} hands-on tasks, citations and version facts\n")


@cli.command("check-task")
def check_task(
    task_id: Annotated[str, typer.Argument(help="task id (see `mentor tasks`)")],
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="read the answer from this file")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    lint: Annotated[bool, typer.Option(help="also run hadolint on Dockerfiles")] = True,
    show: Annotated[bool, typer.Option("--show", help="print the task's prompt and exit")] = False,
    record: Annotated[bool, typer.Option(help="record the result in the journal")] = True,
    journal: JournalOpt = None,
    now: NowOpt = None,
) -> None:
    """Check a hands-on answer read from stdin (or --file); exit 0 pass, 1 not yet, 2 unusable."""
    from app.handson import check, load_book
    from app.handson.inputs import MAX_CHARS

    book = load_book(Settings().knowledge_dir)
    task = book.get(task_id)
    if show:
        sys.stdout.write(f"{task.title} (Section {task.section}, {task.kind})\n\n{task.prompt}\n")
        return
    if file is not None:
        try:
            with file.open("rb") as fh:
                answer = fh.read(MAX_CHARS * 4 + 1)
        except OSError as exc:
            raise BadInput(f"cannot read {file}: {exc.strerror or exc}") from None
    elif sys.stdin.isatty():
        raise BadInput(
            f"paste the answer on stdin (mentor check-task {task_id} < answer) or use --file"
        )
    else:
        answer = sys.stdin.buffer.read(MAX_CHARS * 4 + 1)
    report = check(task, answer, book=book, lint=lint)
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(report.to_text())
    if record and report.problem is None:
        from app.study import journal as jr
        from app.study.events import Event

        jr.append(
            _journal(journal),
            Event.handson(task.section, task.id, report.score, _now(now), imp=task.imp),
        )
    raise typer.Exit(0 if report.ok else (2 if report.problem else 1))


@cli.command()
def plan(
    minutes: Annotated[int, typer.Option("--minutes", "-m", help="time you have, 5-480")] = 45,
    as_json: Annotated[bool, typer.Option("--json", help="print the plan as JSON")] = False,
    journal: JournalOpt = None,
    now: NowOpt = None,
) -> None:
    """A cram plan that fits your minutes: weakest (IMP) topics first."""
    from app.handson import load_book
    from app.study import journal as jr
    from app.study.plan import cram_plan

    settings = Settings()
    kb = knowledge.load(settings.knowledge_dir)
    result = cram_plan(
        kb, jr.load(_journal(journal)), minutes, _now(now), tasks=load_book(settings.knowledge_dir)
    )
    if as_json:
        sys.stdout.write(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(result.to_markdown())


@cli.command()
def cards(
    new: Annotated[int, typer.Option("--new", help="also show this many new cards")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    journal: JournalOpt = None,
    now: NowOpt = None,
) -> None:
    """Flashcards due for review now (FSRS), plus optional new ones (IMP first)."""
    from app.study import journal as jr
    from app.study.cards import due, new_cards

    kb = knowledge.load(Settings().knowledge_dir)
    events, when = jr.load(_journal(journal)), _now(now)
    due_now = due(kb, events, when)
    fresh = new_cards(kb, events, when, limit=new) if new > 0 else []
    if as_json:
        sys.stdout.write(
            json.dumps(
                {"due": [d.to_json() for d in due_now], "new": [c.to_json() for c in fresh]},
                indent=2,
            )
            + "\n"
        )
        return
    if not due_now and not fresh:
        sys.stdout.write("no cards due; `mentor cards --new 5` shows new ones\n")
    for d in due_now:
        sys.stdout.write(f"due  {d.card.id:<36} s{d.card.section:<3} {d.card.front}\n")
    for c in fresh:
        sys.stdout.write(f"new  {c.id:<36} s{c.section:<3} {c.front}\n")


@cli.command()
def review(
    card_id: Annotated[str, typer.Argument(help="card (question) id")],
    rating: Annotated[str, typer.Argument(help="again, hard, good or easy")],
    journal: JournalOpt = None,
    now: NowOpt = None,
) -> None:
    """Record a flashcard review and print when the card is due next."""
    from app.study import journal as jr
    from app.study.cards import find, next_due
    from app.study.cards import review as review_card

    kb = knowledge.load(Settings().knowledge_dir)
    path = _journal(journal)
    event = review_card(find(kb, card_id), rating, _now(now))
    jr.append(path, event)
    when = next_due(jr.load(path), card_id)
    sys.stdout.write(
        f"{card_id}: next review {when.isoformat(timespec='minutes') if when else '?'}\n"
    )
