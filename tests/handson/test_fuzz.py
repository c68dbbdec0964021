"""Fuzzing: whatever the user pastes, the checker returns a report and never raises.

Derandomized Hypothesis (same examples every run, no example database on disk), so the suite
stays deterministic and fast; hadolint is off here (its own tests cover it).
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.handson import check
from app.handson.model import load_tasks
from app.handson.report import Report
from tests.conftest import KNOWLEDGE

BOOK = load_tasks(KNOWLEDGE / "tasks", KNOWLEDGE / "sections")
TASKS = {
    "dockerfile": BOOK.tasks["df-python-nonroot-cache"],
    "docker_run": BOOK.tasks["ctr-postgres-volume-limits"],
    "docker_cli": BOOK.tasks["ci-registry-cache"],
    "compose": BOOK.tasks["cmp-wait-healthy-db"],
}
FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

DF_TOKENS = ["FROM", "RUN", "COPY", "ADD", "ENV", "ARG", "USER", "CMD", "ENTRYPOINT", "HEALTHCHECK",
             "WORKDIR", "EXPOSE", "ONBUILD", "SHELL", "AS", "NONE", "--from=", "--chown=", "--mount=",
             "type=cache", "type=secret", "python:3.12", "scratch", "root", "0", ".", "./", "/app",
             "[", "]", '"', "'", "\\\n", "\n", "<<EOF", "EOF", "&&", "apt-get", "update", "install",
             "pip", "npm ci", "TOKEN=", "$X", "${X}", "#", "# syntax=docker/dockerfile:1", " ", "="]  # fmt: skip
CLI_TOKENS = ["docker", "docker-compose", "sudo", "run", "build", "buildx", "compose", "up",
              "network", "create", "-it", "-d", "-p", "-P", "-v", "-e", "-m", "--mount", "--restart",
              "--memory=", "--network", "--publish", "type=volume,source=x,target=/y", "type=bind",
              "readonly", ":", ":ro", "/data", "pgdata", "127.0.0.1", "0.0.0.0:80:80", "8080:80",
              "postgres:17", "postgres", "\\\n", "&&", ";", "|", "'", '"', "$(pwd)", "--", "-",
              "--cache-to", "type=registry,mode=max", "-t", "x:latest", "=", " ", "\n", "#"]  # fmt: skip
YAML_TOKENS = ["services:", "version:", "'3.8'", "name:", "volumes:", "networks:", "secrets:",
               "  ", "    ", "\n", "- ", "api:", "db:", "image:", "build:", ".", "postgres:17",
               "depends_on:", "condition:", "service_healthy", "healthcheck:", "test:", '["CMD"]',
               "ports:", "8080:80", "22:22", "127.0.0.1:80:80", "environment:", "PASSWORD: x",
               "profiles:", "[debug]", "&a", "*a", "{", "}", "[", "]", ",", ":", "'", '"', "!!python/object",
               "~", "null", "true", "restart: always", "x-ext:", "#", "\t", "- /data"]  # fmt: skip


def _assert_sane(report: Report) -> None:
    assert isinstance(report, Report)
    json.dumps(report.to_json())
    report.to_text()
    assert 0.0 <= report.score <= 1.0
    assert not [f for f in report.findings if f.message.startswith("could not evaluate")], (
        report.to_text()
    )


def _soup(tokens: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(tokens), max_size=80).map("".join)


def _mutated(text: str) -> st.SearchStrategy[str]:
    lines = text.splitlines()

    @st.composite
    def build(draw: st.DrawFn) -> str:
        out = list(lines)
        for _ in range(draw(st.integers(0, 6))):
            op = draw(st.sampled_from(["drop", "dup", "swap", "insert", "chars"]))
            if not out:
                break
            i = draw(st.integers(0, len(out) - 1))
            if op == "drop":
                out.pop(i)
            elif op == "dup":
                out.insert(i, out[i])
            elif op == "swap":
                j = draw(st.integers(0, len(out) - 1))
                out[i], out[j] = out[j], out[i]
            elif op == "insert":
                out.insert(i, draw(st.text(max_size=40)))
            else:
                pos = draw(st.integers(0, len(out[i])))
                out[i] = out[i][:pos] + draw(st.text(max_size=5)) + out[i][pos:]
        return "\n".join(out)

    return build()


@FUZZ
@given(kind=st.sampled_from(sorted(TASKS)), text=st.text(max_size=3000))
def test_random_text_never_crashes(kind: str, text: str) -> None:
    _assert_sane(check(TASKS[kind], text, book=BOOK, lint=False))


@FUZZ
@given(kind=st.sampled_from(sorted(TASKS)), data=st.binary(max_size=3000))
def test_random_bytes_never_crash(kind: str, data: bytes) -> None:
    _assert_sane(check(TASKS[kind], data, book=BOOK, lint=False))


@FUZZ
@given(text=_soup(DF_TOKENS))
def test_dockerfile_token_soup_never_crashes(text: str) -> None:
    _assert_sane(check(TASKS["dockerfile"], text, book=BOOK, lint=False))


@FUZZ
@given(kind=st.sampled_from(["docker_run", "docker_cli"]), text=_soup(CLI_TOKENS))
def test_command_token_soup_never_crashes(kind: str, text: str) -> None:
    _assert_sane(check(TASKS[kind], text, book=BOOK, lint=False))


@FUZZ
@given(text=_soup(YAML_TOKENS))
def test_compose_token_soup_never_crashes(text: str) -> None:
    _assert_sane(check(TASKS["compose"], text, book=BOOK, lint=False))


@FUZZ
@given(data=st.data())
def test_mutated_model_answers_never_crash(data: st.DataObject) -> None:
    task = data.draw(st.sampled_from(sorted(BOOK.tasks.values(), key=lambda t: t.id)))
    text = data.draw(_mutated(task.model_answer))
    _assert_sane(check(task, text, book=BOOK, lint=False))


def test_a_few_fuzzed_dockerfiles_through_hadolint() -> None:
    import random

    rng = random.Random(9)
    for _ in range(5):
        text = "".join(rng.choice(DF_TOKENS) for _ in range(60))
        _assert_sane(check(TASKS["dockerfile"], text, book=BOOK, lint=True))
