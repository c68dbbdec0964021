"""The docker command-line parser on the forms people really write."""

from __future__ import annotations

from app.handson import commands
from app.handson.commands import parse_mount, parse_volume


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
