"""Prompt templates are jinja2 files under prompts/ (StrictUndefined: a missing value fails)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
        self.env.filters.update(FILTERS)

    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context).strip()

    def messages(self, system: str, user: str, **context: Any) -> list[dict[str, str]]:
        """A system + user message pair from two templates."""
        return [
            {"role": "system", "content": self.render(system, **context)},
            {"role": "user", "content": self.render(user, **context)},
        ]


# -- filters shared with the web templates (app/web/views.py registers FILTERS too) -------------


def _field(item: Any, name: str) -> Any:
    """`item.name` or `item[name]`: grades reach templates as objects and as stored JSON."""
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def _claim_key(text: str) -> str:
    return text.strip().rstrip(".").lower()


def myth_lines(myths: Iterable[Any] | None) -> list[Any]:
    """The myths to show for one grade (Grade.myths: objects or their JSON): one per quoted
    sentence, the one that links into the notes first."""
    items = list(myths or ())
    ordered = [m for m in items if _field(m, "link")] + [m for m in items if not _field(m, "link")]
    shown: dict[str, Any] = {}
    for m in ordered:
        shown.setdefault(str(_field(m, "quote")), m)
    return list(shown.values())


def other_misconceptions(
    misconceptions: Iterable[str] | None, myths: Iterable[Any] | None
) -> list[str]:
    """The rubric misconceptions a grade lists that are not already shown as one of its myths."""
    claims = {_claim_key(str(_field(m, "claim") or "")) for m in myths or ()}
    return [c for c in misconceptions or () if _claim_key(c) not in claims]


FILTERS = {"myth_lines": myth_lines, "other_misconceptions": other_misconceptions}
