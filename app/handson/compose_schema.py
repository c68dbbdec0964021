"""Compose structure checked against the official Compose Specification JSON schema.

The schema is vendored as `schemas/compose-spec.json` (source, commit and licence in
`schemas/README.md`). Each jsonschema error becomes a (line, message) pair: the line of the YAML
node its path points at, the message in plain words, with "did you mean" for a misspelt key.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from app.handson.compose_model import ComposeModel, Path_

if TYPE_CHECKING:
    from jsonschema import Draft7Validator, ValidationError

SCHEMA_FILE = "compose-spec.json"

_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}


def load_schema() -> dict[str, Any]:
    """The vendored schema as the checker reads it (see `_device_either`)."""
    text = resources.files("app.handson").joinpath("schemas", SCHEMA_FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    _device_either(schema)
    return schema


def _device_either(schema: dict[str, Any]) -> None:
    """A device request needs `capabilities` or `driver`, and may have both.

    The vendored schema says `oneOf` (exactly one), which refuses the GPU request Docker's own
    Compose docs show (`driver: nvidia`, `count: 1`, `capabilities: [gpu]`); the intent is "at
    least one", so the checker reads it as `anyOf`. The vendored file itself stays unchanged.
    """
    item = schema.get("definitions", {}).get("devices", {}).get("items", {})
    if "oneOf" in item:
        item["anyOf"] = item.pop("oneOf")


@cache
def validator() -> Draft7Validator:
    # imported here: jsonschema costs ~90 ms, paid on the first Compose answer, not at start-up
    from jsonschema import Draft7Validator

    # the schema says draft-07 in a spelling jsonschema does not recognise, so name it here
    return Draft7Validator(load_schema())


def schema_errors(model: ComposeModel) -> list[tuple[int, str]]:
    """(line, message) for every way the file breaks the Compose Specification's schema."""
    out: list[tuple[int, str]] = []
    for error in validator().iter_errors(model.data):
        for leaf in _focus(error):
            out.extend(_explain(model, leaf))
    return out


def _focus(error: ValidationError) -> list[ValidationError]:
    """The errors that say what is wrong: inside a oneOf/anyOf, those of the one alternative
    whose type fits the value; the oneOf error itself when none or several fit."""
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        return [error]
    fitting = [e for e in error.context if not (e.validator == "type" and not e.relative_path)]
    branches = {e.relative_schema_path[0] for e in fitting}
    if len(branches) != 1:
        return [error]
    return [leaf for e in fitting for leaf in _focus(e)]


def _explain(model: ComposeModel, error: ValidationError) -> list[tuple[int, str]]:
    path: Path_ = tuple(error.absolute_path)
    line = model.line(*path) or 1
    where = _where(path)
    kind, value, rule = error.validator, error.instance, error.validator_value
    extra = _extra_keys(error) if kind == "additionalProperties" else []
    if extra:
        return [(model.line(*path, k) or line, _unknown_key(path, k, error.schema)) for k in extra]
    if kind == "type":
        types = [rule] if isinstance(rule, str) else list(rule)
        return [(line, f"{where} must be {_kinds(types)}{_yaml_note(model, path, value, types)}")]
    if kind == "enum":
        return [(line, f"{where} {value!r} must be one of {', '.join(map(str, rule))}")]
    if kind == "required" and isinstance(value, dict):
        missing = [k for k in rule if k not in value]
        return [(line, f"{where} needs `{k}`") for k in missing]
    if kind in ("minimum", "maximum"):
        bound = "at least" if kind == "minimum" else "at most"
        return [(line, f"{where} {value!r} must be {bound} {rule}")]
    if kind == "uniqueItems":
        return [(line, f"{where} lists the same entry twice")]
    if kind == "pattern":
        return [(line, f"{where} {value!r} does not match the pattern {rule}")]
    if kind in ("oneOf", "anyOf"):
        branches = list(error.context or [])
        if kind == "anyOf" and branches and all(e.validator == "required" for e in branches):
            needs = [f"`{k}`" for e in branches for k in e.validator_value]
            return [(line, f"{where} needs " + " or ".join(needs))]
        types = _branch_types(error)
        if types:
            return [
                (line, f"{where} must be {_kinds(types)}{_yaml_note(model, path, value, types)}")
            ]
        return [(line, f"{where} is not in a form the Compose Specification allows")]
    return [(line, f"{where}: {error.message}")]


def _where(path: Path_) -> str:
    """services.api.ports[0] -> "service 'api': ports[0]"; () -> "the file"."""

    def dotted(parts: Iterable[str | int]) -> str:
        text = ""
        for p in parts:
            text += f"[{p}]" if isinstance(p, int) else (f".{p}" if text else str(p))
        return text

    if len(path) >= 2 and path[0] == "services":
        rest = dotted(path[2:])
        return f"service {path[1]!r}" + (f": {rest}" if rest else "")
    return dotted(path) or "the file"


def _extra_keys(error: ValidationError) -> list[str]:
    if not isinstance(error.instance, dict):
        return []
    props = error.schema.get("properties", {})
    patterns = error.schema.get("patternProperties", {})
    return [
        str(k)
        for k in error.instance
        if k not in props and not any(re.search(p, str(k)) for p in patterns)
    ]


def _unknown_key(path: Path_, key: str, schema: Any) -> str:
    known = sorted(schema.get("properties", {}))
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.7)
    hint = f" (did you mean {close[0]}?)" if close else ""
    if not path:
        return f"top-level key {key!r} is not in the Compose Specification{hint}"
    if len(path) == 2 and path[0] == "services":
        return f"service {path[1]!r}: {key!r} is not a Compose service key{hint}"
    if not known:  # a mapping of names (services, volumes ...): the name itself is wrong
        patterns = " or ".join(p for p in schema.get("patternProperties", {}) if p != "^x-")
        return f"{_where(path)}: {key!r} is not a valid name (names match {patterns})"
    return f"{_where(path)} has no key {key!r}{hint}"


def _kinds(types: list[str]) -> str:
    names = list(types)
    if "number" in names and "integer" in names:
        names.remove("integer")
    words = list(dict.fromkeys(_TYPE_WORDS.get(t, t) for t in names))
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _branch_types(error: ValidationError) -> list[str]:
    """The JSON types the alternatives of a oneOf accept, read from their type errors."""
    found: list[str] = []
    for e in error.context or []:
        if e.validator == "type" and not e.relative_path:
            types = e.validator_value
            found.extend([types] if isinstance(types, str) else types)
    return found


def _yaml_note(model: ComposeModel, path: Path_, value: Any, types: list[str]) -> str:
    """Why text the user wrote is not text: YAML 1.1 reads `no` as false, `0755` as 493."""
    raw = model.plain.get(path)
    if raw is None or value is None or "string" not in types or raw == json.dumps(value):
        return ""
    return f' (YAML reads {raw} as {json.dumps(value)}; quote it: "{raw}")'
