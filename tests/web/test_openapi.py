"""The OpenAPI document is the contract: every JSON route names its response model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.settings import Settings
from app.web.app import create_app
from tests.web.helpers import settings_for

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    settings: Settings = settings_for(tmp_path_factory.mktemp("openapi") / "data")
    document: dict[str, Any] = create_app(settings).openapi()
    return document


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def _names_a_model(body: dict[str, Any]) -> bool:
    """A `$ref` to a component, or an array of them: not FastAPI's empty `{}` schema."""
    if "$ref" in body:
        return True
    return body.get("type") == "array" and "$ref" in body.get("items", {})


def test_every_json_route_names_a_response_model(schema: dict[str, Any]) -> None:
    operations = _operations(schema)
    assert len(operations) >= 20
    missing = []
    for method, path, op in operations:
        ok = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        assert ok, f"{method} {path} documents no success response"
        for code, response in ok.items():
            content = response.get("content", {})
            if code == "204":
                assert not content, f"{method} {path}: a 204 has no body"
                continue
            assert content, f"{method} {path} {code} documents no body"
            json_body = content.get("application/json")
            if json_body is None:
                # a download or a stream only: it must say what it is instead
                assert set(content) <= {"text/markdown", "text/plain", "text/event-stream"}
            elif not _names_a_model(json_body["schema"]):
                missing.append(f"{method} {path} {code}")
    assert not missing, f"JSON responses without a model: {missing}"


def test_documented_errors_have_the_detail_shape(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    assert components["ErrorOut"]["required"] == ["detail"]
    for method, path, op in _operations(schema):
        for code, response in op["responses"].items():
            if code in ("404", "413", "503") and "content" in response:
                body = response["content"]["application/json"]["schema"]
                assert "$ref" in body, f"{method} {path} {code}"


def test_the_interfaces_others_rely_on_are_typed(schema: dict[str, Any]) -> None:
    paths = schema["paths"]

    def ok_schema(path: str, method: str = "get") -> dict[str, Any]:
        body: dict[str, Any] = paths[path][method]["responses"]["200"]["content"][
            "application/json"
        ]["schema"]
        return body

    assert ok_schema("/api/sections")["items"]["$ref"].endswith("/SectionTitle")
    assert ok_schema("/api/sections/{number}")["$ref"].endswith("/SectionNote")
    assert ok_schema("/api/chat", "post")["$ref"].endswith("/ChatReply")
    assert ok_schema("/api/grade", "post")["$ref"].endswith("/GradeOut")
    assert ok_schema("/v1/chat/completions", "post")["$ref"].endswith("/MentorCompletion")
    assert ok_schema("/v1/models")["$ref"].endswith("/ModelList")
    # the chat routes also document their event streams
    for path in ("/api/chat", "/v1/chat/completions"):
        assert "text/event-stream" in paths[path]["post"]["responses"]["200"]["content"]
    reply = schema["components"]["schemas"]["ChatReply"]
    assert {"conversation_id", "intent", "section", "citations", "markdown", "html"} <= set(
        reply["required"]
    )


def test_the_schema_is_built_without_a_running_app(tmp_path: Path) -> None:
    """No lifespan, no index: the document comes from the routes alone."""
    app = create_app(settings_for(tmp_path / "data"))
    assert app.openapi()["info"]["title"] == "Docker Interview Mentor"
