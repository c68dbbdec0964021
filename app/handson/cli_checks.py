"""Checks over parsed docker command lines (`docker run`, `docker build`, `docker compose`)."""

from __future__ import annotations

import re

from app.handson.commands import Command, Script, canonical, mounts
from app.handson.rules import Checks, Outcome
from app.handson.shared import (
    SECRET_NAME,
    image_ref_problem,
    is_loopback,
    parse_publish,
    parse_size,
)

checks = Checks("cli")


def _select(s: Script, command: str, container: str | None = None) -> list[Command]:
    found = s.of(command)
    if container:
        pat = re.compile(container, re.I)
        found = [
            c
            for c in found
            if (c.first("--name") and pat.search(c.first("--name").value or ""))  # type: ignore[union-attr]
            or (c.image and pat.search(c.image))
        ]
    return found


def _missing(command: str, container: str | None) -> Outcome:
    who = f" for {container}" if container else ""
    return Outcome(False, f"no `docker {command}` command{who}")


@checks("flag")
def flag(
    s: Script,
    name: str,
    command: str = "run",
    container: str | None = None,
    pattern: str | None = None,
    min_size: str | None = None,
    max_size: str | None = None,
) -> Outcome:
    """A flag is given (by any alias), optionally with a value matching a regex or a size range."""
    cmds = _select(s, command, container)
    if not cmds:
        return _missing(command, container)
    for c in cmds:
        for o in c.all(name):
            value = o.value if o.value is not None else "true"
            if pattern and not re.search(pattern, value, re.I):
                continue
            size = parse_size(value)
            if min_size and (size is None or size < (parse_size(min_size) or 0)):
                continue
            if max_size and (size is None or size > (parse_size(max_size) or 0)):
                continue
            if value.lower() == "false":
                continue
            return Outcome(True, f"{o.raw} {o.value or ''}".strip(), o.line)
    seen = [o.value for c in cmds for o in c.all(name)]
    return Outcome(False, f"{canonical(command, name)} = {seen}" if seen else f"no {name}")


@checks("publish")
def publish(
    s: Script,
    container_port: str | None = None,
    localhost: bool = False,
    command: str = "run",
    container: str | None = None,
) -> Outcome:
    for c in _select(s, command, container):
        for o in c.all("--publish"):
            p = parse_publish(o.value or "")
            if p is None or (container_port and p.container_port != str(container_port)):
                continue
            if localhost and not is_loopback(p.host_ip):
                continue
            return Outcome(True, f"-p {o.value}", o.line)
    what = "on 127.0.0.1 " if localhost else ""
    return Outcome(False, f"no port {container_port or ''} published {what}".replace("  ", " "))


@checks("publish_all_interfaces")
def publish_all_interfaces(
    s: Script, command: str = "run", container: str | None = None
) -> Outcome:
    """Ports published on every host address (no IP, or 0.0.0.0), or -P."""
    for c in _select(s, command, container):
        if c.has("--publish-all"):
            o = c.first("--publish-all")
            return Outcome(
                True, "-P publishes every exposed port on all addresses", o.line if o else None
            )
        for o in c.all("--publish"):
            p = parse_publish(o.value or "")
            if p is not None and p.host_port is not None and not is_loopback(p.host_ip):
                return Outcome(True, f"-p {o.value} listens on all host addresses", o.line)
            if p is not None and p.host_port is None and p.host_ip is None:
                return Outcome(
                    True, f"-p {o.value} publishes a random port on all addresses", o.line
                )
    return Outcome(False)


@checks("named_volume")
def named_volume(
    s: Script, target: str | None = None, command: str = "run", container: str | None = None
) -> Outcome:
    for c in _select(s, command, container):
        for m, o in mounts(c):
            if m.type == "volume" and m.source and (not target or m.target == target):
                return Outcome(True, f"volume {m.source} -> {m.target}", o.line)
    return Outcome(False, f"no named volume mounted at {target or 'any path'}")


@checks("anonymous_volume")
def anonymous_volume(s: Script, command: str = "run", container: str | None = None) -> Outcome:
    for c in _select(s, command, container):
        for m, o in mounts(c):
            if m.type == "volume" and not m.source:
                return Outcome(True, f"{o.raw} {o.value}: a volume with no name", o.line)
    return Outcome(False)


@checks("bind_mount")
def bind_mount(
    s: Script,
    target: str | None = None,
    readonly: bool | None = None,
    command: str = "run",
    container: str | None = None,
) -> Outcome:
    for c in _select(s, command, container):
        for m, o in mounts(c):
            if m.type != "bind" or (target and not re.search(target, m.target or "")):
                continue
            if readonly is not None and m.readonly != readonly:
                continue
            return Outcome(True, f"bind {m.source} -> {m.target}", o.line)
    ro = " read-only" if readonly else ""
    return Outcome(False, f"no{ro} bind mount at {target or 'any path'}")


