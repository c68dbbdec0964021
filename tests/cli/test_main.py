"""The `mentor` entry point: usage mistakes get click's message and exit 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app.settings import ROOT


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ([], "Usage:"),
        (["sectionz"], "No such command"),
        (["section", "--nope"], "No such option"),
        (["section", "99"], "choose a whole number from 1-20"),
    ],
)
def test_usage_mistakes_exit_2_with_a_message(args: list[str], says: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, cwd=ROOT
    )
    assert run.returncode == 2, run.stderr
    assert says in run.stdout + run.stderr
    assert "Traceback" not in run.stderr
