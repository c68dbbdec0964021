"""Named checks over a parsed Compose file (`compose_model.ComposeModel`): which service plays a
role, and what its keys say (healthchecks, volumes, ports, secrets, limits)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from app.handson.compose_model import (
    ComposeModel,
    has_healthcheck,
    service_mounts,
    service_ports,
)
from app.handson.rules import Checks, Outcome
from app.handson.shared import SECRET_NAME, image_ref_problem, is_literal_secret, is_loopback

checks = Checks("compose")

# ---------------------------------------------------------------- selecting services


def select(model: ComposeModel, service: Any) -> tuple[str, dict[str, Any]] | None:
    """A service by name (or alternatives), else by image regex, else the one with `build`.

    Users name services their own way ("postgres" rather than "db"), so rules describe a role:
    `{name: [db, postgres, database], image: postgres}` or `{build: true}`.
    """
    if isinstance(service, str):
        service = {"name": [service]}
    names = service.get("name") or []
    names = [names] if isinstance(names, str) else names
    svcs = dict(model.service_items())
    for n in names:
        if n in svcs:
            return n, svcs[n]
    image = service.get("image")
    if image:
        for n, s in svcs.items():
            if re.search(image, str(s.get("image", "")), re.I):
                return n, s
    if service.get("build"):
        for n, s in svcs.items():
            if "build" in s and (not image or n not in names):
                return n, s
    return None


def _get(value: Any, path: str) -> tuple[bool, Any]:
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return False, None
    return True, value


def _matches(value: Any, pattern: str | None, equals: Any) -> bool:
    if equals is not None:
        return bool(value == equals or (isinstance(value, list) and equals in value))
    if pattern is None:
        return value is not None
    if isinstance(value, list):
        return any(
            re.search(pattern, json.dumps(v) if not isinstance(v, str) else v) for v in value
        )
    text = value if isinstance(value, str) else json.dumps(value)
    return bool(re.search(pattern, text))


def _who(service: Any) -> str:
    if isinstance(service, str):
        return service
    names = service.get("name") or []
    return "/".join(names if isinstance(names, list) else [names]) or "the built service"


def _on_service(fn: Callable[..., Outcome]) -> Callable[..., Outcome]:
    """Run the check on the service that plays the rule's role; no such service is a miss."""

    @functools.wraps(fn)
    def run(m: ComposeModel, service: Any, **args: Any) -> Outcome:
        found = select(m, service)
        if found is None:
            return Outcome(False, f"no service like {_who(service)}")
        return fn(m, *found, **args)

    return run


# ---------------------------------------------------------------- checks


@checks("service_key")
@_on_service
def service_key(
    m: ComposeModel,
    name: str,
    svc: dict[str, Any],
    path: str,
    pattern: str | None = None,
    equals: Any = None,
    any_of: list[str] | None = None,
    absent: bool = False,
) -> Outcome:
    """A service key (dotted path) exists and matches; `any_of` accepts alternative paths.

    With `absent`, the rule holds when the key is *not* set (e.g. no `profiles` on db).
    """
    if absent:
        ok, value = _get(svc, path)
        if ok:
            return Outcome(
                False,
                f"{name}.{path} = {json.dumps(value)[:60]}",
                m.line("services", name, *path.split(".")),
            )
        return Outcome(True, f"{name} has no {path}", m.line("services", name))
    for p in [path, *(any_of or [])]:
        ok, value = _get(svc, p)
        if ok and _matches(value, pattern, equals):
            return Outcome(
                True,
                f"{name}.{p} = {json.dumps(value)[:60]}",
                m.line("services", name, *p.split(".")),
            )
    ok, value = _get(svc, path)
    return Outcome(
        False,
        f"{name}.{path} = {json.dumps(value)[:60]}" if ok else f"{name} has no {path}",
        m.line("services", name),
    )


@checks("top_key")
def top_key(m: ComposeModel, path: str, pattern: str | None = None, equals: Any = None) -> Outcome:
    ok, value = _get(m.data, path)
    if ok and _matches(value, pattern, equals):
        return Outcome(True, f"{path} = {json.dumps(value)[:60]}", m.line(*path.split(".")))
    return Outcome(False, f"{path} = {json.dumps(value)[:60]}" if ok else f"no {path}")


