"""Prometheus metrics (prometheus-client): requests and latency per route, plus the mentor's
own counters (LLM calls, fallbacks to offline, streamed tokens, canary blocks, turns by intent).

Each app gets its own registry, so several apps in one process (the tests) never share counts.
Routes are labelled by their template (`/api/conversations/{conversation_id}`), never by the raw
path, so the label set stays small whatever clients send.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import Scope

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# chat turns stream for seconds; the default buckets stop at 10 s
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class MentorCollector(Collector):
    """Reads the live app state at scrape time: readiness and the mentor's Stats."""

    def __init__(self, state: Any) -> None:
        self.state = state

    def collect(self) -> Iterator[Any]:
        ready = GaugeMetricFamily("mentor_ready", "1 when the index is loaded and the mentor built")
        ready.add_metric([], float(bool(getattr(self.state, "ready", False))))
        yield ready
        stats = getattr(getattr(self.state, "mentor", None), "stats", None)
        if stats is None:
            return
        for name, doc in (
            ("llm_calls", "calls to the configured LLM backend"),
            ("fallbacks", "LLM failures answered by the offline engine instead"),
            ("tokens", "pieces (about one token each) streamed from the LLM"),
            ("canary_blocks", "LLM replies stopped for revealing the system prompt"),
        ):
            yield CounterMetricFamily(f"mentor_{name}", doc, value=getattr(stats, name, 0))
        turns = CounterMetricFamily("mentor_turns", "chat turns by intent", labels=["intent"])
        for intent, count in sorted(getattr(stats, "by_intent", {}).items()):
            turns.add_metric([intent], count)
        yield turns


class Metrics:
    """One registry per app: the HTTP metrics and the mentor collector."""

    def __init__(self, state: Any) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "mentor_http_requests",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "mentor_http_request_duration_seconds",
            "time from request to the last byte of the response (whole streams included)",
            ["method", "route"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.registry.register(MentorCollector(state))

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


def route_of(scope: Scope) -> str:
    """The matched route's template; unmatched paths share one label."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str) and path:
        return path
    return "/static" if scope.get("path", "").startswith("/static/") else "unmatched"
