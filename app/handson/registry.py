"""The table of named checks: `@check(family, name)` registers a predicate over a parsed answer.

A check answers one question ("is there a HEALTHCHECK?", "is any image untagged?") and returns an
Outcome: `hit` says whether the thing it looks for is there, `line` where, `detail` what it saw.
A `require` rule passes on a hit; a `forbid` rule (an anti-pattern) fails on one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Outcome:
    hit: bool
    detail: str = ""
    line: int | None = None


CheckFn = Callable[..., Outcome]
_CHECKS: dict[tuple[str, str], CheckFn] = {}


def check(family: str, name: str) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        _CHECKS[(family, name)] = fn
        return fn

    return register


def _load_families() -> None:
    # importing the modules fills the table; done lazily to keep imports one-way
    import app.handson.cli_checks
    import app.handson.compose_checks
    import app.handson.dockerfile_checks  # noqa: F401


def known_check(family: str, name: str) -> bool:
    _load_families()
    return (family, name) in _CHECKS


def run_check(family: str, name: str, parsed: Any, args: dict[str, Any]) -> Outcome:
    _load_families()
    return _CHECKS[(family, name)](parsed, **args)


def checks_of(family: str) -> list[str]:
    _load_families()
    return sorted(n for f, n in _CHECKS if f == family)
