"""The app factory, health and the section endpoints (on the shared index cache)."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from app.settings import Settings
from app.web.app import create_app


def wait_ready(client: TestClient, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.get("/readyz").status_code == 200:
            return
        time.sleep(0.1)
    raise AssertionError("the app never became ready")


def test_health_sections_and_readiness(web_settings: Settings) -> None:
    with TestClient(create_app(web_settings)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        wait_ready(client)
        sections = client.get("/api/sections").json()
        assert len(sections) == 20
        assert sections[0] == {"number": 1, "title": "Introduction to Docker"}
        body = client.get("/api/sections/3").json()
        assert body["number"] == 3 and body["title"] == "Docker Images"
        assert body["markdown"].startswith("## Section 3")
        assert "<table>" in body["html"]
        # headings carry ids so citations land on the spot (/sections/N#anchor)
        assert '<h2 id="section-3-docker-images">' in body["html"]


def test_unknown_section_is_a_json_404(web_settings: Settings) -> None:
    with TestClient(create_app(web_settings)) as client:
        for bad in ("21", "0", "x", "5.5"):
            r = client.get(f"/api/sections/{bad}")
            assert r.status_code == 404
            assert "1-20" in r.json()["detail"]
