"""The three parsers on the forms people really write."""

from __future__ import annotations

import pytest

from app.handson import commands, compose_checks, dockerfile_checks
from app.handson.commands import parse_mount, parse_publish, parse_volume

# ---------------------------------------------------------------- docker command lines


def test_continuations_prompt_sudo_and_several_commands() -> None:
    script = commands.parse(
        "$ sudo docker network create appnet && \\\n"
        "  docker run -dit --name=api --network appnet \\\n"
        "    -p8080:80 -e A=1 --env B --rm=false -m 512m nginx:1.28 nginx -g 'daemon off;'\n"
    )
    assert [c.sub for c in script.commands] == ["network create", "run"]
    run = script.of("run")[0]
    assert run.image == "nginx:1.28"
    assert run.args == ["nginx", "-g", "daemon off;"]
    names = [o.name for o in run.opts]
    assert names[:3] == ["--detach", "--interactive", "--tty"]
    assert run.first("--name").value == "api"  # type: ignore[union-attr]
    assert run.first("-p").value == "8080:80"  # type: ignore[union-attr]
    assert run.first("--memory").value == "512m"  # type: ignore[union-attr]
    assert [o.value for o in run.all("-e")] == ["A=1", "B"]
    assert not run.has("--rm")  # --rm=false
    assert run.line == 1 and not run.errors  # one logical line, joined by the continuation


def test_management_commands_and_aliases() -> None:
    script = commands.parse("docker container run --net=appnet --net-alias db postgres:17")
    run = script.commands[0]
    assert run.sub == "run"
    assert run.first("--network").value == "appnet"  # type: ignore[union-attr]
    assert run.first("--network-alias").value == "db"  # type: ignore[union-attr]


def test_unknown_flags_and_missing_values_are_reported() -> None:
    run = commands.parse("docker run --memroy 1g --cpus fast -p 99999999 postgres:17").commands[0]
    messages = " | ".join(m for _, m in run.errors)
    assert "did you mean --memory" in messages
    assert "--cpus 'fast'" in messages
    assert "-p '99999999'" in messages
    assert run.image == "postgres:17"  # the typo's value was not taken for the image
    tail = commands.parse("docker run postgres:17 --restart").commands[0]
    assert tail.image == "postgres:17" and tail.args == ["--restart"]  # after the image: args
    lone = commands.parse("docker run -d --restart").commands[0]
    assert any("needs a value" in m for _, m in lone.errors)


def test_compose_v1_and_v2_parse_alike() -> None:
    v1 = commands.parse("docker-compose -f a.yaml up -d --build").commands[0]
    v2 = commands.parse("docker compose -f a.yaml up -d --build").commands[0]
    assert (v1.program, v2.program) == ("docker-compose", "docker")
    assert v1.sub == v2.sub == "compose up"
    assert v1.first("--file").value == v2.first("-f").value == "a.yaml"  # type: ignore[union-attr]
    assert v1.has("--detach") and v2.has("--build")


def test_buildx_flags() -> None:
    build = commands.parse(
        "docker buildx build --platform=linux/amd64,linux/arm64 -t a/b:1 --push -f Dockerfile ."
    ).commands[0]
    assert build.sub == "buildx build"
    assert build.first("--tag").value == "a/b:1"  # type: ignore[union-attr]
    assert build.positionals == ["."]


@pytest.mark.parametrize(
    ("value", "ip", "host", "ctr"),
    [
        ("80", None, None, "80"),
        ("8080:80", None, "8080", "80"),
        ("127.0.0.1:8080:80", "127.0.0.1", "8080", "80"),
        ("127.0.0.1::80", "127.0.0.1", None, "80"),
        ("[::1]:8080:80/udp", "[::1]", "8080", "80"),
        ("8000-8010:80-90", None, "8000-8010", "80-90"),
    ],
)
def test_publish_forms(value: str, ip: str | None, host: str | None, ctr: str) -> None:
    p = parse_publish(value)
    assert p is not None and (p.host_ip, p.host_port, p.container_port) == (ip, host, ctr)


def test_mount_and_volume_forms() -> None:
    m, err = parse_mount("type=volume,src=pgdata,dst=/var/lib/postgresql/data,readonly")
    assert err is None and m is not None
    assert (m.type, m.source, m.target, m.readonly) == (
        "volume",
        "pgdata",
        "/var/lib/postgresql/data",
        True,
    )
    assert parse_mount("type=volume,source=x")[1] == "--mount needs target=<path in the container>"
    assert "no key" in (parse_mount("type=bind,sauce=/x,target=/y")[1] or "")
    named, _ = parse_volume("pgdata:/data:ro")
    bind, _ = parse_volume("$(pwd)/conf:/etc/conf")
    anon, _ = parse_volume("/data")
    assert named and named.type == "volume" and named.readonly
    assert bind and bind.type == "bind"
    assert anon and anon.type == "volume" and anon.source is None
    assert parse_volume("data")[1] and parse_volume("a:b")[1]


# ---------------------------------------------------------------- Dockerfiles


def test_dockerfile_stages_heredocs_and_json_forms() -> None:
    model = dockerfile_checks.parse(
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
    problems = dockerfile_checks.syntax_problems(model)
    assert any("single quotes" in m for _, m in problems)
    # FROM build names an earlier stage, and python:${PY}-slim is a variable: neither is :latest
    assert not dockerfile_checks.latest_tag(model).hit


def test_dockerfile_stage_reference_is_not_an_untagged_image() -> None:
    model = dockerfile_checks.parse("FROM golang:1.25 AS build\nFROM build AS test\nFROM test\n")
    assert not dockerfile_checks.latest_tag(model).hit


def test_secret_name_rules() -> None:
    def hit(text: str) -> bool:
        return dockerfile_checks.secret_in_env(dockerfile_checks.parse(text)).hit

    assert hit("FROM a:1\nENV DB_PASSWORD=x\n")
    assert hit("FROM a:1\nARG GITHUB_TOKEN\n")
    assert hit("FROM a:1\nARG T\nENV API_KEY=$T\n")
    assert not hit("FROM a:1\nENV POSTGRES_PASSWORD_FILE=/run/secrets/pg\n")
    assert not hit("FROM a:1\nENV NODE_ENV=production PORT=8080\n")


# ---------------------------------------------------------------- Compose


def test_compose_spec_errors_are_found_with_lines() -> None:
    model = compose_checks.parse(
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


def test_service_selection_by_role() -> None:
    model = compose_checks.parse(
        "services:\n  postgres:\n    image: postgres:17\n  backend:\n    build: ./api\n"
    )
    assert compose_checks.select(model, {"name": ["db"], "image": "postgres"})[0] == "postgres"  # type: ignore[index]
    assert compose_checks.select(model, {"name": ["api"], "build": True})[0] == "backend"  # type: ignore[index]
    assert compose_checks.select(model, {"name": ["cache"], "image": "redis"}) is None
