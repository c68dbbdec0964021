"""POST /api/chat (JSON or SSE), the conversations API and GET /api/progress. Thin: the turn
and its persistence live in app.mentor.service, the queries in app.store.repository, the
rendering in app.web.views."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from functools import partial
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from app import render
from app.mentor.service import TurnEvent, check_message
from app.mentor.turn_context import study_history, whole_replies
from app.store.export import conversation_markdown, filename, iso
from app.store.models import Message
from app.web.deps import KnowledgeDep, OwnerDep, RepoDep, SettingsDep, get_chat_service
from app.web.schemas import (
    ChatIn,
    ChatReply,
    ConversationOut,
    ConversationSummary,
    ProgressOut,
    Renamed,
    RenameIn,
    error_docs,
)
from app.web.streaming import EventStream, sse
from app.web.views import message_fields, present, progress_json, study_events

router = APIRouter(prefix="/api", tags=["chat"])


NOT_FOUND = error_docs({404: "no such conversation (or another user's)"})


@router.post(
    "/chat",
    response_model=ChatReply,
    responses=error_docs(
        {
            404: "no such conversation (or another user's)",
            413: "longer than MENTOR_MAX_MESSAGE_CHARS",
            422: "empty message or malformed body",
            503: "the mentor is still starting",
        },
        stream="`application/json` (the whole reply) or `text/event-stream` "
        "(events meta, delta, done, error)",
    ),
)
async def chat(
    request: Request,
    body: ChatIn,
    settings: SettingsDep,
    repo: RepoDep,
    kb: KnowledgeDep,
    who: OwnerDep,
) -> Any:
    """Send one message; the user's message is stored before the reply starts."""
    # an empty or over-long message is refused before waiting for a mentor that is starting
    check_message(body.message, settings.max_message_chars)
    service = await get_chat_service(request)
    turn = await run_in_threadpool(service.begin, who, body.conversation_id, body.message)
    # the caller's study history, read only by a turn that needs it ("review my due cards")
    history = partial(study_events, repo, who, kb)
    if "text/event-stream" not in request.headers.get("accept", ""):
        with study_history(history), whole_replies():  # no reader watches JSON arrive
            done = await service.complete(turn)
        return present(request, "done", done, page=False)

    async def stream() -> AsyncGenerator[bytes, None]:
        events: AsyncGenerator[TurnEvent, None] = service.events(turn)
        try:
            with study_history(history):
                async for name, data in events:
                    if name == "meta":
                        data = {**data, "user_html": render.to_html(turn.message)}
                    yield sse(name, present(request, name, data, page=True))
        finally:
            await events.aclose()

    return EventStream(stream())


def _message_json(msg: Message) -> dict[str, Any]:
    return {
        "id": msg.id,
        "content": msg.content,
        **message_fields(msg),
        "created_at": iso(msg.created_at),
    }


@router.get("/conversations", response_model=list[ConversationSummary])
def list_conversations(repo: RepoDep, who: OwnerDep) -> list[dict[str, Any]]:
    """The caller's conversations, the most recently active first."""
    return [
        {
            "id": c.id,
            "title": c.title,
            "created_at": iso(c.created_at),
            "updated_at": iso(c.updated_at),
            "messages": c.messages,
        }
        for c in repo.list_conversations(who)
    ]


@router.get("/conversations/{conversation_id}", response_model=ConversationOut, responses=NOT_FOUND)
def get_conversation(repo: RepoDep, who: OwnerDep, conversation_id: str) -> dict[str, Any]:
    """One conversation with its messages; another user's id is a 404."""
    conv = repo.get_conversation(who, conversation_id)
    messages = repo.messages(who, conversation_id)
    return {
        "id": conv.id,
        "title": conv.title,
        "created_at": iso(conv.created_at),
        "updated_at": iso(conv.updated_at),
        "state": conv.state or {},
        "messages": [_message_json(m) for m in messages],
    }


@router.patch("/conversations/{conversation_id}", response_model=Renamed, responses=NOT_FOUND)
def rename_conversation(
    repo: RepoDep, who: OwnerDep, conversation_id: str, body: RenameIn
) -> dict[str, Any]:
    conv = repo.rename(who, conversation_id, body.title)
    return {"id": conv.id, "title": conv.title, "updated_at": iso(conv.updated_at)}


@router.delete(
    "/conversations/{conversation_id}",
    status_code=204,
    response_class=Response,
    responses=NOT_FOUND,
)
def delete_conversation(repo: RepoDep, who: OwnerDep, conversation_id: str) -> Response:
    repo.delete(who, conversation_id)
    return Response(status_code=204)


@router.get(
    "/conversations/{conversation_id}/export",
    response_class=Response,
    responses={
        200: {
            "description": "the conversation as Markdown",
            "content": {"text/markdown": {"schema": {"type": "string"}}},
        },
        **NOT_FOUND,
    },
)
def export_conversation(repo: RepoDep, who: OwnerDep, conversation_id: str) -> Response:
    """The conversation as a Markdown download."""
    conv = repo.get_conversation(who, conversation_id)
    text = conversation_markdown(conv, repo.messages(who, conversation_id))
    return Response(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename(conv)}"'},
    )


@router.get("/progress", response_model=ProgressOut)
def progress(repo: RepoDep, who: OwnerDep) -> dict[str, Any]:
    """Per section: seen, interviewed, the last interview score (0-10)."""
    return progress_json(repo, who)
