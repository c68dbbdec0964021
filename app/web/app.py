"""App factory: `create_app(settings)`; no settings are read at import time."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles

from app import knowledge, render
from app.errors import BadInput
from app.mentor.service import ChatEngine, ChatService
from app.settings import Settings
from app.store import Database, Repository
from app.web import (
    routes_chat,
    routes_eval,
    routes_grade,
    routes_openai,
    routes_pages,
    routes_search,
    routes_sections,
    routes_study,
)
from app.web.errors import install as _error_handlers
from app.web.identity import IdentityMiddleware, load_secret
from app.web.logging import RequestLog, configure_logging
from app.web.metrics import CONTENT_TYPE, Metrics
from app.web.ratelimit import RateLimit
from app.web.schemas import Health, Readiness
from app.web.security import SecurityHeaders

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"

EngineFactory = Callable[[Settings, Any, Any], ChatEngine]


def _default_engine(settings: Settings, kb: Any, index: Any) -> ChatEngine:
    from app.mentor.engine import Mentor

    return Mentor.from_settings(settings, kb, index)


def create_app(settings: Settings, *, engine_factory: EngineFactory | None = None) -> FastAPI:
    """The web app. `engine_factory` swaps the mentor (tests register fakes through it)."""
    make_engine = engine_factory or _default_engine

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.knowledge = kb = knowledge.load(settings.knowledge_dir)
        # every note rendered once: a section is served as fast as /healthz
        markdowns = {n: s.markdown for n, s in kb.sections.items()}
        app.state.notes = render.render_notes(markdowns, settings.resolved_index_dir)
        app.state.banks = {}  # each section's question bank, rendered on its page's first visit
        db = Database(settings.resolved_database_url)
        await asyncio.to_thread(db.create_schema)
        app.state.db = db
        app.state.repo = Repository(db)
        app.state.chat_ready = asyncio.Event()
        # the index (and the embedding model) load in the background: /healthz answers at
        # once, /readyz turns 200 when the index is in memory and the mentor is built
        task = asyncio.create_task(_load_index(app, settings, make_engine))
        yield
        task.cancel()
        app.state.ready = False
        db.dispose()

    app = FastAPI(
        title="Docker Interview Mentor",
        version="0.1.0",
        lifespan=lifespan,
        dependencies=[Depends(reject_control_characters)],
    )
    app.state.settings = settings
    app.state.ready = False
    app.state.index = None
    app.state.chat = None
    app.state.mentor = None
    app.include_router(routes_sections.router)
    app.include_router(routes_search.router)
    app.include_router(routes_grade.router)
    app.include_router(routes_chat.router)
    app.include_router(routes_openai.router)
    app.include_router(routes_pages.router)
    app.include_router(routes_study.router)
    app.include_router(routes_eval.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if settings.rate_limit_enabled:  # inside IdentityMiddleware: it needs the caller's id
        app.add_middleware(
            RateLimit,
            per_identity=settings.rate_limit_per_minute,
            per_ip=settings.rate_limit_ip_per_minute,
        )
    app.add_middleware(
        IdentityMiddleware, secret=load_secret(settings), api_token=settings.api_token
    )
    app.add_middleware(SecurityHeaders)
    app.state.metrics = Metrics(app.state)
    # outermost: every response gets an id, a log line and its metrics
    app.add_middleware(RequestLog, metrics=app.state.metrics)
    _error_handlers(app)
    _document_errors(app)

    @app.get("/healthz", tags=["ops"], response_model=Health)
    async def healthz() -> Health:
        """Liveness: the process answers (the index may still be loading)."""
        return Health(status="ok")

    @app.get(
        "/readyz",
        tags=["ops"],
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "still starting, or failed"}},
    )
    async def readyz(request: Request) -> JSONResponse:
        """Readiness: the index is in memory, the mentor built and the database reachable."""
        state = request.app.state
        db = getattr(state, "db", None)
        db_ok = db is not None and await asyncio.to_thread(db.ping)
        ready = bool(state.ready) and db_ok
        body = {
            "status": "ready" if ready else "starting",
            "index": state.index is not None,
            "mentor": state.chat is not None,
            "database": db_ok,
        }
        if getattr(state, "index_error", False):
            body["status"] = "failed"
        return JSONResponse(body, status_code=200 if ready else 503)

    @app.get("/metrics", tags=["ops"], response_class=PlainTextResponse)
    async def metrics(request: Request) -> Response:
        """Prometheus text format: requests, latency, LLM calls, fallbacks, tokens, turns."""
        return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE)

    return app


# C0 controls and DEL, except tab, newline and carriage return
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SURROGATE = re.compile(r"[\ud800-\udfff]")  # a lone half of a UTF-16 pair: not storable
TEXT_POSTS = ("/api/chat", "/api/grade", "/v1/chat/completions")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


async def reject_control_characters(request: Request) -> None:
    """Text with control characters (NUL and friends; tab and newlines are fine) is refused
    with a 422 rather than stored: PostgreSQL cannot hold NUL and a terminal should not get
    escape codes back. The body is already read (and cached) by the route."""
    if request.method != "POST" or request.url.path not in TEXT_POSTS:
        return
    try:
        data = json.loads(await request.body())
    except ValueError:
        return  # the route's own validation answers malformed JSON
    for text in _strings(data):
        if SURROGATE.search(text):
            raise BadInput("the request contains invalid Unicode (a lone surrogate); send UTF-8")
        found = CONTROL.search(text)
        if found:
            raise BadInput(
                f"the request contains a control character (U+{ord(found.group()):04X}); "
                "remove it and send the text again"
            )


def _document_errors(app: FastAPI) -> None:
    """The schema FastAPI generates says a 422 `detail` is a list of validation errors; the
    app's own checks (empty message, control characters, ...) answer with a sentence. Say so."""
    default_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = default_openapi()
            components = schema.get("components", {}).get("schemas", {})
            error = components.get("HTTPValidationError")
            if error is not None:
                listed = error["properties"]["detail"]
                error["properties"]["detail"] = {
                    "anyOf": [{"type": "string"}, {k: v for k, v in listed.items()}],
                    "title": "Detail",
                }
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


