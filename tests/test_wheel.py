"""The installed package, run the container's way: a wheel, installed non-editable into a
throwaway folder, started from a directory outside the checkout.

Every other test imports `app` from the checkout, where `knowledge/` and `prompts/` sit next to
the package; this one proves the wheel carries what it needs (an installed mentor once answered
mock interviews and /api/grade with HTTP 500: TemplateNotFound).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.settings import ROOT
from tests.support.process import stop, wait_for_readyz
from tests.web.helpers import SHARED_INDEX, free_port

pytestmark = pytest.mark.slow

READY_TIMEOUT = 240


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout, installed with --target (no editable finder)."""
    dist = tmp_path_factory.mktemp("dist")
    target = tmp_path_factory.mktemp("site")
    # build from a copy of what the sdist holds: an in-tree build would leave build/ and
    # *.egg-info in the checkout
    source = tmp_path_factory.mktemp("src") / "mentor"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "build", "*.egg-info", "_content")
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("app", "knowledge", "prompts"):
        shutil.copytree(ROOT / name, source / name, ignore=skip)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    build = [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(source)]
    subprocess.run(build, check=True, cwd=dist, timeout=300)
    wheels = list(dist.glob("docker_interview_mentor-*.whl"))
    assert len(wheels) == 1, wheels
    install = [
        *pip,
        "install",
        "--no-deps",
        "--no-compile",
        "--target",
        str(target),
        str(wheels[0]),
    ]
    subprocess.run(install, check=True, cwd=dist, timeout=300)
    return target


def _env(site: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MENTOR_") and k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")
    }
    # the installed copy first: the checkout's editable install must not be what runs
    env.update(PYTHONPATH=str(site), HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1", **extra)
    return env


def _where_app(site: Path, env: dict[str, str], cwd: Path) -> Path:
    code = "import app, app.settings as s; print(app.__file__); print(s.in_checkout())"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[1] == "False", out
    return Path(out[0])


@pytest.fixture(params=["dockerfile-env", "bare"])
def server(request: pytest.FixtureRequest, installed: Path, tmp_path: Path) -> Iterator[str]:
    """`mentor serve` from the installed wheel, cwd outside the checkout.

    dockerfile-env: the runtime stage's variables (knowledge and prompts copied next to the
    app, a baked index, a data volume); bare: nothing set but HOME/XDG, so every path comes from
    the defaults an installed package must get right.
    """
    work = tmp_path / "app"
    work.mkdir()
    if request.param == "dockerfile-env":
        shutil.copytree(ROOT / "knowledge", work / "knowledge")
        shutil.copytree(ROOT / "prompts", work / "prompts")
        env = _env(
            installed,
            MENTOR_KNOWLEDGE_DIR=str(work / "knowledge"),
            MENTOR_PROMPTS_DIR=str(work / "prompts"),
            MENTOR_INDEX_DIR=str(SHARED_INDEX),
            MENTOR_DATA_DIR=str(tmp_path / "data"),
        )
    else:
        env = _env(installed, HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "xdg"))
        # the shared cache saves the build; the bare default would be <XDG_DATA_HOME>/.../index
        env["MENTOR_INDEX_DIR"] = str(SHARED_INDEX)
    assert _where_app(installed, env, work).is_relative_to(installed)
    port = free_port()
    script = installed / "bin" / "mentor"
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(script), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=work,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        ready = wait_for_readyz(base, READY_TIMEOUT, died=lambda: proc.poll() is not None)
        assert ready, log_path.read_text()[-3000:]
        yield base
    finally:
        stop(proc)
    if request.param == "bare":
        assert (tmp_path / "xdg" / "docker-interview-mentor" / "mentor.db").is_file()
    else:
        assert (tmp_path / "data" / "mentor.db").is_file()


def test_installed_wheel_serves_notes_interviews_grading_and_the_page(server: str) -> None:
    with httpx.Client(base_url=server, timeout=60) as client:
        note = client.get("/api/sections/5")
        assert note.status_code == 200
        assert note.json()["markdown"].startswith("## Section 5: Docker Networking")

        chat = client.post("/api/chat", json={"message": "Start from Section 5"})
        assert chat.status_code == 200, chat.text
        assert chat.json()["intent"] == "section" and chat.json()["section"] == 5

        start = client.post("/api/chat", json={"message": "mock interview on networking"})
        assert start.status_code == 200, start.text
        conv = start.json()["conversation_id"]
        assert start.json()["intent"] == "interview"
        turn = client.post(
            "/api/chat",
            json={
                "message": "a user-defined bridge gives containers DNS by name; "
                "the default bridge does not",
                "conversation_id": conv,
            },
        )
        assert turn.status_code == 200, turn.text
        assert turn.json()["intent"] == "answer"
        assert re.search(r"\b(strong|partial|wrong)\b", turn.json()["markdown"], re.I)

        graded = client.post(
            "/api/grade",
            json={
                "question": "What does docker stop do?",
                "answer": "It sends SIGTERM, waits 10 seconds by default, then sends SIGKILL.",
            },
        )
        assert graded.status_code == 200, graded.text
        assert graded.json()["grade"] in ("strong", "partial", "wrong")

        page = client.get("/")
        assert page.status_code == 200
        assets = re.findall(r'(?:href|src)="(/static/[^"?#]+)', page.text)
        assert assets, "the page links no static files"
        for asset in assets:
            assert client.get(asset).status_code == 200, asset
