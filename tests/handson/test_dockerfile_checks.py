"""The Dockerfile parser (Docker's own, via the `dockerfile` package) and checks over it."""

from __future__ import annotations

from app.handson import dockerfile_checks, dockerfile_model


def test_dockerfile_stages_heredocs_and_json_forms() -> None:
    model = dockerfile_model.parse(
        "# syntax=docker/dockerfile:1\n"
        "ARG PY=3.12\n"
        "FROM python:${PY}-slim AS build\n"
        "RUN <<EOF\nset -e\npip install --no-cache-dir x\nEOF\n"
        "FROM build\n"
        "CMD ['python', 'app.py']\n"
    )
    assert [s.name for s in model.stages] == ["build", None]
    heredoc_run = model.of("RUN")[0]
    assert "pip install" in heredoc_run.text
    problems = dockerfile_model.syntax_problems(model)
    assert any("single quotes" in m for _, m in problems)
    # FROM build names an earlier stage, and python:${PY}-slim is a variable: neither is :latest
    assert not dockerfile_checks.latest_tag(model).hit


def test_dockerfile_stage_reference_is_not_an_untagged_image() -> None:
    model = dockerfile_model.parse("FROM golang:1.25 AS build\nFROM build AS test\nFROM test\n")
    assert not dockerfile_checks.latest_tag(model).hit


def test_secret_name_rules() -> None:
    def hit(text: str) -> bool:
        return dockerfile_checks.secret_in_env(dockerfile_model.parse(text)).hit

    assert hit("FROM a:1\nENV DB_PASSWORD=x\n")
    assert hit("FROM a:1\nARG GITHUB_TOKEN\n")
    assert hit("FROM a:1\nARG T\nENV API_KEY=$T\n")
    assert not hit("FROM a:1\nENV POSTGRES_PASSWORD_FILE=/run/secrets/pg\n")
    assert not hit("FROM a:1\nENV NODE_ENV=production PORT=8080\n")
