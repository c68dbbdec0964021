"""Compose files: YAML with line numbers, validated against the Compose Specification's rules
(known keys, image/build, depends_on and healthcheck forms, declared volumes, networks and
secrets, ports syntax, profiles), then checked by named rules."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from app.handson.registry import Outcome, check
from app.handson.shared import SECRET_NAME, image_ref_problem, is_literal_secret, is_loopback

Path_ = tuple[str | int, ...]

TOP_KEYS = {"version", "name", "services", "networks", "volumes", "configs", "secrets", "include",
            "models"}  # fmt: skip
SERVICE_KEYS = set(
    """annotations attach blkio_config build cap_add cap_drop cgroup cgroup_parent command configs
    container_name cpu_count cpu_percent cpu_period cpu_quota cpu_rt_period cpu_rt_runtime
    cpu_shares cpus cpuset credential_spec depends_on deploy develop device_cgroup_rules devices
    dns dns_opt dns_search domainname driver_opts entrypoint env_file environment expose extends
    external_links extra_hosts gpus group_add healthcheck hostname image init ipc isolation labels
    label_file links logging mac_address mem_limit mem_reservation mem_swappiness memswap_limit
    models network_mode networks oom_kill_disable oom_score_adj pid pids_limit platform ports
    post_start pre_stop privileged profiles provider pull_policy read_only restart runtime scale
    secrets security_opt shm_size stdin_open stop_grace_period stop_signal storage_opt sysctls
    tmpfs tty ulimits use_api_socket user userns_mode uts volumes volumes_from
    working_dir""".split()
)
HEALTH_KEYS = {
    "test",
    "interval",
    "timeout",
    "retries",
    "start_period",
    "start_interval",
    "disable",
}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
_DURATION = re.compile(r"^(\d+(\.\d+)?(us|ms|s|m|h))+$")
_RESTART = re.compile(r"^(no|always|unless-stopped|on-failure(:\d+)?)$")
_PROFILE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")
_PORT = re.compile(
    r"^(?:(?P<ip>\[[0-9a-fA-F:.]+\]|\d{1,3}(?:\.\d{1,3}){3}|localhost|\$\{[^}]+\}):)?(?:(?P<host>(\d{1,5}(-\d{1,5})?)|"
    r"\$\{[^}]+\})?:)?(?P<ctr>\d{1,5}(-\d{1,5})?)(/(tcp|udp|sctp))?$"
)
MAX_NODES = 5000


class NotCompose(ValueError):
    """The text is not a Compose file we can read; the message says why."""


@dataclass
class ComposeModel:
    data: dict[str, Any]
    lines: dict[Path_, int]
    plain_colon: dict[Path_, str]  # plain scalars with ':' that YAML 1.1 may read as numbers
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def services(self) -> dict[str, Any]:
        s = self.data.get("services")
        return s if isinstance(s, dict) else {}

    def line(self, *path: str | int) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None


def _walk(node: yaml.Node, path: Path_, model: ComposeModel, budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise NotCompose(f"the YAML has more than {MAX_NODES} nodes (or alias loops)")
    model.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for k, v in node.value:
            key = str(k.value)
            if key in seen:
                model.errors.append(
                    (k.start_mark.line + 1, f"key {key!r} appears twice in the same mapping")
                )
            seen.add(key)
            _walk(v, (*path, key), model, budget)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _walk(v, (*path, i), model, budget)
    elif isinstance(node, yaml.ScalarNode) and node.style is None and ":" in str(node.value):
        model.plain_colon[path] = str(node.value)


def parse(text: str) -> ComposeModel:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
        where = f"line {mark.line + 1}: " if mark else ""
        raise NotCompose(f"{where}the YAML does not parse ({problem})") from None
    except RecursionError:
        raise NotCompose("the YAML nests too deeply") from None
    if root is None:
        raise NotCompose("the YAML is empty")
    if not isinstance(root, yaml.MappingNode):
        raise NotCompose("a Compose file is a YAML mapping with a top-level `services:` key")
    model = ComposeModel({}, {}, {})
    _walk(root, (), model, [MAX_NODES])
    try:
        data = yaml.SafeLoader(yaml.serialize(root)).get_single_data()
    except (yaml.YAMLError, RecursionError, TypeError) as exc:
        raise NotCompose(f"the YAML does not load ({str(exc).splitlines()[0][:80]})") from None
    if not isinstance(data, dict):
        raise NotCompose("a Compose file is a YAML mapping with a top-level `services:` key")
    model.data = {str(k): v for k, v in data.items()}
    if "services" not in model.data and "include" not in model.data:
        raise NotCompose("there is no top-level `services:` key, so this is not a Compose file")
    model.errors.extend(validate(model))
    return model


# ---------------------------------------------------------------- spec rules


def _suggest(key: str, known: set[str]) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.7)
    return f" (did you mean {close[0]}?)" if close else ""


def _declared(model: ComposeModel, kind: str) -> set[str]:
    section = model.data.get(kind)
    return {str(k) for k in section} if isinstance(section, dict) else set()


def validate(model: ComposeModel) -> list[tuple[int, str]]:
    """Spec errors `docker compose config` would report (and a few it would warn about)."""
    errs: list[tuple[int, str]] = []
    for key in model.data:
        if key not in TOP_KEYS and not key.startswith("x-"):
            errs.append(
                (
                    model.line(key) or 1,
                    f"top-level key {key!r} is not in the Compose "
                    f"Specification{_suggest(key, TOP_KEYS)}",
                )
            )
    services = model.data.get("services")
    if services is not None and not isinstance(services, dict):
        return [*errs, (model.line("services") or 1, "`services` must be a mapping of services")]
    volumes, networks, secrets = (_declared(model, k) for k in ("volumes", "networks", "secrets"))
    for name, svc in model.services.items():
        name = str(name)
        at = model.line("services", name) or 1
        if not isinstance(svc, dict):
            errs.append((at, f"service {name!r} must be a mapping"))
            continue
        for key in svc:
            if key not in SERVICE_KEYS and not str(key).startswith("x-"):
                errs.append(
                    (
                        model.line("services", name, key) or at,
                        f"service {name!r}: {key!r} "
                        f"is not a Compose service key{_suggest(str(key), SERVICE_KEYS)}",
                    )
                )
        if not any(k in svc for k in ("image", "build", "extends", "provider")):
            errs.append((at, f"service {name!r} has neither `image` nor `build`"))
        errs += _depends_errors(model, name, svc)
        errs += _health_errors(model, name, svc.get("healthcheck"))
        errs += _port_errors(model, name, svc)
        errs += _volume_errors(model, name, svc, volumes)
        errs += _ref_errors(model, name, svc, "networks", networks | {"default"})
        errs += _ref_errors(model, name, svc, "secrets", secrets)
        restart = svc.get("restart")
        if restart is not None and not _RESTART.match(str(restart)):
            errs.append(
                (
                    model.line("services", name, "restart") or at,
                    f"service {name!r}: restart {restart!r} must be no, always, "
                    "unless-stopped or on-failure[:N]",
                )
            )
        profiles = svc.get("profiles")
        if profiles is not None and (
            not isinstance(profiles, list) or not all(_PROFILE.match(str(p)) for p in profiles)
        ):
            errs.append(
                (
                    model.line("services", name, "profiles") or at,
                    f"service {name!r}: profiles must be a list of names like [debug]",
                )
            )
        env = svc.get("environment")
        if env is not None and not isinstance(env, dict | list):
            errs.append(
                (
                    model.line("services", name, "environment") or at,
                    f"service {name!r}: environment must be a mapping or a list of NAME=value",
                )
            )
        if svc.get("network_mode") == "host" and svc.get("ports"):
            errs.append(
                (
                    model.line("services", name, "ports") or at,
                    f"service {name!r}: ports cannot be used with network_mode: host",
                )
            )
    return errs


def _depends_errors(model: ComposeModel, name: str, svc: dict[str, Any]) -> list[tuple[int, str]]:
    deps = svc.get("depends_on")
    at = model.line("services", name, "depends_on") or 1
    if deps is None:
        return []
    errs: list[tuple[int, str]] = []
    targets: dict[str, Any]
    if isinstance(deps, list):
        targets = {str(d): {} for d in deps}
    elif isinstance(deps, dict):
        targets = {str(k): v for k, v in deps.items()}
    else:
        return [(at, f"service {name!r}: depends_on must be a list or a mapping")]
    for dep, spec in targets.items():
        line = model.line("services", name, "depends_on", dep) or at
        if dep not in model.services:
            errs.append((line, f"service {name!r} depends on {dep!r}, which is not defined"))
        if spec is None:
            continue
        if not isinstance(spec, dict):
            errs.append((line, f"depends_on.{dep} must be a mapping with `condition`"))
            continue
        cond = spec.get("condition")
        if cond is not None and cond not in CONDITIONS:
            errs.append(
                (
                    line,
                    f"depends_on.{dep}.condition {cond!r} must be one of "
                    + ", ".join(sorted(CONDITIONS)),
                )
            )
        target = model.services.get(dep)
        if cond == "service_healthy" and isinstance(target, dict):
            hc = target.get("healthcheck")
            if not isinstance(hc, dict) or hc.get("disable") or _test_none(hc.get("test")):
                errs.append(
                    (
                        line,
                        f"{name!r} waits for {dep!r} to be healthy, but {dep!r} has "
                        "no healthcheck, so it never becomes healthy",
                    )
                )
    return errs


def _test_none(test: Any) -> bool:
    return test is None or (isinstance(test, list) and bool(test) and test[0] == "NONE")


def _health_errors(model: ComposeModel, name: str, hc: Any) -> list[tuple[int, str]]:
    if hc is None:
        return []
    at = model.line("services", name, "healthcheck") or 1
    if not isinstance(hc, dict):
        return [(at, f"service {name!r}: healthcheck must be a mapping")]
    errs: list[tuple[int, str]] = []
    for key in hc:
        if key not in HEALTH_KEYS:
            errs.append(
                (
                    model.line("services", name, "healthcheck", key) or at,
                    f"healthcheck has no key {key!r}{_suggest(str(key), HEALTH_KEYS)}",
                )
            )
    test = hc.get("test")
    if isinstance(test, list):
        if not test or test[0] not in ("CMD", "CMD-SHELL", "NONE"):
            errs.append(
                (
                    model.line("services", name, "healthcheck", "test") or at,
                    "healthcheck.test as a list must start with CMD, CMD-SHELL or NONE",
                )
            )
    elif test is not None and not isinstance(test, str):
        errs.append((at, "healthcheck.test must be a string or a list"))
    elif test is None and not hc.get("disable"):
        errs.append((at, f"service {name!r}: healthcheck has no `test`"))
    for key in ("interval", "timeout", "start_period", "start_interval"):
        v = hc.get(key)
        if v is not None and not _DURATION.match(str(v)):
            errs.append(
                (
                    model.line("services", name, "healthcheck", key) or at,
                    f"healthcheck.{key} {v!r} must be a duration such as 10s or 1m30s",
                )
            )
    return errs


def _port_errors(model: ComposeModel, name: str, svc: dict[str, Any]) -> list[tuple[int, str]]:
    ports = svc.get("ports")
    if ports is None:
        return []
    at = model.line("services", name, "ports") or 1
    if not isinstance(ports, list):
        return [(at, f"service {name!r}: ports must be a list")]
    errs: list[tuple[int, str]] = []
    for i, p in enumerate(ports):
        line = model.line("services", name, "ports", i) or at
        raw = model.plain_colon.get(("services", name, "ports", i))
        if raw is not None and isinstance(p, int):
            errs.append(
                (
                    line,
                    f"ports entry {raw} is unquoted: YAML reads it as the number {p}; "
                    f'write "{raw}"',
                )
            )
        elif isinstance(p, dict):
            if "target" not in p:
                errs.append((line, "a long-form port needs `target`"))
        elif not isinstance(p, int | str) or not _PORT.match(str(p)):
            errs.append((line, f'ports entry {p!r}: use "[ip:]host:container[/proto]"'))
    return errs


def service_mounts(svc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every entry of a service's `volumes`, in long form: type, source, target, read_only."""
    out: list[dict[str, Any]] = []
    vols = svc.get("volumes")
    for v in vols if isinstance(vols, list) else []:
        if isinstance(v, dict):
            out.append(
                {
                    "type": v.get("type", "volume"),
                    "source": v.get("source"),
                    "target": v.get("target"),
                    "read_only": bool(v.get("read_only")),
                }
            )
        elif isinstance(v, str):
            parts = v.split(":")
            if len(parts) == 1:
                out.append(
                    {"type": "volume", "source": None, "target": parts[0], "read_only": False}
                )
                continue
            src, tgt = parts[0], parts[1]
            bind = bool(re.match(r"^([/.~$]|[A-Za-z]:)", src))
            out.append(
                {
                    "type": "bind" if bind else "volume",
                    "source": src,
                    "target": tgt,
                    "read_only": len(parts) > 2 and "ro" in parts[2].split(","),
                }
            )
    return out


