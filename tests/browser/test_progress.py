"""The study pages in a real browser: a hands-on answer checked, the mastery chart, a plan,
flashcards reviewed, and mastery in the chat sidebar."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from app import knowledge
from app.handson import load_book
from app.store import Database, Repository
from app.study.cards import deck
from app.study.events import Event
from tests.browser.conftest import open_page, shot
from tests.web.helpers import KNOWLEDGE

pytestmark = pytest.mark.browser

TASK = next(t for t in load_book(KNOWLEDGE).tasks.values() if t.kind == "dockerfile" and t.imp)
DECK = {c.id: c for c in deck(knowledge.load(KNOWLEDGE))}


@pytest.fixture(scope="module")
def server(own_server: str) -> str:
    """This module's own server: its tests write study events into its database."""
    return own_server


def seed_due(page: Any, data_dir: Path, card_ids: list[str]) -> None:
    """Cards this browser's identity reviewed ('hard') 90 days ago: all due now."""
    assert page.request.get("/healthz").ok  # receives its identity cookie (no page, no favicon)
    cookie = next(c for c in page.context.cookies() if c["name"] == "mentor_id")
    who = str(cookie["value"]).strip('"').rsplit(".", 1)[0]
    db = Database(f"sqlite:///{data_dir / 'mentor.db'}")
    try:
        repo = Repository(db)
        long_ago = datetime.now(UTC) - timedelta(days=90)
        for card_id in card_ids:
            card = DECK[card_id]
            repo.add_study_event(
                who, Event.card(card.section, card.id, "hard", long_ago, imp=card.imp)
            )
    finally:
        db.dispose()


def submit(page: Any, answer: str) -> Any:
    page.get_by_label("Your answer").fill(answer)
    page.get_by_role("button", name="Check my answer").click()
    verdict = page.locator("#task-verdict")
    expect(page.locator("#task-check")).to_be_enabled()
    return verdict


def test_hands_on_answer_then_progress_and_plan(page: Any) -> None:
    page.goto("/tasks")
    expect(page).to_have_title("Hands-on tasks · Docker Interview Mentor")
    page.get_by_label("Task").select_option(TASK.id)
    expect(page.locator("#task-prompt")).to_contain_text(TASK.prompt[:40])

    verdict = submit(page, TASK.model_answer)
    expect(verdict).to_have_text(re.compile(r"^Pass — (\d+)/\1 checks passed$"))
    expect(page.locator(".finding--fail")).to_have_count(0)

    broken = TASK.model_answer.replace("USER", "# USER") + "\nENV API_PASSWORD=hunter2\n"
    verdict = submit(page, broken)
    expect(verdict).to_have_text(re.compile(r"^Not yet — \d+/\d+ checks passed$"))
    failure = page.locator(".finding--fail").first
    expect(failure).to_be_visible()
    expect(failure.locator(".finding__cite")).to_contain_text("See Section")

    submit(page, "   ")  # a blank answer is refused with a clear message, no crash
    expect(page.locator("#task-verdict")).to_contain_text("empty")

    page.get_by_role("link", name="Progress", exact=True).click()
    expect(page).to_have_url(re.compile(r"/progress$"))
    bars = page.locator("#mastery-chart .bar-row")
    expect(bars).to_have_count(20)
    for value in bars.locator(".bar-row__value").all_inner_texts():
        assert re.fullmatch(r"\d{1,3}%", value)
    mine = page.locator(f'.bar-row[data-section="{TASK.section}"]')
    expect(mine.locator(".bar-row__value")).not_to_have_text("0%")
    expect(mine.get_by_role("meter")).to_have_attribute("aria-valuetext", re.compile(r"^\d+% "))
    width = mine.locator(".bar__fill").evaluate("e => e.getBoundingClientRect().width")
    assert width > 0  # progress.js drew the bar

    page.get_by_label("I have").fill("45")
    page.get_by_role("button", name="Make my plan").click()
    expect(page.locator("#plan .plan-total")).to_have_text(re.compile(r"^\d+ of 45 minutes"))
    items = page.locator("#plan .plan-item")
    expect(items.first).to_be_visible()
    times = items.locator(".plan-item__time").all_inner_texts()
    last_end = int(re.findall(r"\d+", times[-1])[-1])
    assert 0 < last_end <= 45
    shot(page, "progress")

    task_link = page.locator("#plan .plan-item__link").first
    expect(task_link).to_have_attribute("href", re.compile(r"^/tasks\?task=[a-z0-9-]+$"))
    target = str(task_link.get_attribute("href")).split("=", 1)[1]
    task_link.click()
    expect(page.get_by_label("Task")).to_have_value(target)


def meter_value(page: Any, section: int) -> int:
    meter = page.locator(f'#mastery-chart .bar-row[data-section="{section}"] [role=meter]')
    return int(str(meter.get_attribute("aria-valuenow")))


