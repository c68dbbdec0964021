"""The hands-on answer editor in Chromium: CodeMirror highlighting and line numbers, the editor's
text submitted through the textarea, findings pinned to their lines, the keyboard way out,
375 px in dark mode, and the plain textarea when the editor bundle cannot load."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from app.handson import load_book
from tests.browser.conftest import open_page, shot
from tests.web.helpers import KNOWLEDGE

pytestmark = pytest.mark.browser

BOOK = load_book(KNOWLEDGE)
DOCKERFILE = next(t for t in BOOK.tasks.values() if t.kind == "dockerfile" and t.imp)
COMPOSE = next(t for t in BOOK.tasks.values() if t.kind == "compose")
RUN = next(t for t in BOOK.tasks.values() if t.kind == "docker_run")
SECRET = "ENV API_PASSWORD=hunter2"
# the model answer with its USER line commented out and a secret appended: two failed rules
BROKEN = DOCKERFILE.model_answer.replace("USER", "# USER") + "\n" + SECRET + "\n"
SECRET_LINE = BROKEN.splitlines().index(SECRET) + 1


def open_task(page: Any, task_id: str) -> Any:
    """The task page with the editor in place; returns the editor's text box."""
    page.goto(f"/tasks?task={task_id}")
    expect(page.locator("#task-editor.task-editor--ready")).to_be_visible()
    editor = page.get_by_role("textbox", name="Your answer")
    expect(editor).to_have_class(re.compile(r"\bcm-content\b"))
    return editor


def check_and_capture(page: Any) -> str:
    """Press "Check my answer"; the answer the server received."""
    with page.expect_request(re.compile(r"/api/tasks/[^/]+/check$")) as sent:
        page.get_by_role("button", name="Check my answer").click()
    expect(page.locator("#task-check")).to_be_enabled()
    expect(page.locator("#task-result")).to_be_visible()
    return str(json.loads(sent.value.post_data)["answer"])


# the editor's own selection (window.getSelection() does not reach into its shadow root)
SELECTED = "() => { const s = window.mentorEditor.view.state; return s.sliceDoc(s.selection.main.from, s.selection.main.to); }"


# axe-core's rules for what the editor adds (the full set injects a <style> that the CSP refuses)
RULES = [
    "color-contrast",
    "aria-hidden-focus",
    "aria-allowed-attr",
    "aria-valid-attr-value",
    "aria-input-field-name",
    "label",
    "nested-interactive",
    "scrollable-region-focusable",
]


