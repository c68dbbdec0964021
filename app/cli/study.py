"""`mentor tasks`, `mentor check-task`, `mentor plan`, `mentor cards`, `mentor review`.

Study events live in the store the web app uses, under the terminal's own owner id
(app.cli.history): `check-task` and `review` add to it, `plan` and `cards` read it. The store is
imported by the commands that use it, so `mentor section 5` does not pay for SQLAlchemy.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from app import knowledge
from app.cli.console import parse_section_number, settings
from app.errors import BadInput

if TYPE_CHECKING:
    from app.knowledge import Knowledge
    from app.settings import Settings
    from app.study.events import Event

JournalOpt = Annotated[
    Path | None,
    typer.Option(
        "--journal",
        help="an old JSON-lines journal to import into the database once"
        " (default: <data_dir>/study-journal.jsonl)",
    ),
]
NowOpt = Annotated[
    str | None, typer.Option("--now", help="pretend it is this ISO time (simulated clock)")
]


def _now(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    from app.study.events import utc

    try:
        return utc(text)
    except ValueError:
        raise BadInput(f"--now {text!r} is not an ISO date/time such as 2026-03-01T09:00") from None


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
        _validate_study_files(settings().knowledge_dir)
        return
    book = load_book(settings().knowledge_dir)
    only = parse_section_number(section) if section else None
    chosen = [t for t in book.tasks.values() if only is None or t.section == only]
    if as_json:
        sys.stdout.write(json.dumps([t.summary() for t in chosen], indent=2) + "\n")
        return
    for t in chosen:
        imp = " (IMP)" if t.imp else ""
        sys.stdout.write(f"{t.id:<32} s{t.section:<3} {t.kind:<11} {t.title}{imp}\n")


def _validate_study_files(folder: Path) -> None:
    """Every task's citations, model answer and wrong answers, and the version facts' citations."""
    from app.handson.validate import validate_book
    from app.study.versions import fact_problems

    found = validate_book(folder)
    problems = found.problems + fact_problems(folder)
    for p in problems:
        sys.stdout.write(p + "\n")
    if problems:
        raise typer.Exit(1)
    sys.stdout.write(f"ok: {found.tasks} hands-on tasks, citations and version facts\n")


def check_task(
    task_id: Annotated[str, typer.Argument(help="task id (see `mentor tasks`)")],
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="read the answer from this file")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    lint: Annotated[bool, typer.Option(help="also run hadolint on Dockerfiles")] = True,
    show: Annotated[bool, typer.Option("--show", help="print the task's prompt and exit")] = False,
    record: Annotated[bool, typer.Option(help="record the result in your study history")] = True,
    journal: JournalOpt = None,
    now: NowOpt = None,
) -> None:
    """Check a hands-on answer read from stdin (or --file); exit 0 pass, 1 not yet, 2 unusable."""
    from app.handson import check, load_book
    from app.handson.inputs import MAX_CHARS

    when = _now(now)  # a bad --now fails before anything is read or recorded
    conf = settings()
    book = load_book(conf.knowledge_dir)
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
        from app.cli.history import LOCAL_OWNER, study_store
        from app.study.events import Event

        with study_store(conf, journal) as repo:
            repo.add_study_event(
                LOCAL_OWNER,
                Event.handson(task.section, task.id, report.score, when, imp=task.imp),
            )
    raise typer.Exit(0 if report.ok else (2 if report.problem else 1))


def _history(
    now: str | None, journal: Path | None
) -> tuple[datetime, Settings, Knowledge, list[Event]]:
    """(the time to act at, settings, the knowledge base, the terminal user's study events)."""
    from app.cli.history import events, study_store

    when = _now(now)  # a bad --now fails before the store is opened
    conf = settings()
    kb = knowledge.load(conf.knowledge_dir)
    with study_store(conf, journal) as repo:
        return when, conf, kb, events(repo, kb)


def plan(
    minutes: Annotated[int, typer.Option("--minutes", "-m", help="time you have, 5-480")] = 45,
    as_json: Annotated[bool, typer.Option("--json", help="print the plan as JSON")] = False,
    journal: JournalOpt = None,
    now: NowOpt = None,
) -> None:
    """A cram plan that fits your minutes: weakest (IMP) topics first."""
    from app.handson import load_book
    from app.study.plan import cram_plan

    when, conf, kb, history = _history(now, journal)
    result = cram_plan(kb, history, minutes, when, tasks=load_book(conf.knowledge_dir))
    if as_json:
        sys.stdout.write(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(result.to_markdown())


def cards(
    new: Annotated[int, typer.Option("--new", help="also show this many new cards")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    journal: JournalOpt = None,
    now: NowOpt = None,
) -> None:
    """Flashcards due for review now (FSRS), plus optional new ones (IMP first)."""
    from app.study.cards import due, new_cards

    when, _, kb, history = _history(now, journal)
    due_now = due(kb, history, when)
    fresh = new_cards(kb, history, when, limit=new) if new > 0 else []
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


def review(
    card_id: Annotated[str, typer.Argument(help="card (question) id")],
    rating: Annotated[str, typer.Argument(help="again, hard, good or easy")],
    journal: JournalOpt = None,
    now: NowOpt = None,
) -> None:
    """Record a flashcard review and print when the card is due next."""
    from app.cli.history import LOCAL_OWNER, events, study_store
    from app.study.cards import find, next_due
    from app.study.cards import review as review_card

    at = _now(now)
    conf = settings()
    kb = knowledge.load(conf.knowledge_dir)
    event = review_card(find(kb, card_id), rating, at)
    with study_store(conf, journal) as repo:
        repo.add_study_event(LOCAL_OWNER, event)
        when = next_due(events(repo, kb), card_id)
    sys.stdout.write(
        f"{card_id}: next review {when.isoformat(timespec='minutes') if when else '?'}\n"
    )


def register(cli: typer.Typer) -> None:
    cli.command()(tasks)
    cli.command("check-task")(check_task)
    cli.command()(plan)
    cli.command()(cards)
    cli.command()(review)
