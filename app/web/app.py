"""App factory: `create_app(settings)`; no settings are read at import time."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import knowledge, render
from app.catalog import SECTION_TITLES
from app.errors import BadInput, MentorError, NotFound
from app.settings import Settings
from app.store import Database, Repository
from app.store.chat import ChatEngine, ChatService
from app.web import (
    routes_chat,
    routes_grade,
    routes_openai,
    routes_pages,
    routes_search,
    routes_study,
)
from app.web.identity import IdentityMiddleware, load_secret
from app.web.logging import RequestLog, configure_logging
from app.web.metrics import CONTENT_TYPE, Metrics
from app.web.ratelimit import RateLimit
from app.web.routes_pages import templates

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
# the page runs no inline script or style: a strict policy costs nothing
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

EngineFactory = Callable[[Settings, Any, Any], ChatEngine]


def _default_engine(settings: Settings, kb: Any, index: Any) -> ChatEngine:
    from app.mentor.engine import Mentor

    return Mentor.from_settings(settings, kb, index)


def create_app(settings: Settings, *, engine_factory: EngineFactory | None = None) -> FastAPI:
    """The web app. `engine_factory` swaps the mentor (tests register fakes through it)."""
    make_engine = engine_factory or _default_engine

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.knowledge = knowledge.load(settings.knowledge_dir)
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
    app.include_router(routes_search.router)
    app.include_router(routes_grade.router)
    app.include_router(routes_chat.router)
    app.include_router(routes_openai.router)
    app.include_router(routes_pages.router)
    app.include_router(routes_study.router)
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

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"])
    async def readyz(request: Request) -> JSONResponse:
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

    @app.get("/api/sections", tags=["sections"])
    async def list_sections() -> list[dict[str, Any]]:
        return [{"number": n, "title": t} for n, t in SECTION_TITLES.items()]

    @app.get("/api/sections/{number}", tags=["sections"])
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


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api", "/v1")) or "text/html" not in request.headers.get("accept", "")


def _error_page(request: Request, status: int, detail: str) -> Response:
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "detail": detail}, status_code=status
    )


def _error_body(request: Request, detail: Any) -> dict[str, Any]:
    if request.url.path.startswith("/v1"):
        message = detail if isinstance(detail, str) else "the request is not valid"
        return {
            "error": {"message": message, "type": "invalid_request_error", "code": None},
            "detail": detail,
        }
    return {"detail": detail}


def _error_handlers(app: FastAPI) -> None:
    """One error path: JSON `detail` on /api and /v1, an error page elsewhere."""

    @app.exception_handler(MentorError)
    async def mentor_error(request: Request, exc: MentorError) -> Response:
        retry = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry)} if retry else None
        if _wants_json(request):
            body = _error_body(request, str(exc))
            return JSONResponse(body, status_code=exc.status_code, headers=headers)
        page = _error_page(request, exc.status_code, str(exc))
        page.headers.update(headers or {})
        return page

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse(
                _error_body(request, exc.detail),
                status_code=exc.status_code,
                headers=getattr(exc, "headers", None),
            )
        return _error_page(request, exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # a bug: the log has the traceback (with this request id), the user a clear sentence
        rid = request.scope.get("state", {}).get("request_id", "")
        detail = (
            f"the mentor hit an unexpected error (request id {rid}); try again, and quote "
            "the id if it keeps happening"
        )
        # this answer is sent from outside the middleware stack: add what it would have added
        headers = {
            "X-Request-ID": rid,
            **{k.decode(): v.decode() for k, v in SecurityHeaders.HEADERS},
        }
        if _wants_json(request):
            return JSONResponse(_error_body(request, detail), status_code=500, headers=headers)
        page = _error_page(request, 500, detail)
        page.headers.update(headers)
        return page

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors()]
        if request.url.path.startswith("/v1"):
            first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
            where = ".".join(str(p) for p in first["loc"])
            return JSONResponse(_error_body(request, f"{where}: {first['msg']}"), status_code=422)
        return JSONResponse({"detail": errors}, status_code=422)


class SecurityHeaders:
    """CSP and friends on every response (pure ASGI: streaming passes through untouched)."""

    HEADERS = (
        (b"content-security-policy", CSP.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(("/docs", "/redoc")):
            # Swagger UI loads its assets from a CDN with an inline bootstrap script
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *self.HEADERS]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _load_index(app: FastAPI, settings: Settings, make_engine: EngineFactory) -> None:
    from app.retrieval.index import load_or_build

    try:
        app.state.index = await asyncio.to_thread(load_or_build, settings, app.state.knowledge)
        engine = await asyncio.to_thread(
            make_engine, settings, app.state.knowledge, app.state.index
        )
    except Exception:
        log.exception("could not load the retrieval index or build the mentor")
        app.state.index_error = True
        return
    app.state.mentor = engine
    app.state.chat = ChatService(app.state.repo, engine, settings.max_message_chars)
    app.state.ready = True
    app.state.chat_ready.set()


def app_from_env() -> FastAPI:
    """The factory uvicorn calls (`mentor serve`): settings from the environment."""
    from app.settings import get_settings

    configure_logging()
    return create_app(get_settings())
