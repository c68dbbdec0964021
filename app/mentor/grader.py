"""Grade a candidate's answer against a rubric: offline (embeddings + key terms) or by an LLM.

The offline grader is a real grader, not a stub. For every key point it measures

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

The LLM grader renders the same rubric into prompts/interview_grade_*.j2, demands JSON in a
fixed schema, retries once on invalid JSON and otherwise falls back to the offline grade,
saying so in `Grade.notice`.

Dated claims (app/study/versions.py, knowledge/versions.yaml): an answer that says it the way
it was right years ago ("docker-compose up", `version: "3.8"`, DOCKER_BUILDKIT=1, "Kubernetes
uses Docker") gets `Grade.dated` (each: the note saying what was true and what changed, and
its citation into the notes) and a line of feedback per claim. Both graders attach them after
grading, from the same regexes, so they are identical offline, from an LLM and on fallback.
A dated claim is not a misconception: it was right once. So, conservatively, it changes the
grade only where the question is about the very change: when a rubric key point states the
current behaviour the claim contradicts (a `current` pattern of the fact matches the key
point), that key point is listed as missed and a "strong" becomes "partial" (score capped at
7, the top of the partial band). Otherwise the grade and score stay as graded: "docker-compose
up -d" in an answer about restart policies earns a note, not a lower grade. Nothing else
moves: no points off, and "partial" or "wrong" never get worse for being dated.
"""

from __future__ import annotations

import asyncio
import difflib
import json
import re
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.errors import BadInput
from app.llm.base import Backend, BackendError, Request
from app.prompts import Prompts
from app.study.versions import DatedClaim, dated_claims

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from app.knowledge import Knowledge, Question
    from app.retrieval.embeddings import Embedder

GradeName = Literal["strong", "partial", "wrong"]
GRADES: tuple[GradeName, ...] = ("strong", "partial", "wrong")

FEEDBACK_TEMPLATE = "interview_feedback.j2"
MAX_ANSWER_CHARS = 8000
GRADE_MAX_TOKENS = 700  # a verdict in the JSON schema needs ~150-400 tokens


