"""What every command module shares: the two consoles, Markdown printing, settings, arguments.

Command modules import this, never `app.cli` itself: the package imports them to register their
commands, so importing it back would be a cycle.
"""

from __future__ import annotations

import sys

from rich.console import Console
from rich.markdown import Markdown

from app.catalog import valid_range_text
from app.errors import BadInput
from app.settings import Settings

out = Console()
err = Console(stderr=True)


def settings() -> Settings:
    """Fresh settings from the environment for each command (never the cached global ones)."""
    return Settings()


def print_markdown(text: str) -> None:
    """Rendered on a terminal; the Markdown itself when piped, so scripts get the note as is."""
    if sys.stdout.isatty():
        out.print(Markdown(text))
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def note(message: str) -> None:
    """A side remark (an LLM fallback, a journal import) on stderr, never mixed into stdout."""
    err.print(f"note: {message}", highlight=False)


def parse_section_number(raw: str) -> int:
    """'5' -> 5; anything else (21, -1, 5.5, x) is a BadInput naming the valid range."""
    text = raw.strip()
    if not text.isdigit() or not 1 <= int(text) <= 20:
        raise BadInput(
            f"'{raw}' is not a section number: choose a whole number from {valid_range_text()}"
        )
    return int(text)
