"""The study pages in a real browser: a hands-on answer checked, the mastery chart, a plan."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from app.handson import load_book
from tests.browser.conftest import shot
from tests.web.helpers import KNOWLEDGE

pytestmark = pytest.mark.browser

TASK = next(t for t in load_book(KNOWLEDGE).tasks.values() if t.kind == "dockerfile" and t.imp)


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

    page.get_by_role("link", name="Progress").click()
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
