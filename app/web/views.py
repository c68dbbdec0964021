"""What the pages and the JSON routes both show: the templates with their filters, a chat
message as the `_message.html` partial, and the progress and mastery views.

It sits below every route module (they import it, never each other), so the chat stream, the
chat page and the study page render a message or a sidebar the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from app import render
from app.catalog import LAST_SECTION, SECTION_TITLES
from app.knowledge import Knowledge
from app.prompts import FILTERS as PROMPT_FILTERS
from app.store import Repository
from app.store.models import Message
from app.study import cards as study_cards
from app.study.events import Event
from app.study.mastery import level, section_mastery, section_status

APP_NAME = "Docker Interview Mentor"
TEMPLATES = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=TEMPLATES)


def _inline_markdown(text: Any) -> Markup:
    """One line of Markdown (`code`, **bold**) without the paragraph around it; sanitised."""
    html = render.to_html(str(text or "")).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


def _score(value: Any) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:.1f}".removesuffix(".0")


templates.env.filters["markdown"] = lambda text: Markup(render.to_html(str(text or "")))
templates.env.filters["inline"] = _inline_markdown
templates.env.filters["score"] = _score
templates.env.filters.update(PROMPT_FILTERS)  # myth_lines, other_misconceptions: as in prompts/
# the numbers the scorecard's bar chart needs from one row (charts.js draws it)
templates.env.filters["scorecard_point"] = lambda row: {
    "number": row.get("number"),
    "score": row.get("score"),
    "status": row.get("status"),
}
templates.env.globals["APP_NAME"] = APP_NAME
templates.env.globals["SECTION_TITLES"] = SECTION_TITLES
# the app shell's page links: (key for aria-current, href, label)
SHELL_PAGES = (
    ("chat", "/", "Chat"),
    ("progress", "/progress", "Progress"),
    ("tasks", "/tasks", "Hands-on tasks"),
    ("notes", "/sections/1", "Notes"),
)
templates.env.globals["SHELL_PAGES"] = SHELL_PAGES


def now() -> datetime:
    return datetime.now(UTC)


# -- a chat message ------------------------------------------------------------------------

CARD_TYPES = frozenset({"question", "follow_up", "hint", "grade", "reveal", "skipped", "scorecard"})
ANSWER_CARDS = frozenset({"question", "follow_up", "hint"})  # the mentor waits for an answer


def card_chain(card: dict[str, Any] | None) -> list[dict[str, Any]]:
    """An interview reply's cards, in order (each card may carry the next in `next`)."""
    chain: list[dict[str, Any]] = []
    while isinstance(card, dict) and len(chain) < 20:
        chain.append({k: v for k, v in card.items() if k != "next"})
        card = card.get("next")
    return chain


