"""App factory: `create_app(settings)`; no settings are read at import time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse

from app import knowledge, render
from app.catalog import SECTION_TITLES
from app.errors import MentorError, NotFound
from app.settings import Settings
from app.web import routes_search

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.knowledge = knowledge.load(settings.knowledge_dir)
        # the index (and the embedding model) load in the background: /healthz answers at
        # once, /readyz turns 200 when the index is in memory
        task = asyncio.create_task(_load_index(app, settings))
        yield
        task.cancel()
        app.state.ready = False

    app = FastAPI(title="Docker Interview Mentor", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.ready = False
    app.state.index = None
    app.include_router(routes_search.router)

    @app.exception_handler(MentorError)
    async def mentor_error(request: Request, exc: MentorError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=exc.status_code)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        ready = bool(request.app.state.ready)
        return JSONResponse(
            {"status": "ready" if ready else "starting"}, status_code=200 if ready else 503
        )

    @app.get("/api/sections")
    async def list_sections() -> list[dict[str, Any]]:
        return [{"number": n, "title": t} for n, t in SECTION_TITLES.items()]

    @app.get("/api/sections/{number}")
    async def get_section(request: Request, number: str) -> dict[str, Any]:
        if not number.isdigit() or int(number) not in SECTION_TITLES:
            raise NotFound(f"there is no section {number!r}; sections are numbered 1-20")
        section = request.app.state.knowledge.section(int(number))
        return {
            "number": section.number,
            "title": section.title,
            "markdown": section.markdown,
            "html": render.to_html(section.markdown),
        }

    @app.get("/", response_class=HTMLResponse)
    async def index() -> str:
        items = "".join(f"<li>{n}. {t}</li>" for n, t in SECTION_TITLES.items())
        return (
            "<!doctype html><html lang=en><head><meta charset=utf-8>"
            "<title>Docker Interview Mentor</title></head><body>"
            f"<h1>Docker Interview Mentor</h1><ol>{items}</ol></body></html>"
        )

    return app


async def _load_index(app: FastAPI, settings: Settings) -> None:
    from app.retrieval.index import load_or_build

    try:
        app.state.index = await asyncio.to_thread(load_or_build, settings, app.state.knowledge)
    except Exception:
        log.exception("could not load the retrieval index")
        app.state.index_error = True
        return
    app.state.ready = True


def app_from_env() -> FastAPI:
    """The factory uvicorn calls (`mentor serve`): settings from the environment."""
    from app.settings import get_settings

    return create_app(get_settings())
