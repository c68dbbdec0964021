"""A conversation as one Markdown document (the export download)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from app.store.models import Conversation, Message

ROLE_NAMES = {"user": "You", "assistant": "Mentor"}
STATUS_NOTES = {
    "partial": "_(this reply was interrupted)_",
    "failed": "_(this reply failed)_",
}


def iso(dt: datetime) -> str:
    """ISO 8601 in UTC; SQLite hands back naive datetimes, which are UTC here."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def conversation_markdown(conv: Conversation, messages: Sequence[Message]) -> str:
    lines = [
        f"# {conv.title}",
        "",
        f"_Docker Interview Mentor · started {iso(conv.created_at)} · "
        f"exported {iso(datetime.now(UTC))}_",
        "",
    ]
    for msg in messages:
        lines += ["---", "", f"### {ROLE_NAMES.get(msg.role, msg.role)}", ""]
        if msg.content.strip():
            lines += [msg.content.strip(), ""]
        if msg.citations:
            cites = "; ".join(f"Section {c['section']} › {c['heading']}" for c in msg.citations)
            lines += [f"_Sources: {cites}_", ""]
        if msg.status in STATUS_NOTES:
            lines += [STATUS_NOTES[msg.status], ""]
    return "\n".join(lines).rstrip() + "\n"


def filename(conv: Conversation) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in conv.title.lower())
    slug = "-".join(part for part in slug.split("-") if part)[:50] or "conversation"
    return f"mentor-{slug}.md"
