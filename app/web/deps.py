"""What a route may ask for, as `Annotated` dependencies: the settings, the knowledge, the
repository, the caller's identity and the chat service. Routes declare these instead of
reaching into `request.app.state`, so a test can build a small app and fill in only what it
uses, and no route module needs another.

The getters are `async` although they only read attributes: FastAPI runs a plain `def`
dependency on its thread pool, one hop each, and on the busy 2-core box every hop waits for a
core (four of them cost the chat turn ~2.5 ms at p50)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Depends, Request

from app.errors import MentorError
from app.knowledge import Knowledge
from app.mentor.service import ChatService
from app.settings import Settings
from app.store import Repository

READY_WAIT_SECONDS = 60.0


class NotReady(MentorError):
    status_code = 503


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_knowledge(request: Request) -> Knowledge:
    kb: Knowledge = request.app.state.knowledge
    return kb


async def get_repository(request: Request) -> Repository:
    repo: Repository = request.app.state.repo
    return repo


async def get_index(request: Request) -> Any:
    """The hybrid index, or None while it is still loading in the background."""
    return getattr(request.app.state, "index", None)


async def get_owner(request: Request) -> str:
    """The caller's anonymous id (set by IdentityMiddleware)."""
    return str(request.state.owner)


async def get_chat_service(request: Request) -> ChatService:
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


SettingsDep = Annotated[Settings, Depends(get_settings)]
KnowledgeDep = Annotated[Knowledge, Depends(get_knowledge)]
RepoDep = Annotated[Repository, Depends(get_repository)]
IndexDep = Annotated[Any, Depends(get_index)]
OwnerDep = Annotated[str, Depends(get_owner)]
