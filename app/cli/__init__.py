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


__all__ = ["cli", "main"]
