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
# every routing set, in the order written: (file under data/, what it is)
SETS = (
    ("intents.yaml", "the labelled set"),
    ("intents_probe.yaml", "first probe, seen"),
    ("intents_probe_v2.yaml", "second probe"),
    ("intents_probe_v3.yaml", "third probe"),
    ("intents_probe_v4.yaml", "fourth probe"),
    ("intents_probe_v5.yaml", "fifth probe"),
    ("intents_probe_v6.yaml", "sixth probe"),
    ("intents_probe_v7.yaml", "seventh probe"),
    ("intents_probe_v8.yaml", "eighth probe: terse questions vs sections, seen"),
    ("intents_probe_v9.yaml", "ninth probe, seen"),
    ("intents_probe_v10.yaml", "tenth probe, seen"),
    ("intents_probe_v11.yaml", "eleventh probe, seen"),
    ("intents_probe_v12.yaml", "twelfth probe, seen"),
    ("intents_probe_v13.yaml", "thirteenth probe, seen"),
    ("intents_probe_v14.yaml", "fourteenth probe, seen"),
    ("intents_probe_v15.yaml", "fifteenth probe, seen"),
    ("intents_probe_v16.yaml", "sixteenth probe, seen"),
    ("intents_probe_v17.yaml", "seventeenth probe, seen"),
    ("intents_probe_v18.yaml", "eighteenth probe, seen"),
    ("intents_probe_v19.yaml", "nineteenth probe, seen"),
    ("intents_probe_v20.yaml", "twentieth probe, seen"),
    ("intents_dev.yaml", "development set, seen"),
    ("intents_dev_v2.yaml", "second development set, seen"),
)


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
    for name, what in SETS:
        print(f"--- {name} ({what})")
        show(evaluate(matcher, DATA.parent / name, router), DATA.parent / name)


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