async def _load_index(app: FastAPI, settings: Settings, make_engine: EngineFactory) -> None:
    from app.retrieval.cache import load_or_build

    try:
        app.state.index = await asyncio.to_thread(load_or_build, settings, app.state.knowledge)
        engine = await asyncio.to_thread(
            make_engine, settings, app.state.knowledge, app.state.index
        )
        # the code highlighters the notes use, loaded now rather than by the first replies
        notes = [s.markdown for s in app.state.knowledge.sections.values()]
        await asyncio.to_thread(render.warm, notes)
    except Exception:
        log.exception("could not load the retrieval index or build the mentor")
        app.state.index_error = True
        return
    app.state.mentor = engine
    grader = _interview_grader(engine)
    if grader is not None:
        app.state.grader = grader
    app.state.chat = ChatService(app.state.repo, engine, settings.max_message_chars)
    # what start-up built (~176k objects: knowledge, index, templates) lives as long as the
    # app: out of the collector's sight, a full collection no longer walks it (75-180 ms, about
    # one request in 95 of a clarification run paid for it)
    gc.freeze()
    app.state.ready = True
    app.state.chat_ready.set()


def _interview_grader(engine: ChatEngine) -> Any:
    """The mentor's own interview grader (LLM or offline), so /api/grade grades as the mock
    interview does; None for an engine without one (a test fake): the route builds its own."""
    from app.mentor.engine import Mentor

    if isinstance(engine, Mentor) and engine.interview is not None:
        return engine.interview.grader
    return None


def app_from_env() -> FastAPI:
    """The factory uvicorn calls (`mentor serve`): settings from the environment."""
    from app.settings import get_settings

    configure_logging()
    return create_app(get_settings())
