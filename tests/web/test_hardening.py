"""Hardening: rate limits (429 + Retry-After), request ids and JSON access logs without
secrets, and clear answers to bad input on POST /api/chat and GET /api/sections/{n}."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.settings import Settings
from app.web.logging import JsonFormatter
from tests.web.helpers import ScriptedEngine, factory, running, settings_for

TOKEN = "tok-SECRET-4f1c9e2b7d"
API_KEY = "sk-SECRET-KEY-9a8b7c6d5e"


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Rate limiting off, the scripted engine: fast, for the bad-input checks."""
    s = settings_for(tmp_path_factory.mktemp("hard") / "data", rate_limit_enabled=False)
    with running(s, factory(ScriptedEngine())) as c:
        yield c


def limited(tmp: Path, **kw: object) -> Settings:
    return settings_for(tmp / "data", rate_limit_enabled=True, **kw)  # type: ignore[arg-type]


# -- rate limits ------------------------------------------------------------------------------


def test_identity_limit_gives_429_with_retry_after(tmp_path: Path) -> None:
    s = limited(tmp_path, rate_limit_per_minute=3, rate_limit_ip_per_minute=100)
    with running(s, factory(ScriptedEngine())) as c:
        for _ in range(3):
            assert c.post("/api/chat", json={"message": "hi"}).status_code == 200
        r = c.post("/api/chat", json={"message": "hi"})
        assert r.status_code == 429
        assert 1 <= int(r.headers["retry-after"]) <= 60
        body = r.json()
        assert "3 per minute" in body["detail"] and body["limit"] == 3
        # another identity on the same address still gets through
        other = TestClient(c.app)
        assert other.post("/api/chat", json={"message": "hi"}).status_code == 200
        # grading counts against the same identity; GETs are never limited
        assert c.post("/api/grade", json={"question": "q", "answer": "a"}).status_code == 429
        assert c.get("/api/conversations").status_code == 200


def test_ip_limit_covers_fresh_identities_and_v1(tmp_path: Path) -> None:
    s = limited(tmp_path, rate_limit_per_minute=100, rate_limit_ip_per_minute=2)
    with running(s, factory(ScriptedEngine())) as c:
        for _ in range(2):  # a new cookie jar each time: a new identity, the same address
            assert TestClient(c.app).post("/api/chat", json={"message": "hi"}).status_code == 200
        r = TestClient(c.app).post(
            "/v1/chat/completions", json={"messages": [{"role": "user", "content": "hi"}]}
        )
        assert r.status_code == 429
        assert r.headers["retry-after"].isdigit()
        assert r.json()["error"]["type"] == "rate_limit_error"
        assert "2 per minute for this address" in r.json()["detail"]


def test_rate_limit_can_be_disabled(fake: TestClient) -> None:
    for _ in range(40):  # above the default 30 per identity
        assert fake.post("/api/chat", json={"message": "hi"}).status_code == 200


def test_setting_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MENTOR_RATE_LIMIT_ENABLED", "false")
    monkeypatch.setenv("MENTOR_RATE_LIMIT_PER_MINUTE", "7")
    s = Settings()
    assert s.rate_limit_enabled is False and s.rate_limit_per_minute == 7
    assert Settings(rate_limit_enabled=True).rate_limit_ip_per_minute == 120


# -- request ids and logs ---------------------------------------------------------------------


def test_request_id_assigned_or_kept(fake: TestClient) -> None:
    r = fake.get("/healthz")
    assert len(r.headers["x-request-id"]) == 32
    assert fake.get("/healthz").headers["x-request-id"] != r.headers["x-request-id"]
    r = fake.get("/healthz", headers={"X-Request-ID": "abc-123.x:y"})
    assert r.headers["x-request-id"] == "abc-123.x:y"
    for insane in (b"a" * 200, b"evil value", "x\u00e9".encode(), b"<script>"):
        got = fake.get("/healthz", headers={"X-Request-ID": insane})  # type: ignore[dict-item]
        assert len(got.headers["x-request-id"]) == 32
    # also on errors and on streams
    assert "x-request-id" in fake.get("/api/sections/99").headers


