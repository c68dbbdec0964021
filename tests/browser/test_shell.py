"""The app shell and the study charts in Chromium: every page reachable from the shell by mouse
and keyboard, charts drawn from a scripted study history with text alternatives that carry its
numbers, an empty state that teaches, no sideways scrolling at 375 px, WCAG AA text contrast
(axe-core in the page) and screenshots of each page in light, dark and at 375 px."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from app.web.views import SHELL_PAGES
from tests.browser.conftest import open_page, shot
from tests.browser.history import REVIEWS, SESSIONS, owner, write_history

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True}
TITLES = {
    "chat": "New chat · Docker Interview Mentor",
    "progress": "Progress · Docker Interview Mentor",
    "tasks": "Hands-on tasks · Docker Interview Mentor",
    "notes": "Section 1: Introduction to Docker · Docker Interview Mentor",
}


@pytest.fixture(scope="module")
def server(own_server: str) -> str:
    """This module's own server: its tests write study events into its database."""
    return own_server


def fmt(value: float) -> str:
    """A number as charts.js prints it: one decimal rounded half up, none when whole."""
    return f"{math.floor(value * 10 + 0.5) / 10:.1f}".removesuffix(".0")


def test_every_page_is_reachable_from_the_shell_by_mouse_and_keyboard(page: Any) -> None:
    assert [key for key, _, _ in SHELL_PAGES] == list(TITLES)
    for start in ("/", "/progress", "/tasks", "/sections/3"):
        for key, href, label in SHELL_PAGES:
            page.goto(start)
            nav = page.get_by_role("navigation", name="Pages")
            nav.get_by_role("link", name=label, exact=True).click()
            expect(page).to_have_url(re.compile(re.escape(href) + "$"))
            expect(page).to_have_title(TITLES[key])
            current = nav.get_by_role("link", name=label, exact=True)
            expect(current).to_have_attribute("aria-current", "page")
            expect(page.get_by_role("main")).to_have_count(1)
            expect(page.get_by_role("button", name=re.compile("^Switch to the"))).to_be_visible()

    # keyboard only: the skip link first, then Tab reaches every page link, Enter follows it
    for key, href, label in SHELL_PAGES:
        page.goto("/progress")
        page.keyboard.press("Tab")
        skip = page.locator(":focus")
        expect(skip).to_have_text("Skip to the content")
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
        for _ in range(12):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.dataset.nav || ''") == key:
                break
        else:
            pytest.fail(f"Tab never reached the {label!r} link")
        focused = page.locator(":focus")
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
        expect(focused).to_have_text(label)
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(re.escape(href) + "$"))
        expect(page).to_have_title(TITLES[key])

    # the skip link moves the focus into the page's main landmark
    page.goto("/tasks")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_on_a_phone_the_drawer_leads_to_every_page(browser: Any, server: str) -> None:
    context, page, problems = open_page(browser, server, **PHONE)
    try:
        for key, href, label in SHELL_PAGES:
            page.goto("/sections/2")
            expect(page.locator("#sidebar")).to_be_hidden()
            page.get_by_role("button", name="Open sections and conversations").click()
            expect(page.locator("#sidebar")).to_be_visible()
            page.get_by_role("navigation", name="Pages").get_by_role(
                "link", name=label, exact=True
            ).click()
            expect(page).to_have_url(re.compile(re.escape(href) + "$"))
            expect(page).to_have_title(TITLES[key])
            expect(page.locator("#sidebar")).to_be_hidden()
    finally:
        context.close()
    assert problems == [], problems


