"""Fixtures for the web tests: an app on a temp database with the shared index cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.settings import Settings
from tests.web.helpers import running, settings_for


@pytest.fixture
def web_settings(tmp_path: Path) -> Settings:
    return settings_for(tmp_path / "data")


@pytest.fixture(scope="module")
def module_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return settings_for(tmp_path_factory.mktemp("web") / "data")


@pytest.fixture(scope="module")
def client(module_settings: Settings) -> Iterator[TestClient]:
    """One running app with the real mentor, shared by a module's tests."""
    with running(module_settings) as c:
        yield c