def test_json_access_log_without_secrets(tmp_path: Path) -> None:
    s = settings_for(
        tmp_path / "data", rate_limit_enabled=False, api_token=TOKEN, openai_api_key=API_KEY
    )
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    # the test client (httpx) logs the URLs it requests; only the server's logs count here
    handler.addFilter(lambda record: not record.name.startswith("httpx"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    bodies: list[str] = []
    try:
        with running(s, factory(ScriptedEngine())) as c:
            auth = {"Authorization": f"Bearer {TOKEN}", "X-Request-ID": "req-42"}
            r = c.post(
                f"/api/chat?token={TOKEN}&api_key={API_KEY}", json={"message": "hi"}, headers=auth
            )
            assert r.status_code == 200
            bodies.append(r.text)
            for bad in (f"Bearer {TOKEN}x", f"Bearer {API_KEY}", "Basic " + TOKEN):
                r = c.post("/api/chat", json={"message": "hi"}, headers={"Authorization": bad})
                assert r.status_code == 401
                bodies.append(r.text)
            r = c.post("/v1/chat/completions", json={"messages": []}, headers=auth)
            bodies.append(r.text)
            r = c.get(f"/api/conversations/nope?key={API_KEY}", headers=auth)
            assert r.status_code == 404
            bodies.append(r.text)
            r = c.get(f"/missing?key={API_KEY}", headers={**auth, "Accept": "text/html"})
            bodies.append(r.text)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    text = stream.getvalue()
    assert len(bodies) == 7
    for secret in (TOKEN, API_KEY):
        assert secret not in text
        for body in bodies:
            assert secret not in body
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    access = [x for x in lines if x["logger"] == "mentor.access"]
    chat = next(x for x in access if x.get("request_id") == "req-42" and x["method"] == "POST")
    assert chat["path"] == "/api/chat" and chat["status"] == 200
    assert isinstance(chat["duration_ms"], float)
    assert {x["status"] for x in access} >= {200, 401, 404}


# -- bad input on /api/chat -------------------------------------------------------------------


def post_raw(c: TestClient, body: bytes) -> tuple[int, object]:
    r = c.post("/api/chat", content=body, headers={"Content-Type": "application/json"})
    assert r.headers["content-type"].startswith("application/json"), r.text
    return r.status_code, r.json()["detail"]


@pytest.mark.parametrize("message", ["", "   ", "\n\t  "])
def test_empty_message(fake: TestClient, message: str) -> None:
    r = fake.post("/api/chat", json={"message": message})
    assert r.status_code == 422 and "empty" in r.json()["detail"]


def test_too_long(fake: TestClient) -> None:
    limit = fake.app.state.settings.max_message_chars  # type: ignore[attr-defined]
    assert fake.post("/api/chat", json={"message": "x" * limit}).status_code == 200
    r = fake.post("/api/chat", json={"message": "x" * (limit + 1)})
    assert r.status_code == 413 and str(limit) in r.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        b"{bad",
        b"",
        b"[]",
        b'"hi"',
        b'{"message": 5}',
        b'{"message": null}',
        b'{"message": ["a"]}',
        b'{"message": "hi", "conversation_id": 7}',
        b'{"conversation_id": null}',
    ],
)
def test_malformed_or_wrong_types(fake: TestClient, body: bytes) -> None:
    status, detail = post_raw(fake, body)
    assert status == 422 and detail


def test_unknown_conversation(fake: TestClient) -> None:
    r = fake.post("/api/chat", json={"message": "hi", "conversation_id": "no-such-id"})
    assert r.status_code == 404 and "no conversation" in r.json()["detail"]


@pytest.mark.parametrize("text", ["hi\x00there", "a\x1b[31mred", "bell\x07", "del\x7f"])
def test_control_characters_rejected(fake: TestClient, text: str) -> None:
    """Rejected (not stripped), with the code point named; nothing is stored."""
    before = len(fake.get("/api/conversations").json())
    r = fake.post("/api/chat", json={"message": text})
    assert r.status_code == 422
    assert "control character (U+" in r.json()["detail"]
    assert len(fake.get("/api/conversations").json()) == before


def test_tabs_and_newlines_are_fine(fake: TestClient) -> None:
    assert fake.post("/api/chat", json={"message": "line one\n\tline two\r\n"}).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        b'{"message": "a\xff\xfe"}',
        b"\xc3\x28",
        b'{"message": "\xed\xa0\x80"}',
        b'{"message": "\\ud800 lone"}',
    ],
)
def test_invalid_utf8_is_a_json_4xx(fake: TestClient, body: bytes) -> None:
    status, detail = post_raw(fake, body)
    assert 400 <= status < 500 and detail


@pytest.mark.parametrize("number", ["21", "-1", "5.5", "five hundred", "0", "007x"])
def test_bad_section_numbers(fake: TestClient, number: str) -> None:
    r = fake.get(f"/api/sections/{number}")
    assert r.status_code == 404
    assert "sections are numbered 1-20" in r.json()["detail"]


def test_good_section(fake: TestClient) -> None:
    assert fake.get("/api/sections/5").json()["number"] == 5


# -- an unexpected error ------------------------------------------------------------------------


def test_an_unexpected_error_is_a_json_500_with_the_request_id(
    fake: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_owner: str) -> None:
        raise RuntimeError("SELECT secret FROM internals")

    monkeypatch.setattr(fake.app.state.repo, "list_conversations", broken)  # type: ignore[attr-defined]
    client = TestClient(fake.app, raise_server_exceptions=False)
    r = client.get("/api/conversations", headers={"X-Request-ID": "req-123"})
    assert r.status_code == 500
    assert r.json() == {
        "detail": "the mentor hit an unexpected error (request id req-123); try again, "
        "and quote the id if it keeps happening"
    }
    assert "SELECT" not in r.text and "Traceback" not in r.text
    assert r.headers["x-request-id"] == "req-123"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    page = client.get("/c/whatever", headers={"Accept": "text/html"})
    assert page.status_code in (404, 500) and "Traceback" not in page.text
