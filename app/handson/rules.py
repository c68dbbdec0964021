"""Named checks: what one returns (`Outcome`) and the table a family registers it in (`Checks`).

A check answers one question ("is there a HEALTHCHECK?", "is any image untagged?") and returns an
Outcome: `hit` says whether the thing it looks for is there, `line` where, `detail` what it saw.
A `require` rule passes on a hit; a `forbid` rule (an anti-pattern) fails on one.

This module imports nothing from app.handson. Each family module makes its own table here
(`checks = Checks("compose")`, then `@checks("service_key")`), and `app.handson.registry` imports
the family modules to collect their tables: imports run one way only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar


@dataclass(frozen=True)
class Outcome:
    hit: bool
    detail: str = ""
    line: int | None = None


CheckFn = Callable[..., Outcome]
F = TypeVar("F", bound=CheckFn)


class Checks:
    """The named checks of one family (dockerfile, cli or compose)."""

    def __init__(self, family: str) -> None:
        self.family = family
        self._table: dict[str, CheckFn] = {}

    def __call__(self, name: str) -> Callable[[F], F]:
        """Register the decorated function as the check `name`; the function is unchanged."""

        def register(fn: F) -> F:
            if name in self._table:
                raise ValueError(f"check {self.family}.{name} is registered twice")
            self._table[name] = fn
            return fn

        return register

    def __contains__(self, name: object) -> bool:
        return name in self._table

    def names(self) -> list[str]:
        return sorted(self._table)

    def run(self, name: str, parsed: Any, args: dict[str, Any]) -> Outcome:
        return self._table[name](parsed, **args)
