"""Every named check, by family: the one module that imports the three check modules.

Imports run one way: registry -> {dockerfile,cli,compose}_checks -> rules (Outcome, Checks);
no check module imports this one.
"""

from __future__ import annotations

from typing import Any

from app.handson import cli_checks, compose_checks, dockerfile_checks
from app.handson.rules import Checks, Outcome

FAMILIES: dict[str, Checks] = {
    table.family: table
    for table in (dockerfile_checks.checks, cli_checks.checks, compose_checks.checks)
}


def known_check(family: str, name: str) -> bool:
    table = FAMILIES.get(family)
    return table is not None and name in table


def run_check(family: str, name: str, parsed: Any, args: dict[str, Any]) -> Outcome:
    return FAMILIES[family].run(name, parsed, args)


def checks_of(family: str) -> list[str]:
    table = FAMILIES.get(family)
    return table.names() if table is not None else []
