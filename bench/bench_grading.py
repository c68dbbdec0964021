"""Offline grading quality: agreement with hand labels, confusion, a length baseline, latency.

Data: bench/data/graded_answers.yaml (answers to bank questions and to questions outside the
bank, labelled strong / partial / wrong by hand before the grader was tuned).

To keep the numbers honest the data is split by position: even indices are the calibration
half (the grader's Thresholds defaults were fitted there with `--fit`), odd indices are held
out. Both halves and the total are reported; the length-only baseline gets the same treatment
(its two word-count cut-offs are fitted on the even half, the best it can do there).

    python -m bench.bench_grading          # the report (also run by `make bench`)
    python -m bench.bench_grading --fit    # grid-search Thresholds on the even half
    python -m bench.bench_grading --engine torch   # latency with the torch engine
    python -m bench.bench_grading -v       # also list the disagreements
"""

from __future__ import annotations

import itertools
import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from app import knowledge
from app.mentor.grader import (
    BANK_MATCH,
    GRADES,
    OfflineGrader,
    Rubric,
    Thresholds,
    asserts,
    assess,
    closest_bank_question,
    rubric_for,
    word_count,
)
from app.prompts import Prompts
from app.retrieval.embeddings import Embedder, shared_embedder
from app.settings import ROOT

DATA = Path(__file__).parent / "data" / "graded_answers.yaml"


@dataclass
class Case:
    index: int
    qid: str
    label: str
    answer: str
    rubric: Rubric
    in_bank: bool


class CachingEmbedder(Embedder):
    """The real model with a text -> vector memo, so refitting does not re-encode."""

    def __init__(self, inner: Embedder) -> None:
        super().__init__(inner.model_name)
        self._model = inner.model
        self.memo: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str], batch_size: int = 32) -> Any:
        missing = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if missing:
            self.memo.update(zip(missing, super().encode(missing, batch_size), strict=True))
        return np.stack([self.memo[t] for t in texts]) if texts else super().encode([])


def load_cases(embedder: Embedder) -> list[Case]:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    kb = knowledge.load(ROOT / "knowledge")
    bank = {q.id: q for q in kb.questions}
    outside = {q["id"]: q for q in data["questions"]}
    cases = []
    for i, a in enumerate(data["answers"]):
        qid = a["q"]
        if qid in bank:
            rubric, in_bank = Rubric.from_question(bank[qid]), True
        elif qid in outside:
            q = outside[qid]
            in_bank = False
            if q.get("key_points"):
                rubric = Rubric(
                    q["question"],
                    tuple(q["key_points"]),
                    tuple(q.get("misconceptions", ())),
                    q.get("model_answer", ""),
                    "given",
                )
            else:
                rubric = rubric_for(q["question"], None, kb, None, embedder)
        else:
            raise SystemExit(f"{DATA}: answer {i} names unknown question {qid!r}")
        cases.append(Case(i, qid, a["label"], a["text"].strip(), rubric, in_bank))
    return cases


def agreement(pairs: list[tuple[str, str]]) -> float:
    return sum(p == g for p, g in pairs) / max(1, len(pairs))


def confusion(pairs: list[tuple[str, str]]) -> str:
    counts = Counter(pairs)
    lines = ["label \\ graded   " + "  ".join(f"{g:>7}" for g in GRADES)]
    for label in GRADES:
        lines.append(f"{label:<16} " + "  ".join(f"{counts[(label, g)]:>7}" for g in GRADES))
    return "\n".join(lines)


def halves(cases: list[Case], predicted: list[str]) -> dict[str, list[tuple[str, str]]]:
    pairs = [(c.label, p) for c, p in zip(cases, predicted, strict=True)]
    return {
        "even (calibration)": [pr for c, pr in zip(cases, pairs, strict=True) if c.index % 2 == 0],
        "odd (held out)": [pr for c, pr in zip(cases, pairs, strict=True) if c.index % 2 == 1],
        "total": pairs,
    }


