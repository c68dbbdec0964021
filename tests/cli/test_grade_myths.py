"""`mentor grade` on an answer asserting a catalogued false claim (issue #15): the JSON names
the myth with its correction and a link into the notes."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from app.cli import cli

runner = CliRunner()

QUESTION = "What does docker stop do?"
# knowledge/myths/04-containers.yaml, 04-stop-sends-sigkill-at-once, verbatim
CLAIM = "docker stop sends SIGKILL immediately."
ANSWER = f"{CLAIM} It is the command you use to end a running container."


def test_cli_grade_json_names_the_myth_and_links_the_note() -> None:
    result = runner.invoke(cli, ["grade", "-q", QUESTION, "-a", ANSWER, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["grade"] != "strong"
    assert data["myths"], data
    hit = next(m for m in data["myths"] if m["section"] == 4)
    assert hit["link"].startswith("/sections/4#")
    assert "SIGKILL" in hit["quote"] and hit["correction"]
    assert data["off_topic"] is None
    assert "**Not true:**" in data["feedback"]


def test_cli_grade_terminal_text_shows_the_correction() -> None:
    result = runner.invoke(cli, ["grade", "-q", QUESTION, "-a", ANSWER])
    assert result.exit_code == 0, result.output
    assert "Not true" in result.stdout and "SIGTERM" in result.stdout
