"""The HTML side: the chat page ("/", "/c/{id}"), printable sections, the guide download.

Every piece of user or model text reaches the page through app.render.to_html (sanitised
Markdown) or jinja2 autoescaping; the browser script only inserts server-rendered HTML and
otherwise sets textContent.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pygments.formatters import HtmlFormatter

from app import render
from app.catalog import LAST_SECTION, SECTION_TITLES
from app.conversation import ConversationState
from app.errors import NotFound
from app.store import load_state
from app.text import question_anchor
from app.web.deps import KnowledgeDep, OwnerDep, RepoDep, SettingsDep
from app.web.views import APP_NAME, TEMPLATES, message_view, shell_context, templates

router = APIRouter(include_in_schema=False)


def _page_title(title: str | None, state: ConversationState | None) -> str:
    if title is None:
        return f"New chat · {APP_NAME}"
    if state is not None and state.mode == "interview":
        return f"Mock interview · {title} · {APP_NAME}"
    return f"{title} · {APP_NAME}"


def _chat_page(
    request: Request,
    repo: RepoDep,
    who: OwnerDep,
    kb: KnowledgeDep,
    settings: SettingsDep,
    conversation_id: str | None,
) -> HTMLResponse:
    conv, messages, state = None, [], None
    if conversation_id is not None:
        conv = repo.get_conversation(who, conversation_id)
        state = load_state(conv.state)
        messages = [message_view(m) for m in repo.messages(who, conversation_id)]
        # the last reply of a running interview keeps its "current question" look
        if state.mode == "interview" and messages:
            messages[-1] = {**messages[-1], "mode": "interview", "actions": []}
    shell = shell_context(
        repo,
        who,
        kb,
        nav="chat",
        conversation=conv,
        current_section=state.current_section if state else None,
    )
    context = {
        **shell,
        "messages": messages,
        "state": state,
        "mode": state.mode if state else "revision",
        "page_title": _page_title(conv.title if conv else None, state),
        "max_chars": settings.max_message_chars,
    }
    return templates.TemplateResponse(request, "chat.html", context)


@router.get("/", response_class=HTMLResponse)
def chat_page(
    request: Request, repo: RepoDep, who: OwnerDep, kb: KnowledgeDep, settings: SettingsDep
) -> HTMLResponse:
    return _chat_page(request, repo, who, kb, settings, None)


@router.get("/c/{conversation_id}", response_class=HTMLResponse)
def conversation_page(
    request: Request,
    repo: RepoDep,
    who: OwnerDep,
    kb: KnowledgeDep,
    settings: SettingsDep,
    conversation_id: str,
) -> HTMLResponse:
    return _chat_page(request, repo, who, kb, settings, conversation_id)


def _section_number(raw: str) -> int:
    if not raw.isdigit() or int(raw) not in SECTION_TITLES:
        raise NotFound(f"there is no section {raw!r}; sections are numbered 1-20")
    return int(raw)


@lru_cache(maxsize=1)
def _templates_tag() -> str:
    """A short hash of the page templates: part of the printable page's ETag."""
    digest = hashlib.sha256()
    for path in sorted(TEMPLATES.glob("*.html")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def _sidebar_tag(shell: dict[str, Any]) -> str:
    """A short hash of what the sidebar shows (progress, mastery, conversation titles)."""
    convs = [(c.id, c.title) for c in shell["conversations"]]
    text = json.dumps([shell["progress"], convs], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def _bank(request: Request, kb: KnowledgeDep, number: int) -> tuple[list[dict[str, Any]], str]:
    """The section's interview questions as the page shows them (each at `question_anchor`, so
    a citation of a bank answer lands on it), rendered once per process, and their digest."""
    banks: dict[int, tuple[list[dict[str, Any]], str]] = request.app.state.banks
    if number not in banks:
        questions = kb.section(number).questions
        entries = [
            {
                "anchor": question_anchor(q.id),
                "question": render.inline_to_html(q.question),
                "imp": q.imp,
                "html": render.to_html(q.model_answer),
                "key_points": [render.inline_to_html(k) for k in q.key_points],
            }
            for q in questions
        ]
        digest = hashlib.sha256(json.dumps(entries, sort_keys=True).encode()).hexdigest()[:8]
        banks[number] = (entries, digest)
    return banks[number]


@router.get("/sections/{number}", response_class=HTMLResponse)
def section_page(
    request: Request, repo: RepoDep, who: OwnerDep, kb: KnowledgeDep, number: str
) -> Response:
    """One section as a printable page, in the app shell."""
    n = _section_number(number)
    if n not in kb.sections:
        raise NotFound(f"Section {n} has no notes in this build")
    section = kb.section(n)
    note: render.RenderedNote = request.app.state.notes[n]
    bank, bank_tag = _bank(request, kb, n)
    shell = shell_context(repo, who, kb, nav="notes", current_section=n)
    # revalidated on every visit (no-cache) and answered 304 while neither the note, its
    # question bank, the page's templates nor the caller's sidebar changed
    etag = f'"{note.etag.strip(chr(34))}-{bank_tag}-{_templates_tag()}-{_sidebar_tag(shell)}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    context = {
        **shell,
        "section": section,
        "html": note.html,
        "bank": bank,
        "prev": n - 1 if n > 1 else None,
        "next": n + 1 if n < LAST_SECTION else None,
        "page_title": f"Section {n}: {section.title} · {APP_NAME}",
    }
    return templates.TemplateResponse(request, "section.html", context, headers=headers)


@router.get("/guide.md")
def guide(kb: KnowledgeDep) -> Response:
    """Every section in one Markdown file, with a table of contents."""
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
