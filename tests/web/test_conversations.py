"""The conversations API and progress, always scoped by the caller's identity."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.helpers import chat, second_identity


def test_list_get_rename_export_delete(client: TestClient) -> None:
    first = chat(client, "Start from Section 5")
    cid = first["conversation_id"]
    chat(client, "yes", cid)

    listed = client.get("/api/conversations").json()
    mine = next(c for c in listed if c["id"] == cid)
    assert mine["title"] == "Start from Section 5" and mine["messages"] == 4
    assert listed[0]["id"] == cid  # the most recently active first

    conv = client.get(f"/api/conversations/{cid}").json()
    assert [m["role"] for m in conv["messages"]] == ["user", "assistant"] * 2
    assert conv["messages"][3]["section"] == 6 and conv["messages"][3]["intent"] == "next"
    assert "<table>" in conv["messages"][3]["html"]

    r = client.patch(f"/api/conversations/{cid}", json={"title": "  Networking   revision "})
    assert r.status_code == 200 and r.json()["title"] == "Networking revision"
    assert client.get(f"/api/conversations/{cid}").json()["title"] == "Networking revision"

    r = client.get(f"/api/conversations/{cid}/export")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/markdown")
    assert 'filename="mentor-networking-revision.md"' in r.headers["content-disposition"]
    text = r.text
    assert text.startswith("# Networking revision\n")
    assert "### You\n\nStart from Section 5" in text
    assert "## Section 6: Docker Volumes & Storage" in text

    assert client.delete(f"/api/conversations/{cid}").status_code == 204
    assert client.get(f"/api/conversations/{cid}").status_code == 404
    assert cid not in [c["id"] for c in client.get("/api/conversations").json()]


@pytest.mark.parametrize("title", ["", "   ", "x" * 81])
def test_rename_rejects_bad_titles(client: TestClient, title: str) -> None:
    cid = chat(client, "hello")["conversation_id"]
    r = client.patch(f"/api/conversations/{cid}", json={"title": title})
    assert r.status_code == 422 and isinstance(r.json()["detail"], str)


def test_another_identity_gets_404_everywhere(client: TestClient) -> None:
    cid = chat(client, "Start from Section 1")["conversation_id"]
    other = second_identity(client)
    assert other.get("/api/conversations").json() == []
    for method, path, body in [
        ("GET", f"/api/conversations/{cid}", None),
        ("PATCH", f"/api/conversations/{cid}", {"title": "mine now"}),
        ("DELETE", f"/api/conversations/{cid}", None),
        ("GET", f"/api/conversations/{cid}/export", None),
        ("POST", "/api/chat", {"message": "yes", "conversation_id": cid}),
    ]:
        r = other.request(method, path, json=body)
        assert r.status_code == 404, (method, path)
        assert "no conversation" in r.json()["detail"]
    page = other.get(f"/c/{cid}", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    # and the owner still has it, untouched
    conv = client.get(f"/api/conversations/{cid}").json()
    assert conv["title"] == "Start from Section 1" and len(conv["messages"]) == 2


def test_progress_counts_sections_and_interview_scores(client: TestClient) -> None:
    other = second_identity(client)  # a fresh identity: progress starts empty
    empty = other.get("/api/progress").json()
    assert empty["seen"] == 0 and len(empty["sections"]) == 20
    assert empty["sections"][0] == {
        "number": 1,
        "title": "Introduction to Docker",
        "seen": False,
        "interviewed": False,
        "last_score": None,
        "answered": 0,
    }
    cid = chat(other, "Start from Section 3")["conversation_id"]
    chat(other, "yes", cid)
    progress = other.get("/api/progress").json()
    assert progress["seen"] == 2
    assert [s["number"] for s in progress["sections"] if s["seen"]] == [3, 4]

    reply = chat(other, "Interview me on section 5, 2 questions", cid)
    assert reply["intent"] == "interview" and reply["card"]["type"] == "question"
    chat(other, "skip", cid)
    reply = chat(other, "skip", cid)
    cards = []
    card = reply["card"]
    while card:
        cards.append(card["type"])
        card = card.get("next")
    assert cards[-1] == "scorecard", cards
    progress = other.get("/api/progress").json()
    five = progress["sections"][4]
    assert five["interviewed"] and five["last_score"] == 0
    assert progress["interviewed"] == 1
