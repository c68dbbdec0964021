"""Do the notes teach what interviewers ask? Key-point coverage of held-out interview questions.

bench/data/interview_heldout.yaml: 160 interview questions written from interview experience,
without reading the notes or the banks, each labelled with the section that should cover it and
2-4 key points a strong answer states. A key point is covered when some sentence, bullet, table
row or code block of that section's note (and its question bank's model answers, which the
mentor also teaches from) passes the same judge as the clarification benchmark
(bench/bench_clarify.py: MiniLM cosine >= its calibrated THRESHOLD).

Even positions are the development half (its misses guided the additions to the notes), odd
positions the held-out half, reported on its own. The judge was not tuned on either.

bench/data/interview_heldout_v2.yaml is a second set of 175 questions written the same way for
issue #17, after the first held-out half had been looked at: measure it with --data.

    python -m bench.bench_notes_coverage [--show N]   # the N worst-covered development questions
    python -m bench.bench_notes_coverage --data bench/data/interview_heldout_v2.yaml
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

import numpy as np
import yaml

from app import knowledge
from app.eval.judge import THRESHOLD, answer_units
from app.retrieval.embeddings import shared_embedder
from app.settings import Settings

DATA = Path(__file__).parent / "data" / "interview_heldout.yaml"


def load_cases(path: Path) -> list[dict]:  # type: ignore[type-arg]
    """The question set at `path`, checked: each case has q, a section number and key points."""
    if not path.is_file():
        raise SystemExit(f"no such question set: {path}")
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(cases, list) or not cases:
        raise SystemExit(f"{path}: expected a non-empty YAML list of questions")
    for i, case in enumerate(cases):
        if not isinstance(case, dict) or not {"q", "section", "key_points"} <= case.keys():
            raise SystemExit(f"{path}: question {i} needs q, section and key_points")
        if not isinstance(case["key_points"], list) or not case["key_points"]:
            raise SystemExit(f"{path}: question {i} ({case['q']!r}) has no key points")
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--show", type=int, default=0, help="print the N worst development misses")
    parser.add_argument("--data", type=Path, default=DATA, help="question set (YAML)")
    args = parser.parse_args()
    show = args.show
    cases = load_cases(args.data)
    kb = knowledge.load(Settings().knowledge_dir)
    embedder = shared_embedder()
    unknown = sorted({int(c["section"]) for c in cases} - set(kb.sections))
    if unknown:
        raise SystemExit(f"{args.data}: unknown section numbers {unknown}")
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
