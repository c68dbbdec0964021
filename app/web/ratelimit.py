"""Rate limits on the expensive POSTs (chat, grade, chat completions), per identity and per IP.

Pure ASGI (streaming passes through untouched); it sits inside IdentityMiddleware so the
caller's identity is known. Moving windows in memory (the `limits` package): each process
counts on its own, so N processes behind a balancer allow up to N times the limit.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.web.errors import error_response

LIMITED = frozenset({"/api/chat", "/api/grade", "/v1/chat/completions"})


class RateLimit:
    """Refuses a limited POST over its budget with a 429 and Retry-After."""

    def __init__(self, app: ASGIApp, *, per_identity: int, per_ip: int) -> None:
        self.app = app
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.identity_limit = RateLimitItemPerMinute(per_identity)
        self.ip_limit = RateLimitItemPerMinute(per_ip)

    def _retry_after(self, item: RateLimitItem, *keys: str) -> int:
        reset = self.limiter.get_window_stats(item, *keys).reset_time
        return max(1, math.ceil(reset - time.time()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") != "POST"
            or scope.get("path") not in LIMITED
        ):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        ip = client[0] if client else "unknown"
        who = str(scope.get("state", {}).get("owner", ""))
        checks = [(self.ip_limit, ("ip", ip), "this address")]
        if who:
            checks.insert(0, (self.identity_limit, ("id", who), "this user"))
        for item, keys, whom in checks:
            if not self.limiter.hit(item, *keys):
                refused = _too_many(scope, item, whom, self._retry_after(item, *keys))
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _too_many(scope: Scope, item: RateLimitItem, whom: str, wait: int) -> JSONResponse:
    """The 429, through the app's one error body (with the limit and the wait beside it)."""
    detail = (
        f"too many requests: the limit is {item.amount} per minute for {whom}; retry in {wait} s"
    )
    return error_response(
        str(scope.get("path", "")),
        429,
        detail,
        headers={"Retry-After": str(wait)},
        error_type="rate_limit_error",
        code="429",
        extra={"limit": item.amount, "retry_after": wait},
    )
