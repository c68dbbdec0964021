"""Every fenced block in knowledge/ is valid for its language tag."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

from tests.conftest import KNOWLEDGE

FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```\s*$", re.M | re.S)
ALLOWED_TAGS = {
    "bash",
    "dockerfile",
    "yaml",
    "json",
    "text",
    "ini",
    "toml",
    "python",
    "groovy",
    "hcl",
}
DOCKERFILE_INSTRUCTIONS = {
    "FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME",
    "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
}  # fmt: skip


def blocks() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted((KNOWLEDGE / "sections").glob("*.md")):
        for m in FENCE.finditer(path.read_text(encoding="utf-8")):
            found.append((path.name, m.group(1).lower(), m.group(2)))
    return found


ALL = blocks()


def test_there_are_many_blocks_and_all_are_tagged() -> None:
    assert len(ALL) >= 40
    untagged = [(f, t) for f, t, _ in ALL if t not in ALLOWED_TAGS]
    assert untagged == []


def dockerfile_problems(code: str) -> list[str]:
    problems = []
    lines = code.splitlines()
    heredoc: str | None = None
    continued = False
    for line in lines:
        stripped = line.strip()
        if heredoc is not None:
            if stripped == heredoc:
                heredoc = None
            continue
        if continued:
            continued = stripped.endswith("\\")
            if m := re.search(r"<<-?['\"]?(\w+)['\"]?", stripped):
                heredoc = m.group(1)
            continue
        if not stripped or stripped.startswith("#"):
            continue
        word = stripped.split()[0].upper()
        if word not in DOCKERFILE_INSTRUCTIONS:
            problems.append(f"unknown instruction: {stripped[:60]}")
        if stripped.split()[0] != word:
            problems.append(f"instruction not upper-case: {stripped[:60]}")
        continued = stripped.endswith("\\")
        if m := re.search(r"<<-?['\"]?(\w+)['\"]?", stripped):
            heredoc = m.group(1)
    return problems


def shell_problems(code: str) -> list[str]:
    problems = []
    logical = re.sub(r"\\\n", " ", code)
    heredoc: str | None = None
    for line in logical.splitlines():
        stripped = line.strip()
        if heredoc is not None:
            if stripped == heredoc:
                heredoc = None
            continue
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("$ "):
            problems.append(f"prompt in a bash block: {stripped[:60]}")
        if m := re.search(r"<<-?\s*['\"]?(\w+)['\"]?", stripped):
            heredoc = m.group(1)
            continue
        try:
            shlex.split(stripped, comments=True)
        except ValueError as exc:
            problems.append(f"{exc}: {stripped[:60]}")
    return problems


@pytest.mark.parametrize(
    ("name", "tag", "code"), ALL, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(ALL)]
)
def test_block_is_valid_for_its_language(name: str, tag: str, code: str) -> None:
    if tag == "yaml":
        docs = list(yaml.safe_load_all(code))
        assert docs and all(d is not None for d in docs), f"{name}: empty YAML"
    elif tag == "json":
        json.loads(code)
    elif tag == "dockerfile":
        assert dockerfile_problems(code) == [], name
        assert re.search(r"^\s*(FROM|ARG|#)", code, re.M), f"{name}: no FROM"
    elif tag == "bash":
        assert shell_problems(code) == [], name
    assert "..." not in code or tag in {"text", "bash", "python", "groovy", "hcl", "ini", "toml"}, (
        f"{name}: placeholder '...' in a {tag} block"
    )


def test_the_linters_catch_broken_blocks() -> None:
    assert dockerfile_problems("FROM alpine:3.20\nCOPYY . /app\n")
    assert dockerfile_problems("from alpine:3.20\n")
    assert not dockerfile_problems('FROM alpine:3.20\nRUN <<EOF\napk add curl\nEOF\nCMD ["sh"]\n')
    assert shell_problems("$ docker ps\n")
    assert shell_problems("echo 'unterminated\n")
    with pytest.raises(json.JSONDecodeError):
        json.loads('{"a": 1,}')
    assert Path(KNOWLEDGE).is_dir()