def _volume_errors(
    model: ComposeModel, name: str, svc: dict[str, Any], declared: set[str]
) -> list[tuple[int, str]]:
    vols = svc.get("volumes")
    at = model.line("services", name, "volumes") or 1
    if vols is None:
        return []
    if not isinstance(vols, list):
        return [(at, f"service {name!r}: volumes must be a list")]
    errs: list[tuple[int, str]] = []
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
) -> list[tuple[int, str]]:
    refs = svc.get(key)
    if refs is None:
        return []
    at = model.line("services", name, key) or 1
    if isinstance(refs, dict):
        names = [str(k) for k in refs]
    elif isinstance(refs, list):
        names = [str(r.get("source")) if isinstance(r, dict) else str(r) for r in refs]
    else:
        return [(at, f"service {name!r}: {key} must be a list or a mapping")]
    return [
        (
            at,
            f"service {name!r} uses {key[:-1]} {n!r}, which is not declared under the "
            f"top-level `{key}:`",
        )
        for n in names
        if n not in declared
    ]


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
    svcs = {str(k): v for k, v in model.services.items() if isinstance(v, dict)}
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


# ---------------------------------------------------------------- checks


@check("compose", "service_key")
def service_key(
    m: ComposeModel,
    service: Any,
    path: str,
    pattern: str | None = None,
    equals: Any = None,
    any_of: list[str] | None = None,
    absent: bool = False,
) -> Outcome:
    """A service key (dotted path) exists and matches; `any_of` accepts alternative paths.

    With `absent`, the rule holds when the key is *not* set (e.g. no `profiles` on db).
    """
    found = select(m, service)
    if found is None:
        return Outcome(False, f"no service like {_who(service)}")
    name, svc = found
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


