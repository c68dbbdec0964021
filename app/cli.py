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
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
    )


@cli.command()
def index(
    rebuild: Annotated[bool, typer.Option(help="re-embed even if the cache is current")] = False,
) -> None:
    """Build the retrieval index (or confirm the on-disk cache is current)."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from app.retrieval.index import describe, load_or_build

    settings = _settings()
    kb = knowledge.load(settings.knowledge_dir)
    t0 = time.perf_counter()
    embedded = False
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("embedding chunks", total=None)

        def progress(done: int, total: int) -> None:
            nonlocal embedded
            embedded = True
            bar.update(task, completed=done, total=total)

        idx = load_or_build(settings, kb, rebuild=rebuild, progress=progress, warm=False)
    info = describe(idx)
    state = "built" if embedded else "cache is current"
    sys.stdout.write(
        f"index {state}: {info['chunks']} chunks ({info['notes']} notes, {info['questions']} "
        f"questions) from {info['sections']} sections in {time.perf_counter() - t0:.1f} s; "
        f"cache {settings.resolved_index_dir}\n"
    )


@cli.command()
def search(
    query: Annotated[str, typer.Argument(help="what to look for")],
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=50, help="how many results")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="print the JSON list")] = False,
    section_filter: Annotated[
        list[str] | None, typer.Option("--section", "-s", help="only this section (repeatable)")
    ] = None,
    mode: Annotated[str, typer.Option(help="hybrid, dense or bm25")] = "hybrid",
) -> None:
    """Search the knowledge: the best passages with their citations."""
    import json

    from app.retrieval.index import clean_query, load_or_build

    clean_query(query)  # an empty query fails before the model loads
    only = [parse_section_number(s) for s in section_filter] if section_filter else None
    settings = _settings()
    idx = load_or_build(settings, knowledge.load(settings.knowledge_dir))
    hits = idx.search(query, k=k, sections=only, mode=mode)
    if as_json:
        sys.stdout.write(json.dumps([h.to_json() for h in hits], ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
        return
    if not hits:
        sys.stdout.write("no results\n")
        return
    table = Table("#", "score", "where", "passage", title=f"search: {query[:60]}")
    for rank, hit in enumerate(hits, start=1):
        snippet = " ".join(hit.chunk.text.split())
        table.add_row(
            str(rank),
            f"{hit.score:.3f}",
            hit.chunk.citation(),
            snippet[:160] + ("..." if len(snippet) > 160 else ""),
        )
    out.print(table)


def main() -> None:
    """Entry point: domain errors become one line on stderr and an exit code."""
    try:
        # without standalone mode click returns (not raises) the code of typer.Exit
        code = cli(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
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


# commands that live in their own modules register themselves on `cli` when imported
from app import cli_chat, cli_interview, cli_study  # noqa: E402,F401,I001


if __name__ == "__main__":
    # run the imported module, on which the other command modules registered
    from app.cli import main as _main

    _main()