@checks("tmpfs")
def tmpfs(
    s: Script, target: str = "/tmp", command: str = "run", container: str | None = None
) -> Outcome:
    for c in _select(s, command, container):
        for m, o in mounts(c):
            if m.type == "tmpfs" and m.target == target:
                return Outcome(True, f"tmpfs at {target}", o.line)
    return Outcome(False, f"no tmpfs at {target}")


@checks("privileged")
def privileged(s: Script, command: str = "run", container: str | None = None) -> Outcome:
    for c in s.commands:
        if c.has("--privileged"):
            o = c.first("--privileged")
            return Outcome(True, "--privileged", o.line if o else c.line)
    return Outcome(False)


@checks("docker_sock")
def docker_sock(s: Script, command: str = "run", container: str | None = None) -> Outcome:
    for c in s.commands:
        for m, o in mounts(c):
            if m.source and m.source.rstrip("/").endswith("docker.sock"):
                return Outcome(True, f"mounts {m.source}", o.line)
    return Outcome(False)


@checks("link")
def link(s: Script, command: str = "run", container: str | None = None) -> Outcome:
    for c in s.commands:
        o = c.first("--link")
        if o is not None:
            return Outcome(True, f"--link {o.value}", o.line)
    return Outcome(False)


@checks("latest_tag")
def latest_tag(s: Script, command: str = "run", container: str | None = None) -> Outcome:
    """An image run without a tag (or :latest), or a build tagged only :latest."""
    for c in s.commands:
        if c.image:
            problem = image_ref_problem(c.image)
            if problem:
                return Outcome(True, f"{c.image}: {problem}", c.line)
        if c.sub in ("build", "buildx build"):
            tags = [o.value or "" for o in c.all("--tag")]
            for t in tags:
                problem = image_ref_problem(t)
                if problem and len(tags) == 1:
                    return Outcome(True, f"-t {t}: {problem}", c.line)
    return Outcome(False)


@checks("secret_in_env")
def secret_in_env(s: Script, command: str = "run", container: str | None = None) -> Outcome:
    """`-e DB_PASSWORD=hunter2` or `--build-arg TOKEN=...`: a literal secret on the command line."""
    for c in s.commands:
        for o in (*c.all("--env"), *c.all("--build-arg")):
            key, eq, value = (o.value or "").partition("=")
            if not eq or not SECRET_NAME.search(key) or key.upper().endswith("_FILE"):
                continue
            if c.sub in ("build", "buildx build"):
                return Outcome(
                    True, f"--build-arg {key}: build args land in the image history", o.line
                )
            if value and not value.startswith("$"):
                return Outcome(True, f"{key} is typed on the command line", o.line)
    return Outcome(False)


@checks("compose_v1")
def compose_v1(s: Script, command: str = "run", container: str | None = None) -> Outcome:
    for c in s.commands:
        if c.program == "docker-compose":
            return Outcome(True, f"docker-compose {c.sub.removeprefix('compose ')}", c.line)
    return Outcome(False)


@checks("command_present")
def command_present(
    s: Script,
    sub: str,
    pattern: str | None = None,
    command: str = "run",
    container: str | None = None,
) -> Outcome:
    for c in s.of(sub):
        if pattern and not re.search(pattern, c.raw):
            continue
        return Outcome(True, c.raw[:80], c.line)
    return Outcome(False, f"no `docker {sub}`")


@checks("image")
def image(s: Script, pattern: str, command: str = "run", container: str | None = None) -> Outcome:
    for c in _select(s, command, container):
        if c.image and re.search(pattern, c.image, re.I):
            return Outcome(True, c.image, c.line)
    return Outcome(False, f"image {[c.image for c in _select(s, command, container)]}")


@checks("args")
def args(s: Script, pattern: str, command: str = "run", container: str | None = None) -> Outcome:
    """The command's arguments (after the image for run; the context for build) match a regex."""
    for c in _select(s, command, container):
        text = " ".join(c.args)
        if re.search(pattern, text):
            return Outcome(True, text[:80], c.line)
    return Outcome(False, "the arguments do not match")


@checks("user_defined_network")
def user_defined_network(s: Script, command: str = "run", container: str | None = None) -> Outcome:
    for c in _select(s, command, container):
        o = c.first("--network")
        if (
            o
            and (o.value or "") not in ("bridge", "host", "none", "default", "")
            and not (o.value or "").startswith("container:")
        ):
            return Outcome(True, f"--network {o.value}", o.line)
    return Outcome(False, "not attached to a user-defined network")


@checks("non_root_user")
def non_root_user(s: Script, command: str = "run", container: str | None = None) -> Outcome:
    for c in _select(s, command, container):
        o = c.first("--user")
        if o and (o.value or "").split(":")[0] not in ("root", "0", ""):
            return Outcome(True, f"--user {o.value}", o.line)
    return Outcome(False, "no --user, so the image's user (often root) is used")
