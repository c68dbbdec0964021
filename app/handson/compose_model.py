"""Compose files read as YAML with line numbers: the data, the line of every node, and the text
of plain scalars YAML 1.1 turned into something other than a string (`22:22` is the number 1342
there), so a finding can point at the line and explain what happened."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from app.handson.shared import BIND_SOURCE, Publish, parse_publish

Path_ = tuple[str | int, ...]
MAX_NODES = 5000
_STR = "tag:yaml.org,2002:str"


class NotCompose(ValueError):
    """The text is not a Compose file we can read; the message says why."""


@dataclass
class ComposeModel:
    data: dict[str, Any]
    lines: dict[Path_, int]
    plain: dict[Path_, str]  # unquoted scalars YAML 1.1 read as a number, bool or null
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def services(self) -> dict[str, Any]:
        s = self.data.get("services")
        return s if isinstance(s, dict) else {}

    def service_items(self) -> list[tuple[str, dict[str, Any]]]:
        """The services that are mappings (the schema reports the others), names as text."""
        return [(str(k), v) for k, v in self.services.items() if isinstance(v, dict)]

    def declared(self, kind: str) -> set[str]:
        """Names under a top-level section: volumes, networks, secrets."""
        section = self.data.get(kind)
        return {str(k) for k in section} if isinstance(section, dict) else set()

    def line(self, *path: str | int) -> int | None:
        """The line of the node at `path`, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None


def _walk(node: yaml.Node, path: Path_, line: int, model: ComposeModel, budget: list[int]) -> None:
    """Record the line of every path: a mapping entry's key line, a list item's own line."""
    budget[0] -= 1
    if budget[0] < 0:
        raise NotCompose(f"the YAML has more than {MAX_NODES} nodes (or alias loops)")
    model.lines[path] = line
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for k, v in node.value:
            key, at = str(k.value), k.start_mark.line + 1
            if key in seen:
                model.errors.append((at, f"key {key!r} appears twice in the same mapping"))
            seen.add(key)
            _walk(v, (*path, key), at, model, budget)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _walk(v, (*path, i), v.start_mark.line + 1, model, budget)
    elif isinstance(node, yaml.ScalarNode) and node.style is None and node.tag != _STR:
        model.plain[path] = str(node.value)


def load(text: str) -> ComposeModel:
    """The YAML as a ComposeModel (duplicate keys already in `errors`); raise NotCompose."""
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
    _walk(root, (), root.start_mark.line + 1, model, [MAX_NODES])
    try:
        data = yaml.SafeLoader(yaml.serialize(root)).get_single_data()
    except (yaml.YAMLError, RecursionError, TypeError) as exc:
        raise NotCompose(f"the YAML does not load ({str(exc).splitlines()[0][:80]})") from None
    if not isinstance(data, dict):
        raise NotCompose("a Compose file is a YAML mapping with a top-level `services:` key")
    model.data = as_json(data)
    if "services" not in model.data and "include" not in model.data:
        raise NotCompose("there is no top-level `services:` key, so this is not a Compose file")
    return model


def as_json(value: Any) -> Any:
    """YAML data as JSON types, which the schema and the checks expect: keys as text, sets as
    lists, dates and binary as text."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [as_json(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((as_json(v) for v in value), key=str)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


# ---------------------------------------------------------------- service values, normalised


def has_healthcheck(svc: dict[str, Any]) -> bool:
    """A healthcheck that runs: present, not disabled, and its test is not NONE."""
    hc = svc.get("healthcheck")
    if not isinstance(hc, dict) or hc.get("disable"):
        return False
    test = hc.get("test")
    return test is not None and not (isinstance(test, list) and bool(test) and test[0] == "NONE")


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
            out.append(
                {
                    "type": "bind" if BIND_SOURCE.match(src) else "volume",
                    "source": src,
                    "target": tgt,
                    "read_only": len(parts) > 2 and "ro" in parts[2].split(","),
                }
            )
    return out


def service_ports(svc: dict[str, Any]) -> list[Publish]:
    """Every readable entry of a service's `ports`, short or long form."""
    out: list[Publish] = []
    ports = svc.get("ports")
    for p in ports if isinstance(ports, list) else []:
        if isinstance(p, dict):
            published = p.get("published")
            out.append(
                Publish(
                    p.get("host_ip"),
                    str(published) if published else None,
                    str(p.get("target")),
                    str(p.get("protocol") or "tcp"),
                )
            )
        elif isinstance(p, str | int) and not isinstance(p, bool):
            found = parse_publish(str(p))
            if found is not None:
                out.append(found)
    return out