def test_a_new_user_sees_what_to_do_first_not_twenty_zeros(page: Any) -> None:
    page.goto("/progress")
    start = page.get_by_role("region", name="Start here")
    expect(start).to_be_visible()
    expect(start.get_by_role("link")).to_have_count(4)
    expect(page.locator("#mastery-chart")).to_be_hidden()  # no wall of 0% bars
    expect(page.locator("#mastery-empty")).to_contain_text("No mastery yet")
    expect(page.locator("#interviews-empty")).to_contain_text("No mock interview yet")
    expect(page.locator("#calendar-empty")).to_contain_text("No flashcards scheduled yet")
    expect(page.locator("canvas")).to_have_count(0)
    shot(page, "shell-progress-empty")

    # the first step does what it says: a chat that starts Section 1
    start.get_by_role("link", name="Revise Section 1 in the chat").click()
    reply = page.locator("article.msg--assistant:not(.is-streaming)").last
    expect(reply.locator(".md h2").first).to_have_text("Section 1: Introduction to Docker")
    expect(page).to_have_url(re.compile(r"/c/[0-9a-f-]+$"))

    page.goto("/progress")  # something studied: the charts replace the first steps
    expect(page.get_by_role("region", name="Start here")).to_have_count(0)
    expect(page.locator("#mastery-chart")).to_be_visible()
    expect(page.locator("#chart-mastery canvas")).to_have_count(1)


def _chart_data(page: Any, selector: str) -> list[list[Any]]:
    data: list[list[Any]] = page.evaluate(
        "s => Chart.getChart(document.querySelector(s)).data.datasets.map(d => d.data)", selector
    )
    return data


def test_charts_draw_a_scripted_history_and_their_text_carries_the_numbers(
    page: Any, data_dir: Path
) -> None:
    expected = write_history(data_dir, owner(page))
    means = expected.session_means
    assert len(means) == len(SESSIONS) and expected.trend > 0
    page.goto("/progress")
    for figure in ("#chart-mastery", "#chart-interviews", "#chart-cards"):
        canvas = page.locator(f"{figure} canvas")
        expect(canvas).to_be_visible()
        box = canvas.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 150, figure
        # drawn, not blank: some pixels differ from the top-left one
        assert page.evaluate(
            """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                      for (let i = 4; i < d.length; i += 4)
                        if (d[i] !== d[0] || d[i+1] !== d[1] || d[i+2] !== d[2] || d[i+3] !== d[3])
                          return true;
                      return false; }""",
            canvas.element_handle(),
        ), figure

    # interview scores: one point per scripted scorecard, the trend line, the numbers in text
    series = _chart_data(page, "#chart-interviews canvas")
    assert series[0] == pytest.approx(means)
    assert series[1][-1] - series[1][0] == pytest.approx(expected.trend * (len(means) - 1), 0.01)
    summary = page.locator("#chart-interviews .chart__summary")
    expect(summary).to_contain_text(f"{len(SESSIONS)} mock interviews")
    expect(summary).to_contain_text(f"latest average {fmt(means[-1])}/10")
    expect(summary).to_contain_text(f"trend rising (+{fmt(expected.trend)} points per session)")
    canvas = page.locator("#chart-interviews canvas")
    expect(canvas).to_have_attribute("role", "img")
    expect(canvas).to_have_attribute("aria-label", re.compile(f"{len(SESSIONS)} mock interviews"))
    table = page.locator("#chart-interviews-sessions")
    expect(canvas).to_have_attribute("aria-describedby", re.compile("chart-interviews-sessions"))
    cells = table.locator("tbody tr td:last-child").all_text_contents()
    assert cells == [f"{fmt(m)}/10" for m in means]
    by_section = page.locator("#chart-interviews-sections tbody tr th").all_text_contents()
    assert [int(re.findall(r"\d+", t)[0]) for t in by_section] == sorted(expected.sections)

    # flashcards: the scripted reviews per day, and due cards over the next 14 days
    cards = page.locator("#chart-cards .chart__summary")
    expect(cards).to_contain_text(f"{len(REVIEWS)} flashcard reviews in the last 14 days")
    done, due = _chart_data(page, "#chart-cards canvas")
    assert sum(v for v in done if v) == len(REVIEWS)
    api = page.request.get("/api/progress/dashboard").json()
    assert sum(v for v in due if v) == api["cards"]["due_total"] > 0
    expect(cards).to_contain_text(f"{api['cards']['due_total']} cards due in the next 14 days")
    rows = page.locator("#chart-cards-table tbody tr")
    reviewed = sum(int(c) for c in rows.locator("td:nth-child(2)").all_text_contents() if c != "—")
    assert reviewed == len(REVIEWS)

    # mastery: every section the script touched is started, the table names its percentage
    touched = expected.sections | {s for _, s, _ in REVIEWS} | {expected.task_section}
    mastery = page.locator("#chart-mastery .chart__summary")
    expect(mastery).to_contain_text(f"{len(touched)} sections of 20 started")
    radar = _chart_data(page, "#chart-mastery canvas")[0]
    started = {i + 1 for i, v in enumerate(radar) if v > 0}
    assert started == touched
    for s in api["mastery"]:
        row = page.locator("#chart-mastery-table tbody tr").nth(s["section"] - 1)
        expect(row.locator("td").first).to_have_text(f"{round(s['mastery'] * 100)}%")
    shot(page, "shell-progress-charts")

    # the scorecard of the last scripted interview: its bar chart beside the table
    page.goto(f"/c/{expected.conversation_id}")
    scorecard = page.locator(".card--scorecard").last
    bars = scorecard.locator(".chart--scores canvas")
    expect(bars).to_be_visible()
    label = ", ".join(
        f"question {n} {fmt(s)}/10" for n, s in enumerate(expected.last_scores, start=1)
    )
    expect(bars).to_have_attribute("aria-label", f"Score per question: {label}.")
    table_id = scorecard.locator("table.scores").get_attribute("id")
    expect(bars).to_have_attribute("aria-describedby", str(table_id))
    assert page.evaluate(
        "c => Chart.getChart(c).data.datasets[0].data", bars.element_handle()
    ) == pytest.approx(expected.last_scores)
    bars.scroll_into_view_if_needed()
    shot(page, "shell-scorecard-chart", full_page=False)


