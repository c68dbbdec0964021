"""/eval renders the saved report as a table and inline SVG charts, with no script needed."""

from __future__ import annotations

from pathlib import Path

from app.eval import report as rep
from tests.web.helpers import running, settings_for


def get_eval(data_dir: Path) -> tuple[int, str]:
    """/eval from the real app (its page shell needs the store and the knowledge)."""
    with running(settings_for(data_dir)) as client:
        page = client.get("/eval")
        return page.status_code, page.text


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
    status, html = get_eval(tmp_path)
    assert status == 200
    assert '<th scope="col">offline</th>' in html
    assert "<td>0.40</td>" in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="eval-chart"') == 2
    assert 'width="104.0"' in html  # 0.4 of the 260-pixel bar
    assert (
        "notes valid (first try + repair) (higher is better): offline 1.00; smollm2 &lt;b&gt; 0.40"
        in html
    )
    assert "<b>" not in html


def test_page_without_a_report_says_how_to_make_one(tmp_path: Path) -> None:
    status, html = get_eval(tmp_path / "empty")
    assert status == 200
    assert "mentor eval --limit 20" in html
    assert "eval-chart" not in html
