"""Offline grading on the held-out set written before any tuning (issue 15).

Data: bench/data/grading_heldout.yaml: 201 answers to 67 questions outside the banks, a third
each strong / partial / confidently wrong, labelled before grading. The split is by question:
questions at even positions tune, questions at odd positions are held out; both are reported.

Off-topic replays: each question's first strong answer is graded again against the next
question of the same half from another section; an answer to another question must be graded
wrong. The replays of a half use only that half's answers.

    python -m bench.bench_grading_heldout        # the report (also run by `make bench`)
    python -m bench.bench_grading_heldout -v     # also list the disagreements
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from app import knowledge
from app.mentor.evidence import Evidence
from app.mentor.grader import GRADES, Grade, OfflineGrader, Rubric
from app.prompts import Prompts
from app.retrieval.embeddings import shared_embedder
from app.settings import ROOT, Settings
from bench.bench_grading import agreement, confusion

DATA = Path(__file__).parent / "data" / "grading_heldout.yaml"
HALVES = ("tuning (even)", "held-out (odd)")


@dataclass(frozen=True)
class Case:
    position: int  # of the question the answer is graded against
    label: str
    answer: str
    rubric: Rubric
    replay: bool = False  # a strong answer to another section's question

    @property
    def half(self) -> str:
        return HALVES[self.position % 2]


def load_cases(path: Path = DATA) -> list[Case]:
    questions = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    rubrics = [
        Rubric(
            str(q["question"]),
            tuple(str(k) for k in q["key_points"]),
            tuple(str(m) for m in q.get("misconceptions", ())),
            str(q.get("model_answer", "")),
            "given",
            int(q["section"]),
        )
        for q in questions
    ]
    cases = [
        Case(i, str(a["label"]), str(a["text"]).strip(), rubrics[i])
        for i, q in enumerate(questions)
        for a in q["answers"]
    ]
    n = len(questions)
    for i, q in enumerate(questions):
        strong = next((a for a in q["answers"] if a["label"] == "strong"), None)
        same_half = [(i + 2 * k) % n for k in range(1, n)]
        other = next(
            (j for j in same_half if j % 2 == i % 2 and questions[j]["section"] != q["section"]),
            None,
        )
        if strong is not None and other is not None:
            cases.append(Case(other, "wrong", str(strong["text"]).strip(), rubrics[other], True))
    return cases


def measures(cases: list[Case], grades: list[Grade]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for half in HALVES:
        mine = [(c, g) for c, g in zip(cases, grades, strict=True) if c.half == half]
        pairs: list[tuple[str, str]] = [(c.label, g.grade) for c, g in mine if not c.replay]
        replays = [g.grade == "wrong" for c, g in mine if c.replay]
        out[half] = {
            "n": len(pairs),
            "exact": agreement(pairs),
            "wrong_strong": sum(lab == "wrong" and p == "strong" for lab, p in pairs),
            "off_topic": sum(replays) / max(1, len(replays)),
            "replays": len(replays),
        }
    return out


def table(rows: dict[str, dict[str, dict[str, float]]]) -> str:
    lines = [
        "| grader | half | exact agreement | wrong graded strong | off-topic replays graded wrong |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, by_half in rows.items():
        for half, m in by_half.items():
            lines.append(
                f"| {name} | {half} (n={m['n']:.0f}) | {m['exact']:.3f} | {m['wrong_strong']:.0f} "
                f"| {m['off_topic']:.3f} (n={m['replays']:.0f}) |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    t0 = time.perf_counter()
    real = shared_embedder()
    real.encode(["warm up"])
    cases = load_cases()
    prompts = Prompts(ROOT / "prompts")
    labels = Counter(c.label for c in cases if not c.replay)
    print(
        f"{sum(not c.replay for c in cases)} answers "
        f"({', '.join(f'{labels[g]} {g}' for g in GRADES)}), "
        f"{sum(c.replay for c in cases)} off-topic replays"
    )
    # the grader before issue 15 (the question's own rubric only) beside the shipped one (the
    # myth catalogue and the other questions too)
    old = OfflineGrader(real, prompts)
    old_grades = [old.grade(c.rubric, c.answer) for c in cases]
    settings = Settings()
    kb = knowledge.load(settings.knowledge_dir)
    evidence = Evidence(kb, real, settings.resolved_index_dir)
    evidence.warm()  # encoded (or read from the index folder) before timing
    # one pass on a fresh grader and the real model, as a user would see it: the first answer
    # to a question also encodes its rubric (cached after that)
    grader = OfflineGrader(real, prompts, evidence=evidence)
    grades: list[Grade] = []
    times = []
    first: list[bool] = []  # the first answer graded against its rubric: it encodes the rubric
    seen: set[int] = set()
    for c in cases:
        t = time.perf_counter()
        grades.append(grader.grade(c.rubric, c.answer))
        times.append((time.perf_counter() - t) * 1000)
        first.append(c.position not in seen)
        seen.add(c.position)
    print(
        table(
            {
                "before (rubric only)": measures(cases, old_grades),
                "offline grader": measures(cases, grades),
            }
        )
    )
    for half in HALVES:
        pairs: list[tuple[str, str]] = [
            (c.label, g.grade)
            for c, g in zip(cases, grades, strict=True)
            if c.half == half and not c.replay
        ]
        print(f"\nConfusion, {half} (rows: label, columns: grade):")
        print(confusion(pairs))
    later = [t for t, f in zip(times, first, strict=True) if not f]
    firsts = [t for t, f in zip(times, first, strict=True) if f]
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(
        f"\nGrading latency ({real.engine} engine, load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores): p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms "
        f"(p50 {statistics.median(later):.0f} ms with the rubric already encoded, "
        f"{statistics.median(firsts):.0f} ms for the first answer to each of "
        f"{len(firsts)} rubrics)"
    )
    if "-v" in argv:
        print("\nDisagreements:")
        for c, g in zip(cases, grades, strict=True):
            if c.label != g.grade:
                kind = "replay" if c.replay else c.label
                print(
                    f"  q{c.position} [{c.half}] {kind}: graded {g.grade} {g.score} "
                    f"| {c.answer[:100]!r}"
                )
    print(f"({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
