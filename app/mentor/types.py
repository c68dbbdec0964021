"""What the mentor hands to the web app and the CLI: replies and the events of a stream."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from app.text import anchor

Intent = Literal["section", "next", "interview", "answer", "clarify", "help", "other"]
INTENTS: tuple[str, ...] = ("section", "next", "interview", "answer", "clarify", "help", "other")


@dataclass(frozen=True)
class Route:
    """Where a message goes. `problem` carries a friendly error (e.g. a section out of range)."""

    intent: Intent
    section: int | None = None
    sections: tuple[int, ...] = ()
    command: str | None = None  # "back", "simpler", "injection", "greeting", "progress" ...
    count: int | None = None
    problem: str | None = None
    confidence: float = 1.0
    then: Route | None = None  # the second part of a compound request, done after this one
    text: str | None = None  # a compound request's part in the user's words (its question)


@dataclass(frozen=True)
class Citation:
    section: int
    heading: str
    spot: str | None = None  # where it sits on the page when not under `heading` (a bank question)

    def to_json(self) -> dict[str, Any]:
        return {"section": self.section, "heading": self.heading, "anchor": self.anchor}

    @property
    def anchor(self) -> str:
        """Its id on the printable page: `/sections/N#anchor` lands on the spot."""
        return self.spot or anchor(self.heading)

    def __str__(self) -> str:
        return f"Section {self.section} > {self.heading}"


@dataclass
class Reply:
    """One finished mentor turn."""

    intent: Intent
    markdown: str
    section: int | None = None
    citations: list[Citation] = field(default_factory=list)
    notice: str | None = None  # e.g. "The LLM timed out; this is the offline answer."
    backend: str = "offline"  # which backend produced the text
    # structured data for the UI (interview question / grade card / scorecard ...)
    card: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "intent": self.intent,
            "section": self.section,
            "citations": [c.to_json() for c in self.citations],
            "markdown": self.markdown,
            "notice": self.notice,
            "backend": self.backend,
            "card": self.card,
        }


@dataclass(frozen=True)
class Meta:
    """First event of a stream: what the turn is about."""

    intent: Intent
    section: int | None
    citations: list[Citation]


@dataclass(frozen=True)
class Delta:
    text: str


@dataclass(frozen=True)
class Done:
    reply: Reply


Event = Meta | Delta | Done
