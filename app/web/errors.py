"""The one error path of the web app: every error, whether a route raised it or a middleware
refused the request (auth 401, rate limit 429), is answered by `error_response` (JSON
`{"detail": ...}` on /api and /v1, plus OpenAI's `error` object on /v1) or, for a browser
asking for a page, the error page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import MentorError
from app.web.security import HEADERS
from app.web.views import templates

OPENAI_PREFIX = "/v1"


def error_response(
    path: str,
    status: int,
    detail: Any,
    *,
    headers: Mapping[str, str] | None = None,
    error_type: str = "invalid_request_error",
    code: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    """The JSON body of every error: `{"detail": ...}` (and `extra` fields), with OpenAI's
    `{"error": {message, type, code}}` beside it on /v1 so OpenAI clients read it too. A
    JSONResponse is an ASGI app: pure-ASGI middleware sends it with `await r(scope, ...)`."""
    body: dict[str, Any] = {"detail": detail, **(extra or {})}
    if path.startswith(OPENAI_PREFIX):
        message = detail if isinstance(detail, str) else "the request is not valid"
        body["error"] = {"message": message, "type": error_type, "code": code}
    return JSONResponse(body, status_code=status, headers=dict(headers or {}) or None)


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api", "/v1")) or "text/html" not in request.headers.get("accept", "")


def _answer(
    request: Request, status: int, detail: Any, headers: Mapping[str, str] | None = None
) -> Response:
    if _wants_json(request):
        return error_response(request.url.path, status, detail, headers=headers)
    page = templates.TemplateResponse(
        request, "error.html", {"status": status, "detail": str(detail)}, status_code=status
    )
    page.headers.update(headers or {})
    return page


def install(app: FastAPI) -> None:
    """One error path: JSON `detail` on /api and /v1, an error page elsewhere."""

    @app.exception_handler(MentorError)
    async def mentor_error(request: Request, exc: MentorError) -> Response:
        retry = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry)} if retry else None
        return _answer(request, exc.status_code, str(exc), headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _answer(request, exc.status_code, exc.detail, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # a bug: the log has the traceback (with this request id), the user a clear sentence
        rid = request.scope.get("state", {}).get("request_id", "")
        detail = (
            f"the mentor hit an unexpected error (request id {rid}); try again, and quote "
            "the id if it keeps happening"
        )
        # this answer is sent from outside the middleware stack: add what it would have added
        headers = {"X-Request-ID": rid, **{k.decode(): v.decode() for k, v in HEADERS}}
        return _answer(request, 500, detail, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors()]
        path = request.url.path
        if path.startswith(OPENAI_PREFIX):
            first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
            where = ".".join(str(p) for p in first["loc"])
            return error_response(path, 422, f"{where}: {first['msg']}")
        return error_response(path, 422, errors)
