"""Answers that cannot be checked get a clear explanation, never an exception."""

from __future__ import annotations

import pytest

from app.handson import check
from app.handson.inputs import MAX_CHARS
from app.handson.model import TaskBook

BOMB = """a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
services: {x: {image: "alpine:3.22", command: *f}}
"""

CASES = [
    # (name, task, answer, a phrase the explanation must contain)
    ("empty", "df-python-nonroot-cache", "", "empty"),
    ("whitespace", "cmp-wait-healthy-db", "  \n\t\n ", "empty"),
    ("none", "ctr-postgres-volume-limits", None, "empty"),
    ("fences-only", "df-python-nonroot-cache", "```dockerfile\n```\n", "empty"),
    ("50kb-paste", "df-python-nonroot-cache", "RUN echo hi\n" * 4500, "limited to 20,000"),
    ("50kb-bytes", "cmp-wait-healthy-db", b"x" * 100_000, "limited to 20,000"),
    ("too-many-lines", "cmp-wait-healthy-db", "\n" * 500 + "services: {}", "lines"),
    ("binary-bytes", "df-python-nonroot-cache", bytes(range(256)) * 4, "binary"),
    ("invalid-utf8", "ctr-postgres-volume-limits", b"docker run \xff\xfe\xfa alpine", "binary"),
    ("control-chars", "cmp-wait-healthy-db", "\x01\x02\x03\x04\x05\x06" * 20, "binary"),
    (
        "prose-not-dockerfile",
        "df-python-nonroot-cache",
        "I would use a slim image and a non-root user.",
        "not a Dockerfile instruction",
    ),
    (
        "run-before-from",
        "df-python-nonroot-cache",
        "RUN echo hi\nFROM alpine:3.22\n",
        "must start with FROM",
    ),
    (
        "compose-for-dockerfile",
        "df-python-nonroot-cache",
        "services:\n  web:\n    image: nginx:1.28\n",
        "looks like a Compose file",
    ),
    (
        "yaml-does-not-parse",
        "cmp-wait-healthy-db",
        "services:\n  api: [\n    build: .\n",
        "does not parse",
    ),
    ("yaml-tabs", "cmp-wait-healthy-db", "services:\n\tapi:\n\t\tbuild: .\n", "does not parse"),
    ("yaml-list", "cmp-wait-healthy-db", "- a\n- b\n", "mapping"),
    ("yaml-scalar", "cmp-wait-healthy-db", "just text", "mapping"),
    (
        "yaml-no-services",
        "cmp-wait-healthy-db",
        "name: shop\nvolumes: {}\n",
        "no top-level `services:`",
    ),
    ("yaml-two-docs", "cmp-wait-healthy-db", "services: {}\n---\nservices: {}\n", "does not parse"),
    ("yaml-bomb", "cmp-wait-healthy-db", BOMB, "nodes"),
    ("yaml-deep", "cmp-wait-healthy-db", "services: " + "[" * 3000 + "]" * 3000, "cannot be read"),
    (
        "dockerfile-for-compose",
        "cmp-wait-healthy-db",
        "FROM python:3.12\nRUN pip install x\n",
        "looks like a Dockerfile",
    ),
    (
        "no-docker-command",
        "ctr-postgres-volume-limits",
        "postgres with a volume and restart",
        "no docker command",
    ),
    (
        "unbalanced-quote",
        "ctr-postgres-volume-limits",
        'docker run -e "A=1 postgres:17',
        "could not split",
    ),
    (
        "only-comments",
        "ctr-postgres-volume-limits",
        "# docker run postgres\n# nothing else\n",
        "no docker command",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_unusable_answers_are_explained(book: TaskBook, case: tuple) -> None:  # type: ignore[type-arg]
    _, task_id, answer, phrase = case
    report = check(task_id, answer, book=book, lint=False)
    assert report.problem, report.to_text()
    assert phrase.lower() in report.problem.lower(), report.problem
    assert not report.ok and report.score == 0.0 and report.findings == []
    data = report.to_json()
    assert data["problem"] == report.problem and data["ok"] is False
    assert "cannot check" in report.to_text()


def test_the_limit_is_stated_in_the_message(book: TaskBook) -> None:
    report = check("df-python-nonroot-cache", "#" * (MAX_CHARS + 1), book=book)
    assert f"{MAX_CHARS:,}" in (report.problem or "")


def test_markdown_fences_are_accepted_and_lines_still_match(book: TaskBook) -> None:
    task = book.tasks["img-node-cache-order"]
    fenced = "```dockerfile\n" + task.model_answer.replace("USER node", "USER root") + "```\n"
    report = check(task, fenced, book=book, lint=False)
    root = [f for f in report.failures if f.check == "runs_as_root"]
    # line 7 of the fenced paste is `USER root` (the fence is line 1)
    assert root and root[0].line == 7


def test_a_bom_and_crlf_line_endings_are_fine(book: TaskBook) -> None:
    task = book.tasks["cmp-wait-healthy-db"]
    answer = "\ufeff" + task.model_answer.replace("\n", "\r\n")
    assert check(task, answer.encode("utf-8"), book=book).ok


def test_dockerfile_syntax_errors_are_findings_not_crashes(book: TaskBook) -> None:
    report = check(
        "img-node-cache-order",
        "FROM node:22-bookworm-slim\nFROBNICATE everything\nCOPY . .\nUSER node\n"
        'CMD ["node", "server.js"]\n',
        book=book,
        lint=False,
    )
    assert report.problem is None
    syntax = [f for f in report.failures if f.role == "syntax"]
    assert syntax and "not a Dockerfile instruction" in syntax[0].message and syntax[0].line == 2