@check("compose", "top_key")
def top_key(m: ComposeModel, path: str, pattern: str | None = None, equals: Any = None) -> Outcome:
    ok, value = _get(m.data, path)
    if ok and _matches(value, pattern, equals):
        return Outcome(True, f"{path} = {json.dumps(value)[:60]}", m.line(*path.split(".")))
    return Outcome(False, f"{path} = {json.dumps(value)[:60]}" if ok else f"no {path}")


@check("compose", "depends_on")
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


@check("compose", "depends_on_short")
def depends_on_short(m: ComposeModel) -> Outcome:
    """depends_on as a plain list (or without a condition): start order only, no waiting."""
    for name, svc in m.services.items():
        deps = svc.get("depends_on") if isinstance(svc, dict) else None
        if isinstance(deps, list) and deps:
            return Outcome(
                True,
                f"{name}: depends_on {deps} only orders container start",
                m.line("services", name, "depends_on"),
            )
        if isinstance(deps, dict):
            for dep, spec in deps.items():
                if not isinstance(spec, dict) or "condition" not in spec:
                    return Outcome(
                        True,
                        f"{name} -> {dep} has no condition",
                        m.line("services", name, "depends_on", dep),
                    )
    return Outcome(False)


@check("compose", "healthcheck")
def healthcheck(m: ComposeModel, service: Any) -> Outcome:
    found = select(m, service)
    if found is None:
        return Outcome(False, f"no service like {_who(service)}")
    name, svc = found
    hc = svc.get("healthcheck")
    if isinstance(hc, dict) and not hc.get("disable") and not _test_none(hc.get("test")):
        return Outcome(
            True,
            f"{name}.healthcheck.test = {json.dumps(hc.get('test'))[:60]}",
            m.line("services", name, "healthcheck"),
        )
    return Outcome(False, f"{name} has no healthcheck", m.line("services", name))


