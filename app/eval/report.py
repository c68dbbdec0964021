"""The scorecard: rows of metrics, as JSON, Markdown, a saved file, and threshold checks.

Kept apart from the runner so the web page and the CLI read a saved report without loading a
model, an index or the benchmark sets.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from app.errors import BadInput


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    better: Literal["higher", "lower"]
    kind: Literal["share", "count", "ms", "rate"]


METRICS: tuple[Metric, ...] = (
    Metric("notes_valid", "notes valid (first try + repair)", "higher", "share"),
    Metric("notes_first_try", "notes valid on first try", "higher", "share"),
    Metric("notes_after_repair", "notes valid after repair", "higher", "share"),
    Metric("notes_fallback", "notes fallen back to curated", "lower", "share"),
    Metric("notes_key_facts", "curated key facts kept", "higher", "share"),
    Metric("clarify_coverage", "clarification key-point coverage", "higher", "share"),
    Metric("clarify_citations", "clarifications citing a section", "higher", "share"),
    Metric("clarify_contradictions", "clarifications contradicting the notes", "lower", "share"),
    Metric("grading_agreement", "grades agreeing with labels", "higher", "share"),
    Metric("wrong_strong", "wrong answers graded strong", "lower", "share"),
    Metric("off_topic_caught", "off-topic answers caught", "higher", "share"),
    Metric("followups_on_missed", "follow-ups on a missed point", "higher", "share"),
    Metric("canary_leaks", "system-prompt leaks (replies)", "lower", "count"),
    Metric("canary_blocked", "leak attempts blocked", "lower", "count"),
    Metric("ttft_ms", "time to first token (ms)", "lower", "ms"),
    Metric("tokens_per_s", "tokens per second", "higher", "rate"),
    Metric("tokens_per_turn", "tokens per turn", "lower", "rate"),
)
BY_KEY = {m.key: m for m in METRICS}


@dataclass
class Row:
    model: str
    metrics: dict[str, float]
    seconds: float = 0.0


@dataclass
class Report:
    rows: list[Row]
    limit: int | None = None
    max_tokens: int | None = None  # the cap on one generated reply (None: each task's default)
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        rows = [
            Row(str(r["model"]), dict(r["metrics"]), float(r.get("seconds", 0)))
            for r in data["rows"]
        ]
        return cls(rows, data.get("limit"), data.get("max_tokens"), str(data.get("created", "")))

    def metric_keys(self) -> list[str]:
        """The metrics some row has, in the scorecard's order."""
        present = {k for r in self.rows for k in r.metrics}
        return [m.key for m in METRICS if m.key in present]

    def markdown(self) -> str:
        keys = self.metric_keys()
        head = "| metric | " + " | ".join(r.model for r in self.rows) + " |"
        rule = "|---|" + "---:|" * len(self.rows)
        cap = f", replies capped at {self.max_tokens} tokens" if self.max_tokens else ""
        lines = [
            f"# mentor eval ({self.created}, limit {self.limit or 'none'}{cap})",
            "",
            head,
            rule,
        ]
        for key in keys:
            m = BY_KEY[key]
            cells = [fmt(m, r.metrics.get(key)) for r in self.rows]
            arrow = "↑" if m.better == "higher" else "↓"
            lines.append(f"| {m.label} {arrow} | " + " | ".join(cells) + " |")
        lines.append(
            "| wall time (s) | " + " | ".join(f"{r.seconds:.1f}" for r in self.rows) + " |"
        )
        return "\n".join(lines) + "\n"


def fmt(metric: Metric, value: float | None) -> str:
    if value is None:
        return "–"
    if metric.kind == "share":
        return f"{value:.2f}"
    if metric.kind == "count":
        return f"{value:.0f}"
    return f"{value:.1f}"


Bound = tuple[str, str, float]  # (metric key, "min" | "max", value)


def parse_bound(kind: str, raw: str) -> Bound:
    """'notes_valid=0.9' -> ("notes_valid", kind, 0.9); a BadInput naming the known metrics."""
    key, sep, value = raw.partition("=")
    key = key.strip()
    if not sep or key not in BY_KEY:
        known = ", ".join(BY_KEY)
        raise BadInput(f"'{raw}' is not METRIC=VALUE with a known metric ({known})")
    try:
        return key, kind, float(value)
    except ValueError:
        raise BadInput(f"'{raw}': '{value}' is not a number") from None


def failures(report: Report, bounds: list[Bound]) -> list[str]:
    """One line per (model, bound) that is not met; a missing metric fails its bound."""
    out: list[str] = []
    for row in report.rows:
        for key, kind, limit in bounds:
            value = row.metrics.get(key)
            bad = value is None or (value < limit if kind == "min" else value > limit)
            if bad:
                shown = "missing" if value is None else f"{value:.3f}"
                out.append(f"{row.model}: {key} {shown}, needs {kind} {limit:g}")
    return out


def save(report: Report, data_dir: Path) -> Path:
    folder = data_dir / "eval"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "last.json"
    path.write_text(json.dumps(report.to_json(), indent=2), encoding="utf-8")
    return path


def load_last(data_dir: Path) -> Report | None:
    path = data_dir / "eval" / "last.json"
    if not path.is_file():
        return None
    return Report.from_json(json.loads(path.read_text(encoding="utf-8")))
