"""Every hands-on task, both ways: its model answer passes its own rules, and one deliberately
wrong answer (a mistake candidates really make) fails with a cited finding of the expected rule.

`WRONG` must name every task in the book: a new task without a wrong answer fails
`test_every_task_has_a_wrong_answer`. Wrong answers are whole answers, not edits of the model
answer, so rewording a model answer does not break them.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from app.handson import check
from app.handson.model import TaskBook, WrongAnswer, load_tasks
from app.handson.validate import answer_problems
from tests.conftest import KNOWLEDGE

_BOOK = load_tasks(KNOWLEDGE / "tasks", KNOWLEDGE / "sections")


def w(check_: str, answer: str, rule: str = "") -> WrongAnswer:
    """A wrong answer that must fail `check_` (the rule id `rule` when the task has several)."""
    return WrongAnswer(fails=check_, answer=answer, rule=rule)


WRONG: dict[str, WrongAnswer] = {
    # ---------------------------------------------------------------- 1 introduction
    "intro-cgroup-limits": w(
        "flag", "docker run --rm alpine:3.22 cat /sys/fs/cgroup/memory.max"
    ),  # no --memory: memory.max prints "max"
    "intro-pid-namespace": w("flag", "docker run --rm --pid host alpine:3.22 ps", "pid_host"),
    "intro-uts-hostname": w("flag", "docker run --rm --uts host alpine:3.22 hostname", "uts_host"),
    # ---------------------------------------------------------------- 2 installation and setup
    "setup-verify-install": w(
        "compose_v1",
        """
docker version
docker run --rm hello-world
docker-compose version
docker buildx version
""",
    ),
    "setup-context-ssh": w(
        "command_present",
        """
docker context create prod --docker "host=tcp://prod-1.example.com:2375"
docker --context prod ps
""",
        "plain_tcp_2375",
    ),
    "setup-build-proxy": w(
        "flag", "HTTPS_PROXY=http://proxy.example.com:3128 docker build -t app:1.0 ."
    ),  # the shell's proxy variable never reaches the build steps
    # ---------------------------------------------------------------- 3 images
    "img-node-cache-order": w(
        "exec_form_start",
        """
FROM node:22-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY . .
USER node
""",
    ),
    "img-apt-one-layer": w(
        "apt_update_split",
        """