def test_review_due_flashcards_then_chat_and_sidebar(page: Any, data_dir: Path) -> None:
    # two IMP cards whose questions have no Markdown, so the chat shows them verbatim
    first, second = [c for c in DECK.values() if c.imp and not re.search(r"[`*_\[]", c.front)][:2]
    seed_due(page, data_dir, [first.id, second.id])
    page.goto("/progress")
    expect(page.locator("#due-summary")).to_have_text("2 flashcards due for review.")
    expect(page.locator("#cards-status")).to_have_text("Due card 1 of 2.")
    front = page.locator("#flashcard-front")
    expect(front).to_have_text(
        re.compile(f"^({re.escape(first.front)}|{re.escape(second.front)})$")
    )
    shown, other = (first, second) if front.inner_text() == first.front else (second, first)
    expect(page.locator("#flashcard-meta")).to_contain_text(f"Section {shown.section} · IMP")
    good = page.get_by_role("button", name="Good", exact=True)
    expect(good).to_be_hidden()  # no rating before the answer is shown
    before = meter_value(page, shown.section)

    # the keyboard alone: focus "Show answer", press Enter
    show = page.get_by_role("button", name="Show answer")
    show.focus()
    page.keyboard.press("Enter")
    back = page.locator("#flashcard-back")
    expect(back).to_be_visible()
    expect(back).to_be_focused()
    expect(back.locator(".flashcard__points li")).to_have_count(
        len(DECK[shown.id].back.split("\n- ")) - 1
    )
    expect(back).to_contain_text("Model answer:")
    expect(show).to_be_hidden()
    expect(good).to_have_accessible_description("remembered")
    shot(page, "progress-flashcard-answer")

    good.click()
    expect(page.locator("#due-summary")).to_have_text("1 flashcard due for review.")
    expect(page.locator("#cards-status")).to_have_text("Due card 2 of 2.")
    expect(front).to_have_text(other.front)
    expect(front).to_be_focused()  # the next question is read out
    expect(back).to_be_hidden()
    assert meter_value(page, shown.section) > before  # the chart was refreshed
    expect(page.locator("#cards-error")).to_be_hidden()

    # the chat names the count and the remaining card's question, then points here
    page.goto("/")
    pages = page.get_by_role("navigation", name="Pages")
    expect(pages.get_by_role("link", name="Progress", exact=True)).to_have_attribute(
        "href", "/progress"
    )
    badge = page.locator(f'.section-btn[data-section="{shown.section}"] .badge--mastery')
    expect(badge).to_have_text(re.compile(r"^, mastery \d+%$"))
    box = page.get_by_label("Message the mentor")
    box.fill("review my due cards")
    box.press("Enter")
    reply = page.locator("article.msg--assistant:not(.is-streaming)").last
    expect(reply).to_contain_text("1 flashcard due")
    expect(reply).to_contain_text(other.front[:40])
    expect(reply.get_by_role("link", name="Progress page")).to_have_attribute("href", "/progress")
    # renderProgress() rebuilt the badges after the turn: the mastery badge is still there
    expect(page.locator("#stop-btn")).to_be_hidden()
    expect(badge).to_be_visible()
    expect(badge).to_have_attribute("title", "Mastery")
    shot(page, "chat-mastery-sidebar")


def test_new_cards_on_a_phone_with_a_failed_save(browser: Any, server: str) -> None:
    context, page, problems = open_page(
        browser, server, viewport={"width": 375, "height": 812}, is_mobile=True
    )
    try:
        page.goto("/progress")
        empty = page.locator("#cards-empty")
        expect(empty).to_contain_text("No cards due")
        expect(page.locator("#flashcard")).to_be_hidden()
        start = page.get_by_role("button", name="Study 5 new cards")
        start.click()
        expect(page.locator("#cards-status")).to_have_text("New card 1 of 5.")
        front = page.locator("#flashcard-front")
        first_front = front.inner_text()
        assert first_front
        page.get_by_role("button", name="Show answer").click()
        good = page.get_by_role("button", name="Good", exact=True)
        expect(good).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the page scrolls sideways at 375 px ({width} px wide)"
        for name in ("Again", "Hard", "Good", "Easy"):
            box = page.get_by_role("button", name=name, exact=True).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["height"] >= 44
        shot(page, "progress-flashcards-375")

        # the server refuses once: the alert says so, the card stays, the rating can be retried
        page.route(
            "**/api/cards/*/review",
            lambda route: route.fulfill(status=503, json={"detail": "the database is busy"}),
        )
        good.click()
        alert = page.get_by_role("alert").filter(has_text="not saved")
        expect(alert).to_contain_text("the database is busy")
        expect(front).to_have_text(first_front)
        expect(good).to_be_enabled()
        page.unroute("**/api/cards/*/review")
        good.click()
        expect(page.locator("#cards-status")).to_have_text("New card 2 of 5.")
        expect(front).not_to_have_text(first_front)
        expect(page.locator("#cards-error")).to_be_hidden()
    finally:
        context.close()
    # the refused request is the only console error
    assert [p for p in problems if "503" not in p] == [], problems
