"""Named checks over Compose files: finding the service that plays a role."""

from __future__ import annotations

from app.handson import compose_checks, compose_spec


def test_service_selection_by_role() -> None:
    model = compose_spec.parse(
        "services:\n  postgres:\n    image: postgres:17\n  backend:\n    build: ./api\n"
    )
    assert compose_checks.select(model, {"name": ["db"], "image": "postgres"})[0] == "postgres"  # type: ignore[index]
    assert compose_checks.select(model, {"name": ["api"], "build": True})[0] == "backend"  # type: ignore[index]
    assert compose_checks.select(model, {"name": ["cache"], "image": "redis"}) is None
