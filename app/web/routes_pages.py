"""The HTML side: the chat page ("/", "/c/{id}"), printable sections, the guide download.

Every piece of user or model text reaches the page through app.render.to_html (sanitised
Markdown) or jinja2 autoescaping; the browser script only inserts server-rendered HTML and
otherwise sets textContent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from pygments.formatters import HtmlFormatter

from app import render
from app.catalog import LAST_SECTION, SECTION_TITLES
from app.errors import NotFound
from app.mentor.state import ConversationState
from app.store import Repository
from app.store.models import Message
from app.web.identity import owner

APP_NAME = "Docker Interview Mentor"
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters["markdown"] = lambda text: Markup(render.to_html(str(text or "")))


def _inline_markdown(text: Any) -> Markup:
    """One line of Markdown (`code`, **bold**) without the paragraph around it; sanitised."""
    html = render.to_html(str(text or "")).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


templates.env.filters["inline"] = _inline_markdown
templates.env.globals["APP_NAME"] = APP_NAME
templates.env.globals["SECTION_TITLES"] = SECTION_TITLES

router = APIRouter(include_in_schema=False)


def _score(value: Any) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:.1f}".removesuffix(".0")


templates.env.filters["score"] = _score


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


def message_view(msg: Message) -> dict[str, Any]:
    return view(
        {
            "message_id": msg.id,
            "role": msg.role,
            "html": render.to_html(msg.content),
            "intent": msg.intent,
            "section": msg.section,
            "citations": msg.citations or [],
            "card": msg.card,
            "notice": msg.notice,
            "status": msg.status,
            "has_text": bool(msg.content.strip()),
        }
    )


def render_message(request: Request, data: dict[str, Any]) -> str:
    """The `_message.html` partial for a live reply (the same one history uses)."""
    template = templates.get_template("_message.html")
    return template.render(m=view(data), request=request)


def _repo(request: Request) -> Repository:
    repo: Repository = request.app.state.repo
    return repo


def _progress(request: Request) -> dict[str, Any]:
    """The sidebar: /api/progress plus each section's mastery as /api/progress/mastery has it
    (chat.js refreshes both after each turn)."""
    from app.study.mastery import level
    from app.web.routes_chat import progress_json
    from app.web.routes_study import mastery_by_section

    data = progress_json(_repo(request), owner(request))
    mastery = mastery_by_section(request)
    for s in data["sections"]:
        s["mastery"] = round(mastery.get(s["number"], 0.0), 3)
        s["level"] = level(s["mastery"])
    return data


def _page_title(title: str | None, state: ConversationState | None) -> str:
    if title is None:
        return f"New chat · {APP_NAME}"
    if state is not None and state.mode == "interview":
        return f"Mock interview · {title} · {APP_NAME}"
    return f"{title} · {APP_NAME}"


def _chat_page(request: Request, conversation_id: str | None) -> HTMLResponse:
    repo, who = _repo(request), owner(request)
    conv, messages, state = None, [], None
    if conversation_id is not None:
        conv = repo.get_conversation(who, conversation_id)
        state = ConversationState.from_json(conv.state)
        messages = [message_view(m) for m in repo.messages(who, conversation_id)]
        # the last reply of a running interview keeps its "current question" look
        if state.mode == "interview" and messages:
            messages[-1] = {**messages[-1], "mode": "interview", "actions": []}
    context = {
        "conversation": conv,
        "messages": messages,
        "state": state,
        "mode": state.mode if state else "revision",
        "conversations": repo.list_conversations(who),
        "progress": _progress(request),
        "page_title": _page_title(conv.title if conv else None, state),
        "max_chars": request.app.state.settings.max_message_chars,
    }
    return templates.TemplateResponse(request, "chat.html", context)


@router.get("/", response_class=HTMLResponse)
def chat_page(request: Request) -> HTMLResponse:
    return _chat_page(request, None)


@router.get("/c/{conversation_id}", response_class=HTMLResponse)
def conversation_page(request: Request, conversation_id: str) -> HTMLResponse:
    return _chat_page(request, conversation_id)


def _section_number(raw: str) -> int:
    if not raw.isdigit() or int(raw) not in SECTION_TITLES:
        raise NotFound(f"there is no section {raw!r}; sections are numbered 1-20")
    return int(raw)


@router.get("/sections/{number}", response_class=HTMLResponse)
def section_page(request: Request, number: str) -> HTMLResponse:
    """One section as a printable page."""
    n = _section_number(number)
    kb = request.app.state.knowledge
    if n not in kb.sections:
        raise NotFound(f"Section {n} has no notes in this build")
    section = kb.section(n)
    context = {
        "section": section,
        "html": render.to_html(section.markdown),
        "prev": n - 1 if n > 1 else None,
        "next": n + 1 if n < LAST_SECTION else None,
        "page_title": f"Section {n}: {section.title} · {APP_NAME}",
    }
    return templates.TemplateResponse(request, "section.html", context)


@router.get("/guide.md")
def guide(request: Request) -> Response:
    """Every section in one Markdown file, with a table of contents."""
    kb = request.app.state.knowledge
    today = datetime.now(UTC).date().isoformat()
    parts = [
        f"# {APP_NAME}: the revision guide",
        "",
        f"_All {len(kb.sections)} sections, downloaded {today}._",
        "",
        "## Contents",
        "",
        *(f"{n}. {s.title}" for n, s in kb.sections.items()),
        "",
    ]
    for section in kb.sections.values():
        parts += ["---", "", section.markdown.strip(), ""]
    return Response(
        "\n".join(parts),
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="docker-interview-guide.md"'},
    )


_PYGMENTS_CSS: str | None = None


def _code_styles(style: str, prefix: str) -> str:
    rules = HtmlFormatter(style=style).get_style_defs(prefix).splitlines()
    return "\n".join(r for r in rules if r.startswith(prefix))


@router.get("/assets/pygments.css")
def pygments_css() -> Response:
    """Code colours for both themes: the system preference, overridden by the toggle."""
    global _PYGMENTS_CSS
    if _PYGMENTS_CSS is None:
        _PYGMENTS_CSS = "\n".join(
            [
                _code_styles("default", ".md pre"),
                "@media (prefers-color-scheme: dark) {",
                _code_styles("github-dark", ":root:not([data-theme='light']) .md pre"),
                "}",
                _code_styles("github-dark", ":root[data-theme='dark'] .md pre"),
                "",
            ]
        )
    return Response(
        _PYGMENTS_CSS, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"}
    )
