"""GET /api/sections/{n} and the printable /sections/{n}: ETags and 304s."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.web.app import create_app
from tests.web.helpers import ScriptedEngine, factory, settings_for


@pytest.fixture(scope="module")
def app_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The lifespan renders the notes; the mentor itself is not needed here."""
    settings = settings_for(Path(tmp_path_factory.mktemp("sections")) / "data")
    with TestClient(create_app(settings, engine_factory=factory(ScriptedEngine()))) as c:
        yield c


@pytest.mark.parametrize("path", ["/api/sections/3", "/sections/3"])
def test_an_unchanged_section_is_a_304(app_client: TestClient, path: str) -> None:
    first = app_client.get(path)
    assert first.status_code == 200 and first.headers["cache-control"] == "no-cache"
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = app_client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    stale = app_client.get(path, headers={"If-None-Match": '"stale"'})
    assert stale.status_code == 200


def test_the_api_and_the_page_have_different_etags(app_client: TestClient) -> None:
    """The page's tag also covers its templates: a changed layout is not served from cache."""
    api = app_client.get("/api/sections/4").headers["etag"]
    page = app_client.get("/sections/4").headers["etag"]
    assert api != page and page.startswith(api.rstrip('"'))


def test_the_note_is_the_rendered_one(app_client: TestClient) -> None:
    body = app_client.get("/api/sections/4").json()
    assert set(body) == {"number", "title", "markdown", "html"}
    assert body["number"] == 4 and body["markdown"].startswith("## Section 4")
    note = app_client.app.state.notes[4]  # type: ignore[attr-defined]
    assert body["html"] == note.html