@check("compose", "named_volume")
def named_volume(m: ComposeModel, service: Any, target: str | None = None) -> Outcome:
    found = select(m, service)
    if found is None:
        return Outcome(False, f"no service like {_who(service)}")
    name, svc = found
    for i, v in enumerate(service_mounts(svc)):
        if v["type"] == "volume" and v["source"] and (not target or v["target"] == target):
            declared = v["source"] in _declared(m, "volumes")
            return Outcome(
                declared,
                f"{v['source']} -> {v['target']}"
                + ("" if declared else " (not declared at the top level)"),
                m.line("services", name, "volumes", i),
            )
    return Outcome(False, f"{name} mounts no named volume at {target or 'any path'}")


@check("compose", "anonymous_volume")
def anonymous_volume(m: ComposeModel) -> Outcome:
    for name, svc in m.services.items():
        if not isinstance(svc, dict):
            continue
        for i, v in enumerate(service_mounts(svc)):
            if v["type"] == "volume" and not v["source"]:
                return Outcome(
                    True,
                    f"{name}: {v['target']} is an anonymous volume",
                    m.line("services", name, "volumes", i),
                )
    return Outcome(False)


@check("compose", "version_key")
def version_key(m: ComposeModel) -> Outcome:
    if "version" in m.data:
        return Outcome(True, f"version: {m.data['version']!r}", m.line("version"))
    return Outcome(False)


