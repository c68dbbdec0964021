"""The web layer's house: routes import deps, views and schemas, never each other; no import
cycle runs through app.web; the store only persists (the turn service lives by the mentor)."""

from __future__ import annotations

import grimp
import pytest

from app.settings import ROOT

MAX_LINES = 500


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    # grimp sees imports inside functions too: a cycle hidden in a function is still a cycle
    return grimp.build_graph("app", cache_dir=None)


def _web_modules(graph: grimp.ImportGraph) -> list[str]:
    return sorted(m for m in graph.modules if m.startswith("app.web."))


def test_routes_never_import_each_other(graph: grimp.ImportGraph) -> None:
    routes = {m for m in _web_modules(graph) if m.startswith("app.web.routes_")}
    assert len(routes) >= 7
    crossing = {
        (m, imported)
        for m in routes
        for imported in graph.find_modules_directly_imported_by(m)
        if imported in routes
    }
    assert crossing == set()


def test_no_import_cycle_runs_through_the_web_layer(graph: grimp.ImportGraph) -> None:
    cycles = []
    for module in _web_modules(graph):
        for imported in graph.find_modules_directly_imported_by(module):
            chain = graph.find_shortest_chain(imported, module)
            if chain:
                cycles.append((module, chain))
    assert cycles == []


def test_only_the_app_factory_knows_the_routes(graph: grimp.ImportGraph) -> None:
    for helper in ("app.web.deps", "app.web.views", "app.web.schemas", "app.web.errors"):
        for route in (m for m in _web_modules(graph) if m.startswith("app.web.routes_")):
            assert not graph.chain_exists(helper, route), (helper, route)


def test_the_store_persists_and_the_mentor_never_imports_the_web(
    graph: grimp.ImportGraph,
) -> None:
    assert "app.store.chat" not in graph.modules
    assert not graph.chain_exists("app.store", "app.mentor.service", as_packages=True)
    assert not graph.chain_exists("app.mentor", "app.web", as_packages=True)
    assert not graph.chain_exists("app.store", "app.web", as_packages=True)


def test_no_web_or_store_module_is_over_500_lines() -> None:
    paths = [*(ROOT / "app" / "web").glob("*.py"), *(ROOT / "app" / "store").glob("*.py")]
    paths.append(ROOT / "app" / "mentor" / "service.py")
    long = {p.name: n for p in paths if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}
