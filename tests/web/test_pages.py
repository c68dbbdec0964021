"""The HTML pages: chat page, conversation page, printable sections, the guide download."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.catalog import SECTION_TITLES
from tests.web.helpers import chat

XSS = "<img src=x onerror=alert(1)><script>alert(2)</script>"


def test_the_chat_page_lists_the_sections_and_is_locked_down(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "<title>New chat · Docker Interview Mentor</title>" in html
    assert len(re.findall(r'data-prompt="Start from Section \d+"', html)) >= 20
    for n, title in SECTION_TITLES.items():
        assert f'data-section="{n}"' in html
        assert title.replace("&", "&amp;") in html
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    # no inline script or style anywhere: the CSP would block it
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html and "<style" not in html
    assert 'for="composer-input"' in html and 'role="log"' in html


def test_a_conversation_page_renders_its_history_sanitised(client: TestClient) -> None:
    cid = chat(client, XSS)["conversation_id"]
    chat(client, "Start from Section 3", cid)
    r = client.get(f"/c/{cid}")
    assert r.status_code == 200
    html = r.text
    assert f"<title>{XSS[:60]}"[:20] not in html  # the title is escaped too
    assert "<script>alert(2)</script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "<table>" in html and "Section 3: Docker Images" in html
    assert f'data-conversation-id="{cid}"' in html


def test_printable_section_pages(client: TestClient) -> None:
    r = client.get("/sections/3")
    assert r.status_code == 200
    assert "<title>Section 3: Docker Images · Docker Interview Mentor</title>" in r.text
    assert "<table>" in r.text and 'rel="next"' in r.text and 'rel="prev"' in r.text
    assert 'href="/sections/4"' in r.text
    first, last = client.get("/sections/1").text, client.get("/sections/20").text
    assert 'rel="prev"' not in first and 'rel="next"' not in last
    for bad in ("21", "0", "x"):
        r = client.get(f"/sections/{bad}", headers={"Accept": "text/html"})
        assert r.status_code == 404 and "text/html" in r.headers["content-type"]
        assert "1-20" in r.text


def test_a_section_page_holds_its_question_bank_each_at_its_own_spot(client: TestClient) -> None:
    html = client.get("/sections/5").text
    entries = re.findall(r'<details class="bank__q" id="(q-[a-z0-9-]+)">', html)
    assert len(entries) >= 10 and "q-net-drivers-overview" in entries
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "an id used twice: a citation could land on the wrong spot"
    start = html.index('id="q-net-drivers-overview"')
    entry = html[start : html.index("</details>", start)]
    assert "Which network drivers does Docker ship with" in entry  # the question
    assert "VXLAN" in entry and 'class="bank__points"' in entry  # the answer, the key points


@pytest.mark.parametrize(
    "question",
    ["what does exit code 137 mean", "how do containers on two hosts talk to each other"],
)
def test_every_citation_of_an_answer_lands_on_a_spot_of_its_page(
    client: TestClient, question: str
) -> None:
    body = chat(client, question)
    assert body["intent"] == "clarify"
    linked = re.findall(r"\]\(/sections/(\d+)#([a-z0-9-]+)\)", body["markdown"])
    cited = {(c["section"], c["anchor"]) for c in body["citations"]}
    spots = cited | {(int(n), a) for n, a in linked}
    assert linked and any(a.startswith("q-") for _, a in spots)  # bank answers among them
    for n, a in spots:
        assert f'id="{a}"' in client.get(f"/sections/{n}").text, (n, a)
    history = client.get(f"/c/{body['conversation_id']}").text  # the message's Sources list
    for n, a in cited:
        assert f'href="/sections/{n}#{a}"' in history


def test_the_whole_guide_downloads_as_markdown(client: TestClient) -> None:
    r = client.get("/guide.md")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/markdown")
    assert r.headers["content-disposition"] == 'attachment; filename="docker-interview-guide.md"'
    text = r.text
    positions = [text.index(f"## Section {n}: {t}") for n, t in SECTION_TITLES.items()]
    assert positions == sorted(positions)


def test_assets_are_served(client: TestClient) -> None:
    for path, kind in [
        ("/static/app.css", "text/css"),
        ("/static/chat.js", "javascript"),
        ("/static/theme.js", "javascript"),
        ("/assets/pygments.css", "text/css"),
        ("/static/favicon.svg", "image/svg"),
        ("/static/shell.js", "javascript"),
        ("/static/charts.js", "javascript"),
        ("/static/vendor/chart.umd.min.js", "javascript"),
    ]:
        r = client.get(path)
        assert r.status_code == 200 and kind in r.headers["content-type"], path
    assert ".md pre .k" in client.get("/assets/pygments.css").text


def test_unknown_paths_are_json_on_api_and_a_page_elsewhere(client: TestClient) -> None:
    r = client.get("/api/nope")
    assert r.status_code == 404 and r.json() == {"detail": "Not Found"}
    r = client.get("/nope", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "Back to the chat" in r.text


def _chain(*cards: dict[str, Any]) -> dict[str, Any] | None:
    head: dict[str, Any] | None = None
    for card in reversed(cards):
        head = {**card, "next": head}
    return head


def test_interview_cards_render_in_place_of_the_markdown() -> None:
    from app.web.views import render_message, view

    grade = {
        "type": "grade",
        "number": 1,
        "follow_up": False,
        "grade": "partial",
        "score": 6,
        "covered": ["uses `-p` to publish"],
        "missed": [XSS],
        "misconceptions": [],
        "feedback": "Good start.",
        "model_answer": "Bridge is the default.",
    }
    question = {
        "type": "question",
        "number": 2,
        "of": 2,
        "section": 5,
        "title": "Docker Networking",
        "question": "What does `-p 8080:80` do?",
        "level": "junior",
        "imp": True,
        "repeat": False,
    }
    data = {
        "message_id": 7,
        "markdown": "**Grade: partial (6/10)** ...",
        "html": "<p><strong>Grade: partial (6/10)</strong> ...</p>",
        "intent": "answer",
        "section": 5,
        "citations": [],
        "card": _chain(grade, question),
        "mode": "interview",
    }
    html = render_message(None, data)  # type: ignore[arg-type]
    assert 'data-cards="grade question"' in html
    assert "card--grade grade--partial" in html and "<strong>6</strong>/10" in html
    assert "uses <code>-p</code> to publish" in html
    assert "Question 2 of 2" in html and "What does <code>-p 8080:80</code> do?" in html
    assert "Grade: partial (6/10)" not in html  # the cards replace the same text
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert view(data)["actions"] == []  # no quick actions while an answer is awaited

    scorecard = {
        "type": "scorecard",
        "rows": [
            {"number": 1, "section": 5, "question": "Q `one`", "level": "mid", "status": "answered",
             "grade": "strong", "score": 9, "hints": 0},
            {"number": 2, "section": 6, "question": "Q two", "level": "mid", "status": "skipped",
             "grade": None, "score": 0, "hints": 1},
        ],
        "by_section": {"5": {"title": "Docker Networking", "score": 9.0, "answered": 1, "asked": 1},
                       "6": {"title": "Docker Volumes & Storage", "score": 0.0, "answered": 0,
                             "asked": 1}},
        "total": {"score": 4.5, "answered": 1, "asked": 2},
        "weakest": [{"section": 6, "question": "Q two", "score": 0, "missed": ["a", "b"],
                     "anchor": "q-vol-two"}],
        "revise": [6],
    }  # fmt: skip
    end = {**data, "intent": "answer", "card": scorecard, "mode": "revision", "section": 6}
    html = render_message(None, end)  # type: ignore[arg-type]
    assert "<strong>4.5</strong>/10 overall" in html and html.count("<tr>") == 3
    assert "Q <code>one</code>" in html and ">skipped<" in html
    assert 'href="/sections/6"' in html and "Docker Volumes &amp; Storage" in html
    assert '<a href="/sections/6#q-vol-two" target="_blank" rel="noopener">Q two</a>' in html
    assert 'data-prompt="Start from Section 6"' in html  # "Revise Section 6"

    notice = {**data, "card": {"type": "notice", "text": "no-interview"}, "mode": "revision"}
    html = render_message(None, notice)  # type: ignore[arg-type]
    assert "Grade: partial (6/10)" in html  # a card the page does not draw: the text shows