@check("compose", "latest_tag")
def latest_tag(m: ComposeModel) -> Outcome:
    for name, svc in m.services.items():
        if not isinstance(svc, dict) or "build" in svc or "image" not in svc:
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


@check("compose", "secret_in_env")
def secret_in_env(m: ComposeModel) -> Outcome:
    """A password or token typed into `environment:` (not `${VAR}`, not a *_FILE path)."""
    for name, svc in m.services.items():
        if not isinstance(svc, dict):
            continue
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


@check("compose", "privileged")
def privileged(m: ComposeModel) -> Outcome:
    for name, svc in m.services.items():
        if isinstance(svc, dict) and svc.get("privileged") is True:
            return Outcome(
                True, f"{name}: privileged: true", m.line("services", name, "privileged")
            )
    return Outcome(False)


@check("compose", "docker_sock")
def docker_sock(m: ComposeModel) -> Outcome:
    for name, svc in m.services.items():
        if not isinstance(svc, dict):
            continue
        for i, v in enumerate(service_mounts(svc)):
            if v["source"] and str(v["source"]).rstrip("/").endswith("docker.sock"):
                return Outcome(
                    True, f"{name} mounts {v['source']}", m.line("services", name, "volumes", i)
                )
    return Outcome(False)


@check("compose", "links")
def links(m: ComposeModel) -> Outcome:
    for name, svc in m.services.items():
        if isinstance(svc, dict) and svc.get("links"):
            return Outcome(True, f"{name}: links {svc['links']}", m.line("services", name, "links"))
    return Outcome(False)


@check("compose", "compose_v1")
def compose_v1(m: ComposeModel) -> Outcome:
    for name, svc in m.services.items():
        if not isinstance(svc, dict):
            continue
        for key in ("command", "entrypoint", "healthcheck"):
            if re.search(r"\bdocker-compose\s", json.dumps(svc.get(key, ""))):
                return Outcome(
                    True, f"{name}.{key} calls docker-compose", m.line("services", name, key)
                )
    return Outcome(False)


def _ports(svc: dict[str, Any]) -> list[tuple[str | None, str | None, str]]:
    out: list[tuple[str | None, str | None, str]] = []
    ports = svc.get("ports")
    for p in ports if isinstance(ports, list) else []:
        if isinstance(p, dict):
            out.append(
                (
                    p.get("host_ip"),
                    str(p.get("published")) if p.get("published") else None,
                    str(p.get("target")),
                )
            )
            continue
        mt = _PORT.match(str(p))
        if mt:
            out.append((mt.group("ip"), mt.group("host"), mt.group("ctr")))
    return out


@check("compose", "publish_all_interfaces")
def publish_all_interfaces(m: ComposeModel) -> Outcome:
    for name, svc in m.services.items():
        if not isinstance(svc, dict):
            continue
        for ip, host, ctr in _ports(svc):
            if host and not is_loopback(ip):
                return Outcome(
                    True,
                    f"{name}: port {host}:{ctr} listens on all host addresses",
                    m.line("services", name, "ports"),
                )
    return Outcome(False)


@check("compose", "ports_localhost")
def ports_localhost(m: ComposeModel, service: Any, container_port: str | None = None) -> Outcome:
    found = select(m, service)
    if found is None:
        return Outcome(False, f"no service like {_who(service)}")
    name, svc = found
    for ip, host, ctr in _ports(svc):
        if host and is_loopback(ip) and (not container_port or ctr == str(container_port)):
            return Outcome(True, f"{ip}:{host}:{ctr}", m.line("services", name, "ports"))
    return Outcome(False, f"{name} publishes no port on 127.0.0.1")


@check("compose", "memory_limit")
def memory_limit(m: ComposeModel, service: Any) -> Outcome:
    found = select(m, service)
    if found is None:
        return Outcome(False, f"no service like {_who(service)}")
    name, svc = found
    for path in ("deploy.resources.limits.memory", "mem_limit"):
        ok, value = _get(svc, path)
        if ok and value:
            return Outcome(
                True, f"{name}.{path} = {value}", m.line("services", name, *path.split("."))
            )
    return Outcome(False, f"{name} has no memory limit")


@check("compose", "secrets_used")
def secrets_used(m: ComposeModel, service: Any) -> Outcome:
    found = select(m, service)
    if found is None:
        return Outcome(False, f"no service like {_who(service)}")
    name, svc = found
    refs = svc.get("secrets")
    declared = _declared(m, "secrets")
    if isinstance(refs, list) and refs and declared:
        return Outcome(True, f"{name} uses secrets {refs}", m.line("services", name, "secrets"))
    return Outcome(False, f"{name} gets no secret from the top-level `secrets:`")
