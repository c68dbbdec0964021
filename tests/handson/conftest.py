"""The real task book, loaded strictly: a cited phrase missing from the notes fails loudly."""

from __future__ import annotations

import pytest

from app.handson.model import TaskBook, load_tasks
from tests.conftest import KNOWLEDGE


@pytest.fixture(scope="session")
def book() -> TaskBook:
    return load_tasks(KNOWLEDGE / "tasks", KNOWLEDGE / "sections", strict=True)