# -- data --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rubric:
    """What a good answer contains. `source`: "given", "bank:<id>" or "notes:<citation>"."""

    question: str
    key_points: tuple[str, ...]
    misconceptions: tuple[str, ...] = ()
    model_answer: str = ""
    source: str = "given"

    @classmethod
    def from_question(cls, q: Question) -> Rubric:
        return cls(
            question=q.question,
            key_points=tuple(q.key_points),
            misconceptions=tuple(q.misconceptions),
            model_answer=q.model_answer,
            source=f"bank:{q.id}",
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["key_points"] = list(self.key_points)
        data["misconceptions"] = list(self.misconceptions)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rubric:
        return cls(
            question=str(data["question"]),
            key_points=tuple(data["key_points"]),
            misconceptions=tuple(data.get("misconceptions", ())),
            model_answer=str(data.get("model_answer", "")),
            source=str(data.get("source", "given")),
        )


@dataclass(frozen=True)
class Grade:
    """One graded answer. `notice` says when the LLM grade fell back to the offline one."""

    grade: GradeName
    score: int  # 0-10
    covered: list[str]
    missed: list[str]
    misconceptions: list[str]
    feedback: str
    model_answer: str
    backend: str = "offline"
    notice: str | None = None
    # dated claims in the answer: DatedClaim.to_json() plus "key_point" (the rubric key point
    # about the current behaviour it contradicts, or None)
    dated: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Grade:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


class Grader(Protocol):
    """What the interview, the route and the CLI need: an async grade."""

    async def agrade(self, rubric: Rubric, answer: str) -> Grade: ...


# -- text helpers --------------------------------------------------------------------------------

_STOP = frozenset(
    """a an the is are was were be been being am do does did doing done of to in on for with at
    by from and or but if then than so that this these those it its it's i me my you your we our
    they them their what why how when where which who whom can could should would will shall may
    might must about into over under between vs versus just like also very really quite much
    many more most some any all each every both either one ones there here thing things stuff
    basically actually probably maybe think guess pretty kind sort lot lots something anything
    way ways has have had having get gets got getting make makes made use uses used using such
    other another same own only well via etc eg ie e.g i.e because since while whereas though
    although however still even yes no not never none nothing""".split()
)
# Docker nouns every answer uses: evidence of topic, not of knowledge
_GENERIC = frozenset(
    """docker container containers image images run runs running command commands file files
    default defaults""".split()
)
_NUMBER_WORDS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "fifteen": "15",
    "twenty": "20",
    "thirty": "30",
    "sixty": "60",
}
_TOKEN = re.compile(r"--?[a-z][a-z0-9-]*|[a-z0-9][a-z0-9_.:/+-]*[a-z0-9]|[a-z0-9]", re.I)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "s", "e", "y")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+|;\s+|\s+[-–—]{1,2}\s+|:\s+(?=[A-Za-z`])")
_CLAUSE = re.compile(
    r",\s*(?:but|and|so|whereas|while|which|then|though|although)?\s*"
    r"|\s+(?:but|whereas|while|because|although|though)\s+",
    re.I,
)
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_NEGATION = re.compile(
    r"\b(?:not|never|no longer|isn't|isnt|aren't|arent|doesn't|doesnt|don't|dont|didn't|"
    r"won't|wont|can't|cant|cannot|shouldn't|wasn't|weren't|nor|instead of|rather than|"
    r"unlike|myth|wrong|not true|incorrect|misconception|mistake|untrue|contrary to|"
    r"(?:people|many|some|others|folks|juniors|beginners)\s+(?:\w+\s+)?(?:think|believe|assume|say)|"
    r"it is often (?:thought|said|assumed)|is a common (?:belief|assumption))\b",
    re.I,
)
_IDK = re.compile(
    r"^\s*(?:i\s*(?:don'?t|do not|dunno)\s*know|idk|no idea|not sure|dunno|pass|"
    r"i have no idea|no clue|i'?m not sure)\b[\s.!?]*$",
    re.I,
)


def stem(token: str) -> str:
    """A crude, consistent stem: enough to match layers/layer, cached/caching, volumes/volume."""
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 4:
            return token[: -len(suffix)]
    return token


def _norm_token(low: str) -> str:
    """Trim punctuation, keeping the leading dashes of a flag (-t, --memory)."""
    return low.rstrip(".:/-") if low.startswith("-") else low.strip(".:/-")


_SUBCOMMANDS = frozenset(
    """attach build buildx commit config context cp create debug diff events exec export history
    image images import info init inspect kill load login logout logs network pause port prune ps
    pull push rename restart rm rmi run save scout search secret service stack start stats stop
    swarm system tag top unpause update version volume wait""".split()
)
_COMMAND = re.compile(r"\bdocker\s+(?:compose\s+|container\s+|image\s+)?([a-z]+)", re.I)


def commands_in(text: str) -> set[str]:
    """The docker subcommands a text talks about: 'docker stop' -> {'stop'}."""
    return {m.lower() for m in _COMMAND.findall(text) if m.lower() in _SUBCOMMANDS}


def tokens(text: str) -> list[str]:
    """Lower-cased tokens with number words as digits; '10s' also yields '10'."""
    out: list[str] = []
    for raw in _TOKEN.findall(text.replace("`", " ").replace("'s ", " ")):
        low = raw.lower()
        tok = _norm_token(low) or low
        tok = _NUMBER_WORDS.get(tok, tok)
        out.append(tok)
        m = re.fullmatch(r"(\d+)([a-z]+)", tok)
        if m:
            out.append(m.group(1))
    return out


def _is_special(raw: str) -> bool:
    """Flags, numbers, signal names, paths: the details an examiner listens for."""
    return bool(
        raw.startswith("-")
        or re.search(r"\d", raw)
        or re.search(r"[./:]", raw.strip("."))
        or (raw.isupper() and len(raw) >= 2)
    )


def key_terms(text: str, exclude: set[str] | frozenset[str] = frozenset()) -> dict[str, float]:
    """Distinctive terms of `text` (stemmed) -> weight; words in `exclude` give nothing away."""
    terms: dict[str, float] = {}
    for raw in _TOKEN.findall(text.replace("`", " ")):
        low = _norm_token(_NUMBER_WORDS.get(raw.lower(), raw.lower()))
        if not low or low in _STOP or (len(low) < 2 and not low.isdigit()):
            continue
        s = stem(low)
        if s in exclude or low in exclude:
            continue
        weight = 2.0 if _is_special(raw) else 0.5 if low in _GENERIC else 1.0
        terms[s] = max(terms.get(s, 0.0), weight)
    return terms


def answer_vocabulary(text: str) -> set[str]:
    return {stem(t) for t in tokens(text) if t not in _STOP}


def term_found(term: str, vocab: set[str]) -> bool:
    """Exact stem, a shared long prefix (plural/verb forms), or a one-typo match."""
    if term in vocab:
        return True
    if len(term) < 4:
        return False
    for word in vocab:
        if (
            len(word) >= 4
            and (word.startswith(term) or term.startswith(word))
            and (min(len(word), len(term)) >= 5 or abs(len(word) - len(term)) <= 1)
        ):
            return True
        if (
            len(term) >= 6
            and abs(len(word) - len(term)) <= 2
            and difflib.SequenceMatcher(None, term, word).ratio() >= 0.84
        ):
            return True
    return False


def sentences_of(text: str) -> list[str]:
    out: list[str] = []
    for line in text.splitlines():
        line = _BULLET.sub("", line).strip()
        for part in _SENTENCE.split(line):
            part = part.strip(" -*")
            if len(part.split()) >= 2:
                out.append(part)
    return out


@dataclass(frozen=True)
class Unit:
    """A piece of an answer; `atoms` are the clause ids it spans (to drop asserted claims)."""

    text: str
    atoms: frozenset[int]
    sentence: bool = False  # a whole sentence, not one of its clauses


def answer_units(answer: str) -> tuple[list[Unit], list[str]]:
    """Sentences and their clauses; and the clauses (atoms). Adjacent sentence pairs were tried
    as units too: they changed no grade on the bench and cost 40% more encoding."""
    atoms: list[str] = []
    units: list[Unit] = []
    for sentence in sentences_of(answer):
        clauses = [c.strip() for c in _CLAUSE.split(sentence) if c and len(c.split()) >= 3]
        if len(clauses) <= 1:
            clauses = [sentence]
        ids = frozenset(range(len(atoms), len(atoms) + len(clauses)))
        atoms.extend(clauses)
        units.append(Unit(sentence, ids, sentence=True))
        if len(clauses) > 1:
            units.extend(Unit(c, frozenset([i])) for i, c in zip(sorted(ids), clauses, strict=True))
    if not units:
        units, atoms = [Unit(answer.strip(), frozenset([0]))], [answer.strip()]
    seen: dict[str, Unit] = {}
    for u in units:
        seen.setdefault(u.text, u)
    return list(seen.values()), atoms


def split_units(answer: str) -> list[str]:
    """The texts of answer_units()."""
    return [u.text for u in answer_units(answer)[0]]


def negated(text: str) -> bool:
    return bool(_NEGATION.search(text))


def rubric_details(rubric: Rubric) -> set[str]:
    """The rubric's checkable details (numbers, flags, names like SIGTERM), lower-cased."""
    found: set[str] = set()
    for text in (*rubric.key_points, *rubric.misconceptions):
        for raw in _TOKEN.findall(text.replace("`", " ")):
            if _is_special(raw):
                found.add(_norm_token(_NUMBER_WORDS.get(raw.lower(), raw.lower())))
    return found


def details_in(text: str, details: set[str]) -> set[str]:
    """The details `text` names: any number or flag, and the rubric's named details."""
    return {t for t in tokens(text) if t.isdigit() or t.startswith("-") or t in details}


def _disjoint(a: set[str], b: set[str]) -> bool:
    """Both name details and share none: "10 seconds" does not assert "30 seconds"."""
    return bool(a and b and not a & b)


def word_count(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9][\w'-]*", text))


# -- the offline grader --------------------------------------------------------------------------


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


@dataclass
class Features:
    """Everything `decide` needs, computed once (the bench refits thresholds on these)."""

    words: int
    idk: bool
    points: list[PointEvidence]
    mis_candidates: list[MisEvidence] = field(default_factory=list)
    dated: list[DatedClaim] = field(default_factory=list)


class OfflineGrader:
    """Key-point coverage by sentence embeddings plus key terms; negation-aware misconceptions."""

    backend = "offline"

    def __init__(
        self,
        embedder: Embedder,
        prompts: Prompts,
        thresholds: Thresholds | None = None,
    ) -> None:
        self.embedder = embedder
        self.prompts = prompts
        self.thresholds = thresholds or Thresholds()
        self._cache: dict[str, NDArray[np.float32]] = {}
        self._lock = threading.Lock()

    def _encode(self, texts: list[str]) -> NDArray[np.float32]:
        """Encode with a small cache: rubric texts repeat on every answer."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            vecs = self.embedder.encode(missing)
            with self._lock:
                if len(self._cache) > 4096:
                    self._cache.clear()
                self._cache.update(zip(missing, vecs, strict=True))
        return np.stack([self._cache[t] for t in texts])

    def features(self, rubric: Rubric, answer: str) -> Features:
        words = word_count(answer)
        idk = bool(_IDK.match(answer))
        if words < self.thresholds.min_words or idk:
            return Features(
                words, idk, [PointEvidence(k, 0.0, 0.0, 1.0) for k in rubric.key_points]
            )
        unit_objs, atoms = answer_units(answer)
        units = [u.text for u in unit_objs]
        rubric_texts = [*rubric.key_points, *rubric.misconceptions]
        # what a correct answer says, piece by piece: a unit must be closer to a misconception
        # than to every one of these to assert it
        correct = list(
            dict.fromkeys(
                [u for k in rubric.key_points for u in [k, *split_units(k)]]
                + (split_units(rubric.model_answer) if rubric.model_answer else [])
            )
        )
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
            details = rubric_details(rubric)
            unit_details = [details_in(u, details) for u in units]
            unit_commands = [commands_in(u) for u in units]
            for j, mis in enumerate(rubric.misconceptions):
                mis_neg = negated(mis)
                mis_details = details_in(mis, details)
                mis_commands = commands_in(mis)
                # the truth about the same thing: "docker kill sends SIGKILL at once" is no
                # defence for a unit claiming it of docker stop
                same = [not _disjoint(cc, mis_commands) for cc in correct_commands]
                best_kp = sims_correct[:, same].max(axis=1) if any(same) else sims_correct.max(1)
                best: MisEvidence | None = None
                for i in range(len(units)):
                    ev = MisEvidence(
                        mis,
                        float(sims_mis[i, j]),
                        float(sims_mis[i, j] - best_kp[i]),
                        unit_neg[i] and not mis_neg,
                        _disjoint(unit_details[i], mis_details)
                        or _disjoint(unit_commands[i], mis_commands),
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
        return Features(words, idk, points, candidates, dated_claims(answer))

    def decide(self, rubric: Rubric, f: Features, th: Thresholds | None = None) -> Grade:
        """Features + thresholds -> Grade (dated claims applied, see the module docstring)."""
        a = assess(f, th or self.thresholds)
        d = apply_dated(rubric, a.grade, a.score, a.covered, a.missed, f.dated)
        return self._grade(rubric, d, a.misconceptions, f)

    def _grade(self, rubric: Rubric, d: Dated, mis: list[str], f: Features) -> Grade:
        feedback = self.prompts.render(
            FEEDBACK_TEMPLATE,
            grade=d.grade,
            too_short=f.words < self.thresholds.min_words and not f.idk,
            idk=f.idk,
            comment=None,
            covered=d.covered,
            missed=d.missed,
            misconceptions=mis,
            dated=d.dated,
            model_answer=rubric.model_answer,
        )
        return Grade(
            d.grade,
            d.score,
            d.covered,
            d.missed,
            mis,
            feedback,
            rubric.model_answer,
            dated=d.dated,
        )

    def grade(self, rubric: Rubric, answer: str) -> Grade:
        if not rubric.key_points:
            raise BadInput("a rubric needs at least one key point")
        return self.decide(rubric, self.features(rubric, answer[:MAX_ANSWER_CHARS]))

    async def agrade(self, rubric: Rubric, answer: str) -> Grade:
        # the model runs on CPU for tens of milliseconds: keep it off the event loop
        return await asyncio.to_thread(self.grade, rubric, answer)


@dataclass(frozen=True)
class Assessment:
    grade: GradeName
    score: int
    coverage: float  # 0-1, the mean key-point coverage
    covered: list[str]
    missed: list[str]
    misconceptions: list[str]


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
    covered: list[str] = []
    missed: list[str] = []
    total = 0.0
    for p in f.points:
        p.coverage = point_coverage(p, th)
        total += min(1.0, p.coverage / th.point_full)
        (covered if p.coverage >= th.point_covered else missed).append(p.key_point)
    coverage = total / max(1, len(f.points))
    grade = grade_for(coverage, bool(mis), th)
    raw = max(0, min(10, round(10 * coverage) - th.mis_penalty * len(mis)))
    # keep the number inside its grade's band: strong 7-10, partial 3-7, wrong 0-3
    score = {"strong": max(raw, 7), "partial": min(max(raw, 3), 7), "wrong": min(raw, 3)}[grade]
    return Assessment(grade, score, coverage, covered, missed, mis)


@dataclass(frozen=True)
class Dated:
    """A grade after its dated claims were applied."""

    grade: GradeName
    score: int
    covered: list[str]
    missed: list[str]
    dated: list[dict[str, Any]]


def apply_dated(
    rubric: Rubric,
    grade: GradeName,
    score: int,
    covered: list[str],
    missed: list[str],
    claims: list[DatedClaim],
) -> Dated:
    """Attach the dated claims; a claim contradicting a key point about the current behaviour
    makes that point missed and keeps the answer from strong (capped at partial, score <= 7).
    Anything else keeps its grade: a dated claim was right once, it is not a misconception."""
    covered, missed = list(covered), list(missed)
    dated: list[dict[str, Any]] = []
    on_point = False
    for claim in claims:
        points = [k for k in rubric.key_points if claim.concerns(k)]
        dated.append({**claim.to_json(), "key_point": points[0] if points else None})
        for k in points:
            on_point = True
            if k in covered:
                covered.remove(k)
            if k not in missed:
                missed.append(k)
    if on_point:
        order = {k: i for i, k in enumerate(rubric.key_points)}
        missed.sort(key=lambda k: order.get(k, len(order)))
    if on_point and grade == "strong":
        grade, score = "partial", min(score, 7)
    return Dated(grade, score, covered, missed, dated)


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


# -- the LLM grader ------------------------------------------------------------------------------


class LLMVerdict(BaseModel):
    """The JSON schema the grading prompt demands."""

    model_config = ConfigDict(extra="ignore")

    grade: GradeName
    score: int = Field(ge=0, le=10)
    covered: list[str] = Field(default_factory=list)
    missed: list[str] = Field(default_factory=list)
    misconceptions: list[str] = Field(default_factory=list)
    feedback: str = Field(min_length=1, max_length=2000)

    @field_validator("grade", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


_FENCED = re.compile(r"```(?:json)?\s*(\{.*?\})\s*```", re.S)


def parse_verdict(text: str) -> LLMVerdict:
    """The first JSON object in `text` (bare or fenced), validated; ValueError otherwise."""
    m = _FENCED.search(text)
    raw = m.group(1) if m else text[text.find("{") : text.rfind("}") + 1]
    if not raw:
        raise ValueError("no JSON object in the reply")
    try:
        return LLMVerdict.model_validate(json.loads(raw))
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc.msg}") from None
    except ValidationError as exc:
        e = exc.errors()[0]
        raise ValueError(f"{'.'.join(map(str, e['loc'])) or 'object'}: {e['msg']}") from None


class LLMGrader:
    """Grade with the configured LLM; one retry on bad JSON, then the offline grader."""

    def __init__(
        self,
        backend: Backend,
        prompts: Prompts,
        fallback: OfflineGrader,
        *,
        max_tokens: int = GRADE_MAX_TOKENS,
    ) -> None:
        self.backend = backend
        self.prompts = prompts
        self.fallback = fallback
        self.max_tokens = max_tokens

    async def agrade(self, rubric: Rubric, answer: str) -> Grade:
        answer = answer[:MAX_ANSWER_CHARS]
        offline_features = await asyncio.to_thread(self.fallback.features, rubric, answer)
        if offline_features.words < self.fallback.thresholds.min_words or offline_features.idk:
            return self.fallback.decide(rubric, offline_features)  # nothing for a model to judge
        ctx = {"rubric": rubric, "answer": answer}
        messages = self.prompts.messages(
            "interview_grade_system.j2", "interview_grade_user.j2", **ctx
        )
        task = {"rubric": rubric.to_json(), "answer": answer}
        problem = ""
        for attempt in range(2):
            try:
                text = await self.backend.complete(
                    Request("grade", messages, task, json_mode=True, max_tokens=self.max_tokens)
                )
            except BackendError as exc:
                return self._offline(rubric, offline_features, f"the language model failed ({exc})")
            try:
                verdict = parse_verdict(text)
            except ValueError as exc:
                problem = str(exc)
                if attempt == 0:
                    retry = self.prompts.render("interview_grade_retry.j2", problem=problem)
                    messages = [
                        *messages,
                        {"role": "assistant", "content": text[:4000]},
                        {"role": "user", "content": retry},
                    ]
                continue
            return self._from_verdict(rubric, verdict, offline_features.dated)
        return self._offline(
            rubric, offline_features, f"the language model's grade was not valid JSON ({problem})"
        )

    def _offline(self, rubric: Rubric, f: Features, why: str) -> Grade:
        grade = self.fallback.decide(rubric, f)
        return replace(grade, notice=f"{why[:300]}; this is the offline grade.")

    def _from_verdict(self, rubric: Rubric, v: LLMVerdict, claims: list[DatedClaim]) -> Grade:
        grade = v.grade
        if v.misconceptions and grade == "strong":
            grade = "partial"
        score = {
            "strong": max(v.score, 7),
            "partial": min(max(v.score, 3), 7),
            "wrong": min(v.score, 3),
        }[grade]
        # Dated claims are found by the same regexes as offline and applied to the model's
        # verdict afterwards, not asked of the model: the result cannot depend on a model
        # (possibly a small local one) noticing version history or following one more
        # instruction, the answer text (untrusted) cannot talk it out of them, the fallback
        # grade carries the same notes, and the prompt stays short. The system prompt only
        # states the policy, so the model does not call a dated answer wrong on its own.
        d = apply_dated(rubric, grade, score, v.covered, v.missed, claims)
        feedback = self.prompts.render(
            FEEDBACK_TEMPLATE,
            grade=d.grade,
            too_short=False,
            idk=False,
            comment=v.feedback.strip(),
            covered=d.covered,
            missed=d.missed,
            misconceptions=v.misconceptions,
            dated=d.dated,
            model_answer=rubric.model_answer,
        )
        return Grade(
            d.grade,
            d.score,
            d.covered,
            d.missed,
            v.misconceptions,
            feedback,
            rubric.model_answer,
            backend=self.backend.name,
            dated=d.dated,
        )


# -- rubrics for any question ----------------------------------------------------------------------


class _Index(Protocol):
    """The slice of HybridIndex that rubric_for needs."""

    def search(self, query: str, k: int, sections: list[int] | None = None) -> list[Any]: ...


BANK_MATCH = 0.80  # a pasted question this close to a bank question takes its rubric
NOTE_POINTS = 4


class _BankVectors:
    """Bank question embeddings, computed once per bank content and model in a process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, int], tuple[list[Question], NDArray[np.float32]]] = {}

    def get(self, kb: Knowledge, embedder: Embedder) -> tuple[list[Question], NDArray[np.float32]]:
        qs = kb.questions
        key = (embedder.model_name, hash(tuple((q.id, q.question) for q in qs)))
        with self._lock:
            hit = self._cache.get(key)
            if hit is None:
                if len(self._cache) > 8:
                    self._cache.clear()
                hit = self._cache[key] = (qs, embedder.encode([q.question for q in qs]))
            return hit


_BANK = _BankVectors()


def closest_bank_question(
    question: str, kb: Knowledge, embedder: Embedder
) -> tuple[Question | None, float]:
    qs, vecs = _BANK.get(kb, embedder)
    if not qs:
        return None, 0.0
    sims = vecs @ embedder.encode_one(question)
    best = int(np.argmax(sims))
    return qs[best], float(sims[best])


def rubric_for(
    question: str,
    key_points: list[str] | None,
    kb: Knowledge,
    index: _Index | None,
    embedder: Embedder | None = None,
) -> Rubric:
    """Given key points; else the closest bank question; else sentences of the top notes."""
    question = question.strip()
    if not question:
        raise BadInput("the question is empty")
    emb = embedder or (getattr(index, "embedder", None) if index is not None else None)
    points = [k.strip() for k in key_points or [] if k.strip()]
    bank_q, sim = closest_bank_question(question, kb, emb) if emb is not None else (None, 0.0)
    if points:
        same = bank_q is not None and sim >= BANK_MATCH
        return Rubric(
            question,
            tuple(points),
            tuple(bank_q.misconceptions) if same and bank_q else (),
            bank_q.model_answer if same and bank_q else "",
            "given",
        )
    if bank_q is not None and sim >= BANK_MATCH:
        return replace(Rubric.from_question(bank_q), question=question)
    if index is None or emb is None:
        raise BadInput(
            "no bank question is close to this one and the notes index is not loaded; "
            "pass the key points a good answer should contain"
        )
    return _rubric_from_notes(question, index, emb)


def _rubric_from_notes(question: str, index: _Index, embedder: Embedder) -> Rubric:
    hits = index.search(question, k=4)
    sentences: list[tuple[str, str]] = []
    for hit in hits:
        chunk = hit.chunk
        for raw in re.split(r"(?<=[.!?])\s+|\n+", chunk.text):
            text = _BULLET.sub("", raw).strip().strip("|").strip()
            if text.startswith(("#", "```", "|")) or not 5 <= len(text.split()) <= 45:
                continue
            text = re.sub(r"\*\*([^*]+)\*\*", r"\1", text)
            sentences.append((text, chunk.citation()))
    if not sentences:
        raise BadInput(
            "the notes say nothing close to this question; pass the key points a good answer "
            "should contain"
        )
    sims = embedder.encode([s for s, _ in sentences]) @ embedder.encode_one(question)
    order = np.argsort(-sims)
    chosen: list[tuple[str, str]] = []
    for i in order:
        text, cite = sentences[int(i)]
        if any(difflib.SequenceMatcher(None, text, c).ratio() > 0.7 for c, _ in chosen):
            continue
        chosen.append((text, cite))
        if len(chosen) == NOTE_POINTS:
            break
    return Rubric(
        question,
        tuple(t for t, _ in chosen),
        (),
        " ".join(t for t, _ in chosen[:3]),
        f"notes:{chosen[0][1]}",
    )
