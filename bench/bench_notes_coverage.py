"""Do the notes teach what interviewers ask? Key-point coverage of held-out interview questions.

bench/data/interview_heldout.yaml: 160 interview questions written from interview experience,
without reading the notes or the banks, each labelled with the section that should cover it and
2-4 key points a strong answer states. A key point is covered when some sentence, bullet, table
row or code block of that section's note (and its question bank's model answers, which the
mentor also teaches from) passes the same judge as the clarification benchmark
(bench/bench_clarify.py: MiniLM cosine >= its calibrated THRESHOLD).

Even positions are the development half (its misses guided the additions to the notes), odd
positions the held-out half, reported on its own. The judge was not tuned on either.

    python -m bench.bench_notes_coverage [--show N]   # the N worst-covered development questions
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import yaml

from app import knowledge
from app.retrieval.embeddings import shared_embedder
from app.settings import Settings
from bench.bench_clarify import THRESHOLD, answer_units

DATA = Path(__file__).parent / "data" / "interview_heldout.yaml"


def main() -> None:
    show = int(sys.argv[sys.argv.index("--show") + 1]) if "--show" in sys.argv else 0
    kb = knowledge.load(Settings().knowledge_dir)
    embedder = shared_embedder()
    cases = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    # each section's units embedded once: notes first, then the bank's model answers
    note_vecs, all_vecs = {}, {}
    for n, section in kb.sections.items():
        notes = answer_units(section.markdown)
        bank = answer_units("\n\n".join(q.model_answer for q in section.questions))
        vecs = embedder.encode(notes + bank, bulk=True)
        note_vecs[n], all_vecs[n] = vecs[: len(notes)], vecs

    def covered(key_points: list[str], which: str, n: int) -> list[bool]:  # the clarify judge
        vecs: np.ndarray = (all_vecs if which == "all" else note_vecs)[n]
        best = (embedder.encode(key_points) @ vecs.T).max(axis=1)
        return [bool(b >= THRESHOLD) for b in best]

    for half, chosen in (("development", cases[0::2]), ("held-out", cases[1::2])):
        report(half, chosen, covered, show if half == "development" else 0)


def report(half: str, cases: list[dict], covered: object, show: int) -> None:  # type: ignore[type-arg]
    points = hit_points = hit_notes_only = 0
    by_section: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    misses: list[tuple[float, str, list[str]]] = []
    for case in cases:
        n, key_points = int(case["section"]), [str(k) for k in case["key_points"]]
        hits = covered(key_points, "all", n)  # type: ignore[operator]
        hits_notes = covered(key_points, "notes", n)  # type: ignore[operator]
        points += len(hits)
        hit_points += sum(hits)
        hit_notes_only += sum(hits_notes)
        by_section[n][0] += sum(hits)
        by_section[n][1] += len(hits)
        if not all(hits):
            missed = [k for k, h in zip(key_points, hits, strict=True) if not h]
            misses.append((sum(hits) / len(hits), f"§{n} {case['q']}", missed))
    print(
        f"\n{half} half: {len(cases)} interview questions, {points} key points, judge {THRESHOLD:.2f}"
    )
    print(f"covered by the section's note and bank: {hit_points / points:.3f}")
    print(f"covered by the section's note alone:    {hit_notes_only / points:.3f}")
    print("| section | covered | key points |")
    print("| --- | --- | --- |")
    for n in sorted(by_section):
        got, total = by_section[n]
        print(f"| {n} | {got / total:.2f} | {total} |")
    for share, question, missed in sorted(misses)[:show]:
        print(f"{share:.2f} {question}\n    missed: {missed}")


if __name__ == "__main__":
    main()
