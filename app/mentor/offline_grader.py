"""The offline grader: key-point coverage by sentence embeddings plus key terms, with
negation-aware misconceptions. A real grader, not a stub. For every key point it measures

- meaning: the best cosine between the key point and any sentence or clause of the answer
  (all-MiniLM-L6-v2 is topic-heavy: "stop sends SIGTERM" and "stop sends SIGKILL" score
  alike, so meaning alone cannot grade);
- terms: the weighted share of the key point's distinctive terms (flags, numbers, signal names,
  Docker nouns; not the words the question already gives away) the answer uses, forgiving
  plurals and typos.

A key point's coverage blends the two; the answer's coverage is the mean over key points, and
calibrated cut-offs (bench/bench_grading.py fits them on the even half of
bench/data/graded_answers.yaml) turn it into strong / partial / wrong and a 0-10 score.

Known misconceptions are matched per sentence and clause: close in meaning to the
misconception, closer to it than to everything correct the rubric says about the same docker
command, not negated ("docker stop does not send SIGKILL at once" is not the misconception),
and not about other details ("waits 10 s" does not assert "waits 30 s"). A clause that asserts
one is no evidence for any key point, and an answer that asserts one is never strong.

With `evidence` (app/mentor/evidence.py, what every grader the app builds gets) the answer is
also checked beyond its rubric: against the whole myth catalogue, against the docker CLI's own
flag tables, and against the other sections' questions. A catalogued myth or an invented flag
counts like an asserted misconception (never strong, quoted with its correction and a link);
an answer that fits another question better is wrong and says which question. An answer that
covers no key point at all (none reaches `touched`) is wrong. The grade and the score always
agree (`in_band`).
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from app.errors import BadInput
from app.mentor.answer_text import (
    IDK,
    answer_units,
    answer_vocabulary,
    commands_in,
    details_in,
    disjoint,
    key_terms,
    negated,
    rubric_details,
    sets_the_scene,
    split_units,
    word_count,
)
from app.mentor.evidence import invented_flags
from app.mentor.grades import (
    MAX_ANSWER_CHARS,
    Grade,
    GradeName,
    MythHit,
    apply_dated,
    in_band,
    render_grade,
)
from app.study.versions import DatedClaim, dated_claims
from app.text import stem, term_found
from app.text import words as tokens

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from app.mentor.evidence import Evidence, OffTopic
    from app.mentor.rubric import Rubric
    from app.prompts import Prompts
    from app.retrieval.embeddings import Embedder


CACHE_TEXTS = 4096  # rubric texts kept encoded; the cache starts again when it is full


@dataclass(frozen=True)
class Thresholds:
    """The calibrated knobs (fitted on the even half of bench/data/graded_answers.yaml)."""

    emb_floor: float = 0.35  # cosine at or below this is no evidence at all
    emb_full: float = 0.70  # cosine at or above this is full evidence of meaning
    emb_weight: float = 0.3  # the rest of a key point's coverage comes from its terms
    term_cap: float = 3.0  # finding this much term weight is full term evidence
    point_full: float = 0.75  # a key point with coverage >= this counts as fully covered
    point_covered: float = 0.7  # ... and >= this is listed as covered
    strong: float = 0.75  # answer coverage for "strong"
    partial: float = 0.15  # answer coverage for "partial"
    mis_cos: float = 0.75  # a unit this close to a misconception ...
    mis_margin: float = 0.05  # ... and this much closer to it than to every key point
    mis_partial: float = 0.7  # coverage that keeps an answer with a misconception partial
    mis_penalty: int = 3  # points off the score per asserted misconception
    min_words: int = 3  # fewer words than this is not an answer
    off_topic: float = 0.10  # Evidence.off_topic score at or above this: another question's answer
    touched: float = 0.2  # no key point covered even this much: the answer is wrong


@dataclass
class PointEvidence:
    key_point: str
    cosine: float
    found: float | None  # weight of its terms the answer uses; None: no distinctive terms
    total: float = 0.0  # weight of all its distinctive terms
    coverage: float = 0.0


@dataclass(frozen=True)
class MisEvidence:
    """The unit of an answer that comes closest to asserting one misconception."""

    misconception: str
    cosine: float
    margin: float  # cosine minus the unit's best cosine to anything correct in the rubric
    denied: bool  # the unit is negated and the misconception is not
    contrast: bool  # both name details (numbers, flags, signals) and share none
    quote: str = ""  # the unit


@dataclass
class Features:
    """Everything `decide` needs, computed once (the bench refits thresholds on these)."""

    words: int
    idk: bool
    points: list[PointEvidence]
    mis_candidates: list[MisEvidence] = field(default_factory=list)
    dated: list[DatedClaim] = field(default_factory=list)
    myths: list[MythHit] = field(default_factory=list)  # catalogued myths asserted
    off_topic: OffTopic | None = None


class OfflineGrader:
    """Key-point coverage by sentence embeddings plus key terms; negation-aware misconceptions."""

    backend = "offline"

    def __init__(
        self,
        embedder: Embedder,
        prompts: Prompts,
        thresholds: Thresholds | None = None,
        evidence: Evidence | None = None,
    ) -> None:
        self.embedder = embedder
        self.prompts = prompts
        self.thresholds = thresholds or Thresholds()
        self.evidence = evidence  # the myth catalogue and the other questions, when known
        self._cache: dict[str, NDArray[np.float32]] = {}
        self._lock = threading.Lock()

    def _encode(self, texts: list[str]) -> NDArray[np.float32]:
        """Encode with a small cache: rubric texts repeat on every answer. The vectors are
        collected locally: clearing a full cache (or another thread doing so) must not lose
        the ones this call found there."""
        with self._lock:
            found = {t: self._cache[t] for t in dict.fromkeys(texts) if t in self._cache}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            vecs = self.embedder.encode(missing)
            found.update(zip(missing, vecs, strict=True))
            with self._lock:
                if len(self._cache) > CACHE_TEXTS:
                    self._cache.clear()
                self._cache.update(zip(missing, vecs, strict=True))
        return np.stack([found[t] for t in texts])

    def prepare(self, rubric: Rubric) -> None:
        """Encode `rubric`'s texts now (the interview calls this while the candidate reads the
        question): grading its first answer then encodes only the answer, ~100 ms instead of
        ~250 ms on one core."""
        texts = [*rubric.key_points, *rubric.misconceptions, rubric.question]
        self._encode(list(dict.fromkeys([*texts, *correct_units(rubric)])))

    def features(self, rubric: Rubric, answer: str) -> Features:
        words = word_count(answer)
        idk = bool(IDK.match(answer))
        if words < self.thresholds.min_words or idk:
            return Features(
                words, idk, [PointEvidence(k, 0.0, 0.0, 1.0) for k in rubric.key_points]
            )
        unit_objs, atoms = answer_units(answer)
        units = [u.text for u in unit_objs]
        rubric_texts = [*rubric.key_points, *rubric.misconceptions]
        correct = correct_units(rubric)
        unit_vecs = self.embedder.encode(units)
        ref_vecs = self._encode(rubric_texts)
        kp_vecs = ref_vecs[: len(rubric.key_points)]
        mis_vecs = ref_vecs[len(rubric.key_points) : len(rubric_texts)]
        sims_kp = unit_vecs @ kp_vecs.T  # units x key points

        # misconceptions first: a unit asserting one is no evidence for any key point
        th = self.thresholds
        asserted: set[int] = set()  # atoms (clauses) that assert a misconception
        candidates: list[MisEvidence] = []
        if rubric.misconceptions:
            sims_mis = unit_vecs @ mis_vecs.T
            sims_correct = unit_vecs @ self._encode(correct).T
            correct_commands = [commands_in(c) for c in correct]
            unit_neg = [negated(u) for u in units]
            details = rubric_details((*rubric.key_points, *rubric.misconceptions))
            unit_details = [details_in(u, details) for u in units]
            unit_commands = [commands_in(u) for u in units]
            for j, mis in enumerate(rubric.misconceptions):
                mis_neg = negated(mis)
                mis_details = details_in(mis, details)
                mis_commands = commands_in(mis)
                # the truth about the same thing: "docker kill sends SIGKILL at once" is no
                # defence for a unit claiming it of docker stop
                same = [not disjoint(cc, mis_commands) for cc in correct_commands]
                best_kp = sims_correct[:, same].max(axis=1) if any(same) else sims_correct.max(1)
                best: MisEvidence | None = None
                for i in range(len(units)):
                    ev = MisEvidence(
                        mis,
                        float(sims_mis[i, j]),
                        float(sims_mis[i, j] - best_kp[i]),
                        unit_neg[i] and not mis_neg,
                        disjoint(unit_details[i], mis_details)
                        or disjoint(unit_commands[i], mis_commands),
                        units[i],
                    )
                    hit = asserts(ev, th)
                    if hit:
                        asserted |= unit_objs[i].atoms
                    if best is None or (hit, ev.cosine + ev.margin) > (
                        asserts(best, th),
                        best.cosine + best.margin,
                    ):
                        best = ev
                if best is not None:
                    candidates.append(best)

        myths: list[MythHit] = []
        off_topic = None
        if self.evidence is not None:
            scene = frozenset(i for i, u in enumerate(unit_objs) if sets_the_scene(u))
            claimed = self.evidence.myths(units, unit_vecs, rubric.section, scene)
            for i, myth in [*claimed, *invented_flags(units)]:
                asserted |= unit_objs[i].atoms
                myths.append(myth)
            asked = self._encode([rubric.question, *correct])  # row 0: the question
            off_topic = self.evidence.off_topic(rubric, unit_vecs, asked)

        question_terms = {stem(t) for t in tokens(rubric.question)}
        vocab = answer_vocabulary(" ".join(a for i, a in enumerate(atoms) if i not in asserted))
        keep = [i for i, u in enumerate(unit_objs) if not u.atoms & asserted]
        points = []
        per_point = [key_terms(kp, exclude=question_terms) for kp in rubric.key_points]
        # a term several key points share ("10", "seconds") says less about each of them
        spread = Counter(t for kt in per_point for t in kt)
        for k, kp in enumerate(rubric.key_points):
            cos = float(sims_kp[keep, k].max()) if keep else 0.0
            kt = {t: w / spread[t] for t, w in per_point[k].items()}
            found, total = None, 0.0
            if kt:
                found = sum(w for t, w in kt.items() if term_found(t, vocab))
                total = sum(kt.values())
            points.append(PointEvidence(kp, cos, found, total))
        return Features(words, idk, points, candidates, dated_claims(answer), myths, off_topic)

    def decide(self, rubric: Rubric, f: Features, th: Thresholds | None = None) -> Grade:
        """Features + thresholds -> Grade (dated claims applied, see app.mentor.grades)."""
        a = assess(f, th or self.thresholds)
        d = apply_dated(rubric, a.grade, a.score, a.covered, a.missed, f.dated)
        too_short = f.words < self.thresholds.min_words and not f.idk
        cited = {h.claim for h in f.myths}  # a rubric misconception the catalogue also has
        hits: list[MythHit] = []
        for h in [
            *f.myths,  # catalogue first: they carry a correction and a link
            *(
                MythHit(e.quote, e.misconception, "", source="rubric")
                for e in f.mis_candidates
                if e.misconception in a.misconceptions and e.misconception not in cited
            ),
        ]:
            if all(h.quote != seen.quote for seen in hits):  # one false claim per sentence
                hits.append(h)
        return render_grade(
            self.prompts,
            rubric,
            d,
            [m for m in a.misconceptions if m not in cited],
            too_short=too_short,
            idk=f.idk,
            myths=hits,
            off_topic=a.off_topic,
        )

    def grade(self, rubric: Rubric, answer: str) -> Grade:
        if not rubric.key_points:
            raise BadInput("a rubric needs at least one key point")
        return self.decide(rubric, self.features(rubric, answer[:MAX_ANSWER_CHARS]))

    async def agrade(self, rubric: Rubric, answer: str) -> Grade:
        # the model runs on CPU for tens of milliseconds: keep it off the event loop
        return await asyncio.to_thread(self.grade, rubric, answer)


def correct_units(rubric: Rubric) -> list[str]:
    """What a correct answer says, piece by piece (each key point and its clauses, the model
    answer's sentences): a unit must be closer to a misconception than to every one of these
    to assert it."""
    return list(
        dict.fromkeys(
            [u for k in rubric.key_points for u in [k, *split_units(k)]]
            + (split_units(rubric.model_answer) if rubric.model_answer else [])
        )
    )


@dataclass(frozen=True)
class Assessment:
    grade: GradeName
    score: int
    coverage: float  # 0-1, the mean key-point coverage
    covered: list[str]
    missed: list[str]
    misconceptions: list[str]  # rubric misconceptions and catalogued claims asserted
    off_topic: str | None = None  # the question the answer fits instead


def point_coverage(p: PointEvidence, th: Thresholds) -> float:
    """One key point's coverage, 0-1: meaning (cosine, rescaled) blended with its terms."""
    meaning = min(1.0, max(0.0, (p.cosine - th.emb_floor) / (th.emb_full - th.emb_floor)))
    if p.found is None:
        return meaning
    terms = min(1.0, p.found / min(p.total, th.term_cap))
    return th.emb_weight * meaning + (1 - th.emb_weight) * terms


def assess(f: Features, th: Thresholds) -> Assessment:
    """Features + thresholds -> grade and score. Pure and cheap: the bench refits with it."""
    if f.words < th.min_words or f.idk:
        return Assessment("wrong", 0, 0.0, [], [p.key_point for p in f.points], [])
    mis = [e.misconception for e in f.mis_candidates if asserts(e, th)]
    mis = list(dict.fromkeys([*mis, *(h.claim for h in f.myths)]))
    covered: list[str] = []
    missed: list[str] = []
    total = 0.0
    for p in f.points:
        p.coverage = point_coverage(p, th)
        total += min(1.0, p.coverage / th.point_full)
        (covered if p.coverage >= th.point_covered else missed).append(p.key_point)
    coverage = total / max(1, len(f.points))
    raw = max(0, min(10, round(10 * coverage) - th.mis_penalty * len(mis)))
    if f.off_topic is not None and f.off_topic.score >= th.off_topic:
        # right or not, it answers another question: no key point of this one is covered
        missed = [p.key_point for p in f.points]
        return Assessment("wrong", min(raw, 2), coverage, [], missed, mis, f.off_topic.question)
    grade = grade_for(coverage, bool(mis), th)
    if all(p.coverage < th.touched for p in f.points):
        grade = "wrong"  # it covers no key point at all
    return Assessment(grade, in_band(grade, raw), coverage, covered, missed, mis)


def grade_for(coverage: float, misconception: bool, th: Thresholds) -> GradeName:
    """The grade for a coverage; an asserted misconception caps it at partial, or wrong."""
    if misconception:
        # a confident answer built on a misconception is never strong
        return "partial" if coverage >= th.mis_partial else "wrong"
    return "strong" if coverage >= th.strong else "partial" if coverage >= th.partial else "wrong"


def asserts(e: MisEvidence, th: Thresholds) -> bool:
    """Does a unit assert a misconception? Close to it, closer than to the truth, not denied
    ("docker stop does not send SIGKILL at once"), not about other details ("10 s" vs "30 s")."""
    return e.cosine >= th.mis_cos and e.margin >= th.mis_margin and not e.denied and not e.contrast