def quick_actions(msg: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, message to send) under a reply; none while an interview waits for an answer."""
    if msg.get("role") != "assistant" or msg.get("status") != "ok":
        return []
    cards = msg.get("cards") or []
    if msg.get("mode") == "interview" or any(c.get("type") in ANSWER_CARDS for c in cards):
        return []
    section = msg.get("section")
    actions: list[tuple[str, str]] = []
    scorecard = next((c for c in cards if c.get("type") == "scorecard"), None)
    if scorecard is not None:
        for n in (scorecard.get("revise") or [])[:2]:
            if isinstance(n, int) and n in SECTION_TITLES:
                actions.append((f"Revise Section {n}", f"Start from Section {n}"))
        actions.append(("Next section", "next"))
        return actions
    if msg.get("intent") in ("section", "next") and section:
        if section < LAST_SECTION:
            actions.append(("Next section", f"Start from Section {section + 1}"))
        else:
            actions.append(("Mock interview on everything", "Interview me on all sections"))
    else:
        actions.append(("Next section", "next"))
    if section:
        actions.append(("Quiz me on this section", f"Quiz me on Section {section}"))
    actions.append(("Explain simpler", "Explain that in simpler terms"))
    return actions


def view(data: dict[str, Any]) -> dict[str, Any]:
    """What _message.html needs. Interview replies show their cards instead of the Markdown
    (the same content, laid out), unless a card is of a kind the page does not draw."""
    cards = card_chain(data.get("card"))
    cards_only = bool(cards) and all(c.get("type") in CARD_TYPES for c in cards)
    m = {"role": "assistant", "status": "ok", "mode": None, **data, "cards": cards}
    m["show_text"] = bool(data.get("has_text", True)) and not cards_only
    m["actions"] = quick_actions(m)
    return m


def message_fields(msg: Message) -> dict[str, Any]:
    """A stored message as both the JSON history and the page show it."""
    return {
        "role": msg.role,
        "html": render.to_html(msg.content),
        "intent": msg.intent,
        "section": msg.section,
        "citations": msg.citations or [],
        "card": msg.card,
        "notice": msg.notice,
        "status": msg.status,
    }


def message_view(msg: Message) -> dict[str, Any]:
    return view(
        {"message_id": msg.id, **message_fields(msg), "has_text": bool(msg.content.strip())}
    )


def render_message(request: Request, data: dict[str, Any]) -> str:
    """The `_message.html` partial for a live reply (the same one history uses)."""
    template = templates.get_template("_message.html")
    return template.render(m=view(data), request=request)


def present(request: Request, name: str, data: dict[str, Any], *, page: bool) -> dict[str, Any]:
    """Add the server-rendered HTML the page swaps in (sanitised Markdown, the card partial)."""
    if name == "done":
        data = {**data, "html": render.to_html(data["markdown"])}
        if page:
            data["message_html"] = render_message(request, data)
    return data


# -- progress and mastery ------------------------------------------------------------------


def progress_json(repo: Repository, who: str) -> dict[str, Any]:
    """Per section: seen, interviewed, the last interview score (0-10)."""
    rows = repo.progress(who)
    sections = []
    for number, title in SECTION_TITLES.items():
        p = rows.get(number)
        sections.append(
            {
                "number": number,
                "title": title,
                "seen": bool(p and p.seen),
                "interviewed": bool(p and p.interviews),
                "last_score": p.last_score if p else None,
                "answered": p.answered if p else 0,
            }
        )
    return {
        "seen": sum(s["seen"] for s in sections),
        "interviewed": sum(s["interviewed"] for s in sections),
        "total": len(sections),
        "sections": sections,
    }


def study_events(repo: Repository, who: str, kb: Knowledge) -> list[Event]:
    """The caller's study history (reads, interview answers, hands-on checks, card reviews)."""
    imp = frozenset(q.id for q in kb.questions if q.imp)
    return repo.study_events(who, imp)


def mastery_json(kb: Knowledge, events: list[Event], at: datetime) -> dict[str, Any]:
    """Per section: mastery 0-1, retention, coverage, a status label and the due cards."""
    statuses = section_status(events, at)
    due = study_cards.due(kb, events, at)
    return {
        "at": at.isoformat(),
        "sections": [
            {
                **s.to_json(),
                "status": level(s.mastery, s.items),
                "due_cards": sum(1 for d in due if d.card.section == s.section),
            }
            for s in statuses
        ],
        "due_cards": len(due),
        "events": len(events),
    }


def sidebar_progress(repo: Repository, who: str, kb: Knowledge) -> dict[str, Any]:
    """The sidebar: /api/progress plus each section's mastery as /api/progress/mastery has it
    (chat.js refreshes both after each turn)."""
    data = progress_json(repo, who)
    mastery = section_mastery(study_events(repo, who, kb), now())
    for s in data["sections"]:
        s["mastery"] = round(mastery.get(s["number"], 0.0), 3)
        s["level"] = level(s["mastery"])
    return data


def shell_context(
    repo: Repository,
    who: str,
    kb: Knowledge,
    *,
    nav: str,
    conversation: Any = None,
    current_section: int | None = None,
) -> dict[str, Any]:
    """What the app shell's sidebar needs on every page (_shell.html, _sidebar.html)."""
    return {
        "nav": nav,
        "progress": sidebar_progress(repo, who, kb),
        "conversations": repo.list_conversations(who),
        "conversation": conversation,
        "current_section": current_section,
    }
