"""/eval renders the saved report as a table and inline SVG charts, with no script needed."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.eval import report as rep
from app.web.routes_eval import router


def client(data_dir: Path) -> TestClient:
    app = FastAPI()
    app.state.settings = SimpleNamespace(data_dir=data_dir)
    app.include_router(router)
    return TestClient(app)


def test_page_shows_table_and_svg(tmp_path: Path) -> None:
    rep.save(
        rep.Report(
            [
                rep.Row("offline", {"notes_valid": 1.0, "ttft_ms": 2.0}, 1.0),
                rep.Row("smollm2 <b>", {"notes_valid": 0.4, "ttft_ms": 800.0}, 9.0),
            ],
            limit=2,
        ),
        tmp_path,
    )
    page = client(tmp_path).get("/eval")
    assert page.status_code == 200
    html = page.text
    assert '<th scope="col">offline</th>' in html
    assert "<td>0.40</td>" in html
    assert html.count("<svg") == 2
    assert 'width="104.0"' in html  # 0.4 of the 260-pixel bar
    assert (
        "notes valid (first try + repair) (higher is better): offline 1.00; smollm2 &lt;b&gt; 0.40"
        in html
    )
    assert "<b>" not in html


def test_page_without_a_report_says_how_to_make_one(tmp_path: Path) -> None:
    page = client(tmp_path).get("/eval")
    assert page.status_code == 200
    assert "mentor eval --limit 20" in page.text
    assert "<svg" not in page.text
