"""The sidebar search in a real browser: as-you-type results, keyboard, landing on the heading."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_page, shot

pytestmark = pytest.mark.browser


def press_slash_outside_any_field(page: Any) -> None:
    """The message box has the focus on load (where "/" types a slash): leave it first."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("/")


def test_slash_focuses_typing_lists_results_and_enter_lands_on_the_heading(page: Any) -> None:
    page.clock.install()  # the page's timers run on a clock the test moves (see the debounce)
    page.goto("/")
    box = page.get_by_role("combobox", name="Search the notes")
    page.get_by_label("Message the mentor").press("/")
    expect(box).not_to_be_focused()  # in a text field "/" is just a slash
    press_slash_outside_any_field(page)
    expect(box).to_be_focused()
    calls: list[str] = []
    page.on("request", lambda r: calls.append(r.url) if "/api/search" in r.url else None)
    # time stands still while the keys go in, however slowly a busy machine delivers them:
    # a debounced box sends nothing until the pause, then exactly one request
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)
    box.press_sequentially("restart policy", delay=20)
    assert calls == [], f"a request went out while typing: {calls}"
    page.clock.run_for(400)
    page.clock.resume()
    results = page.get_by_role("listbox", name="Search results")
    expect(results).to_be_visible()
    options = results.get_by_role("option")
    expect(options.first).to_be_visible()
    assert len(calls) == 1, f"typing is debounced, yet {len(calls)} requests went out: {calls}"
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowUp")
    expect(options.first).to_have_attribute("aria-selected", "true")
    href = options.first.locator("a").get_attribute("href")
    assert href and re.fullmatch(r"/sections/\d+(#[a-z0-9-]+)?", href), href
    shot(page, "search-results", full_page=False)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))
    if "#" in href:
        target = page.locator(f"#{href.split('#', 1)[1]}")
        expect(target).to_be_visible()
        expect(target).to_be_in_viewport()


def test_escape_closes_the_list_then_clears_the_box(page: Any) -> None:
    page.goto("/")
    box = page.get_by_role("combobox", name="Search the notes")
    box.click()
    box.press_sequentially("healthcheck", delay=10)
    results = page.get_by_role("listbox", name="Search results")
    expect(results).to_be_visible()
    box.press("Escape")
    expect(results).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press("Escape")
    expect(box).to_have_value("")


def test_search_on_a_375px_phone_opens_the_drawer(browser: Any, server: str) -> None:
    context, page, problems = open_page(
        browser, server, viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    )
    try:
        page.goto("/")
        press_slash_outside_any_field(page)
        box = page.get_by_role("combobox", name="Search the notes")
        expect(page.locator("#sidebar")).to_be_visible()
        expect(box).to_be_focused()
        box.press_sequentially("bind mount", delay=20)
        first = page.get_by_role("option").first
        expect(first).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the page scrolls sideways: {width}px"
        box_right = page.evaluate(
            "document.getElementById('search-results').getBoundingClientRect().right"
        )
        assert box_right <= 375, box_right
        shot(page, "search-375", full_page=False)
        first.locator("a").click()
        expect(page).to_have_url(re.compile(r"/sections/\d+"))
    finally:
        context.close()
    assert problems == [], problems


def test_a_bank_answer_result_opens_its_entry_on_the_page(page: Any) -> None:
    page.goto("/")
    press_slash_outside_any_field(page)
    box = page.get_by_role("combobox", name="Search the notes")
    box.press_sequentially("which network drivers does docker ship with", delay=10)
    bank = page.locator('#search-results a[href^="/sections/5#q-"]').first
    expect(bank).to_be_attached()
    href = str(bank.get_attribute("href"))
    bank.click()
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))
    entry = page.locator(f"#{href.split('#', 1)[1]}")
    expect(entry).to_have_js_property("open", True)  # the model answer shows, unfolded
    expect(entry.locator(".bank__points")).to_be_visible()
    expect(entry).to_be_in_viewport()
    # another entry's link on the same page (a hash change, no reload) opens that one too
    other = page.locator("details.bank__q").nth(2)
    other_id = str(other.get_attribute("id"))
    expect(other).to_have_js_property("open", False)
    page.evaluate(f"location.hash = '#{other_id}'")
    expect(other).to_have_js_property("open", True)
    expect(other).to_be_in_viewport()
    shot(page, "bank-entry", full_page=False)


def test_printing_a_note_shows_every_model_answer_then_folds_them_back(page: Any) -> None:
    page.goto("/sections/9")
    entries = page.locator("details.bank__q")
    assert entries.count() >= 5
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.evaluate("[...document.querySelectorAll('details.bank__q')].every(d => d.open)")
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.evaluate("[...document.querySelectorAll('details.bank__q')].every(d => !d.open)")