@checks("depends_on")
def depends_on(
    m: ComposeModel, service: Any, needs: Any, condition: str = "service_healthy"
) -> Outcome:
    """`service` waits for `needs` with the long form and the given condition."""
    found, target = select(m, service), select(m, needs)
    if found is None or target is None:
        return Outcome(False, f"need services like {_who(service)} and {_who(needs)}")
    name, svc = found
    deps = svc.get("depends_on")
    line = m.line("services", name, "depends_on")
    if isinstance(deps, dict) and isinstance(deps.get(target[0]), dict):
        got = deps[target[0]].get("condition", "service_started")
        if got == condition:
            return Outcome(True, f"{name} -> {target[0]}: {condition}", line)
        return Outcome(False, f"{name} -> {target[0]}: condition {got}", line)
    return Outcome(False, f"{name} does not wait for {target[0]} with condition: {condition}", line)


Found = Iterable[tuple[str, tuple[Any, ...]]]  # (detail, YAML path of the offending key)


def _first(m: ComposeModel, found: Found) -> Outcome:
    """A hit at the first offence `found` yields (it is read lazily), else no hit."""
    hit = next(iter(found), None)
    return Outcome(False) if hit is None else Outcome(True, hit[0], m.line(*hit[1]))


def _mounts(m: ComposeModel) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(service, index under `volumes:`, the mount in long form) for every service's mounts."""
    for name, svc in m.service_items():
        for i, v in enumerate(service_mounts(svc)):
            yield name, i, v


@checks("depends_on_short")
def depends_on_short(m: ComposeModel) -> Outcome:
    """depends_on as a plain list (or without a condition): start order only, no waiting."""

    def found() -> Found:
        for name, svc in m.service_items():
            deps = svc.get("depends_on")
            if isinstance(deps, list) and deps:
                yield (
                    f"{name}: depends_on {deps} only orders container start",
                    (
                        "services",
                        name,
                        "depends_on",
                    ),
                )
            elif isinstance(deps, dict):
                for dep, spec in deps.items():
                    if not isinstance(spec, dict) or "condition" not in spec:
                        yield (
                            f"{name} -> {dep} has no condition",
                            ("services", name, "depends_on", dep),
                        )

    return _first(m, found())


@checks("healthcheck")
@_on_service
def healthcheck(m: ComposeModel, name: str, svc: dict[str, Any]) -> Outcome:
    if has_healthcheck(svc):
        return Outcome(
            True,
            f"{name}.healthcheck.test = {json.dumps(svc['healthcheck'].get('test'))[:60]}",
            m.line("services", name, "healthcheck"),
        )
    return Outcome(False, f"{name} has no healthcheck", m.line("services", name))


@checks("named_volume")
@_on_service
def named_volume(
    m: ComposeModel, name: str, svc: dict[str, Any], target: str | None = None
) -> Outcome:
    for i, v in enumerate(service_mounts(svc)):
        if v["type"] == "volume" and v["source"] and (not target or v["target"] == target):
            declared = v["source"] in m.declared("volumes")
            return Outcome(
                declared,
                f"{v['source']} -> {v['target']}"
                + ("" if declared else " (not declared at the top level)"),
                m.line("services", name, "volumes", i),
            )
    return Outcome(False, f"{name} mounts no named volume at {target or 'any path'}")


@checks("anonymous_volume")
def anonymous_volume(m: ComposeModel) -> Outcome:
    return _first(
        m,
        (
            (f"{name}: {v['target']} is an anonymous volume", ("services", name, "volumes", i))
            for name, i, v in _mounts(m)
            if v["type"] == "volume" and not v["source"]
        ),
    )


@checks("version_key")
def version_key(m: ComposeModel) -> Outcome:
    if "version" in m.data:
        return Outcome(True, f"version: {m.data['version']!r}", m.line("version"))
    return Outcome(False)


@checks("latest_tag")
def latest_tag(m: ComposeModel) -> Outcome:
    for name, svc in m.service_items():
        if "build" in svc or "image" not in svc:
            continue
        problem = image_ref_problem(str(svc["image"]))
        if problem:
            return Outcome(
                True, f"{name}: {svc['image']}: {problem}", m.line("services", name, "image")
            )
    return Outcome(False)


