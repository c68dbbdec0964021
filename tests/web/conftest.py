"""Fixtures for the web tests: an app on a temp database with the shared index cache."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.settings import Settings
from tests.web.helpers import running, settings_for

# the web tests send many chat turns quickly from one client; tests/web/test_hardening.py
# turns rate limiting back on explicitly (Settings(rate_limit_enabled=True, ...))
os.environ.setdefault("MENTOR_RATE_LIMIT_ENABLED", "false")


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
