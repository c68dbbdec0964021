"""Browser tests: Playwright for Python driving Chromium against `mentor serve`.

The browser is the one tests/support/provision.py chose (`make test` runs it first: Playwright's
own Chromium, else Debian's). They fail (never skip) when Chromium or Playwright is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.settings import ROOT
from tests.web.helpers import mentor_serve

CHOICE = ROOT / ".venv" / "chromium-path"


def chromium() -> Path:
    """The provisioned browser; without a provision run, Playwright's own or Debian's."""
    if CHOICE.is_file():
        return Path(CHOICE.read_text().strip())
    from tests.support.provision import SYSTEM_CHROMIUM, playwright_chromium

    return playwright_chromium() or SYSTEM_CHROMIUM


ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
# replies take ~1 s here, but the 2 cores may be busy with the rest of the suite: assertions wait
# up to 30 s for a condition (they return as soon as it holds), rather than failing at 5 s
EXPECT_TIMEOUT_MS = 30_000


@pytest.fixture(autouse=True, scope="session")
def _patient_expectations() -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("browser") / "data"
    with mentor_serve(data, ARTIFACTS / "browser-server.log") as base:
        yield base


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """A data folder of the test module's own (tests that date study events in its database)."""
    return tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]) / "data"


@pytest.fixture(scope="module")
def own_server(data_dir: Path) -> Iterator[str]:
    """`mentor serve` over the module's own data_dir; a module uses it by overriding `server`."""
    with mentor_serve(data_dir, ARTIFACTS / f"{data_dir.parent.name}-server.log") as base:
        yield base


@pytest.fixture(scope="module")  # Playwright's sync API holds an event loop: end it with the module
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is missing: pip install -e '.[dev]'")
    browser_path = chromium()
    if not browser_path.is_file():
        pytest.fail(f"no Chromium at {browser_path}: run `python -m tests.support.provision`")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(browser_path), args=ARGS)
        yield b
        b.close()


def open_page(browser: Any, server: str, **context_args: Any) -> tuple[Any, Any, list[str]]:
    context_args.setdefault("viewport", {"width": 1280, "height": 900})
    # no smooth scrolling: a screenshot taken mid-scroll can show unpainted tiles
    context_args.setdefault("reduced_motion", "reduce")
    context = browser.new_context(base_url=server, **context_args)
    context.set_default_timeout(20_000)
    # a CSP violation names the script and line that caused it (the console line does not)
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP violation:', e.violatedDirective, e.sourceFile + ':' + e.lineNumber, e.sample))"
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    # a CSP violation or a failed script shows up as a console error
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None
        ),
    )
    return context, page, problems


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    context, page, problems = open_page(browser, server)
    yield page
    context.close()
    assert problems == [], problems


def shot(page: Any, name: str, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