# -- the length-only baseline ---------------------------------------------------------------------


def length_grade(words: int, lo: int, hi: int, order: tuple[str, str, str]) -> str:
    return order[0] if words < lo else order[1] if words < hi else order[2]


def fit_length(cases: list[Case]) -> tuple[int, int, tuple[str, str, str]]:
    """Two word-count cut-offs and the grade for each band: the best fit on the even half."""
    train = [c for c in cases if c.index % 2 == 0]
    lengths = sorted({word_count(c.answer) for c in cases})
    best: tuple[float, int, int, tuple[str, str, str]] = (
        -1.0,
        0,
        0,
        ("wrong", "partial", "strong"),
    )
    for order in itertools.permutations(GRADES):
        for lo, hi in itertools.combinations_with_replacement([*lengths, 10_000], 2):
            acc = agreement(
                [(c.label, length_grade(word_count(c.answer), lo, hi, order)) for c in train]
            )
            if acc > best[0]:
                best = (acc, lo, hi, order)
    return best[1], best[2], best[3]


# -- fitting the thresholds -----------------------------------------------------------------------


def objective(pairs: list[tuple[str, str]]) -> float:
    """Exact agreement, with a "wrong" graded "strong" costing three answers."""
    bad = sum(label == "wrong" and p == "strong" for label, p in pairs)
    return agreement(pairs) - 3 * bad / max(1, len(pairs))


def _cutoffs() -> list[tuple[float, float, float]]:
    out = []
    for strong in np.arange(0.45, 0.91, 0.05):
        for partial in np.arange(0.15, strong - 0.09, 0.05):
            for mis_partial in (0.6, 0.7, 0.8, 0.9, 1.01):
                out.append((round(float(strong), 2), round(float(partial), 2), mis_partial))
    return out


def fit(cases: list[Case], grader: OfflineGrader) -> Thresholds:
    train = [c for c in cases if c.index % 2 == 0]
    labels = np.array([GRADES.index(c.label) for c in train])  # type: ignore[arg-type]
    base = grader.thresholds
    best: tuple[float, Thresholds] = (-9.0, base)
    # the margin stays >= 0.05: below that, correct answers written with typos ("sends sigterm to
    # the proccess ... then sigkill") read as "docker stop sends SIGKILL immediately"
    for mis_cos, mis_margin in itertools.product([0.70, 0.75, 0.80, 0.85], [0.05, 0.08]):
        th0 = replace(base, mis_cos=mis_cos, mis_margin=mis_margin)
        grader.thresholds = th0
        feats = [grader.features(c.rubric, c.answer) for c in train]
        for emb_floor, emb_full, emb_weight, term_cap, point_full in itertools.product(
            [0.25, 0.35, 0.45],
            [0.70, 0.78, 0.86],
            [0.3, 0.45, 0.6, 0.75],
            [2.0, 3.0, 4.0, 6.0],
            [0.6, 0.75, 0.9],
        ):
            th1 = replace(
                th0,
                emb_floor=emb_floor,
                emb_full=emb_full,
                emb_weight=emb_weight,
                term_cap=term_cap,
                point_full=point_full,
            )
            cov = np.array([assess(f, th1).coverage for f in feats])
            mis = np.array([any(asserts(e, th1) for e in f.mis_candidates) for f in feats])
            short = np.array([f.words < th1.min_words or f.idk for f in feats])
            for strong, partial, mis_partial in _cutoffs():
                pred = np.where(
                    short | (mis & (cov < mis_partial)),
                    2,
                    np.where(mis, 1, np.where(cov >= strong, 0, np.where(cov >= partial, 1, 2))),
                )
                bad = int(np.sum((labels == 2) & (pred == 0)))
                score = float(np.mean(pred == labels)) - 3 * bad / len(labels)
                if score > best[0]:
                    best = (
                        score,
                        replace(th1, strong=strong, partial=partial, mis_partial=mis_partial),
                    )
    grader.thresholds = base
    return best[1]


