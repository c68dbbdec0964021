"""One error path: route errors and middleware refusals (401, 429) share one JSON shape."""

from __future__ import annotations

import json

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.errors import NotFound
from app.web.deps import OwnerDep
from app.web.errors import error_response, install
from app.web.identity import COOKIE, COOKIE_MAX_AGE, IdentityMiddleware
from app.web.ratelimit import RateLimit

AUTH = {"Authorization": "Bearer t0ken"}


def test_error_response_is_detail_plus_openai_error_on_v1() -> None:
    r = error_response("/api/x", 404, "gone")
    assert r.status_code == 404 and json.loads(bytes(r.body)) == {"detail": "gone"}
    r = error_response(
        "/v1/chat/completions",
        429,
        "slow down",
        headers={"Retry-After": "3"},
        error_type="rate_limit_error",
        code="429",
        extra={"limit": 2},
    )
    assert r.status_code == 429 and r.headers["retry-after"] == "3"
    assert json.loads(bytes(r.body)) == {
        "detail": "slow down",
        "limit": 2,
        "error": {"message": "slow down", "type": "rate_limit_error", "code": "429"},
    }


def _app(*, api_token: str | None = None, per_identity: int = 100) -> FastAPI:
    app = FastAPI()
    install(app)

    @app.get("/api/missing")
    async def missing() -> None:
        raise NotFound("no such thing")

    @app.get("/api/whoami")
    async def whoami(who: OwnerDep) -> dict[str, str]:
        return {"owner": who}

    @app.post("/api/chat")
    async def chat() -> dict[str, str]:
        return {"ok": "yes"}

    app.add_middleware(RateLimit, per_identity=per_identity, per_ip=100)
    app.add_middleware(IdentityMiddleware, secret="s" * 32, api_token=api_token)
    return app


def test_a_refused_token_answers_like_the_handler() -> None:
    client = TestClient(_app(api_token="t0ken"))
    r = client.get("/api/missing")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert r.headers["content-type"] == "application/json"
    assert set(r.json()) == {"detail"} and "MENTOR_API_TOKEN" in r.json()["detail"]
    # the same shape as an error a route raises
    r = client.get("/api/missing", headers=AUTH)
    assert r.status_code == 404 and r.json() == {"detail": "no such thing"}
    v1 = client.get("/v1/models")
    assert v1.status_code == 401 and v1.json()["error"]["code"] == "401"
    assert v1.json()["detail"] == v1.json()["error"]["message"]


def test_a_rate_limited_post_answers_like_the_handler() -> None:
    client = TestClient(_app(per_identity=1))
    assert client.post("/api/chat").status_code == 200
    r = client.post("/api/chat")
    assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 60
    assert r.json()["detail"].startswith("too many requests") and r.json()["limit"] == 1
    assert "error" not in r.json()  # OpenAI's error object is only for /v1


def test_the_identity_cookie_is_built_by_the_library() -> None:
    plain = TestClient(_app()).get("/api/missing").headers["set-cookie"]
    assert plain.startswith(f"{COOKIE}=")
    for attribute in ("HttpOnly", "SameSite=Lax", "Path=/", f"Max-Age={COOKIE_MAX_AGE}"):
        assert attribute in plain
    assert "Secure" not in plain
    secure = TestClient(_app(), base_url="https://testserver").get("/api/missing")
    assert "Secure" in secure.headers["set-cookie"]


def test_a_quoted_or_duplicated_cookie_keeps_its_identity() -> None:
    client = TestClient(_app())
    client.get("/api/missing")
    value = client.cookies[COOKIE]
    again = TestClient(client.app, cookies={COOKIE: f'"{value}"'})
    assert "set-cookie" not in again.get("/api/missing").headers
    junk = TestClient(client.app, cookies={COOKIE: "not.signed"})
    assert "set-cookie" in junk.get("/api/missing").headers


def test_of_two_identity_cookies_the_first_valid_one_wins() -> None:
    """Browsers send the most specific, oldest cookie first; a forged one is skipped."""
    app = _app()
    a, b = TestClient(app), TestClient(app)
    owner_a, owner_b = a.get("/api/whoami").json()["owner"], b.get("/api/whoami").json()["owner"]
    assert owner_a != owner_b
    first, second = a.cookies[COOKIE], b.cookies[COOKIE]
    both = {"Cookie": f"{COOKIE}=forged.sig; {COOKIE}={first}; {COOKIE}={second}"}
    r = TestClient(app).get("/api/whoami", headers=both)
    assert r.json()["owner"] == owner_a and "set-cookie" not in r.headers
