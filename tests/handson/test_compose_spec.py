"""Compose files checked against the Compose Specification: the official JSON schema (each error
at its YAML line) and the cross-reference rules a schema cannot state."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.handson import check, compose_schema, compose_spec
from app.handson.model import TaskBook


def test_compose_spec_errors_are_found_with_lines() -> None:
    model = compose_spec.parse(
        "services:\n"
        "  api:\n"
        "    build: .\n"
        "    ports:\n"
        "      - 22:22\n"
        "    depends_on:\n"
        "      db:\n"
        "        condition: service_ready\n"
        "    volumes:\n"
        "      - data:/data\n"
        "    restart: sometimes\n"
        "    netwrks: [x]\n"
        "  db:\n"
        "    image: postgres:17\n"
        "    healthcheck:\n"
        "      test: [pg_isready]\n"
        "      interval: 5 seconds\n"
        "    image: postgres:16\n"
        "servcies: {}\n"
    )
    errors = dict((m, line) for line, m in model.errors)
    text = " | ".join(errors)
    assert "YAML reads it as the number 1342" in text  # 22:22 is sexagesimal in YAML 1.1
    assert "service_ready" in text
    assert "volume 'data', which is not declared" in text
    assert "restart 'sometimes'" in text
    assert "did you mean networks" in text
    assert "must start with CMD, CMD-SHELL or NONE" in text
    assert "must be a duration" in text
    assert "appears twice" in text
    assert "'servcies' is not in the Compose Specification (did you mean services?)" in text
    assert errors[next(m for m in errors if "1342" in m)] == 5


# ---------------------------------------------------------------- the schema, error by error

STRUCTURE = """\
services:
  api:
    image: nginx:1.28
    ports: "8080:80"
    restart: no
    healthcheck:
      test: ["CMD", "true"]
      intervall: 5s
    networks:
      front:
        aliases: web
    depends_on:
      db: {}
    volumes:
      - type: bind
        source: ./conf
        target: /etc/nginx/conf.d
        read_onl: true
  db:
    image: postgres:17
    command: {run: now}
networks:
  front: {}
"""


@pytest.mark.parametrize(
    ("line", "says"),
    [
        (4, "service 'api': ports must be a list"),
        (5, 'restart must be a string (YAML reads no as false; quote it: "no")'),
        (8, "healthcheck has no key 'intervall' (did you mean interval?)"),
        (11, "service 'api': networks.front.aliases must be a list"),
        (13, "service 'api': depends_on.db needs `condition`"),
        (18, "service 'api': volumes[0] has no key 'read_onl' (did you mean read_only?)"),
        (21, "service 'db': command must be empty, a string or a list"),
    ],
)
def test_schema_errors_point_at_their_yaml_line(line: int, says: str) -> None:
    errors = compose_spec.parse(STRUCTURE).errors
    assert any(says in m for _, m in errors), errors
    assert [n for n, m in errors if says in m] == [line]


def test_every_schema_error_is_reported_once() -> None:
    errors = compose_spec.parse(STRUCTURE).errors
    assert len(errors) == 7, errors
    assert errors == sorted(errors, key=lambda e: e[0])


@pytest.mark.parametrize("key", ["jobs", "x_jobs", "service"])
def test_an_unknown_top_level_key_is_refused_at_its_line(key: str) -> None:
    errors = compose_spec.parse(
        f"name: shop\nservices:\n  web:\n    image: nginx:1.28\n{key}: {{}}\n"
    ).errors
    assert errors == [
        (
            5,
            f"top-level key {key!r} is not in the Compose Specification"
            + (" (did you mean services?)" if key == "service" else ""),
        )
    ]


def test_current_spec_keys_and_extensions_are_accepted() -> None:
    # models (top level and per service), provider, use_api_socket, x-* at every level
    text = """\
x-jobs: {nightly: true}
services:
  chat:
    image: ghcr.io/acme/chat:1.2
    models: [llm]
    use_api_socket: false
    x-owner: team-a
  tunnel:
    provider:
      type: model
      options: {model: ai/smollm2}
models:
  llm:
    model: ai/smollm2
"""
    assert compose_spec.parse(text).errors == []


def test_schema_findings_reach_the_report_as_syntax_findings(book: TaskBook) -> None:
    task = book.tasks["cmp-wait-healthy-db"]
    answer = task.model_answer + "jobs:\n  backup: {}\n"
    report = check(task, answer, book=book, lint=False)
    jobs = [f for f in report.findings if "'jobs'" in f.message]
    assert len(jobs) == 1
    found = jobs[0]
    assert (found.role, found.check, found.passed, found.severity) == (
        "syntax",
        "syntax",
        False,
        "error",
    )
    assert found.line == answer.count("\n") - 1  # the `jobs:` line
    assert not report.ok


def test_the_vendored_schema_is_valid_draft_07_and_credited() -> None:
    from jsonschema import Draft7Validator

    schema = compose_schema.load_schema()
    Draft7Validator.check_schema(schema)
    assert {"services", "models", "volumes", "networks", "secrets", "configs"} <= set(
        schema["properties"]
    )
    assert "jobs" not in schema["properties"]
    readme = (Path(compose_schema.__file__).parent / "schemas" / "README.md").read_text()
    assert "compose-spec/compose-go" in readme and "Apache License 2.0" in readme
    assert re.search(r"commit\s+`[0-9a-f]{40}`", readme)


def test_yaml_notes_only_where_text_was_meant() -> None:
    text = "services:\n  api:\n  web:\n    image: nginx:1.28\n    restart: no\n    ports: [true]\n"
    messages = [m for _, m in compose_spec.parse(text).errors]
    assert "service 'api' must be a mapping" in messages
    assert any(
        'restart must be a string (YAML reads no as false; quote it: "no")' in m for m in messages
    )
    assert not any("YAML reads true" in m for m in messages), messages


def test_exotic_yaml_types_reach_the_checks_as_json(book: TaskBook) -> None:
    answer = (
        "services:\n  api:\n    image: !!binary aGVsbG8=\n    command: !!set {a, b}\n"
        "    labels: {built: 2024-01-01, 5: five}\n"
    )
    report = check("cmp-wait-healthy-db", answer, book=book, lint=False)
    assert report.problem is None
    assert not [f for f in report.findings if f.message.startswith("could not evaluate")], (
        report.to_text()
    )


GPU = """\
services:
  llm:
    image: ollama/ollama:0.6.8
    deploy:
      resources:
        reservations:
          devices:
            - {device}
"""


@pytest.mark.parametrize(
    "device",
    [
        "{driver: nvidia, count: 1, capabilities: [gpu]}",  # the example in Docker's Compose docs
        "{capabilities: [gpu], count: all}",
        "{driver: nvidia, device_ids: ['0']}",
    ],
)
def test_a_gpu_reservation_as_the_docs_write_it_is_accepted(device: str) -> None:
    assert compose_spec.parse(GPU.format(device=device)).errors == []


def test_a_device_request_without_capabilities_or_driver_says_what_it_needs() -> None:
    errors = compose_spec.parse(GPU.format(device="{count: 1}")).errors
    assert errors == [
        (
            8,
            "service 'llm': deploy.resources.reservations.devices[0] needs `capabilities` or `driver`",
        )
    ]
