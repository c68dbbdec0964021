"""Intent routing accuracy on bench/data/intents.yaml (labelled chat messages)."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from app.mentor.intents import SectionMatcher, route
from app.mentor.state import ConversationState

DATA = Path(__file__).parent / "data" / "intents.yaml"


@dataclass
class IntentReport:
    total: int = 0
    correct: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def load_cases() -> list[dict[str, Any]]:
    return list(yaml.safe_load(DATA.read_text(encoding="utf-8")))


def evaluate(matcher: SectionMatcher) -> IntentReport:
    """A case is correct when the intent matches and, where labelled, the section(s) too."""
    report = IntentReport()
    for case in load_cases():
        state = ConversationState.from_json(case.get("state"))
        t0 = time.perf_counter()
        r = route(case["message"], state, matcher)
        report.latencies_ms.append((time.perf_counter() - t0) * 1000)
        ok = r.intent == case["intent"]
        if ok and "section" in case:
            ok = r.section == case["section"]
        if ok and "sections" in case:
            ok = list(r.sections) == case["sections"]
        report.total += 1
        if ok:
            report.correct += 1
        else:
            report.confusion[(case["intent"], r.intent)] += 1
            want = case.get("section", case.get("sections", ""))
            report.failures.append(
                f"{case['message']!r}: expected {case['intent']} {want}"
                f", got {r.intent} {r.section or list(r.sections) or ''} ({r.command})"
            )
    return report


def main() -> None:
    from app import knowledge
    from app.retrieval.embeddings import shared_embedder
    from app.settings import Settings

    kb = knowledge.load(Settings().knowledge_dir)
    matcher = SectionMatcher.from_knowledge(kb, shared_embedder())
    matcher.by_meaning("warm up")
    report = evaluate(matcher)
    lat = sorted(report.latencies_ms)
    print(f"intent accuracy: {report.accuracy:.3f} ({report.correct}/{report.total})")
    print(
        f"routing latency p50 {lat[len(lat) // 2]:.2f} ms, p95 {lat[int(len(lat) * 0.95)]:.2f} ms"
    )
    counts = Counter(c["intent"] for c in load_cases())
    print("cases per intent: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if report.confusion:
        print("confusions (expected -> got):")
        for (exp, got), n in report.confusion.most_common():
            print(f"  {exp} -> {got}: {n}")
    for failure in report.failures:
        print("  miss:", failure)


if __name__ == "__main__":
    main()
