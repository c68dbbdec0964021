"""Prompt templates are jinja2 files under prompts/ (StrictUndefined: a missing value fails)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined


class Prompts:
    def __init__(self, folder: Path) -> None:
        self.env = Environment(
            loader=FileSystemLoader(str(folder)),
            undefined=StrictUndefined,
            autoescape=False,  # prompts are plain text, not HTML
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )

    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context).strip()

    def messages(self, system: str, user: str, **context: Any) -> list[dict[str, str]]:
        """A system + user message pair from two templates."""
        return [
            {"role": "system", "content": self.render(system, **context)},
            {"role": "user", "content": self.render(user, **context)},
        ]
