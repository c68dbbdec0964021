"""`mentor section`, `sections`, `check` as a user runs them: real subprocesses, real exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app import notes_format


def mentor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_sections_lists_all_twenty() -> None:
    result = mentor("sections")
    assert result.returncode == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 20
    assert lines[6].strip() == "7. Advanced Dockerfile Techniques"


def test_section_2_prints_a_valid_note() -> None:
    result = mentor("section", "2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("## Section 2: Installation & Setup")
    assert notes_format.validate(result.stdout, 2) == []


@pytest.mark.parametrize("arg", ["21", "0", "x", "-1", "5.5", "five hundred"])
def test_section_outside_the_range_exits_2_with_one_line(arg: str) -> None:
    result = mentor("section", "--", arg)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "1-20" in lines[0] and arg in lines[0]
    assert result.stdout == ""


def test_check_passes_on_the_knowledge_base() -> None:
    result = mentor("check")
    assert result.returncode == 0, result.stdout[-3000:]
    assert result.stdout.startswith("ok: 20 sections")


def test_check_fails_with_file_and_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "sections").mkdir()
    (tmp_path / "sections" / "01-introduction.md").write_text("---\nnumber: 1\ntitle: Nope\n---\n")
    result = mentor("check", "--knowledge-dir", str(tmp_path))
    assert result.returncode == 1
    assert "01-introduction.md:2: title 'Nope'" in result.stdout
