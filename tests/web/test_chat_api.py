"""POST /api/chat with the real (offline) mentor: JSON and SSE shapes, validation, flow."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.mentor.types import INTENTS
from tests.web.helpers import chat, stream_chat


def test_json_reply_has_the_documented_shape(client: TestClient) -> None:
    body = chat(client, "Start from Section 3")
    for key in ("conversation_id", "intent", "section", "citations", "markdown", "html"):
        assert key in body
    assert body["intent"] == "section" and body["section"] == 3
    assert body["markdown"].startswith("## Section 3: Docker Images")
    assert "<table>" in body["html"] and "<h2>" in body["html"]
    assert body["citations"] and set(body["citations"][0]) == {"section", "heading", "anchor"}
    assert body["status"] == "ok" and isinstance(body["message_id"], int)


def test_sse_streams_meta_deltas_done(client: TestClient) -> None:
    events = stream_chat(client, "Start from Section 3")
    names = [name for name, _ in events]
    assert names[0] == "meta" and names[-1] == "done"
    assert "error" not in names
    assert names.count("delta") > 10  # token by token, not one lump
    meta, done = events[0][1], events[-1][1]
    assert {"conversation_id", "intent", "section", "citations"} <= set(meta)
    assert meta["intent"] == "section" and meta["section"] == 3
    assert {"message_id", "html"} <= set(done)
    streamed = "".join(data["text"] for name, data in events if name == "delta")
    assert streamed.strip() == done["markdown"].strip()
    assert "<table>" in done["html"]
    assert 'class="msg msg--assistant' in done["message_html"]


def test_yes_goes_to_the_next_section_in_the_same_conversation(client: TestClient) -> None:
    first = chat(client, "Start from Section 6")
    events = stream_chat(client, "yes", first["conversation_id"])
    meta, done = events[0][1], events[-1][1]
    assert meta["conversation_id"] == first["conversation_id"]
    assert meta["intent"] == "next" and meta["section"] == 7
    assert done["markdown"].startswith("## Section 7: Advanced Dockerfile Techniques")


def test_clarification_cites_its_sources(client: TestClient) -> None:
    body = chat(client, "Why does my container exit with code 137?")
    assert body["intent"] == "clarify"
    assert body["intent"] in INTENTS
    assert body["citations"], body
    assert all(1 <= c["section"] <= 20 and c["heading"] for c in body["citations"])
    assert "137" in body["markdown"]


def test_the_user_message_is_stored_with_the_reply(client: TestClient) -> None:
    body = chat(client, "Start from Section 2")
    conv = client.get(f"/api/conversations/{body['conversation_id']}").json()
    roles = [(m["role"], m["status"]) for m in conv["messages"]]
    assert roles == [("user", "ok"), ("assistant", "ok")]
    assert conv["messages"][0]["content"] == "Start from Section 2"
    assert conv["messages"][1]["content"].startswith("## Section 2")
    assert conv["state"]["current_section"] == 2


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"message": ""}, "empty"),
        ({"message": "   \n\t "}, "empty"),
    ],
)
def test_empty_messages_are_422_with_a_reason(
    client: TestClient, payload: dict[str, str], fragment: str
) -> None:
    r = client.post("/api/chat", json=payload)
    assert r.status_code == 422
    assert fragment in r.json()["detail"]


def test_an_over_long_message_is_413_naming_the_limit(client: TestClient) -> None:
    limit = client.app.state.settings.max_message_chars  # type: ignore[attr-defined]
    before = client.get("/api/conversations").json()
    r = client.post("/api/chat", json={"message": "x" * (limit + 1)})
    assert r.status_code == 413
    assert str(limit) in r.json()["detail"]
    assert client.get("/api/conversations").json() == before  # nothing was stored


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b'{"message": 5}', b'{"conversation_id": null}', b"[]", b""],
)
def test_malformed_bodies_are_422_json(client: TestClient, raw: bytes) -> None:
    r = client.post("/api/chat", content=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["detail"]


def test_an_unknown_conversation_is_a_json_404(client: TestClient) -> None:
    r = client.post(
        "/api/chat",
        json={"message": "yes", "conversation_id": "00000000-0000-0000-0000-000000000000"},
        headers={"Accept": "text/event-stream"},
    )
    assert r.status_code == 404
    assert "no conversation" in r.json()["detail"]


def test_health_readiness_and_metrics(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready == {"status": "ready", "index": True, "mentor": True, "database": True}
    before = client.get("/metrics").text
    assert "mentor_ready 1.0" in before and "mentor_fallbacks_total" in before
    chat(client, "what does docker stop do?")
    client.get("/api/conversations/not-a-conversation")
    r = client.get("/metrics")
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    after = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in r.text.splitlines()
        if line and not line.startswith("#")
    }
    chat_200 = 'mentor_http_requests_total{method="POST",route="/api/chat",status="200"}'
    assert after[chat_200] >= 1
    # routes are labelled by template, never by the raw id a client sent
    key = '{method="GET",route="/api/conversations/{conversation_id}",status="404"}'
    assert after["mentor_http_requests_total" + key] >= 1
    assert "not-a-conversation" not in r.text
    assert after['mentor_http_request_duration_seconds_count{method="POST",route="/api/chat"}'] >= 1
    assert after['mentor_turns_total{intent="clarify"}'] >= 1
    assert after["mentor_llm_calls_total"] == 0  # offline: no LLM is configured


def test_openapi_documents_the_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/chat",
        "/api/conversations",
        "/api/conversations/{conversation_id}",
        "/api/conversations/{conversation_id}/export",
        "/api/progress",
        "/api/grade",
        "/api/search",
        "/v1/chat/completions",
        "/v1/models",
    ):
        assert path in paths
