"""The `mentor` command. Thin: parse arguments, call the engine, print, exit.

One module per command group registers its commands on `cli` here; they share app.cli.console
and never import this package (nothing does but the console script and `python -m app.cli`).
"""

from __future__ import annotations

import sys

import typer

from app.cli import chat, eval, interview, notes, search, server, study
from app.cli.console import err
from app.errors import MentorError

cli = typer.Typer(
    name="mentor",
    help="Docker Interview Mentor: revision notes, grounded answers, mock interviews.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for group in (notes, server, search, chat, interview, study, eval):
    group.register(cli)


def main() -> None:
    """Entry point: domain errors become one line on stderr and an exit code. Usage errors
    (unknown command, bad option, no arguments) are click's own message and exit 2."""
    try:
        cli()  # standalone: click prints usage errors and exits; typer.Exit becomes its code
    except MentorError as exc:
        err.print(f"error: {exc}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
