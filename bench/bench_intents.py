"""Intent routing accuracy on bench/data/intents.yaml and the probes intents_probe*.yaml.

The probe was written before its fixes and uses its own shorthand: `state: {after_section: N}`
(section N was just shown, so N + 1 is on offer), `sections: []` for an interview over every
section, and `then:` for the second part of a compound request. The loader adapts the shorthand
to ConversationState; the labels stay as written. A compound message counts right only when both
of its parts are right.

    python -m bench.bench_intents [--mentor]

By default the router alone decides (`app.mentor.intents.route`). With `--mentor`, the mentor's
notes check (`app.mentor.notes_check.understand`) then looks again at what the router left to
it, as `Mentor.stream` does: what a user gets. It needs the index (`mentor index`).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from app.catalog import LAST_SECTION, SECTION_TITLES
from app.conversation import ConversationState
from app.mentor.intents import route
from app.mentor.section_matcher import SectionMatcher
from app.mentor.types import Route

DATA = Path(__file__).parent / "data" / "intents.yaml"
PROBE = Path(__file__).parent / "data" / "intents_probe.yaml"
PROBE_V2 = Path(__file__).parent / "data" / "intents_probe_v2.yaml"
PROBE_V3 = Path(__file__).parent / "data" / "intents_probe_v3.yaml"
PROBE_V4 = Path(__file__).parent / "data" / "intents_probe_v4.yaml"
PROBE_V5 = Path(__file__).parent / "data" / "intents_probe_v5.yaml"
PROBE_V6 = Path(__file__).parent / "data" / "intents_probe_v6.yaml"
PROBE_V7 = Path(__file__).parent / "data" / "intents_probe_v7.yaml"
PROBE_V8 = Path(__file__).parent / "data" / "intents_probe_v8.yaml"
PROBE_V9 = Path(__file__).parent / "data" / "intents_probe_v9.yaml"
PROBE_V10 = Path(__file__).parent / "data" / "intents_probe_v10.yaml"
PROBE_V11 = Path(__file__).parent / "data" / "intents_probe_v11.yaml"
PROBE_V12 = Path(__file__).parent / "data" / "intents_probe_v12.yaml"
PROBE_V13 = Path(__file__).parent / "data" / "intents_probe_v13.yaml"
PROBE_V14 = Path(__file__).parent / "data" / "intents_probe_v14.yaml"
PROBE_V15 = Path(__file__).parent / "data" / "intents_probe_v15.yaml"
PROBE_V16 = Path(__file__).parent / "data" / "intents_probe_v16.yaml"
PROBE_V17 = Path(__file__).parent / "data" / "intents_probe_v17.yaml"
PROBE_V18 = Path(__file__).parent / "data" / "intents_probe_v18.yaml"
PROBE_V19 = Path(__file__).parent / "data" / "intents_probe_v19.yaml"
DEV = Path(__file__).parent / "data" / "intents_dev.yaml"
DEV_V2 = Path(__file__).parent / "data" / "intents_dev_v2.yaml"


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


def load_cases(path: Path = DATA) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8")))


def case_state(case: dict[str, Any]) -> ConversationState:
    """The conversation before the message; `after_section: N` means N was just shown."""
    raw = dict(case.get("state") or {})
    after = raw.pop("after_section", None)
    if after is not None:
        raw["current_section"] = after
        raw["offered_section"] = after + 1 if after < LAST_SECTION else None
        raw.setdefault("sections_seen", list(range(1, after + 1)))
    return ConversationState.from_json(raw or None)


def _sections_ok(got: tuple[int, ...], want: list[int]) -> bool:
    # `[]` in the probe: every section (none named); an interview over the same sections in
    # another order is the same interview
    return set(got) == set(want) or (not want and set(got) in (set(), set(SECTION_TITLES)))


def case_ok(case: dict[str, Any], r: Route) -> bool:
    """The intent, the labelled section(s), and for a compound message its second part."""
    ok: bool = r.intent == case["intent"]
    if ok and "section" in case:
        ok = bool(r.section == case["section"])
    if ok and "sections" in case:
        ok = _sections_ok(r.sections, case["sections"])
    if ok and "then" in case:
        then = getattr(r, "then", None)
        ok = then is not None and bool(then.intent == case["then"])
    return ok


Router = Callable[[str, ConversationState], Route]


def evaluate(
    matcher: SectionMatcher, path: Path = DATA, router: Router | None = None
) -> IntentReport:
    """A case is correct when the intent matches and, where labelled, the section(s) too.
    `router` (default: the rules and vote of `route`) is what decides; `--mentor` passes the
    mentor's `understand`, which adds the notes check for messages the router leaves to it."""
    report = IntentReport()
    for case in load_cases(path):
        state = case_state(case)
        t0 = time.perf_counter()
        r = (router or (lambda m, st: route(m, st, matcher)))(case["message"], state)
        report.latencies_ms.append((time.perf_counter() - t0) * 1000)
        ok = case_ok(case, r)
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

    router: Router | None = None
    if "--mentor" in sys.argv:  # the router plus the mentor's notes check (needs the index)
        from app.mentor.engine import build
        from app.mentor.notes_check import understand

        mentor = build(Settings())
        matcher = mentor.matcher

        def router(message: str, state: ConversationState) -> Route:
            return understand(message, state, mentor.matcher, mentor.index)

    else:
        kb = knowledge.load(Settings().knowledge_dir)
        matcher = SectionMatcher.from_knowledge(kb, shared_embedder())
    matcher.warm()
    sets = (
        ("intents.yaml", DATA),
        ("intents_probe.yaml (first probe, seen)", PROBE),
        ("intents_probe_v2.yaml (second probe)", PROBE_V2),
        ("intents_probe_v3.yaml (third probe)", PROBE_V3),
        ("intents_probe_v4.yaml (fourth probe)", PROBE_V4),
        ("intents_probe_v5.yaml (fifth probe)", PROBE_V5),
        ("intents_probe_v6.yaml (sixth probe)", PROBE_V6),
        ("intents_probe_v7.yaml (seventh probe)", PROBE_V7),
        ("intents_probe_v8.yaml (eighth probe: terse questions vs sections, seen)", PROBE_V8),
        ("intents_probe_v9.yaml (ninth probe, seen)", PROBE_V9),
        ("intents_probe_v10.yaml (tenth probe, seen)", PROBE_V10),
        ("intents_probe_v11.yaml (eleventh probe, seen)", PROBE_V11),
        ("intents_probe_v12.yaml (twelfth probe, seen)", PROBE_V12),
        ("intents_probe_v13.yaml (thirteenth probe, seen)", PROBE_V13),
        ("intents_probe_v14.yaml (fourteenth probe, seen)", PROBE_V14),
        ("intents_probe_v15.yaml (fifteenth probe, seen)", PROBE_V15),
        ("intents_probe_v16.yaml (sixteenth probe, seen)", PROBE_V16),
        ("intents_probe_v17.yaml (seventeenth probe, seen)", PROBE_V17),
        ("intents_probe_v18.yaml (eighteenth probe, seen)", PROBE_V18),
        ("intents_probe_v19.yaml (nineteenth probe, seen)", PROBE_V19),
        ("intents_dev.yaml (development set, seen)", DEV),
        ("intents_dev_v2.yaml (second development set, seen)", DEV_V2),
    )
    for name, path in sets:
        print(f"--- {name}")
        show(evaluate(matcher, path, router), path)


def show(report: IntentReport, path: Path) -> None:
    lat = sorted(report.latencies_ms)
    print(f"intent accuracy: {report.accuracy:.3f} ({report.correct}/{report.total})")
    print(
        f"routing latency p50 {lat[len(lat) // 2]:.2f} ms, p95 {lat[int(len(lat) * 0.95)]:.2f} ms"
    )
    counts = Counter(c["intent"] for c in load_cases(path))
    print("cases per intent: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if report.confusion:
        print("confusions (expected -> got):")
        for (exp, got), n in report.confusion.most_common():
            print(f"  {exp} -> {got}: {n}")
    for failure in report.failures:
        print("  miss:", failure)


if __name__ == "__main__":
    main()
