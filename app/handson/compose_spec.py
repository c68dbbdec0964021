"""A Compose file read and checked as `docker compose config` would check it.

The structure (keys, types, enums) is checked against the official JSON schema
(`compose_schema`); this module adds what a schema cannot say: references to services, volumes,
networks and secrets that are not declared, `service_healthy` on a service without a healthcheck,
ports with host networking, ports YAML turned into numbers, and the values inside strings
(restart policies, publish specs, durations, profile names).
"""

from __future__ import annotations

import re
from typing import Any

from app.handson.compose_model import (
    ComposeModel,
    NotCompose,
    has_healthcheck,
    load,
    service_mounts,
)
from app.handson.compose_schema import schema_errors
from app.handson.shared import PUBLISH, RESTART, RESTART_FORMS

__all__ = ["NotCompose", "parse", "validate"]

_DURATION = re.compile(r"^(\d+(\.\d+)?(us|ms|s|m|h))+$")
_PROFILE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")
_TESTS = ("CMD", "CMD-SHELL", "NONE")

Errors = list[tuple[int, str]]


def parse(text: str) -> ComposeModel:
    """The Compose file with every spec error in `errors`, by line; raise NotCompose."""
    model = load(text)
    model.errors.extend(validate(model))
    model.errors.sort(key=lambda e: e[0])
    return model


def validate(model: ComposeModel) -> Errors:
    """Errors `docker compose config` would report (and a few it would warn about)."""
    errs = schema_errors(model)
    for name, svc in model.service_items():
        at = model.line("services", name) or 1
        if not any(k in svc for k in ("image", "build", "extends", "provider")):
            errs.append((at, f"service {name!r} has neither `image` nor `build`"))
        errs += _depends_errors(model, name, svc)
        errs += _health_errors(model, name, svc.get("healthcheck"))
        errs += _port_errors(model, name, svc)
        errs += _volume_errors(model, name, svc)
        errs += _ref_errors(model, name, svc, "networks", model.declared("networks") | {"default"})
        errs += _ref_errors(model, name, svc, "secrets", model.declared("secrets"))
        errs += _value_errors(model, name, svc)
    return errs


def _value_errors(model: ComposeModel, name: str, svc: dict[str, Any]) -> Errors:
    errs: Errors = []
    restart = svc.get("restart")
    if isinstance(restart, str) and not RESTART.match(restart):
        errs.append(
            (
                model.line("services", name, "restart") or 1,
                f"service {name!r}: restart {restart!r} must be {RESTART_FORMS}",
            )
        )
    profiles = svc.get("profiles")
    if isinstance(profiles, list) and not all(_PROFILE.match(str(p)) for p in profiles):
        errs.append(
            (
                model.line("services", name, "profiles") or 1,
                f"service {name!r}: profiles must be a list of names like [debug]",
            )
        )
    if svc.get("network_mode") == "host" and svc.get("ports"):
        errs.append(
            (
                model.line("services", name, "ports") or 1,
                f"service {name!r}: ports cannot be used with network_mode: host",
            )
        )
    return errs


def _depends_errors(model: ComposeModel, name: str, svc: dict[str, Any]) -> Errors:
    deps = svc.get("depends_on")
    if isinstance(deps, list):
        targets: dict[str, Any] = {str(d): None for d in deps}
    elif isinstance(deps, dict):
        targets = {str(k): v for k, v in deps.items()}
    else:
        return []  # absent, or a shape the schema reports
    errs: Errors = []
    for dep, spec in targets.items():
        line = model.line("services", name, "depends_on", dep) or model.line("services", name) or 1
        if dep not in model.services:
            errs.append((line, f"service {name!r} depends on {dep!r}, which is not defined"))
            continue
        target = model.services[dep]
        if (
            isinstance(spec, dict)
            and spec.get("condition") == "service_healthy"
            and isinstance(target, dict)
            and not has_healthcheck(target)
        ):
            errs.append(
                (
                    line,
                    f"{name!r} waits for {dep!r} to be healthy, but {dep!r} has "
                    "no healthcheck, so it never becomes healthy",
                )
            )
    return errs


def _health_errors(model: ComposeModel, name: str, hc: Any) -> Errors:
    if not isinstance(hc, dict):
        return []
    at = model.line("services", name, "healthcheck") or 1
    errs: Errors = []
    test = hc.get("test")
    if isinstance(test, list) and (not test or test[0] not in _TESTS):
        errs.append(
            (
                model.line("services", name, "healthcheck", "test") or at,
                "healthcheck.test as a list must start with CMD, CMD-SHELL or NONE",
            )
        )
    elif test is None and not hc.get("disable"):
        errs.append((at, f"service {name!r}: healthcheck has no `test`"))
    for key in ("interval", "timeout", "start_period", "start_interval"):
        value = hc.get(key)
        if isinstance(value, str) and not _DURATION.match(value):
            errs.append(
                (
                    model.line("services", name, "healthcheck", key) or at,
                    f"healthcheck.{key} {value!r} must be a duration such as 10s or 1m30s",
                )
            )
    return errs


def _port_errors(model: ComposeModel, name: str, svc: dict[str, Any]) -> Errors:
    ports = svc.get("ports")
    if not isinstance(ports, list):
        return []
    at = model.line("services", name, "ports") or 1
    errs: Errors = []
    for i, p in enumerate(ports):
        line = model.line("services", name, "ports", i) or at
        raw = model.plain.get(("services", name, "ports", i))
        if raw is not None and ":" in raw and isinstance(p, int):
            errs.append(
                (
                    line,
                    f"ports entry {raw} is unquoted: YAML reads it as the number {p}; "
                    f'write "{raw}"',
                )
            )
        elif isinstance(p, dict) and "target" not in p:
            errs.append((line, "a long-form port needs `target`"))
        elif _scalar(p) and not PUBLISH.match(str(p)):
            errs.append((line, f'ports entry {p!r}: use "[ip:]host:container[/proto]"'))
    return errs


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _volume_errors(model: ComposeModel, name: str, svc: dict[str, Any]) -> Errors:
    at = model.line("services", name, "volumes") or 1
    declared = model.declared("volumes")
    errs: Errors = []
    for i, m in enumerate(service_mounts(svc)):
        line = model.line("services", name, "volumes", i) or at
        if m["type"] == "volume" and m["source"] and m["source"] not in declared:
            errs.append(
                (
                    line,
                    f"service {name!r} uses volume {m['source']!r}, which is not "
                    "declared under the top-level `volumes:`",
                )
            )
        if m["target"] is None or not str(m["target"]).startswith("/"):
            errs.append((line, f"service {name!r}: a volume target must be an absolute path"))
    return errs


def _ref_errors(
    model: ComposeModel, name: str, svc: dict[str, Any], key: str, declared: set[str]
) -> Errors:
    refs = svc.get(key)
    if isinstance(refs, dict):
        names = [str(k) for k in refs]
    elif isinstance(refs, list):
        names = [str(r.get("source")) if isinstance(r, dict) else str(r) for r in refs]
    else:
        return []  # absent, or a shape the schema reports
    at = model.line("services", name, key) or 1
    return [
        (
            at,
            f"service {name!r} uses {key[:-1]} {n!r}, which is not declared under the "
            f"top-level `{key}:`",
        )
        for n in names
        if n not in declared
    ]
