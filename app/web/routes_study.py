"""Study tools on the web: mastery per section, the cram plan, hands-on tasks and flashcards.

Thin: the owner's events come from the store (app.store.repository.study_events), the study
engine (app.study) folds them, the hands-on checker (app.handson) judges answers. Every query is
scoped by the caller's anonymous identity; a hands-on check and a flashcard review are stored
as new study events.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from app.errors import BadInput
from app.handson import TaskBook, check, load_book
from app.handson.inputs import MAX_CHARS
from app.knowledge import Knowledge
from app.store import Repository
from app.study import cards as study_cards
from app.study.events import Event, parse_rating
from app.study.mastery import level, section_mastery, section_status
from app.study.plan import MAX_MINUTES, MIN_MINUTES, cram_plan
from app.web.identity import owner
from app.web.routes_pages import APP_NAME, templates

router = APIRouter(tags=["study"])
pages = APIRouter(include_in_schema=False)

DEFAULT_MINUTES = 45


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    answer: str = Field(description="the Dockerfile, docker command or compose.yaml to check")


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    rating: str | int = Field(description="again, hard, good or easy (or 1-4)")


def _now() -> datetime:
    return datetime.now(UTC)


def _repo(request: Request) -> Repository:
    repo: Repository = request.app.state.repo
    return repo


def _kb(request: Request) -> Knowledge:
    kb: Knowledge = request.app.state.knowledge
    return kb


def _book(request: Request) -> TaskBook:
    return load_book(request.app.state.settings.knowledge_dir)


def study_events(request: Request) -> list[Event]:
    """The caller's study history (reads, interview answers, hands-on checks, card reviews)."""
    imp = frozenset(q.id for q in _kb(request).questions if q.imp)
    return _repo(request).study_events(owner(request), imp)


def mastery_by_section(request: Request) -> dict[int, float]:
    """Section -> mastery 0-1 now: the same numbers as /api/progress/mastery (for the sidebar)."""
    return section_mastery(study_events(request), _now())


def mastery_json(request: Request) -> dict[str, Any]:
    events, now = study_events(request), _now()
    statuses = section_status(events, now)
    due = study_cards.due(_kb(request), events, now)
    return {
        "at": now.isoformat(),
        "sections": [
            {
                **s.to_json(),
                "status": _label(s.mastery, s.items),
                "due_cards": _count(due, s.section),
            }
            for s in statuses
        ],
        "due_cards": len(due),
        "events": len(events),
    }


def _label(mastery: float, items: int) -> str:
    return level(mastery, items)


def _count(due: list[study_cards.DueCard], section: int) -> int:
    return sum(1 for d in due if d.card.section == section)


@router.get("/api/progress/mastery")
def mastery(request: Request) -> dict[str, Any]:
    """Per section: mastery 0-1, retention, coverage, a status label and the due items/cards."""
    return mastery_json(request)


@router.get("/api/plan")
def plan(
    request: Request,
    minutes: int = Query(DEFAULT_MINUTES, ge=MIN_MINUTES, le=MAX_MINUTES),
) -> dict[str, Any]:
    """A cram plan that fits `minutes`: weakest (IMP) sections first, each step timed."""
    result = cram_plan(_kb(request), study_events(request), minutes, _now(), tasks=_book(request))
    return result.to_json()


@router.get("/api/tasks")
def list_tasks(request: Request) -> list[dict[str, Any]]:
    """Every hands-on task (without its model answer), by section."""
    return [t.summary() for tasks in _book(request).by_section().values() for t in tasks]


@router.post(
    "/api/tasks/{task_id}/check",
    responses={
        404: {"description": "no such task"},
        413: {"description": "the answer is longer than the checker accepts"},
        422: {"description": "an empty answer or a malformed body"},
    },
)
async def check_task(request: Request, task_id: str, body: CheckIn) -> dict[str, Any]:
    """Check an answer by rules: each hit and miss with the note line it comes from."""
    book = _book(request)
    task = book.get(task_id)
    if not body.answer.strip():
        raise BadInput("the answer is empty: paste your answer to the task")
    if len(body.answer) > MAX_CHARS:
        raise HTTPException(
            413,
            detail=f"the answer has {len(body.answer):,} characters; the limit is {MAX_CHARS:,}",
        )
    report = await run_in_threadpool(check, task, body.answer, book=book)
    data = report.to_json()
    if report.problem is None:  # an unusable paste says nothing about what the user knows
        event = Event.handson(task.section, task.id, report.score, _now(), imp=task.imp)
        await run_in_threadpool(_repo(request).add_study_event, owner(request), event)
    return {**data, "task": task.summary()}


@router.get("/api/cards/due")
def due_cards(request: Request, new: int = Query(5, ge=0, le=50)) -> dict[str, Any]:
    """Flashcards due for review (IMP and most faded first) and a few new ones."""
    kb, events, now = _kb(request), study_events(request), _now()
    return {
        "due": [d.to_json() for d in study_cards.due(kb, events, now)],
        "new": [c.to_json() for c in study_cards.new_cards(kb, events, now, limit=new)],
    }


@router.post("/api/cards/{card_id}/review")
def review_card(request: Request, card_id: str, body: ReviewIn) -> dict[str, Any]:
    """Record again/hard/good/easy for a card; answers when it is due next."""
    parse_rating(body.rating)  # a bad rating is a 422 before anything is looked up
    card = study_cards.find(_kb(request), card_id)
    event = study_cards.review(card, body.rating, _now())
    _repo(request).add_study_event(owner(request), event)
    nxt = study_cards.next_due(study_events(request), card.id)
    return {
        "card": card.id,
        "section": card.section,
        "rating": event.rating,
        "next_due": nxt.isoformat() if nxt else None,
    }


# -- pages -------------------------------------------------------------------------------------


@pages.get("/progress", response_class=HTMLResponse)
def progress_page(request: Request, minutes: str | None = None) -> HTMLResponse:
    """The mastery chart and the plan form; `?minutes=` renders the plan without script."""
    plan_json = None
    wanted = DEFAULT_MINUTES
    if minutes is not None:
        if not minutes.strip().isdigit():
            raise BadInput(f"minutes must be a whole number, got {minutes!r}")
        wanted = int(minutes)
        events = study_events(request)
        plan_json = cram_plan(_kb(request), events, wanted, _now(), tasks=_book(request)).to_json()
    context = {
        "mastery": mastery_json(request),
        "plan": plan_json,
        "minutes": wanted,
        "min_minutes": MIN_MINUTES,
        "max_minutes": MAX_MINUTES,
        "page_title": f"Progress · {APP_NAME}",
    }
    return templates.TemplateResponse(request, "progress.html", context)


@pages.get("/tasks", response_class=HTMLResponse)
def tasks_page(request: Request) -> HTMLResponse:
    book = _book(request)
    context = {
        "by_section": book.by_section(),
        "max_chars": MAX_CHARS,
        "page_title": f"Hands-on tasks · {APP_NAME}",
    }
    return templates.TemplateResponse(request, "tasks.html", context)


router.include_router(pages)
