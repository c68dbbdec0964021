"""A catalogue of broken answers: each must be caught by the right finding, with a citation.

Most entries mutate a task's own model answer (one anti-pattern at a time), so each proves a
single rule fires and that it is the cause of the failure.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.handson import check
from app.handson.model import TaskBook, load_tasks
from tests.conftest import KNOWLEDGE

_BOOK = load_tasks(KNOWLEDGE / "tasks", KNOWLEDGE / "sections")


@dataclass(frozen=True)
class Broken:
    name: str
    task: str
    answer: str
    check: str  # the check that must fail
    says: str = ""  # a phrase the failing finding's message or detail must contain


def mut(name: str, task: str, old: str, new: str, check_: str, says: str = "") -> Broken:
    model = _BOOK.tasks[task].model_answer
    assert old in model, (name, old)
    return Broken(name, task, model.replace(old, new, 1), check_, says)


CATALOGUE = [
    # ---- Dockerfiles
    mut(
        "from-latest",
        "img-node-cache-order",
        "node:22-bookworm-slim",
        "node:latest",
        "latest_tag",
        ":latest",
    ),
    mut(
        "from-untagged",
        "df-python-nonroot-cache",
        "python:3.12-slim",
        "python",
        "latest_tag",
        "no tag",
    ),
    mut(
        "env-password",
        "df-python-nonroot-cache",
        "WORKDIR /app\n",
        "WORKDIR /app\nENV DB_PASSWORD=hunter2\n",
        "secret_in_env",
        "DB_PASSWORD",
    ),
    mut(
        "arg-token",
        "df-npm-secret-mount",
        "WORKDIR /app\n",
        "WORKDIR /app\nARG NPM_TOKEN\n",
        "secret_in_env",
        "NPM_TOKEN",
    ),
    mut(
        "env-api-key-literal",
        "img-apt-one-layer",
        "USER 10001\n",
        "ENV STRIPE_API_KEY=sk_live_123\nUSER 10001\n",
        "secret_in_env",
        "literal",
    ),
    mut("no-user", "df-python-nonroot-cache", "USER 10001\n", "", "runs_as_root", "runs as root"),
    mut("user-root", "img-node-cache-order", "USER node", "USER root", "runs_as_root", "USER root"),
    mut(
        "apt-update-split",
        "img-apt-one-layer",
        "RUN apt-get update \\\n && apt-get install",
        "RUN apt-get update\nRUN apt-get install",
        "apt_update_split",
    ),
    mut(
        "no-install-recommends",
        "img-apt-one-layer",
        " --no-install-recommends",
        "",
        "apt_no_recommends",
    ),
    mut(
        "apt-lists-left",
        "img-apt-one-layer",
        " /var/lib/apt/lists/*",
        "",
        "pkg_cache_left",
        "apt lists",
    ),
    mut(
        "pip-cache-left",
        "df-python-nonroot-cache",
        "RUN --mount=type=cache,target=/root/.cache/pip pip install",
        "RUN pip install",
        "pkg_cache_left",
        "pip",
    ),
    mut(
        "add-local",
        "df-static-site-copy",
        "COPY --chown=101:101 dist/",
        "ADD --chown=101:101 dist/",
        "add_local",
        "ADD dist/",
    ),
    mut(
        "copy-all-first",
        "df-python-nonroot-cache",
        "COPY requirements.txt .\n",
        "COPY . .\n",
        "copy_all_before_install",
    ),
    mut(
        "no-healthcheck",
        "df-healthcheck",
        "HEALTHCHECK --interval=30s",
        "# HEALTHCHECK --interval=30s",
        "healthcheck",
        "no HEALTHCHECK",
    ),
    mut(
        "healthcheck-none",
        "df-healthcheck",
        "HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \\\n  CMD",
        "HEALTHCHECK NONE\n# CMD",
        "healthcheck",
        "NONE",
    ),
    mut(
        "shell-entrypoint",
        "df-entrypoint-cmd",
        'ENTRYPOINT ["node", "cli.js"]',
        "ENTRYPOINT node cli.js",
        "shell_form_entrypoint",
    ),
    mut(
        "single-quoted-cmd",
        "img-node-cache-order",
        'CMD ["node", "server.js"]',
        "CMD ['node', 'server.js']",
        "syntax",
        "single quotes",
    ),
    mut(
        "chmod-777",
        "img-apt-one-layer",
        "RUN useradd",
        "RUN chmod -R 777 /usr/local/bin && useradd",
        "chmod_777",
    ),
    mut(
        "compose-v1-installed",
        "img-apt-one-layer",
        "RUN useradd",
        "RUN pip install docker-compose && useradd",
        "compose_v1",
    ),
    mut(
        "copy-npmrc",
        "df-npm-secret-mount",
        "COPY package.json",
        "COPY .npmrc /root/.npmrc\nCOPY package.json",
        "instruction",
        ".npmrc",
    ),
    mut(
        "no-secret-mount",
        "df-npm-secret-mount",
        "--mount=type=secret,id=npmrc,target=/root/.npmrc ",
        "",
        "run_mount",
        "type=secret",
    ),
    mut(
        "single-stage-go",
        "df-go-multistage-distroless",
        "COPY --from=build /out/api /api",
        "COPY . /src",
        "multi_stage",
    ),
    mut(
        "named-user-k8s",
        "sec-dockerfile-numeric-user",
        "USER 10001:10001",
        "USER node",
        "user_numeric",
    ),
    mut(
        "tag-not-digest",
        "sec-pin-digest",
        "@sha256:8f4c0e6b2a3b9d1c7e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d",
        "",
        "base_digest",
    ),
    mut(
        "dev-deps-in-runtime",
        "ci-test-stage",
        "COPY src/ ./src/\n",
        "COPY src/ ./src/\nRUN pip install --no-cache-dir -r requirements-dev.txt\n",
        "instruction",
        "test dependencies",
    ),
    # ---- docker run / docker CLI
    mut("run-untagged", "ctr-postgres-volume-limits", "postgres:17", "postgres", "latest_tag"),
    mut(
        "run-password-literal",
        "ctr-postgres-volume-limits",
        "POSTGRES_PASSWORD_FILE=/run/secrets/pg_password",
        "POSTGRES_PASSWORD=supersecret",
        "secret_in_env",
        "POSTGRES_PASSWORD",
    ),
    mut(
        "run-no-restart",
        "ctr-postgres-volume-limits",
        "--restart unless-stopped ",
        "",
        "flag",
        "restart",
    ),
    mut(
        "run-restart-always",
        "ctr-postgres-volume-limits",
        "--restart unless-stopped",
        "--restart=always",
        "flag",
        "unless-stopped",
    ),
    mut(
        "run-no-memory",
        "ctr-postgres-volume-limits",
        "--memory 1g --memory-swap 1g ",
        "",
        "flag",
        "memory",
    ),
    mut(
        "run-memory-too-big", "ctr-postgres-volume-limits", "--memory 1g", "-m 4g", "flag", "memory"
    ),
    mut(
        "run-anonymous-volume",
        "ctr-postgres-volume-limits",
        "--mount type=volume,source=pgdata,target=/var/lib/postgresql/data",
        "-v /var/lib/postgresql/data",
        "anonymous_volume",
    ),
    mut("run-privileged", "sec-hardened-run", "--cap-drop ALL", "--privileged", "privileged"),
    mut(
        "run-all-interfaces",
        "ctr-api-limits-localhost",
        "-p 127.0.0.1:8080:3000",
        "-p 8080:3000",
        "publish_all_interfaces",
        "all host addresses",
    ),
    mut(
        "run-explicit-0000",
        "net-admin-localhost",
        "127.0.0.1:9000:8080",
        "0.0.0.0:9000:8080",
        "publish_all_interfaces",
    ),
    mut(
        "run-publish-all",
        "net-admin-localhost",
        "-p 127.0.0.1:9000:8080",
        "-P",
        "publish_all_interfaces",
        "-P",
    ),
    mut("run-link", "net-user-bridge", "--network appnet", "--link db:db", "link"),
    mut(
        "run-docker-sock",
        "sec-hardened-run",
        "--cap-drop ALL",
        "--cap-drop ALL -v /var/run/docker.sock:/var/run/docker.sock",
        "docker_sock",
    ),
    mut(
        "run-unknown-flag",
        "ctr-api-limits-localhost",
        "--pids-limit 200",
        "--pid-limit 200",
        "syntax",
        "did you mean --pids-limit",
    ),
    mut(
        "run-bad-restart-value",
        "ctr-init-stop-timeout",
        "--init",
        "--init --restart sometimes",
        "syntax",
        "restart",
    ),
    mut("run-no-cap-drop", "sec-bind-low-port", "--cap-drop ALL ", "", "flag", "cap-drop"),
    Broken(
        "run-compose-v1",
        "ctr-oneoff-migration",
        "docker-compose run --rm app python manage.py migrate\n",
        "compose_v1",
        "docker-compose",
    ),
    mut("build-latest", "img-build-version-tag", ":1.4.2", ":latest", "latest_tag", ":latest"),
    mut(
        "build-arg-secret",
        "ci-build-secret",
        '--secret id=npmrc,src="$HOME/.npmrc"',
        "--build-arg NPM_TOKEN=$NPM_TOKEN",
        "secret_in_env",
        "build-arg",
    ),
    mut(
        "build-no-cache-to",
        "ci-registry-cache",
        "  --cache-to type=registry,ref=registry.example.com/team/api:buildcache,mode=max \\\n",
        "",
        "flag",
        "cache-to",
    ),
    mut(
        "ci-compose-v1", "ci-compose-tests", "docker compose -f", "docker-compose -f", "compose_v1"
    ),
    # ---- Compose
    mut(
        "compose-version",
        "cmp-wait-healthy-db",
        "services:\n",
        'version: "3.8"\nservices:\n',
        "version_key",
        "version",
    ),
    mut(
        "compose-latest",
        "cmp-wait-healthy-db",
        "image: postgres:17",
        "image: postgres:latest",
        "latest_tag",
    ),
    mut(
        "compose-secret-env",
        "cmp-secrets-file",
        "POSTGRES_PASSWORD_FILE: /run/secrets/db_password",
        "POSTGRES_PASSWORD: s3cret",
        "secret_in_env",
        "POSTGRES_PASSWORD",
    ),
    mut(
        "compose-depends-short",
        "cmp-wait-healthy-db",
        "depends_on:\n      db:\n        condition: service_healthy\n        restart: true\n",
        "depends_on: [db]\n",
        "depends_on_short",
        "only orders",
    ),
    mut(
        "compose-healthy-without-check",
        "cmp-migrate-then-api",
        '    healthcheck:\n      test: ["CMD-SHELL", "pg_isready -U postgres"]\n      interval: 5s\n      retries: 10\n',
        "",
        "syntax",
        "no healthcheck",
    ),
    mut(
        "compose-anonymous-volume",
        "vol-compose-named-db",
        "- pgdata:/var/lib/postgresql/data",
        "- /var/lib/postgresql/data",
        "anonymous_volume",
    ),
    mut(
        "compose-undeclared-volume",
        "vol-compose-named-db",
        "volumes:\n  pgdata: {}\n",
        "",
        "syntax",
        "not declared",
    ),
    mut(
        "compose-all-interfaces",
        "cmp-project-name-no-version",
        '"127.0.0.1:8080:80"',
        '"8080:80"',
        "ports_localhost",
    ),
    mut(
        "compose-privileged",
        "sec-compose-hardened",
        "read_only: true",
        "read_only: true\n    privileged: true",
        "privileged",
    ),
    mut(
        "compose-sock",
        "sec-compose-hardened",
        "    tmpfs:\n",
        "    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n    tmpfs:\n",
        "docker_sock",
    ),
    mut(
        "compose-links",
        "net-compose-internal",
        "networks: [frontend, backend]",
        "links: [db]\n    networks: [frontend, backend]",
        "links",
    ),
    mut(
        "compose-command-v1",
        "ci-compose-sut",
        'command: ["pytest", "-q"]',
        'command: ["sh", "-c", "docker-compose run tests"]',
        "compose_v1",
    ),
    mut(
        "compose-no-profile",
        "cmp-profile-adminer",
        "    profiles: [debug]\n",
        "",
        "service_key",
        "profiles",
    ),
    mut(
        "compose-unknown-key",
        "cmp-project-name-no-version",
        "    image: nginx:1.28",
        "    imagee: nginx:1.28",
        "syntax",
        "did you mean image",
    ),
    mut("compose-no-memory", "perf-compose-limits", "          memory: 512M\n", "", "memory_limit"),
    mut(
        "compose-not-internal",
        "net-compose-internal",
        "internal: true",
        "internal: false",
        "top_key",
    ),
]


def test_catalogue_is_big_and_covers_every_anti_pattern() -> None:
    assert len(CATALOGUE) >= 40
    assert len({b.name for b in CATALOGUE}) == len(CATALOGUE)
    caught = {b.check for b in CATALOGUE}
    anti_patterns = {
        "latest_tag", "secret_in_env", "runs_as_root", "apt_update_split", "apt_no_recommends",
        "pkg_cache_left", "add_local", "copy_all_before_install", "healthcheck", "privileged",
        "publish_all_interfaces", "shell_form_entrypoint", "flag", "anonymous_volume",
        "depends_on_short", "version_key", "compose_v1", "docker_sock", "link", "links",
    }  # fmt: skip
    assert anti_patterns <= caught, anti_patterns - caught
    kinds = {_BOOK.tasks[b.task].kind for b in CATALOGUE}
    assert kinds == {"dockerfile", "docker_run", "docker_cli", "compose"}


@pytest.mark.parametrize("case", CATALOGUE, ids=lambda b: b.name)
def test_broken_answer_is_caught_with_the_right_finding(book: TaskBook, case: Broken) -> None:
    report = check(case.task, case.answer, book=book, lint=False)
    assert report.problem is None, report.problem
    assert not report.ok
    hits = [f for f in report.failures if f.check == case.check]
    assert hits, f"{case.name}: expected {case.check}, got\n{report.to_text()}"
    if case.says:
        text = " ".join(f"{f.message} {f.detail}" for f in hits).lower()
        assert case.says.lower() in text, f"{case.name}: {text}"
    for f in hits:
        if f.role in ("require", "forbid"):
            assert f.cite is not None and f.cite.line, f


def test_the_original_model_answers_in_the_catalogue_pass(book: TaskBook) -> None:
    for task_id in {b.task for b in CATALOGUE}:
        task = book.tasks[task_id]
        assert check(task, task.model_answer, book=book, lint=False).ok, task_id
