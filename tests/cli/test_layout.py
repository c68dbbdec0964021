"""The CLI's house: one package, commands registered from their own modules, no import cycles."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

from app.settings import ROOT

COMMANDS = [
    "section", "sections", "check", "serve", "index", "search", "ask", "chat", "grade",
    "interview", "tasks", "check-task", "plan", "cards", "review", "eval",
]  # fmt: skip


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    # grimp sees imports inside functions too: a cycle hidden in a function is still a cycle
    return grimp.build_graph("app", cache_dir=None)


def test_nothing_imports_the_cli(graph: grimp.ImportGraph) -> None:
    outside = {
        m
        for m in graph.modules
        if m != "app.cli" and not m.startswith("app.cli.")
        for imported in graph.find_modules_directly_imported_by(m)
        if imported == "app.cli" or imported.startswith("app.cli.")
    }
    assert outside == set()


def test_command_modules_never_import_the_package_back(graph: grimp.ImportGraph) -> None:
    back = sorted(graph.find_modules_that_directly_import("app.cli"))
    assert back == ["app.cli.__main__"]


@pytest.mark.parametrize("package", ["app.cli", "app.study", "app.llm", "app"])
def test_no_import_cycle_runs_through(graph: grimp.ImportGraph, package: str) -> None:
    cycles = []
    for module in sorted(m for m in graph.modules if m == package or m.startswith(package + ".")):
        for imported in graph.find_modules_directly_imported_by(module):
            chain = graph.find_shortest_chain(imported, module)
            if chain:
                cycles.append((module, chain))
    assert cycles == []


def test_the_cli_imports_mentor_store_study_and_they_never_import_it(
    graph: grimp.ImportGraph,
) -> None:
    for layer in ("app.mentor", "app.store", "app.study", "app.llm", "app.web"):
        assert not graph.chain_exists(layer, "app.cli", as_packages=True), layer
    # the store imports study events, so study must not import the store
    assert not graph.chain_exists("app.study", "app.store", as_packages=True)


def test_console_script_and_python_m_run_the_same_main() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["mentor"] == "app.cli:main"
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stderr
    listed = [
        line.split()[1]
        for line in result.stdout.splitlines()
        if line.startswith("│ ") and len(line.split()) > 1 and line.split()[1] in COMMANDS
    ]
    assert listed == COMMANDS


def test_every_command_is_registered_once() -> None:
    from app.cli import cli

    names = [c.name or c.callback.__name__.replace("_", "-") for c in cli.registered_commands]  # type: ignore[union-attr]
    assert names == COMMANDS


def test_a_bad_clock_is_one_line_exit_2_and_touches_nothing(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "cards", "--now", "yesterday"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "MENTOR_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: --now 'yesterday' is not an ISO date/time such as 2026-03-01T09:00"
    ]
    assert list(tmp_path.iterdir()) == []  # failed before the database was opened
