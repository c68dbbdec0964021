"""The chat page in a real browser: streaming, sections, citations, interviews, safety."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_page, shot

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)><script>alert(2)</script>"
ANSWER = (
    "Docker ships bridge, host, none, overlay, macvlan and ipvlan drivers. bridge is the "
    "default on a single host with NAT and -p to publish ports; a user-defined bridge gives "
    "DNS by container name. host shares the host's network namespace, so there is no "
    "isolation and -p does nothing. none gives only loopback. overlay spans several hosts "
    "with VXLAN for Swarm services. macvlan gives a container its own MAC address on the LAN."
)


def send(page: Any, text: str) -> Any:
    """Type a message, press Enter, wait for the finished (server-rendered) reply."""
    done = page.locator("article.msg--assistant:not(.is-streaming)")
    before = done.count()
    box = page.get_by_label("Message the mentor")
    box.fill(text)
    box.press("Enter")
    expect(done).to_have_count(before + 1)
    expect(page.locator("#stop-btn")).to_be_hidden()
    return done.last


def test_revise_3_then_yes_gives_4_with_tables(page: Any) -> None:
    page.goto("/")
    expect(page).to_have_title("New chat · Docker Interview Mentor")
    reply = send(page, "Revise section 3")
    expect(reply.locator(".md h2").first).to_have_text("Section 3: Docker Images")
    assert reply.locator("table").count() >= 1
    assert reply.locator(".copy-btn").count() >= 1  # every code block has one
    expect(page).to_have_url(re.compile(r"/c/[0-9a-f-]{36}$"))
    expect(page).to_have_title("Revise section 3 · Docker Interview Mentor")

    box = page.get_by_label("Message the mentor")
    box.fill("ye")
    box.press("Shift+Enter")
    assert box.input_value() == "ye\n"  # Shift+Enter is a new line, not a send
    reply = send(page, "yes")
    expect(reply.locator(".md h2").first).to_have_text("Section 4: Docker Containers")
    table = reply.locator("table").first
    expect(table).to_be_visible()
    assert table.locator("th").count() >= 2 and table.locator("tbody tr").count() >= 2
    expect(page.locator('.section-btn[data-section="3"]')).to_have_class(re.compile("is-seen"))
    expect(page.locator('.section-btn[data-section="4"]')).to_have_class(re.compile("is-current"))
    expect(page.locator("#progress-summary")).to_have_text(re.compile(r"^2/20 seen"))
    quick = reply.get_by_role("group", name="Quick actions")
    expect(quick.get_by_role("button", name="Next section")).to_be_visible()
    expect(quick.get_by_role("button", name="Quiz me on this section")).to_be_visible()
    expect(quick.get_by_role("button", name="Explain simpler")).to_be_visible()
    # the page itself never scrolls: only the message list and the sidebar do
    assert page.evaluate("document.documentElement.scrollHeight <= innerHeight")
    reply.locator("pre").first.scroll_into_view_if_needed()
    shot(page, "revise-3-yes-4", full_page=False)


def test_a_clarification_shows_its_citations(page: Any) -> None:
    page.goto("/")
    reply = send(page, "Why does my container exit with code 137?")
    expect(reply.locator(".md")).to_contain_text("137")
    links = reply.locator(".citations a")
    assert links.count() >= 1
    hrefs = [str(a.get_attribute("href")) for a in links.all()]
    assert all(re.fullmatch(r"/sections/\d+#[a-z0-9-]+", h) for h in hrefs), hrefs
    expect(links.first).to_have_text(re.compile(r"^§\d+ · .+"))
    simpler = send_quick(page, reply, "Explain simpler")
    expect(simpler.locator(".md")).not_to_be_empty()
    shot(page, "clarification", full_page=False)
    for href in hrefs:  # each source opens its note at the spot it cites
        page.goto(href)
        spot = page.locator(f"#{href.split('#', 1)[1]}")
        expect(spot).to_be_visible()
        expect(spot).to_be_in_viewport()


def send_quick(page: Any, reply: Any, label: str) -> Any:
    done = page.locator("article.msg--assistant:not(.is-streaming)")
    before = done.count()
    reply.get_by_role("button", name=label).click()
    expect(done).to_have_count(before + 1)
    expect(page.locator("#stop-btn")).to_be_hidden()
    return done.last


def test_a_two_question_mock_interview(page: Any) -> None:
    page.goto("/")
    reply = send(page, "Interview me on networking, 2 questions")
    current = page.locator(".card--ask.is-current")
    expect(current).to_have_count(1)
    expect(current.locator(".pill")).to_have_text("Question 1 of 2")
    expect(page.locator("#mode-pill")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Question 1 of 2 · Mock interview · "))
    assert page.get_by_label("Message the mentor").get_attribute("placeholder") == (
        "Type your answer…"
    )
    assert reply.get_by_role("group", name="Quick actions").count() == 0

    for _ in range(8):  # answer questions, skip follow-ups, until the scorecard
        card = page.locator(".card--ask.is-current")
        if page.locator(".card--scorecard").count():
            break
        is_follow_up = "card--follow_up" in (card.get_attribute("class") or "")
        reply = send(page, "skip" if is_follow_up else ANSWER)
        if not is_follow_up:
            expect(reply.locator(".card--grade").first).to_be_visible()
            shot(page, "interview-grade", full_page=False)
    scorecard = page.locator(".card--scorecard")
    expect(scorecard).to_have_count(1)
    expect(scorecard.locator("tbody tr")).to_have_count(2)
    # the score per question as a bar chart beside the table, its name carrying the numbers
    scores = [c.strip() for c in scorecard.locator("tbody td.num").all_inner_texts()]
    bars = scorecard.locator(".chart--scores canvas")
    expect(bars).to_be_visible()
    expect(bars).to_have_attribute(
        "aria-label", f"Score per question: question 1 {scores[0]}/10, question 2 {scores[1]}/10."
    )
    assert page.evaluate("c => Chart.getChart(c).data.datasets[0].data", bars.element_handle()) == [
        float(s) for s in scores
    ]
    assert page.locator(".card--grade:not(.card--small)").count() == 2
    expect(page.locator(".card--ask.is-current")).to_have_count(0)
    expect(page.locator("#mode-pill")).to_be_hidden()
    badge = page.locator('.section-btn[data-section="5"] .badge--score')
    expect(badge).to_have_text(re.compile(r"\d+(\.\d)?/10"))
    scorecard.scroll_into_view_if_needed()
    shot(page, "interview-scorecard", full_page=False)


def test_an_xss_payload_is_shown_as_text_and_runs_nothing(page: Any) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto("/")
    send(page, XSS)
    user = page.locator("article.msg--user").last
    expect(user).to_contain_text(XSS)
    for _ in range(2):
        assert page.locator("#messages img[src='x']").count() == 0
        assert page.locator("#messages script").count() == 0
        assert dialogs == []
        page.reload()
        expect(page.locator("article.msg--user").last).to_contain_text(XSS)
    expect(page).to_have_title(re.compile(r"^<img src=x onerror=alert\(1\)>"))
    shot(page, "xss-as-text", full_page=False)


def test_reload_keeps_the_conversation_and_its_state(page: Any) -> None:
    page.goto("/")
    send(page, "Start from Section 8")
    send(page, "What does depends_on do?")
    url = page.url
    count = page.locator("article.msg").count()
    page.reload()
    assert page.url == url
    expect(page.locator("article.msg")).to_have_count(count)
    expect(page.locator("#chat-title")).to_have_text("Start from Section 8")
    expect(page.locator('#conversations a[aria-current="page"]')).to_have_text(
        "Start from Section 8"
    )
    reply = send(page, "next")  # the state survived the reload: 8 -> 9
    expect(reply.locator(".md h2").first).to_have_text("Section 9: Docker Swarm Mode")


def test_rename_export_and_delete(page: Any) -> None:
    page.goto("/")
    send(page, "Start from Section 2")
    page.get_by_role("button", name="Rename this conversation").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Title").fill("Install notes")
    dialog.get_by_role("button", name="Rename").click()
    expect(page.locator("#chat-title")).to_have_text("Install notes")
    expect(page.locator('#conversations a[aria-current="page"]')).to_have_text("Install notes")
    expect(page).to_have_title("Install notes · Docker Interview Mentor")

    with page.expect_download() as info:
        page.get_by_role("button", name="Export this conversation as Markdown").click()
    download = info.value
    assert download.suggested_filename == "mentor-install-notes.md"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.startswith("# Install notes") and "## Section 2: Installation & Setup" in text

    page.get_by_role("button", name="Delete this conversation").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("#conversations")).not_to_contain_text("Install notes")


def test_375px_wide(browser: Any, server: str) -> None:
    context, page, problems = open_page(
        browser, server, viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    )
    try:
        page.goto("/")
        shot(page, "mobile-375-welcome", full_page=False)
        reply = send(page, "Start from Section 5")
        expect(reply.locator("table").first).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the page scrolls sideways: {width}px"
        assert page.evaluate(
            "[...document.querySelectorAll('.msg__body')].every(b => b.scrollWidth <= b.clientWidth + 1)"
        ), "a message overflows its bubble"
        shot(page, "mobile-375", full_page=False)
        page.get_by_role("button", name="Open sections and conversations").click()
        sidebar = page.locator("#sidebar")
        expect(sidebar).to_be_visible()
        expect(page.locator('.section-btn[data-section="5"]')).to_have_class(re.compile("is-seen"))
        shot(page, "mobile-375-sidebar", full_page=False)
        page.keyboard.press("Escape")
        expect(sidebar).to_be_hidden()
    finally:
        context.close()
    assert problems == [], problems


def test_dark_theme_follows_the_system_and_toggles(browser: Any, server: str) -> None:
    context, page, problems = open_page(browser, server, color_scheme="dark")
    try:
        page.goto("/")
        send(page, "Start from Section 11")
        bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert bg == "rgb(15, 17, 21)", bg
        shot(page, "dark-theme", full_page=False)
        toggle = page.get_by_role("button", name="Switch to the light theme")
        toggle.click()
        expect(page.locator("html")).to_have_attribute("data-theme", "light")
        page.reload()  # the choice is remembered
        expect(page.locator("html")).to_have_attribute("data-theme", "light")
        bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert bg == "rgb(246, 247, 249)", bg
        page.keyboard.press("Tab")  # the skip link: focus is visible
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid"
    finally:
        context.close()
    assert problems == [], problems


def test_stop_aborts_the_reply_and_keeps_what_arrived(page: Any) -> None:
    page.goto("/")
    send(page, "Start from Section 1")
    # a slow line (2 KB/s) so the reply is still streaming when Stop is pressed
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": 2000, "uploadThroughput": 2000},
    )
    box = page.get_by_label("Message the mentor")
    box.fill("Start from Section 13")
    box.press("Enter")
    streaming = page.locator("article.msg--assistant.is-streaming")
    expect(streaming.locator(".md")).to_contain_text("Section 13")
    expect(page).to_have_title(re.compile(r"^Answering… · "))
    page.get_by_role("button", name="Stop generating").click()
    stopped = page.locator("article.msg--assistant").last
    expect(stopped).to_have_class(re.compile("msg--partial"))
    expect(stopped).to_contain_text("Stopped before the end")
    expect(stopped.locator(".md")).to_contain_text("Section 13")
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    expect(page.get_by_role("button", name="Stop generating")).to_be_hidden()
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    reply = send(page, "Start from Section 2")  # the page works on after a stop
    expect(reply.locator(".md h2").first).to_have_text("Section 2: Installation & Setup")
