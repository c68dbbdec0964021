"""`mentor section`, `mentor sections`, `mentor check`: the notes and the knowledge files."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from app import knowledge
from app.catalog import SECTION_TITLES
from app.cli.console import out, parse_section_number, print_markdown, settings


def section(number: Annotated[str, typer.Argument(help="section number, 1-20")]) -> None:
    """Print one section's revision notes as Markdown."""
    n = parse_section_number(number)
    kb = knowledge.load(settings().knowledge_dir)
    print_markdown(kb.section(n).markdown)


def sections() -> None:
    """List the 20 sections."""
    if not sys.stdout.isatty():
        for n, title in SECTION_TITLES.items():
            sys.stdout.write(f"{n:>2}. {title}\n")
        return
    table = Table("#", "Section", title="Docker Interview Mentor: sections")
    for n, title in SECTION_TITLES.items():
        table.add_row(str(n), title)
    out.print(table)


def check(
    knowledge_dir: Annotated[
        Path | None, typer.Option(help="knowledge folder (default: settings)")
    ] = None,
) -> None:
    """Validate every knowledge file and hands-on task; exit 1 and list each problem."""
    from app.handson.validate import validate_book
    from app.study.versions import fact_problems

    folder = knowledge_dir or settings().knowledge_dir
    tasks = validate_book(folder)
    problems = knowledge.check(folder) + tasks.problems + fact_problems(folder)
    if problems:
        for p in problems:
            sys.stdout.write(p + "\n")
        sys.stdout.write(f"{len(problems)} problem(s) in {folder}\n")
        raise typer.Exit(1)
    kb = knowledge.load(folder)
    sys.stdout.write(
        f"ok: {len(kb.sections)} sections, {len(kb.questions)} questions,"
        f" {tasks.tasks} hands-on tasks in {folder}\n"
    )


def register(cli: typer.Typer) -> None:
    cli.command()(section)
    cli.command()(sections)
    cli.command()(check)
