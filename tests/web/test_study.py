"""The study API and pages: mastery, the cram plan, hands-on checks, flashcards, isolation."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.conversation import ConversationState, SectionResult
from app.handson import load_book
from app.handson.inputs import MAX_CHARS
from app.store import Database, Repository
from app.study.events import Event
from tests.web.helpers import KNOWLEDGE, chat, second_identity, stream_chat

BOOK = load_book(KNOWLEDGE)
TASK = next(t for t in BOOK.tasks.values() if t.kind == "dockerfile" and t.imp)


def fresh(client: TestClient) -> TestClient:
    """A new browser (its own identity) on the shared running app."""
    other = second_identity(client)
    assert other.get("/healthz").status_code == 200  # receives its identity cookie
    return other


def owner_of(c: TestClient) -> str:
    return str(c.cookies["mentor_id"]).strip('"').rsplit(".", 1)[0]


def mastery(c: TestClient) -> dict[int, dict[str, Any]]:
    r = c.get("/api/progress/mastery")
    assert r.status_code == 200, r.text
    return {s["section"]: s for s in r.json()["sections"]}


def check(c: TestClient, task_id: str, answer: Any) -> Any:
    return c.post(f"/api/tasks/{task_id}/check", json={"answer": answer})


def test_mastery_starts_empty_for_every_section(client: TestClient) -> None:
    c = fresh(client)
    data = c.get("/api/progress/mastery").json()
    assert [s["section"] for s in data["sections"]] == list(range(1, 21))
    assert all(s["mastery"] == 0 and s["status"] == "not started" for s in data["sections"])
    assert data["due_cards"] == 0 and data["events"] == 0


def test_a_good_hands_on_answer_raises_mastery(client: TestClient) -> None:
    c = fresh(client)
    before = mastery(c)[TASK.section]["mastery"]
    r = check(c, TASK.id, TASK.model_answer)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["ok"] is True and report["score"] == 1.0 and report["failed"] == 0
    assert report["task"]["id"] == TASK.id and "model_answer" not in report["task"]
    after = mastery(c)[TASK.section]
    assert after["mastery"] > before
    assert after["items"] == 1 and after["status"] != "not started"
    # the other sections are untouched
    assert all(s["mastery"] == 0 for n, s in mastery(c).items() if n != TASK.section)


def test_a_broken_answer_gets_cited_findings(client: TestClient) -> None:
    c = fresh(client)
    broken = TASK.model_answer.replace("USER", "# USER") + "\nENV API_PASSWORD=hunter2\n"
    report = check(c, TASK.id, broken).json()
    assert report["ok"] is False and report["failed"] >= 1
    failed = [
        f for f in report["findings"] if not f["passed"] and f["role"] in ("require", "forbid")
    ]
    assert failed and all(f["cite"] and f["cite"]["section"] >= 1 for f in failed)
    good = fresh(client)
    check(good, TASK.id, TASK.model_answer)
    assert 0 < mastery(c)[TASK.section]["mastery"] < mastery(good)[TASK.section]["mastery"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"answer": ""}, 422),
        ({"answer": "   \n\t "}, 422),
        ({"answer": "x" * (MAX_CHARS + 1)}, 413),
        ({}, 422),
        ({"answer": ["FROM x"]}, 422),
        ({"answer": {"a": 1}}, 422),
        (None, 422),
    ],
)
def test_bad_check_requests_are_clear_errors(
    client: TestClient, body: dict[str, Any] | None, status: int
) -> None:
    r = client.post(f"/api/tasks/{TASK.id}/check", json=body)
    assert r.status_code == status, r.text
    assert r.json()["detail"]


@pytest.mark.parametrize(
    "junk",
    [
        "\x00\x01\x02binary",
        "not a dockerfile at all, just prose about containers",
        "services: [unclosed",
        "FROM\nRUN\nUSER\n" * 50,
        "\ufeff```dockerfile\n```",
        "é" * 5000,
    ],
)
def test_junk_answers_never_crash(client: TestClient, junk: str) -> None:
    for task_id in {TASK.id, *[t.id for t in BOOK.tasks.values() if t.kind != "dockerfile"][:2]}:
        r = check(client, task_id, junk)
        assert r.status_code in (200, 422), r.text
        if r.status_code == 200:
            assert r.json()["ok"] is False


def test_unknown_task_and_raw_body(client: TestClient) -> None:
    assert check(client, "no-such-task", "FROM alpine:3.20").status_code == 404
    r = client.post(
        f"/api/tasks/{TASK.id}/check",
        content=b"\xff\xfe not json",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code in (400, 422)  # FastAPI: an undecodable body is a 400


def test_task_list(client: TestClient) -> None:
    tasks = client.get("/api/tasks").json()
    assert len(tasks) >= 30 and len({t["id"] for t in tasks}) == len(tasks)
    assert {"id", "section", "kind", "title", "prompt", "imp", "minutes"} <= set(tasks[0])
    assert all("model_answer" not in t for t in tasks)


def test_plan_fits_the_minutes(client: TestClient) -> None:
    plan = fresh(client).get("/api/plan", params={"minutes": 45}).json()
    assert plan["budget"] == 45 and 0 < plan["total"] <= 45
    assert plan["items"] and all(i["minutes"] >= 1 and i["title"] for i in plan["items"])
    assert sum(i["minutes"] for i in plan["items"]) == plan["total"]
    for bad in ("2", "100000", "abc", "4.5"):
        assert client.get("/api/plan", params={"minutes": bad}).status_code == 422


def test_flashcards_review_and_due(client: TestClient) -> None:
    c = fresh(client)
    data = c.get("/api/cards/due").json()
    assert data["due"] == [] and len(data["new"]) == 5
    card = data["new"][0]
    assert card["front"] and "Key points" in card["back"]
    r = c.post(f"/api/cards/{card['id']}/review", json={"rating": "good"})
    assert r.status_code == 200, r.text
    assert r.json()["rating"] == 3 and r.json()["next_due"] > datetime.now(UTC).isoformat()
    assert mastery(c)[card["section"]]["items"] == 1
    assert c.post(f"/api/cards/{card['id']}/review", json={"rating": "meh"}).status_code == 422
    assert c.post("/api/cards/nope/review", json={"rating": "easy"}).status_code == 404
    # a card reviewed long ago is due now
    repo: Repository = client.app.state.repo  # type: ignore[attr-defined]
    long_ago = datetime.now(UTC) - timedelta(days=90)
    other = data["new"][1]
    repo.add_study_event(
        owner_of(c), Event.card(other["section"], other["id"], "hard", long_ago, imp=other["imp"])
    )
    due = c.get("/api/cards/due").json()["due"]
    assert [d["id"] for d in due] == [other["id"]]
    assert mastery(c)[other["section"]]["due_cards"] == 1


def seed_due(client: TestClient, c: TestClient, n: int) -> list[dict[str, Any]]:
    """Review `n` new cards 90 days ago (as 'hard'), so all of them are due now."""
    repo: Repository = client.app.state.repo  # type: ignore[attr-defined]
    long_ago = datetime.now(UTC) - timedelta(days=90)
    cards = c.get("/api/cards/due", params={"new": n}).json()["new"]
    for card in cards:
        event = Event.card(card["section"], card["id"], "hard", long_ago, imp=card["imp"])
        repo.add_study_event(owner_of(c), event)
    return list(cards)


def test_a_review_takes_the_card_off_the_due_list_and_raises_mastery(client: TestClient) -> None:
    c = fresh(client)
    seed_due(client, c, 2)
    due = c.get("/api/cards/due").json()["due"]
    assert len(due) == 2 and c.get("/api/progress/mastery").json()["due_cards"] == 2
    first, second = due
    before = mastery(c)[first["section"]]["mastery"]
    r = c.post(f"/api/cards/{first['id']}/review", json={"rating": "good"})
    assert r.status_code == 200, r.text
    assert [d["id"] for d in c.get("/api/cards/due").json()["due"]] == [second["id"]]
    after = c.get("/api/progress/mastery").json()
    assert after["due_cards"] == 1
    # a fresh recall beats a 90-day-old shaky one
    assert {s["section"]: s for s in after["sections"]}[first["section"]]["mastery"] > before
    # "again" also takes a card off the list for now: FSRS brings it back a minute later
    c.post(f"/api/cards/{second['id']}/review", json={"rating": "again"})
    assert c.get("/api/cards/due").json()["due"] == []


def test_chat_sidebar_shows_the_same_mastery_as_the_chart(client: TestClient) -> None:
    c = fresh(client)
    assert 'class="badge badge--mastery' not in c.get("/").text  # nothing studied yet
    card = c.get("/api/cards/due").json()["new"][0]
    c.post(f"/api/cards/{card['id']}/review", json={"rating": "easy"})
    pct = round(mastery(c)[card["section"]]["mastery"] * 100)
    assert pct > 0
    html = c.get("/").text
    badge = re.search(
        rf'data-section="{card["section"]}".*?<span class="badge badge--mastery[^"]*"[^>]*>'
        r'<span class="sr-only">, mastery </span>(\d+)%</span>',
        html,
        re.S,
    )
    assert badge and int(badge.group(1)) == pct
    assert html.count("badge--mastery ") == 1  # only the touched section has one
    assert '<a href="/progress" data-nav="progress">Progress</a>' in html  # the shell's page links


def test_chat_review_my_due_cards_names_the_count_and_questions(client: TestClient) -> None:
    empty = fresh(client)
    reply = chat(empty, "review my due cards")
    assert reply["intent"] == "help" and "No flashcards are due" in reply["markdown"]
    assert 'href="/progress"' in reply["html"]

    c = fresh(client)
    seed_due(client, c, 4)
    due = c.get("/api/cards/due").json()["due"]
    reply = chat(c, "review my due cards")
    text = reply["markdown"]
    assert "**4 flashcards due**" in text and "the first 3" in text
    assert [d["front"] in text for d in due] == [True, True, True, False]  # the API's order
    assert "again / hard / good / easy" in text and 'href="/progress"' in reply["html"]
    # the streamed reply (the page's path) sees the same history
    c.post(f"/api/cards/{due[0]['id']}/review", json={"rating": "good"})
    done = [d for name, d in stream_chat(c, "which cards are due?") if name == "done"]
    assert len(done) == 1 and "**3 flashcards due**" in done[0]["markdown"]
    assert due[0]["front"] not in done[0]["markdown"] and due[3]["front"] in done[0]["markdown"]


def test_another_identity_sees_only_its_own_progress(client: TestClient) -> None:
    a, b = fresh(client), fresh(client)
    assert check(a, TASK.id, TASK.model_answer).json()["ok"] is True
    card = a.get("/api/cards/due").json()["new"][0]
    a.post(f"/api/cards/{card['id']}/review", json={"rating": "easy"})
    assert a.get("/api/progress/mastery").json()["events"] == 2
    seen_by_b = b.get("/api/progress/mastery").json()
    assert seen_by_b["events"] == 0 and all(s["mastery"] == 0 for s in seen_by_b["sections"])
    assert b.get("/api/cards/due").json()["due"] == []


def test_progress_and_tasks_pages(client: TestClient) -> None:
    c = fresh(client)
    html = c.get("/progress").text
    assert html.count('class="bar-row ') == 20 and 'role="meter"' in html
    assert 'id="plan-form"' in html and "/static/progress.js" in html
    assert "<script>" not in html  # no inline script: the CSP forbids it
    with_plan = c.get("/progress", params={"minutes": "45"}).text
    assert re.search(r"\d+ of 45 minutes planned", with_plan)
    assert c.get("/progress", params={"minutes": "lots"}).status_code == 422
    tasks = c.get("/tasks").text
    assert tasks.count("<option ") == len(BOOK.tasks) and 'id="task-answer"' in tasks
    for page in (html, tasks):
        assert 'href="/progress"' in page and 'href="/tasks"' in page


def test_store_maps_reads_and_interviews_to_events(tmp_path: Path) -> None:
    """Sections seen -> read events; scorecard rows -> per-question interview events with IMP;
    an interview result whose scorecard is gone -> one section-level event."""
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    db.create_schema()
    repo = Repository(db)
    conv = repo.create_conversation("alice", "interview")
    before = ConversationState()
    after = ConversationState(sections_seen=[5])
    after.results[5] = SectionResult(score=8.0, answered=2, at=0.0)
    after.results[7] = SectionResult(score=4.0, answered=1, at=0.0)
    msg = repo.add_message("alice", conv.id, "assistant", "")
    scorecard = {
        "type": "grade",
        "next": {
            "type": "scorecard",
            "rows": [
                {"id": "q-a", "section": 5, "score": 9, "status": "answered", "imp": True},
                {"id": "q-b", "section": 5, "score": 7, "status": "answered", "imp": False},
                {"id": "q-c", "section": 5, "score": 0, "status": "skipped", "imp": False},
                {"id": 3, "section": "bad", "score": "x", "status": "answered"},
            ],
        },
    }
    repo.finish_turn("alice", conv.id, msg.id, before, after, card=scorecard)
    events = repo.study_events("alice", frozenset({"q-b"}))
    kinds = sorted((e.kind, e.section, e.item, e.imp) for e in events)
    assert kinds == [
        ("interview", 5, "q-a", True),
        ("interview", 5, "q-b", True),  # IMP from the bank
        ("interview", 7, "interview-section-7", False),  # no scorecard row for section 7
        ("read", 5, None, False),
    ]
    assert repo.study_events("bob") == []
    db.dispose()


def test_the_dashboard_counts_reviews_due_cards_and_teaches_when_empty(client: TestClient) -> None:
    c = fresh(client)
    empty = c.get("/api/progress/dashboard").json()
    assert empty["events"] == 0 and empty["interviews"] == {
        "sessions": [],
        "by_section": [],
        "trend": None,
    }
    assert len(empty["cards"]["due"]) == len(empty["cards"]["reviews"]) == 14
    assert empty["cards"]["due_total"] == empty["cards"]["reviews_total"] == 0
    assert [s["section"] for s in empty["mastery"]] == list(range(1, 21))
    assert all(s["imp_topics"] >= 1 and s["imp_recall"] == 0 for s in empty["mastery"])
    page = c.get("/progress").text
    assert 'id="getting-started"' in page and "Revise Section 1 in the chat" in page

    cards = c.get("/api/cards/due?new=3").json()["new"]
    for card in cards:
        c.post(f"/api/cards/{card['id']}/review", json={"rating": "again"})
    data = c.get("/api/progress/dashboard").json()
    assert data["cards"]["reviews"][-1]["cards"] == data["cards"]["reviews_total"] == 3
    assert data["cards"]["due_total"] == 3  # "again" books each card again within minutes
    assert data["events"] == 3 and data["interviews"]["sessions"] == []
    reviewed = {card["section"] for card in cards}
    assert {s["section"] for s in data["mastery"] if s["items"]} == reviewed
    assert 'id="getting-started"' not in c.get("/progress").text
