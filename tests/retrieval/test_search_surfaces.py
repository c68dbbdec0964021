"""`GET /api/search` and `mentor index` / `mentor search`: the same JSON list from both."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.errors import BadInput
from app.settings import Settings
from app.web.app import create_app

KEYS = {"section", "heading", "score", "text", "citation", "kind", "id"}


def wait_ready(client: TestClient, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.get("/readyz").status_code == 200:
            return
        time.sleep(0.05)
    raise AssertionError("the app never became ready")


@pytest.fixture
def settings_env(mini_knowledge: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for the app, and the same folders in the environment for the CLI."""
    monkeypatch.setenv("MENTOR_KNOWLEDGE_DIR", str(mini_knowledge))
    monkeypatch.setenv("MENTOR_DATA_DIR", str(tmp_path / "data"))
    return Settings(knowledge_dir=mini_knowledge, data_dir=tmp_path / "data")


def test_api_search(settings_env: Settings) -> None:
    app = create_app(settings_env)
    # before the lifespan has loaded the index: 503 with a JSON detail
    r = TestClient(app).get("/api/search", params={"q": "dns"})
    assert r.status_code == 503 and "loading" in r.json()["detail"]

    with TestClient(app) as client:
        wait_ready(client)
        r = client.get("/api/search", params={"q": "why does my container exit with 137", "k": 3})
        assert r.status_code == 200
        hits = r.json()
        assert len(hits) == 3 and hits[0].keys() >= KEYS
        assert hits[0]["section"] == 4
        assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)

        only = client.get("/api/search", params={"q": "exit code 137", "section": 6}).json()
        assert only and {h["section"] for h in only} == {6}

        for q in ("", "   "):
            r = client.get("/api/search", params={"q": q})
            assert r.status_code == 422 and "empty" in r.json()["detail"]
        assert client.get("/api/search").status_code == 422
        for k in (0, 51, "x"):
            assert client.get("/api/search", params={"q": "dns", "k": k}).status_code == 422
        assert len(client.get("/api/search", params={"q": "dns", "k": 50}).json()) >= 5
        long = client.get("/api/search", params={"q": "volume " * 1500, "k": 2})
        assert long.status_code == 200 and len(long.json()) == 2


def test_cli_index_then_search_json_matches_the_api(settings_env: Settings) -> None:
    runner = CliRunner()
    built = runner.invoke(cli, ["index"])
    assert built.exit_code == 0, built.output
    assert "index built" in built.stdout
    again = runner.invoke(cli, ["index"])
    assert "cache is current" in again.stdout
    assert "index built" in runner.invoke(cli, ["index", "--rebuild"]).stdout

    result = runner.invoke(cli, ["search", "embedded dns server", "--k", "3", "--json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert len(hits) == 3 and hits[0].keys() >= KEYS and hits[0]["section"] == 5

    with TestClient(create_app(settings_env)) as client:
        wait_ready(client)
        api = client.get("/api/search", params={"q": "embedded dns server", "k": 3}).json()
    assert api == hits

    table = runner.invoke(cli, ["search", "restart policy", "--section", "4"])
    assert table.exit_code == 0 and "Section 4 >" in table.stdout

    empty = runner.invoke(cli, ["search", "  "])
    assert isinstance(empty.exception, BadInput)
    bad = runner.invoke(cli, ["search", "dns", "--section", "21"])
    assert isinstance(bad.exception, BadInput) and "1-20" in str(bad.exception)


def test_cli_empty_query_exits_2_with_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "search", " "],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "empty" in result.stderr
    assert result.stdout == ""