FROM debian:bookworm-slim
RUN apt-get update
RUN apt-get install -y --no-install-recommends curl ca-certificates \\
 && curl -fsSLo /tmp/tool.tgz https://example.com/tool.tgz \\
 && tar -xzf /tmp/tool.tgz -C /usr/local/bin \\
 && rm -rf /tmp/tool.tgz /var/lib/apt/lists/*
USER 10001
ENTRYPOINT ["tool"]
""",
    ),
    "img-build-version-tag": w(
        "latest_tag", "docker build -t registry.example.com/team/api:latest ."
    ),
    "img-multiplatform-push": w(
        "flag", "docker buildx build -t registry.example.com/team/api:1.4.2 --push ."
    ),
    # ---------------------------------------------------------------- 4 containers
    "ctr-postgres-volume-limits": w(
        "secret_in_env",
        """
docker run -d --name db -v pgdata:/var/lib/postgresql/data --memory 1g \\
  --restart unless-stopped -e POSTGRES_PASSWORD=hunter2 postgres:17
""",
    ),
    "ctr-api-limits-localhost": w(
        "publish_all_interfaces",
        """
docker run -d --name api --memory 512m --memory-swap 512m --cpus 1.5 --pids-limit 200 \\
  --restart unless-stopped -p 8080:3000 registry.example.com/team/api:1.4.2
""",
    ),
    "ctr-init-stop-timeout": w(
        "flag",
        "docker run -d --name worker --stop-timeout 30 registry.example.com/team/worker:2.0.1",
    ),
    "ctr-oneoff-migration": w(
        "flag",
        """
docker run --network appnet --env-file .env.migrate \\
  registry.example.com/team/app:1.4.2 python manage.py migrate
""",
    ),
    # ---------------------------------------------------------------- 5 networking
    "net-user-bridge": w(
        "link",
        """
docker run -d --name db postgres:17
docker run -d --name api --link db -p 127.0.0.1:8080:3000 registry.example.com/team/api:1.4.2
""",
    ),
    "net-admin-localhost": w(
        "publish_all_interfaces", "docker run -d --name adminer -p 9000:8080 adminer:5"
    ),
    "net-host-gateway": w(
        "flag",
        "docker run --rm curlimages/curl:8.11.1 -fsS http://localhost:5000/health",
    ),  # localhost inside the container is the container itself
    "net-compose-internal": w(
        "top_key",
        """
services:
  web:
    image: nginx:1.28
    ports:
      - "127.0.0.1:8080:80"
    networks: [frontend, backend]
  db:
    image: postgres:17
    environment:
      POSTGRES_PASSWORD: "${DB_PASSWORD:?DB_PASSWORD must be set}"
    volumes:
      - dbdata:/var/lib/postgresql/data
    networks: [backend]
networks:
  frontend: {}
  backend: {}
volumes:
  dbdata: {}
""",
    ),
    # ---------------------------------------------------------------- 6 volumes and storage
    "vol-config-bind-readonly": w(
        "bind_mount",
        """
docker run -d --name web -v "$(pwd)/nginx.conf:/etc/nginx/nginx.conf" \\
  -p 127.0.0.1:8080:80 nginx:1.28
""",
    ),
    "vol-backup-tarball": w(
        "flag",
        'docker run -v pgdata:/data -v "$(pwd)":/backup alpine:3.22 tar czf /backup/b.tgz -C /data .',
    ),
    "vol-readonly-root": w(
        "anonymous_volume",
        """
docker run -d --name api --read-only --tmpfs /tmp \\
  -v /app/uploads registry.example.com/team/api:1.4.2
""",
    ),
    "vol-compose-named-db": w(
        "anonymous_volume",
        """
services:
  db:
    image: postgres:17
    environment:
      POSTGRES_PASSWORD: "${PG_PASSWORD:?set PG_PASSWORD}"
    volumes:
      - /var/lib/postgresql/data
""",
    ),
    # ---------------------------------------------------------------- 7 advanced Dockerfile
    "df-python-nonroot-cache": w(
        "runs_as_root",
        """
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
""",
    ),
    "df-go-multistage-distroless": w(
        "multi_stage",
        """
FROM golang:1.25
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/api ./cmd/api
USER 65532:65532
ENTRYPOINT ["/out/api"]
""",
    ),
    "df-npm-secret-mount": w(
        "secret_in_env",
        """
FROM node:22-bookworm-slim
ARG NPM_TOKEN
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --chown=node:node . .
USER node
CMD ["node", "server.js"]
""",
    ),
    "df-healthcheck": w(
        "healthcheck",
        """
FROM python:3.12-slim
WORKDIR /app
COPY app/ ./app/
USER 10001
EXPOSE 8080
CMD ["python", "-m", "app"]
""",
    ),
    "df-entrypoint-cmd": w(
        "shell_form_entrypoint",
        """
FROM node:22-bookworm-slim
WORKDIR /app
COPY cli.js ./
USER node
ENTRYPOINT node cli.js
CMD ["--help"]
""",
    ),
    "df-static-site-copy": w(
        "add_local",
        """
FROM nginxinc/nginx-unprivileged:1.28-alpine
ADD --chown=101:101 dist/ /usr/share/nginx/html/
USER 101
""",
    ),
    "df-build-cache-mount": w(
        "run_mount",
        """
FROM python:3.13-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY worker.py .
USER 10001:10001
CMD ["python", "worker.py"]
""",
    ),
    # ---------------------------------------------------------------- 8 compose
    "cmp-wait-healthy-db": w(
        "depends_on_short",
        """
services:
  api:
    build: ./api
    environment:
      DB_HOST: db
    depends_on: [db]
  db:
    image: postgres:17
    environment:
      POSTGRES_PASSWORD: "${DB_PASSWORD:?DB_PASSWORD must be set}"
    volumes:
      - dbdata:/var/lib/postgresql/data
volumes:
  dbdata: {}
""",
    ),
    "cmp-project-name-no-version": w(
        "version_key",
        """
version: "3.8"
services:
  web:
    image: nginx:1.28
    ports:
      - "8080:80"
""",
    ),
    "cmp-profile-adminer": w(
        "service_key",
        """
services:
  db:
    image: postgres:17
    environment:
      POSTGRES_PASSWORD: "${DB_PASSWORD:?DB_PASSWORD must be set}"
    volumes:
      - dbdata:/var/lib/postgresql/data
  adminer:
    image: adminer:5
    ports:
      - "127.0.0.1:8081:8080"
volumes:
  dbdata: {}
""",
    ),
    "cmp-secrets-file": w(
        "secret_in_env",
        """
services:
  db:
    image: postgres:17
    environment:
      POSTGRES_PASSWORD: hunter2
    volumes:
      - dbdata:/var/lib/postgresql/data
volumes:
  dbdata: {}
""",
    ),
    "cmp-migrate-then-api": w(
        "depends_on",
        """
services:
  db:
    image: postgres:17
    environment:
      POSTGRES_PASSWORD: "${DB_PASSWORD:?DB_PASSWORD must be set}"
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
      interval: 5s
      retries: 10
  migrate:
    build: ./api
    command: ["python", "manage.py", "migrate"]
    depends_on:
      db:
        condition: service_healthy
  api:
    build: ./api
    depends_on:
      migrate:
        condition: service_started
""",
    ),
    # ---------------------------------------------------------------- 9 swarm
    "swarm-service-replicas": w(
        "command_present", "docker service create --name web -p 8080:80 nginx:1.28-alpine"
    ),
    "swarm-rolling-update": w(
        "command_present",
        "docker service update --image registry.example.com/shop/web:2.5.0 web",
    ),  # the defaults: stop-first, pause on failure, no delay
    "swarm-stack-file": w(
        "service_key",
        """
services:
  web:
    build: .
    image: registry.example.com/shop/web:2.4.1
    restart: always
    ports:
      - "8080:8080"
    deploy:
      replicas: 4
""",
        "stack_build",
    ),
    "swarm-secret-service": w(
        "command_present",
        "docker service create --name db -e POSTGRES_PASSWORD=hunter2 postgres:17",
        "password_in_env",
    ),
    "swarm-drain-node": w(
        "command_present", "docker node update --availability pause manager-1"
    ),  # pause stops new tasks but leaves the running ones there
    "swarm-encrypted-overlay": w("flag", "docker network create -d overlay --attachable backend"),
    # ---------------------------------------------------------------- 10 kubernetes
    "k8s-limits-to-flags": w(
        "flag",
        """
docker run -d --name web --memory-reservation 256m --cpu-shares 512 \\
  registry.example.com/shop/web:2.4.1
""",
    ),
    "k8s-security-context-flags": w(
        "flag",
        """
docker run -d --name web --user 1000:1000 --cap-add NET_BIND_SERVICE \\
  registry.example.com/shop/web:2.4.1
""",
    ),
    "k8s-pod-shared-network": w(
        "flag",
        "docker run -d --name app-shipper --network host fluent/fluent-bit:4.0.3",
        "host_network",
    ),
    # ---------------------------------------------------------------- 11 security
    "sec-hardened-run": w(
        "privileged",
        """
docker run -d --name api --privileged --user 10001:10001 \\
  -p 127.0.0.1:8080:8080 registry.example.com/shop/api:2.4.1
""",
    ),
    "sec-bind-low-port": w(
        "privileged",
        "docker run -d --name edge --privileged -p 80:80 registry.example.com/shop/edge:3.1.0",
    ),
    "sec-dockerfile-numeric-user": w(
        "user_numeric",
        """
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY . .

FROM node:22-bookworm-slim
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
CMD ["node", "server.js"]
""",
    ),
    "sec-pin-digest": w(
        "base_digest",
        """
FROM gcr.io/distroless/static-debian12:nonroot
COPY --chown=65532:65532 api /api
USER 65532:65532
ENTRYPOINT ["/api"]
""",
    ),
    "sec-compose-hardened": w(
        "docker_sock",
        """
services:
  api:
    image: registry.example.com/shop/api:2.4.1
    user: "10001:10001"
    read_only: true
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
    ports:
      - "127.0.0.1:8080:8080"
""",
    ),
    # ---------------------------------------------------------------- 12 registries
    "reg-login-password-stdin": w(
        "command_present",
        'docker login -u ci-bot -p "$REGISTRY_TOKEN" registry.example.com',
        "password_flag",
    ),
    "reg-tag-and-push": w(
        "command_present", "docker push shop/web:2.4.1"
    ),  # no registry host in the name: this goes to Docker Hub
    "reg-local-registry": w(
        "publish_all_interfaces",
        "docker run -d --name registry -p 5000:5000 -v registry-data:/var/lib/registry registry:3",
    ),
    "reg-run-by-digest": w(
        "image",
        "docker run -d --name web -p 127.0.0.1:8080:8080 registry.example.com/shop/web:2.4.1",
    ),
    # ---------------------------------------------------------------- 13 monitoring and logging
    "log-run-local-driver": w(
        "flag",
        "docker run -d --name api --log-opt max-file=3 registry.example.com/team/api:1.4.2",
    ),  # json-file by default, and max-file does nothing without max-size
    "log-compose-rotation": w(
        "service_key",
        """
services:
  api:
    image: registry.example.com/team/api:1.4.2
""",
    ),
    "log-follow-recent": w("command_present", "docker logs api | tail -n 100"),
    "mon-events-oom": w("command_present", "docker events --filter type=container"),
    "mon-stats-snapshot": w("flag", "docker stats"),
    # ---------------------------------------------------------------- 14 debugging
    "dbg-netshoot-sidecar": w(
        "privileged",
        "docker run --rm -it --privileged --network container:api nicolaka/netshoot:v0.13",
    ),
    "dbg-inspect-state": w("command_present", "docker inspect api"),
    "dbg-entrypoint-shell": w(
        "flag", "docker run -it --rm registry.example.com/team/api:1.4.2 sh"
    ),  # sh only becomes an argument to the image's entrypoint
    "dbg-build-plain-output": w("flag", "docker build -t api:dev ."),
    "dbg-build-target-stage": w(
        "flag",
        """
docker build -t api:builder .
docker run -it --rm api:builder sh
""",
    ),
    # ---------------------------------------------------------------- 15 performance
    "perf-run-cpu-memory": w(
        "flag",
        "docker run -d --name api --cpu-shares 1536 --memory-reservation 384m registry.example.com/team/api:1.4.2",
    ),
    "perf-compose-limits": w(
        "memory_limit",
        """
services:
  api:
    image: registry.example.com/team/api:1.4.2
    restart: unless-stopped
    mem_reservation: 384m
""",
    ),
    "perf-node-slim-stages": w(
        "multi_stage",
        """
FROM node:22-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci && npm cache clean --force
COPY . .
RUN npm run build
USER node
CMD ["node", "dist/server.js"]
""",
    ),
    "perf-logging-local": w(
        "flag",
        "docker run -d --name api --log-opt max-size=10m registry.example.com/team/api:1.4.2",
    ),
    # ---------------------------------------------------------------- 16 plugins and extensions
    "plug-volume-driver": w("flag", "docker volume create s3data"),
    "plug-compose-plugin-volume": w(
        "top_key",
        """
services:
  report:
    image: alpine:3.22
    command: ["ls", "/data"]
    volumes:
      - s3data:/data
volumes:
  s3data: {}
""",
    ),
    "plug-gpu-device": w("privileged", "docker run --rm --privileged ubuntu:24.04 nvidia-smi"),
    "plug-gvisor-runtime": w(
        "flag", "docker run --rm --network none registry.example.com/lab/sandbox:1.0"
    ),
    # ---------------------------------------------------------------- 17 CI/CD
    "ci-registry-cache": w(
        "flag", 'docker buildx build -t registry.example.com/team/api:"$GIT_SHA" --push .'
    ),
    "ci-build-secret": w(
        "secret_in_env",
        'docker build --build-arg NPM_TOKEN="$NPM_TOKEN" -t registry.example.com/team/web:2.3.0 .',
    ),
    "ci-test-stage": w(
        "instruction",
        """
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt requirements-dev.txt ./
RUN pip install --no-cache-dir -r requirements.txt -r requirements-dev.txt
COPY . .
RUN python -m pytest -q
USER 10001:10001
CMD ["python", "-m", "src"]
""",
        "dev_deps_in_runtime",
    ),
    "ci-compose-tests": w(
        "compose_v1", "docker-compose -f compose.yaml -f compose.ci.yaml up --build"
    ),
    "ci-compose-sut": w(
        "depends_on_short",
        """
services:
  db:
    image: postgres:17
    environment:
      POSTGRES_PASSWORD: "${DB_PASSWORD:?DB_PASSWORD must be set}"
  sut:
    build: .
    command: ["pytest", "-q"]
    depends_on: [db]
""",
    ),
    # ---------------------------------------------------------------- 18 production
    "prod-compose-resilient-api": w(
        "healthcheck",
        """
services:
  api:
    image: registry.example.com/shop/api:2.4.1
    restart: always
    ports:
      - "8080:8080"
""",
    ),
    "prod-run-restart-health": w(
        "flag",
        "docker run -d --name api --restart always registry.example.com/shop/api:2.4.1",
    ),
    "prod-graceful-node-image": w(
        "instruction",
        """
FROM node:22-alpine
WORKDIR /app
COPY package*.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY . .
USER node
CMD npm start
""",
        "npm_as_pid1",
    ),
    "prod-proxy-only-publishes": w(
        "service_key",
        """
services:
  proxy:
    image: traefik:v3.4
    ports:
      - "80:80"
      - "443:443"
  api:
    image: registry.example.com/shop/api:2.4.1
    ports:
      - "8080:8080"
""",
    ),
    # ---------------------------------------------------------------- 19 troubleshooting
    "ts-port-already-allocated": w(
        "publish_all_interfaces", "docker run -d --name web -p 8081:80 nginx:1.28"
    ),
    "ts-disk-cleanup": w(
        "command_present", "docker system prune -a --volumes -f", "system_prune_volumes"
    ),
    "ts-bind-mount-permissions": w(
        "non_root_user",
        'docker run --rm -v "$(pwd)/data:/app/data" -w /app node:22-bookworm-slim node script.js',
    ),
    "ts-internal-dns": w(
        "flag",
        "docker run --rm --network host busybox:1.37 nslookup db.internal.example.com",
        "host_network_workaround",
    ),
    # ---------------------------------------------------------------- 20 emerging topics
    "emg-sbom-provenance": w(
        "flag", "docker buildx build -t registry.example.com/shop/api:2.4.1 --push ."
    ),
    "emg-scout-gate": w(
        "command_present", "docker scout quickview registry.example.com/shop/api:2.4.1"
    ),  # a summary never fails the job
    "emg-pip-secret-cache": w(
        "instruction",
        """
# syntax=docker/dockerfile:1
FROM python:3.13-slim
WORKDIR /app
COPY pip.conf /etc/pip.conf
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
COPY . .
USER 10001
CMD ["python", "-m", "app"]
""",
        "copy_pip_conf",
    ),
    "emg-compose-model": w(
        "top_key",
        """
services:
  chat:
    image: registry.example.com/team/chat:1.0.0
    environment:
      MODEL_URL: http://localhost:12434/engines/v1
""",
    ),
}

TASK_IDS = sorted(_BOOK.tasks)


def test_every_task_has_a_wrong_answer() -> None:
    missing = set(_BOOK.tasks) - set(WRONG)
    stale = set(WRONG) - set(_BOOK.tasks)
    assert not missing, f"tasks without a wrong answer: {sorted(missing)}"
    assert not stale, f"wrong answers for tasks that no longer exist: {sorted(stale)}"


def test_the_book_covers_most_sections_with_enough_tasks() -> None:
    per = Counter(t.section for t in _BOOK.tasks.values())
    assert sum(per.values()) >= 64, per
    assert len(per) >= 15, per
    assert all(n >= 3 for n in per.values()), per


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_model_passes_and_wrong_answer_fails_with_a_cited_finding(
    book: TaskBook, task_id: str
) -> None:
    task = book.tasks[task_id]
    good = check(task, task.model_answer, book=book, lint=False)
    assert good.problem is None and good.ok, good.to_text()

    wrong = WRONG[task_id]
    assert wrong.answer.strip() != task.model_answer.strip()
    report = check(task, wrong.answer, book=book, lint=False)
    assert report.problem is None, report.problem  # the wrong answer is readable, just wrong
    assert not report.ok
    hits = [
        f
        for f in report.failures
        if f.role in ("require", "forbid")
        and f.check == wrong.fails
        and (not wrong.rule or f.rule == wrong.rule)
    ]
    assert hits, f"{task_id}: expected {wrong.fails} {wrong.rule} to fail, got\n{report.to_text()}"
    # every failing rule is cited to a real line of the notes that holds the quoted phrase
    for f in report.failures:
        if f.role not in ("require", "forbid"):
            continue
        assert f.cite is not None and f.cite.line, f
        line = Path(f.cite.path).read_text(encoding="utf-8").splitlines()[f.cite.line - 1]
        assert _plain(f.cite.quote) in _plain(line), (task_id, f.cite)
    # `mentor check` runs the same validation on wrong answers a task file carries
    assert answer_problems(book, task, [wrong]) == []


def _plain(text: str) -> str:
    """Text as citations compare it: no Markdown markup, whitespace collapsed, lower case."""
    for mark in "`*_":
        text = text.replace(mark, "")
    return " ".join(text.lower().split())
