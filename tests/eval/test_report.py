"""The scorecard's formats and threshold checks, on a hand-made report (no model needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import BadInput
from app.eval import report as rep


def sample() -> rep.Report:
    return rep.Report(
        [
            rep.Row("offline", {"notes_valid": 1.0, "wrong_strong": 0.0, "ttft_ms": 1.5}, 2.0),
            rep.Row("weak", {"notes_valid": 0.25, "wrong_strong": 0.5, "ttft_ms": 900.0}, 30.0),
        ],
        limit=4,
    )


def test_markdown_is_a_table_with_one_column_per_model() -> None:
    text = sample().markdown()
    assert "| metric | offline | weak |" in text
    assert "| notes valid (first try + repair) ↑ | 1.00 | 0.25 |" in text
    assert "| time to first token (ms) ↓ | 1.5 | 900.0 |" in text


def test_thresholds_name_each_model_below() -> None:
    bounds = [rep.parse_bound("min", "notes_valid=0.9"), rep.parse_bound("max", "wrong_strong=0")]
    assert rep.failures(sample(), bounds) == [
        "weak: notes_valid 0.250, needs min 0.9",
        "weak: wrong_strong 0.500, needs max 0",
    ]
    assert rep.failures(sample(), [rep.parse_bound("min", "canary_leaks=0")]) == [
        "offline: canary_leaks missing, needs min 0",
        "weak: canary_leaks missing, needs min 0",
    ]


def test_unknown_metric_is_bad_input() -> None:
    with pytest.raises(BadInput, match="known metric"):
        rep.parse_bound("min", "speed=3")
    with pytest.raises(BadInput, match="not a number"):
        rep.parse_bound("max", "ttft_ms=fast")


def test_saved_report_round_trips(tmp_path: Path) -> None:
    report = sample()
    path = rep.save(report, tmp_path)
    assert path == tmp_path / "eval" / "last.json"
    assert rep.load_last(tmp_path) == report
    assert rep.load_last(tmp_path / "nothing") is None


def test_the_reply_cap_is_in_the_heading_and_survives_saving(tmp_path: Path) -> None:
    report = sample()
    assert "capped" not in report.markdown()
    report.max_tokens = 128
    assert "limit 4, replies capped at 128 tokens)" in report.markdown().splitlines()[0]
    rep.save(report, tmp_path)
    loaded = rep.load_last(tmp_path)
    assert loaded is not None and loaded.max_tokens == 128