# -- the report ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    t0 = time.perf_counter()
    real = shared_embedder()
    real.encode(["warm up"])
    embedder = CachingEmbedder(real)
    cases = load_cases(embedder)
    grader = OfflineGrader(embedder, Prompts(ROOT / "prompts"))
    labels = Counter(c.label for c in cases)
    print(
        f"{len(cases)} answers ({', '.join(f'{labels[g]} {g}' for g in GRADES)}); "
        f"{sum(c.in_bank for c in cases)} to bank questions, "
        f"{sum(not c.in_bank for c in cases)} to {len({c.qid for c in cases if not c.in_bank})} "
        f"questions outside the bank"
    )
    kb = knowledge.load(ROOT / "knowledge")
    near = [
        c.qid
        for c in {c.qid: c for c in cases if not c.in_bank}.values()
        if closest_bank_question(c.rubric.question, kb, embedder)[1] >= BANK_MATCH
    ]
    print(
        f"outside questions a bank question now paraphrases (similarity >= {BANK_MATCH}): "
        f"{len(near)} {near}"
    )
    if "--fit" in argv:
        th = fit(cases, grader)
        print(f"fitted on the even half: {th}")
        grader.thresholds = th
    print(f"thresholds: {grader.thresholds}")

    graded = [grader.grade(c.rubric, c.answer) for c in cases]
    predicted = [g.grade for g in graded]
    print("\nOffline grader, exact agreement with the labels:")
    for name, pairs in halves(cases, predicted).items():
        bad = sum(lab == "wrong" and p == "strong" for lab, p in pairs)
        print(f"  {name:<20} {agreement(pairs):.3f}  (n={len(pairs)}, wrong->strong: {bad})")
    inside = [(c.label, p) for c, p in zip(cases, predicted, strict=True) if c.in_bank]
    outside = [(c.label, p) for c, p in zip(cases, predicted, strict=True) if not c.in_bank]
    print(f"  {'bank questions':<20} {agreement(inside):.3f}  (n={len(inside)})")
    print(f"  {'outside the bank':<20} {agreement(outside):.3f}  (n={len(outside)})")
    print("\nConfusion (all answers):")
    print(confusion([(c.label, p) for c, p in zip(cases, predicted, strict=True)]))

    lo, hi, order = fit_length(cases)
    baseline = [length_grade(word_count(c.answer), lo, hi, order) for c in cases]
    print(
        f"\nLength-only baseline (fitted on the even half: <{lo} words {order[0]}, "
        f"<{hi} {order[1]}, else {order[2]}):"
    )
    for name, pairs in halves(cases, baseline).items():
        print(f"  {name:<20} {agreement(pairs):.3f}")

    # latency: a fresh grader and the real model (no memo), as a user would see it; the
    # first answer to a question also encodes its rubric (cached after that)
    engines = [real.engine] if "--engine" not in argv else [argv[argv.index("--engine") + 1]]
    for engine in engines:
        model = real if engine == real.engine else Embedder(real.model_name, engine=engine)
        model.encode(["warm up"])
        fresh = OfflineGrader(model, grader.prompts, thresholds=grader.thresholds)
        times = []
        for c in cases:
            t = time.perf_counter()
            fresh.grade(c.rubric, c.answer)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(
            f"\nGrading latency (all-MiniLM-L6-v2, {model.engine} engine, load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores): "
            f"p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, max {times[-1]:.0f} ms"
        )
    if "-v" in argv:
        print("\nDisagreements:")
        for c, g in zip(cases, graded, strict=True):
            if c.label != g.grade:
                print(
                    f"  #{c.index} {c.qid}: label {c.label}, graded {g.grade} {g.score} "
                    f"mis={g.misconceptions} | {c.answer[:90]!r}"
                )
    print(f"({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
