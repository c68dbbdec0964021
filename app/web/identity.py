"""Who is calling: an anonymous per-browser id in a signed cookie, and the optional API token.

The id is random and means nothing by itself; the signature (itsdangerous, keyed by the
settings' secret or one generated under data/ on first start) stops a client from choosing
another user's id. Every store query is scoped by it. When MENTOR_API_TOKEN is set, /api and
/v1 also need `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from itsdangerous import BadSignature, Signer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.settings import Settings

COOKIE = "mentor_id"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers accept
SECRET_FILE = "secret_key"
PROTECTED = ("/api/", "/v1/")


def load_secret(settings: Settings) -> str:
    """The signing secret: from settings, else data/secret_key (created once, mode 0600)."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(secrets.token_urlsafe(32))
    return path.read_text(encoding="utf-8").strip()


def owner(request: Request) -> str:
    """The caller's anonymous id (set by IdentityMiddleware)."""
    return str(request.state.owner)


class IdentityMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware) so streaming responses and disconnects pass through."""

    def __init__(self, app: ASGIApp, secret: str, api_token: str | None = None) -> None:
        self.app = app
        self.signer = Signer(secret, salt="mentor-identity")
        self.api_token = api_token

    def _read(self, scope: Scope) -> str | None:
        """The first validly signed identity cookie (a forged or stale one is ignored)."""
        for name, value in scope.get("headers", []):
            if name != b"cookie":
                continue
            for part in value.decode("latin-1").split(";"):
                key, _, raw = part.strip().partition("=")
                if key != COOKIE:
                    continue
                try:
                    return self.signer.unsign(raw.strip('"')).decode()
                except BadSignature:
                    continue
        return None

    def _authorised(self, scope: Scope) -> bool:
        if not self.api_token:
            return True
        path = scope.get("path", "")
        if not (path.startswith(PROTECTED) or path in ("/api", "/v1")):
            return True
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                if scheme.lower() == "bearer" and hmac.compare_digest(
                    token.strip().encode(), self.api_token.encode()
                ):
                    return True
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not self._authorised(scope):
            await _unauthorised(scope, send)
            return
        current = self._read(scope)
        new = current is None
        ident = current or secrets.token_hex(16)
        scope.setdefault("state", {})["owner"] = ident
        if not new:
            await self.app(scope, receive, send)
            return
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        cookie = (
            f"{COOKIE}={self.signer.sign(ident).decode()}; Path=/; Max-Age={COOKIE_MAX_AGE}; "
            f"HttpOnly; SameSite=Lax{secure}"
        )

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"set-cookie", cookie.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


async def _unauthorised(scope: Scope, send: Send) -> None:
    detail = "this server needs an API token: send 'Authorization: Bearer <MENTOR_API_TOKEN>'"
    body: dict[str, Any]
    if scope.get("path", "").startswith("/v1"):
        body = {"error": {"message": detail, "type": "invalid_request_error", "code": "401"}}
    else:
        body = {"detail": detail}
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"www-authenticate", b"Bearer"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": json.dumps(body).encode()})