def assert_accessible(page: Any) -> None:
    """axe-core finds nothing wrong in the answer box: the label, the hidden textarea, the
    editor inside its shadow root, WCAG AA contrast of its text."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        context="#task-answer-box",
        options={"runOnly": {"type": "rule", "values": RULES}},
    )
    found = [(v["id"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]
    assert found == [], found


def current_line(page: Any) -> int:
    return int(
        page.evaluate(
            "() => { const s = window.mentorEditor.view.state;"
            " return s.doc.lineAt(s.selection.main.head).number; }"
        )
    )


def test_dockerfile_highlighted_typed_checked_and_pinned(page: Any) -> None:
    editor = open_task(page, DOCKERFILE.id)
    expect(page.locator("#task-editor")).to_have_attribute("data-language", "dockerfile")
    # typed into the editor: most of it pasted, the last line keyed in
    editor.fill(BROKEN.replace(SECRET + "\n", ""))
    page.keyboard.press("Control+End")
    page.keyboard.type(SECRET)
    page.keyboard.press("Enter")

    # highlighting: the instructions are keyword tokens, the comment a comment token
    keywords = page.locator("#task-editor .cm-content .tok-keyword")
    expect(keywords.first).to_have_text("FROM")
    assert {"FROM", "WORKDIR", "COPY", "RUN", "CMD", "ENV"} <= set(keywords.all_inner_texts())
    expect(page.locator("#task-editor .tok-comment")).to_have_text(["# USER node"])
    # line numbers, one per line
    numbers = page.locator("#task-editor .cm-lineNumbers .cm-gutterElement:visible")
    expect(numbers.filter(has_text=re.compile(rf"^{SECRET_LINE}$"))).to_have_count(1)
    assert page.locator("#task-answer").input_value() == BROKEN  # the submitted field follows

    assert check_and_capture(page) == BROKEN
    expect(page.locator("#task-verdict")).to_have_text(re.compile(r"^Not yet"))
    # each failed rule with a line is pinned to it: a tinted line and a gutter marker
    secret_line = page.locator(f'#task-editor .cm-line[data-finding-line="{SECRET_LINE}"]')
    expect(secret_line).to_have_text(SECRET)
    expect(secret_line).to_have_class(re.compile(r"\bcm-finding-line--fail\b"))
    expect(secret_line).to_have_attribute("title", re.compile("passwords, tokens or keys"))
    pinned = page.locator("#task-editor .cm-finding-line")
    marks = page.locator("#task-editor .cm-findings-gutter .cm-finding-mark:visible")
    expect(marks).to_have_count(pinned.count())
    assert pinned.count() >= 1
    assert_accessible(page)  # with the pinned lines in view
    shot(page, "editor-dockerfile")

    # the finding in the result list jumps to its line in the editor
    page.locator("#task-editor .cm-content").evaluate("e => e.blur()")
    link = page.locator(f'.finding--fail a.finding__line[data-line="{SECRET_LINE}"]').first
    expect(link).to_have_text(f"Line {SECRET_LINE}")
    link.click()
    expect(editor).to_be_focused()
    assert current_line(page) == SECRET_LINE
    assert page.evaluate(SELECTED) == SECRET

    # typed over: the editor replaces its text; a passing answer leaves no failed rule pinned
    editor.fill(DOCKERFILE.model_answer)
    assert page.locator("#task-answer").input_value() == DOCKERFILE.model_answer
    assert check_and_capture(page) == DOCKERFILE.model_answer
    expect(page.locator("#task-verdict")).to_have_text(re.compile(r"^Pass"))
    expect(page.locator("#task-editor .cm-finding-line--fail")).to_have_count(0)


@pytest.mark.parametrize(
    ("task", "language", "answer", "token"),
    [
        (COMPOSE, "yaml", "services:\n  web:\n    image: nginx:1.27  # pinned\n", "# pinned"),
        (
            RUN,
            "shell",
            "docker run -d --name web -p 8080:80 'nginx:1.27' # pinned\n",
            "'nginx:1.27'",
        ),
    ],
    ids=["compose-yaml", "docker-run-shell"],
)
def test_language_follows_the_task_kind(
    page: Any, task: Any, language: str, answer: str, token: str
) -> None:
    editor = open_task(page, DOCKERFILE.id)
    page.get_by_label("Task").select_option(task.id)
    expect(page.locator("#task-editor")).to_have_attribute("data-language", language)
    editor.fill(answer)
    tokens = page.locator("#task-editor .cm-content [class^='tok-'], #task-editor [class*=' tok-']")
    expect(tokens.filter(has_text=token)).not_to_have_count(0)
    assert check_and_capture(page) == answer


def test_keyboard_tab_indents_and_escape_then_tab_leaves(page: Any) -> None:
    editor = open_task(page, DOCKERFILE.id)
    editor.click()
    page.keyboard.type("FROM alpine:3.20")
    page.keyboard.press("Home")
    page.keyboard.press("Tab")  # indents: focus stays in the editor
    expect(editor).to_be_focused()
    assert page.locator("#task-answer").input_value() == "  FROM alpine:3.20"
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")  # CodeMirror's tab-focus mode: Tab now moves on
    expect(editor).not_to_be_focused()
    expect(page.get_by_role("button", name="Check my answer")).to_be_focused()
    page.keyboard.press("Shift+Tab")  # and back in
    expect(editor).to_be_focused()
    assert page.locator("#task-answer").input_value() == "  FROM alpine:3.20"


def test_narrow_dark_screen_scrolls_inside_the_editor_only(browser: Any, server: str) -> None:
    context, page, problems = open_page(
        browser, server, viewport={"width": 375, "height": 800}, color_scheme="dark"
    )
    try:
        editor = open_task(page, DOCKERFILE.id)
        before = page.locator("#task-editor").bounding_box()
        long_line = "RUN " + " && ".join(f"echo step-{i}" for i in range(30))
        editor.fill(f"FROM alpine:3.20\n{long_line}\n")
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], width  # no sideways scroll of the page
        assert page.locator("#task-editor").bounding_box() == before  # a long line widens nothing
        for part in ("#task-picker", "#task-prompt", "#task-editor", "#task-check"):  # none cut off
            box = page.locator(part).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 375, (part, box)
        scroller = page.locator(
            "#task-editor .cm-scroller"
        )  # (locators reach into the shadow root)
        inner = scroller.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert inner[0] > inner[1], inner  # the long line scrolls inside the editor
        background = page.locator("#task-editor .cm-editor").evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        keyword = page.locator("#task-editor .tok-keyword").first.evaluate(
            "e => getComputedStyle(e).color"
        )
        # the dark palette: --code-bg and the dark keyword colour from editor.css
        assert (background, keyword) == ("rgb(13, 17, 23)", "rgb(255, 123, 114)")
        assert_accessible(page)
        shot(page, "editor-dark-375")
    finally:
        context.close()
    assert problems == [], problems


def test_without_the_editor_bundle_the_textarea_still_submits(browser: Any, server: str) -> None:
    context, page, problems = open_page(browser, server)
    try:
        page.route("**/static/vendor/codemirror/**", lambda route: route.abort())
        page.goto(f"/tasks?task={DOCKERFILE.id}")
        answer = page.get_by_label("Your answer")
        expect(answer).to_be_visible()
        assert answer.evaluate("e => e.tagName") == "TEXTAREA"
        expect(page.locator("#task-editor .cm-editor")).to_have_count(0)
        answer.fill(BROKEN)
        assert check_and_capture(page) == BROKEN
        expect(page.locator("#task-verdict")).to_have_text(re.compile(r"^Not yet"))
        link = page.locator(f'a.finding__line[data-line="{SECRET_LINE}"]').first
        expect(link).to_have_attribute("href", "#task-answer")
    finally:
        context.close()
    # the only complaint is the blocked bundle itself
    assert problems and all("ERR_FAILED" in p for p in problems), problems
