"""Study tools on the web: mastery per section, the cram plan, hands-on tasks and flashcards.

Thin: the owner's events come from the store (app.store.repository.study_events), the study
engine (app.study) folds them, the hands-on checker (app.handson) judges answers. Every query is
scoped by the caller's anonymous identity; a hands-on check and a flashcard review are stored
as new study events.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from app.errors import BadInput
from app.handson import TaskBook, check, load_book
from app.handson.inputs import MAX_CHARS
from app.study import cards as study_cards
from app.study.dashboard import dashboard
from app.study.events import Event, parse_rating
from app.study.plan import MAX_MINUTES, MIN_MINUTES, cram_plan
from app.web.deps import KnowledgeDep, OwnerDep, RepoDep, SettingsDep
from app.web.schemas import (
    CheckIn,
    CheckReport,
    DashboardOut,
    DueCards,
    MasteryOut,
    PlanOut,
    Reviewed,
    ReviewIn,
    TaskSummary,
    error_docs,
)
from app.web.views import APP_NAME, mastery_json, now, shell_context, study_events, templates

router = APIRouter(tags=["study"])
pages = APIRouter(include_in_schema=False)

DEFAULT_MINUTES = 45


def _book(settings: SettingsDep) -> TaskBook:
    return load_book(settings.knowledge_dir)


def _events(repo: RepoDep, who: OwnerDep, kb: KnowledgeDep) -> list[Event]:
    return study_events(repo, who, kb)


BookDep = Annotated[TaskBook, Depends(_book)]
EventsDep = Annotated[list[Event], Depends(_events)]


@router.get("/api/progress/mastery", response_model=MasteryOut)
def mastery(kb: KnowledgeDep, events: EventsDep) -> dict[str, Any]:
    """Per section: mastery 0-1, retention, coverage, a status label and the due items/cards."""
    return mastery_json(kb, events, now())


@router.get("/api/progress/dashboard", response_model=DashboardOut)
def progress_dashboard(kb: KnowledgeDep, events: EventsDep) -> dict[str, Any]:
    """The progress charts' numbers: mastery per section with its (IMP) topics, interview
    scores per session and per section with the trend, flashcards due per day for the next
    14 days and reviews done over the last 14."""
    return dashboard(kb, events, now())


@router.get("/api/plan", response_model=PlanOut)
def plan(
    kb: KnowledgeDep,
    events: EventsDep,
    book: BookDep,
    minutes: int = Query(DEFAULT_MINUTES, ge=MIN_MINUTES, le=MAX_MINUTES),
) -> dict[str, Any]:
    """A cram plan that fits `minutes`: weakest (IMP) sections first, each step timed."""
    return cram_plan(kb, events, minutes, now(), tasks=book).to_json()


@router.get("/api/tasks", response_model=list[TaskSummary])
def list_tasks(book: BookDep) -> list[dict[str, Any]]:
    """Every hands-on task (without its model answer), by section."""
    return [t.summary() for tasks in book.by_section().values() for t in tasks]


@router.post(
    "/api/tasks/{task_id}/check",
    response_model=CheckReport,
    responses=error_docs(
        {
            404: "no such task",
            413: "the answer is longer than the checker accepts",
            422: "an empty answer or a malformed body",
        }
    ),
)
async def check_task(
    repo: RepoDep, who: OwnerDep, book: BookDep, task_id: str, body: CheckIn
) -> dict[str, Any]:
    """Check an answer by rules: each hit and miss with the note line it comes from."""
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
        event = Event.handson(task.section, task.id, report.score, now(), imp=task.imp)
        await run_in_threadpool(repo.add_study_event, who, event)
    return {**data, "task": task.summary()}


@router.get("/api/cards/due", response_model=DueCards)
def due_cards(kb: KnowledgeDep, events: EventsDep, new: int = Query(5, ge=0, le=50)) -> Any:
    """Flashcards due for review (IMP and most faded first) and a few new ones."""
    at = now()
    return {
        "due": [d.to_json() for d in study_cards.due(kb, events, at)],
        "new": [c.to_json() for c in study_cards.new_cards(kb, events, at, limit=new)],
    }


@router.post(
    "/api/cards/{card_id}/review",
    response_model=Reviewed,
    responses=error_docs({404: "no such card"}),
)
def review_card(
    repo: RepoDep, who: OwnerDep, kb: KnowledgeDep, card_id: str, body: ReviewIn
) -> dict[str, Any]:
    """Record again/hard/good/easy for a card; answers when it is due next."""
    parse_rating(body.rating)  # a bad rating is a 422 before anything is looked up
    card = study_cards.find(kb, card_id)
    event = study_cards.review(card, body.rating, now())
    repo.add_study_event(who, event)
    nxt = study_cards.next_due(study_events(repo, who, kb), card.id)
    return {
        "card": card.id,
        "section": card.section,
        "rating": event.rating,
        "next_due": nxt.isoformat() if nxt else None,
    }


# -- pages -------------------------------------------------------------------------------------


@pages.get("/progress", response_class=HTMLResponse)
def progress_page(
    request: Request,
    repo: RepoDep,
    who: OwnerDep,
    kb: KnowledgeDep,
    events: EventsDep,
    book: BookDep,
    minutes: str | None = None,
) -> HTMLResponse:
    """The mastery chart and the plan form; `?minutes=` renders the plan without script."""
    plan_json = None
    wanted = DEFAULT_MINUTES
    if minutes is not None:
        if not minutes.strip().isdigit():
            raise BadInput(f"minutes must be a whole number, got {minutes!r}")
        wanted = int(minutes)
        plan_json = cram_plan(kb, events, wanted, now(), tasks=book).to_json()
    context = {
        **shell_context(repo, who, kb, nav="progress"),
        "mastery": mastery_json(kb, events, now()),
        "dashboard": dashboard(kb, events, now()),
        "plan": plan_json,
        "minutes": wanted,
        "min_minutes": MIN_MINUTES,
        "max_minutes": MAX_MINUTES,
        "page_title": f"Progress · {APP_NAME}",
    }
    return templates.TemplateResponse(request, "progress.html", context)


@pages.get("/tasks", response_class=HTMLResponse)
def tasks_page(
    request: Request, repo: RepoDep, who: OwnerDep, kb: KnowledgeDep, book: BookDep
) -> HTMLResponse:
    context = {
        **shell_context(repo, who, kb, nav="tasks"),
        "by_section": book.by_section(),
        "max_chars": MAX_CHARS,
        "page_title": f"Hands-on tasks · {APP_NAME}",
    }
    return templates.TemplateResponse(request, "tasks.html", context)


router.include_router(pages)