def _env_items(svc: dict[str, Any]) -> list[tuple[str, str | None]]:
    env = svc.get("environment")
    if isinstance(env, dict):
        return [(str(k), None if v is None else str(v)) for k, v in env.items()]
    if isinstance(env, list):
        out: list[tuple[str, str | None]] = []
        for item in env:
            key, eq, value = str(item).partition("=")
            out.append((key, value if eq else None))
        return out
    return []


@checks("secret_in_env")
def secret_in_env(m: ComposeModel) -> Outcome:
    """A password or token typed into `environment:` (not `${VAR}`, not a *_FILE path)."""
    for name, svc in m.service_items():
        for key, value in _env_items(svc):
            if (
                SECRET_NAME.search(key)
                and not key.upper().endswith("_FILE")
                and is_literal_secret(value)
            ):
                return Outcome(
                    True,
                    f"{name}: {key} has a literal value",
                    m.line("services", name, "environment", key)
                    or m.line("services", name, "environment"),
                )
    return Outcome(False)


@checks("privileged")
def privileged(m: ComposeModel) -> Outcome:
    return _first(
        m,
        (
            (f"{name}: privileged: true", ("services", name, "privileged"))
            for name, svc in m.service_items()
            if svc.get("privileged") is True
        ),
    )


@checks("docker_sock")
def docker_sock(m: ComposeModel) -> Outcome:
    return _first(
        m,
        (
            (f"{name} mounts {v['source']}", ("services", name, "volumes", i))
            for name, i, v in _mounts(m)
            if v["source"] and str(v["source"]).rstrip("/").endswith("docker.sock")
        ),
    )


@checks("links")
def links(m: ComposeModel) -> Outcome:
    return _first(
        m,
        (
            (f"{name}: links {svc['links']}", ("services", name, "links"))
            for name, svc in m.service_items()
            if svc.get("links")
        ),
    )


@checks("compose_v1")
def compose_v1(m: ComposeModel) -> Outcome:
    return _first(
        m,
        (
            (f"{name}.{key} calls docker-compose", ("services", name, key))
            for name, svc in m.service_items()
            for key in ("command", "entrypoint", "healthcheck")
            if re.search(r"\bdocker-compose\s", json.dumps(svc.get(key, "")))
        ),
    )


@checks("publish_all_interfaces")
def publish_all_interfaces(m: ComposeModel) -> Outcome:
    return _first(
        m,
        (
            (
                f"{name}: port {p.host_port}:{p.container_port} listens on all host addresses",
                ("services", name, "ports"),
            )
            for name, svc in m.service_items()
            for p in service_ports(svc)
            if p.host_port and not is_loopback(p.host_ip)
        ),
    )


@checks("ports_localhost")
@_on_service
def ports_localhost(
    m: ComposeModel, name: str, svc: dict[str, Any], container_port: str | None = None
) -> Outcome:
    for p in service_ports(svc):
        if (
            p.host_port
            and is_loopback(p.host_ip)
            and (not container_port or p.container_port == str(container_port))
        ):
            where = f"{p.host_ip}:{p.host_port}:{p.container_port}"
            return Outcome(True, where, m.line("services", name, "ports"))
    return Outcome(False, f"{name} publishes no port on 127.0.0.1")


@checks("memory_limit")
@_on_service
def memory_limit(m: ComposeModel, name: str, svc: dict[str, Any]) -> Outcome:
    for path in ("deploy.resources.limits.memory", "mem_limit"):
        ok, value = _get(svc, path)
        if ok and value:
            return Outcome(
                True, f"{name}.{path} = {value}", m.line("services", name, *path.split("."))
            )
    return Outcome(False, f"{name} has no memory limit")


@checks("secrets_used")
@_on_service
def secrets_used(m: ComposeModel, name: str, svc: dict[str, Any]) -> Outcome:
    refs = svc.get("secrets")
    declared = m.declared("secrets")
    if isinstance(refs, list) and refs and declared:
        return Outcome(True, f"{name} uses secrets {refs}", m.line("services", name, "secrets"))
    return Outcome(False, f"{name} gets no secret from the top-level `secrets:`")
