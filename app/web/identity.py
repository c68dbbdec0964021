"""Who is calling: an anonymous per-browser id in a signed cookie, and the optional API token.

The id is random and means nothing by itself; the signature (itsdangerous, keyed by the
settings' secret or one generated under data/ on first start) stops a client from choosing
another user's id. Every store query is scoped by it. When MENTOR_API_TOKEN is set, /api and
/v1 also need `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import hmac
import os
import secrets
from http.cookies import SimpleCookie
from pathlib import Path

from itsdangerous import BadSignature, Signer
from starlette.requests import HTTPConnection, cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.settings import Settings
from app.web.errors import error_response

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


class IdentityMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware) so streaming responses and disconnects pass through."""

    def __init__(self, app: ASGIApp, secret: str, api_token: str | None = None) -> None:
        self.app = app
        self.signer = Signer(secret, salt="mentor-identity")
        self.api_token = api_token

    def _read(self, scope: Scope) -> str | None:
        """The first validly signed identity cookie (a forged or stale one is ignored).

        A browser may send two `mentor_id` cookies (say one set for another path or domain),
        the most specific and oldest first. Starlette's `Request.cookies` is a dict that keeps
        the last, so each pair is decoded by starlette's parser and the first good one wins.
        """
        for name, value in scope.get("headers", []):
            if name != b"cookie":
                continue
            for pair in value.decode("latin-1").split(";"):
                raw = cookie_parser(pair).get(COOKIE)
                if raw is None:
                    continue
                try:
                    return self.signer.unsign(raw).decode()
                except BadSignature:
                    continue
        return None

    def _cookie(self, scope: Scope, ident: str) -> bytes:
        """The Set-Cookie header for a new identity, built by the standard library."""
        jar: SimpleCookie = SimpleCookie()
        jar[COOKIE] = self.signer.sign(ident).decode()
        morsel = jar[COOKIE]
        morsel["path"] = "/"
        morsel["max-age"] = COOKIE_MAX_AGE
        morsel["httponly"] = True
        morsel["samesite"] = "Lax"
        if scope.get("scheme") == "https":
            morsel["secure"] = True
        return morsel.OutputString().encode("latin-1")

    def _authorised(self, scope: Scope) -> bool:
        if not self.api_token:
            return True
        path = scope.get("path", "")
        if not (path.startswith(PROTECTED) or path in ("/api", "/v1")):
            return True
        scheme, _, token = HTTPConnection(scope).headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), self.api_token.encode()
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not self._authorised(scope):
            refused = error_response(
                scope.get("path", ""),
                401,
                "this server needs an API token: send 'Authorization: Bearer <MENTOR_API_TOKEN>'",
                headers={"WWW-Authenticate": "Bearer"},
                code="401",
            )
            await refused(scope, receive, send)
            return
        current = self._read(scope)
        new = current is None
        ident = current or secrets.token_hex(16)
        scope.setdefault("state", {})["owner"] = ident
        if not new:
            await self.app(scope, receive, send)
            return
        cookie = self._cookie(scope, ident)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"set-cookie", cookie))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)
