"""POST /api/chat (JSON or SSE), the conversations API and GET /api/progress. Thin: the turn
and its persistence live in app.store.chat, the queries in app.store.repository."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from functools import partial
from typing import Any

import anyio
from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import Receive, Scope, Send

from app import render
from app.catalog import SECTION_TITLES
from app.errors import MentorError
from app.store import Repository
from app.store.chat import ChatService, TurnEvent, check_message
from app.store.export import conversation_markdown, filename, iso
from app.store.models import Message
from app.web.identity import owner

router = APIRouter(prefix="/api", tags=["chat"])

READY_WAIT_SECONDS = 60.0


class NotReady(MentorError):
    status_code = 503


class ChatIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    message: str = Field(description="what the user typed")
    conversation_id: str | None = Field(default=None, description="null starts a conversation")


class RenameIn(BaseModel):
    title: str


class EventStream(StreamingResponse):
    """Server-sent events that always finish their generator.

    Starlette's StreamingResponse may leave a generator suspended when the client goes away;
    here a disconnect cancels the generator at once (so the mentor stops working) and
    `aclose()` always runs, so an interrupted reply is stored as "partial".
    """

    media_type = "text/event-stream"

    def __init__(self, chunks: AsyncGenerator[bytes, None]) -> None:
        super().__init__(
            chunks,
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            media_type="text/event-stream",
        )
        self.chunks = chunks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async with anyio.create_task_group() as tg:

            async def watch() -> None:
                while (await receive())["type"] != "http.disconnect":
                    pass
                tg.cancel_scope.cancel()

            tg.start_soon(watch)
            try:
                await send(
                    {
                        "type": "http.response.start",
                        "status": self.status_code,
                        "headers": self.raw_headers,
                    }
                )
                async for chunk in self.chunks:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            except OSError:
                pass  # the client went away while we were sending
            finally:
                with anyio.CancelScope(shield=True):
                    await self.chunks.aclose()
                tg.cancel_scope.cancel()


def sse(name: str, data: Any) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


async def chat_service(request: Request) -> ChatService:
    """The chat service; waits (bounded) while the index is still loading after a start."""
    state = request.app.state
    if state.chat is None:
        try:
            await asyncio.wait_for(state.chat_ready.wait(), timeout=READY_WAIT_SECONDS)
        except TimeoutError:
            raise NotReady(
                "the mentor is still starting (loading its index); try again in a few seconds"
            ) from None
    service: ChatService = state.chat
    return service


def _repo(request: Request) -> Repository:
    repo: Repository = request.app.state.repo
    return repo


def present(request: Request, name: str, data: dict[str, Any], *, page: bool) -> dict[str, Any]:
    """Add the server-rendered HTML the page swaps in (sanitised Markdown, the card partial)."""
    if name == "done":
        data = {**data, "html": render.to_html(data["markdown"])}
        if page:
            from app.web.routes_pages import render_message

            data["message_html"] = render_message(request, data)
    return data


@router.post(
    "/chat",
    responses={
        200: {
            "description": "`application/json` (the whole reply) or `text/event-stream` "
            "(events meta, delta, done, error)",
        },
        404: {"description": "no such conversation (or another user's)"},
        413: {"description": "the message is longer than MENTOR_MAX_MESSAGE_CHARS"},
        422: {"description": "empty message or malformed body"},
    },
)
async def chat(request: Request, body: ChatIn) -> Any:
    """Send one message; the user's message is stored before the reply starts."""
    from app.mentor.engine import study_history
    from app.web.routes_study import study_events

    check_message(body.message, request.app.state.settings.max_message_chars)
    service = await chat_service(request)
    turn = await run_in_threadpool(
        service.begin, owner(request), body.conversation_id, body.message
    )
    # the caller's study history, read only by a turn that needs it ("review my due cards")
    history = partial(study_events, request)
    if "text/event-stream" not in request.headers.get("accept", ""):
        with study_history(history):
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
        "role": msg.role,
        "content": msg.content,
        "html": render.to_html(msg.content),
        "intent": msg.intent,
        "section": msg.section,
        "citations": msg.citations or [],
        "card": msg.card,
        "notice": msg.notice,
        "status": msg.status,
        "created_at": iso(msg.created_at),
    }


@router.get("/conversations")
def list_conversations(request: Request) -> list[dict[str, Any]]:
    """The caller's conversations, the most recently active first."""
    return [
        {
            "id": c.id,
            "title": c.title,
            "created_at": iso(c.created_at),
            "updated_at": iso(c.updated_at),
            "messages": c.messages,
        }
        for c in _repo(request).list_conversations(owner(request))
    ]


@router.get("/conversations/{conversation_id}")
def get_conversation(request: Request, conversation_id: str) -> dict[str, Any]:
    """One conversation with its messages; another user's id is a 404."""
    repo = _repo(request)
    conv = repo.get_conversation(owner(request), conversation_id)
    messages = repo.messages(owner(request), conversation_id)
    return {
        "id": conv.id,
        "title": conv.title,
        "created_at": iso(conv.created_at),
        "updated_at": iso(conv.updated_at),
        "state": conv.state,
        "messages": [_message_json(m) for m in messages],
    }


@router.patch("/conversations/{conversation_id}")
def rename_conversation(request: Request, conversation_id: str, body: RenameIn) -> dict[str, Any]:
    conv = _repo(request).rename(owner(request), conversation_id, body.title)
    return {"id": conv.id, "title": conv.title, "updated_at": iso(conv.updated_at)}


@router.delete("/conversations/{conversation_id}", status_code=204)
def delete_conversation(request: Request, conversation_id: str) -> Response:
    _repo(request).delete(owner(request), conversation_id)
    return Response(status_code=204)


@router.get("/conversations/{conversation_id}/export")
def export_conversation(request: Request, conversation_id: str) -> Response:
    """The conversation as a Markdown download."""
    repo = _repo(request)
    conv = repo.get_conversation(owner(request), conversation_id)
    text = conversation_markdown(conv, repo.messages(owner(request), conversation_id))
    return Response(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename(conv)}"'},
    )


def progress_json(repo: Repository, who: str) -> dict[str, Any]:
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


@router.get("/progress")
def progress(request: Request) -> dict[str, Any]:
    """Per section: seen, interviewed, the last interview score (0-10)."""
    return progress_json(_repo(request), owner(request))