PAGES = ["/", "/progress", "/tasks", "/sections/7", "/eval"]


def whole_page_shot(page: Any, name: str) -> None:
    """The page scrolls inside its <main>, so a "full page" shot would stop at the window: grow
    the window to the content's height for the shot, then put it back."""
    size = page.viewport_size
    height = page.evaluate(
        "Math.max(document.getElementById('main').scrollHeight,"
        " document.getElementById('sidebar').scrollHeight)"
    )
    page.set_viewport_size({"width": size["width"], "height": min(max(height, 600), 6000)})
    page.wait_for_timeout(200)  # charts follow their container's new size
    shot(page, name, full_page=False)
    page.set_viewport_size(size)


def _shot_name(path: str) -> str:
    """/ -> chat, /sections/7 -> sections-7, /c/<id> -> c."""
    if path == "/":
        return "chat"
    parts = path.strip("/").split("/")
    return "-".join(parts) if parts[0] == "sections" else parts[0]


@pytest.mark.parametrize(
    ("mode", "context_args"),
    [
        ("light", {"color_scheme": "light"}),
        ("dark", {"color_scheme": "dark"}),
        ("375", {**PHONE, "color_scheme": "light"}),
    ],
)
def test_each_page_fits_reads_and_is_photographed(
    browser: Any, server: str, data_dir: Path, mode: str, context_args: dict[str, Any]
) -> None:
    """No page scrolls sideways at 375 px; axe-core finds no text below WCAG AA contrast; a
    screenshot of every page in every mode lands in tests/artifacts/."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context, page, problems = open_page(browser, server, **context_args)
    try:
        expected = write_history(data_dir, owner(page))
        for path in [*PAGES, f"/c/{expected.conversation_id}"]:
            page.goto(path)
            page.wait_for_load_state("load")
            expect(page.locator("#sidebar")).to_be_attached()
            if path == "/progress":
                expect(page.locator("#chart-cards canvas")).to_be_visible()
            width = page.evaluate("document.documentElement.scrollWidth")
            limit = 375 if mode == "375" else 1280
            assert width <= limit, f"{path} scrolls sideways in {mode} ({width} px wide)"
            results = axe.run(
                page,
                options={"runOnly": {"type": "rule", "values": ["color-contrast"]}},
            )
            assert results.violations_count == 0, (path, mode, results.generate_report())
            whole_page_shot(page, f"shell-{_shot_name(path)}-{mode}")
    finally:
        context.close()
    assert problems == [], problems
