"""The anonymous identity cookie and the optional API token."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from app.settings import Settings
from app.web.identity import COOKIE, load_secret
from tests.web.helpers import chat, running, settings_for


def test_the_identity_cookie_is_signed_httponly_and_lax(client: TestClient) -> None:
    fresh = TestClient(client.app)
    r = fresh.get("/api/progress")
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    # a known browser is not given a new cookie
    assert "set-cookie" not in fresh.get("/api/progress").headers


def test_a_forged_cookie_is_a_new_identity(client: TestClient) -> None:
    cid = chat(client, "Start from Section 1")["conversation_id"]
    value = client.cookies[COOKIE]
    ident, _, _sig = value.rpartition(".")
    forged = TestClient(client.app, cookies={COOKIE: f"{ident}.AAAAAAAAAAAAAAAAAAAAAAAAAAA"})
    assert forged.get(f"/api/conversations/{cid}").status_code == 404
    assert forged.get("/api/conversations").json() == []
    chosen = TestClient(client.app, cookies={COOKIE: ident})  # an unsigned id is not accepted
    assert chosen.get(f"/api/conversations/{cid}").status_code == 404


def test_the_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = load_secret(settings)
    assert len(first) >= 32 and load_secret(settings) == first
    assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o777 == 0o600
    assert load_secret(Settings(data_dir=tmp_path / "data", secret_key="given")) == "given"


def test_the_api_token_guards_api_and_v1_only(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data", api_token="s3cret-token")
    with running(settings) as client:
        for path in ("/api/sections", "/api/conversations", "/v1/models"):
            r = client.get(path)
            assert r.status_code == 401, path
            assert r.headers["www-authenticate"] == "Bearer"
        assert "MENTOR_API_TOKEN" in client.get("/api/progress").json()["detail"]
        assert client.get("/v1/models").json()["error"]["message"]
        wrong = {"Authorization": "Bearer nope"}
        assert client.get("/api/sections", headers=wrong).status_code == 401
        good = {"Authorization": "Bearer s3cret-token"}
        assert client.get("/api/sections", headers=good).status_code == 200
        assert client.get("/v1/models", headers=good).json()["data"][0]["id"] == "docker-mentor"
        r = client.post("/api/chat", json={"message": "Start from Section 2"}, headers=good)
        assert r.status_code == 200 and r.json()["section"] == 2
        # pages, health and static files stay open
        for path in ("/", "/healthz", "/readyz", "/static/app.css", "/sections/2"):
            assert client.get(path).status_code == 200, path
