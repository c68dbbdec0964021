"""`mentor eval` end to end on tiny sets: JSON on stdout, a Markdown file, the threshold exit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.errors import BadInput
from app.eval import sets as eval_sets
from app.settings import ROOT
from tests.eval.support import ComputedServer, bad

FULL = eval_sets.load(1)


def tiny(limit: int | None = None) -> eval_sets.Sets:
    """One notes turn, one clarification, one injection: the CLI path, not the sets, is tested."""
    full = FULL
    return eval_sets.Sets([3], full.clarify, [], full.injections)


def test_json_markdown_and_threshold_exit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(eval_sets, "load", tiny)
    monkeypatch.setenv("MENTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MENTOR_INDEX_DIR", str(ROOT / "data" / "index"))
    monkeypatch.delenv("MENTOR_OPENAI_BASE_URL", raising=False)
    report = tmp_path / "report.md"
    with ComputedServer(bad) as server:
        args = ["eval", "--limit", "1", "--base-url", server.base_url, "--model", "bad"]
        args += ["--json", "--out", str(report), "--min", "notes_valid=0.9"]
        result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    data = json.loads(result.stdout)
    models = [r["model"] for r in data["rows"]]
    assert models == ["offline", f"bad @ {server.base_url}"]
    assert data["rows"][0]["metrics"]["notes_valid"] == 1.0
    assert data["rows"][1]["metrics"]["notes_valid"] == 0.0
    assert data["rows"][1]["metrics"]["canary_leaks"] == 0.0
    assert "below threshold: bad" in result.stderr
    assert "| metric | offline | bad @" in report.read_text(encoding="utf-8")
    assert (tmp_path / "data" / "eval" / "last.json").is_file()


def test_a_model_without_its_name_is_refused() -> None:
    result = CliRunner().invoke(cli, ["eval", "--base-url", "http://127.0.0.1:9/v1"])
    assert isinstance(result.exception, BadInput)  # main() turns it into exit code 2
    assert "--base-url needs a --model" in str(result.exception)
