"""The `mentor` command. Thin: parse arguments, call the engine, print, exit."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from app import knowledge
from app.catalog import SECTION_TITLES, valid_range_text
from app.errors import BadInput, MentorError
from app.settings import Settings

cli = typer.Typer(
    name="mentor",
    help="Docker Interview Mentor: revision notes, grounded answers, mock interviews.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)


def _settings() -> Settings:
    return Settings()


def parse_section_number(raw: str) -> int:
    """'5' -> 5; anything else (21, -1, 5.5, x) is a BadInput naming the valid range."""
    text = raw.strip()
    if not text.isdigit() or not 1 <= int(text) <= 20:
        raise BadInput(
            f"'{raw}' is not a section number: choose a whole number from {valid_range_text()}"
        )
    return int(text)


def _print_markdown(text: str) -> None:
    if sys.stdout.isatty():
        out.print(Markdown(text))
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


@cli.command()
def section(number: Annotated[str, typer.Argument(help="section number, 1-20")]) -> None:
    """Print one section's revision notes as Markdown."""
    n = parse_section_number(number)
    kb = knowledge.load(_settings().knowledge_dir)
    _print_markdown(kb.section(n).markdown)


@cli.command()
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


@cli.command()
def check(
    knowledge_dir: Annotated[
        Path | None, typer.Option(help="knowledge folder (default: settings)")
    ] = None,
) -> None:
    """Validate every knowledge file; exit 1 and list each problem when any fails."""
    folder = knowledge_dir or _settings().knowledge_dir
    problems = knowledge.check(folder)
    if problems:
        for p in problems:
            sys.stdout.write(p + "\n")
        sys.stdout.write(f"{len(problems)} problem(s) in {folder}\n")
        raise typer.Exit(1)
    kb = knowledge.load(folder)
    sys.stdout.write(
        f"ok: {len(kb.sections)} sections, {len(kb.questions)} questions in {folder}\n"
    )


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="bind address")] = None,
    port: Annotated[int | None, typer.Option(help="port")] = None,
    reload: Annotated[bool, typer.Option(help="restart on code changes")] = False,
) -> None:
    """Start the web app (uvicorn)."""
    import uvicorn

    settings = _settings()
    uvicorn.run(
        "app.web.app:app_from_env",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        reload=reload,
        log_level="info",
    )


def main() -> None:
    """Entry point: domain errors become one line on stderr and an exit code."""
    try:
        cli(standalone_mode=False)
    except MentorError as exc:
        err.print(f"error: {exc}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(130)
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    main()
