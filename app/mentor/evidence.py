"""What the offline grader knows beyond the question's own rubric: the myth catalogue and the
other interview questions.

- Off-topic: an answer to another question is wrong, however correct it is. Each unit
  (sentence or clause) of the answer is compared with the asked question (its text, key
  points and model answer) and with every bank question of the other sections (text and key
  points). When the units sit, on average, clearly closer to another section's question than
  to the one asked, and not close to the one asked, the answer is off-topic, and the grade
  names the question it fits instead. The asked question's section is the rubric's, or the
  section of the bank question closest to it.
- Myths: every unit is checked against the whole catalogue (knowledge/myths/), whichever
  question was asked. MiniLM is topic-heavy: a strong answer on docker stop sits as close to
  "docker stop sends SIGKILL at once" as a wrong one does (measured on
  bench/data/grading_heldout.yaml: at cosine 0.75 the catalogue "hits" as many strong answers
  as wrong ones). So a unit asserts a myth only when it is nearly the claim itself (cosine
  >= `myth_cos`), clearly closer to the claim than to its correction, and plainly says it
  (`plainly_asserts`: same polarity, the claim's numbers, flags and absolute words, no
  opposite word, the same docker command).
- Invented flags: a `docker run/build/...` option the CLI's own --help does not list
  (`invented_flags`) is a contradicted fact.

Every vector is computed once per content and model, and kept beside the index
(`encode_cached`), so a start with a warm index folder encodes nothing.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from app.mentor.answer_text import commands_in, details_in, disjoint, negated, rubric_details
from app.mentor.grades import MythHit
from app.retrieval.embeddings import encode_cached
from app.text import anchor, stem
from app.text import words as tokens

if TYPE_CHECKING:
    from pathlib import Path

    from numpy.typing import NDArray

    from app.knowledge import Knowledge, Myth
    from app.mentor.rubric import Rubric
    from app.retrieval.embeddings import Embedder

# words that make a claim absolute: a unit without them does not assert it
_QUALIFIERS = frozenset(
    stem(w) for w in "always never every all only just newest automatically must cannot any".split()
)
# a claim word and its opposite (stems): a unit saying the opposite does not assert the claim
_OPPOSITES = tuple(
    (stem(a), stem(b))
    for a, b in (
        ("named", "anonymous"),
        ("anonymous", "named"),
        ("enabled", "disabled"),
        ("disabled", "enabled"),
        ("encrypted", "unencrypted"),
        ("privileged", "unprivileged"),
        ("rootful", "rootless"),
        ("rootless", "rootful"),
        ("before", "after"),
        ("after", "before"),
    )
)
# a claim that two things are equal ("as fast as", "the same") is contradicted, not asserted, by
# a unit that ranks them ("bind mounts are slower" against "as fast as on a native Linux host")
_EQUAL = re.compile(r"\bas \w+ as\b|\bthe same\b", re.I)
_UNEQUAL = re.compile(
    r"\b(?:slower|faster|worse|better|more|less|fewer|larger|smaller|bigger|cheaper)\b"
    r"|\b\w+er than\b",
    re.I,
)
# a path that climbs out of the directory it is resolved in ("../shared/config.yaml"): the
# tokenizer drops the "../", so it is compared as written
_PARENT_PATH = re.compile(r"(?<![\w.])(?:\.\./)+[\w.-]+(?:/[\w.-]+)*")
_STOP = frozenset(
    "a an the is are was be to of in on and or it its for with by as at that this from not no "
    "you your can will just only all any every so if when do does".split()
)


@dataclass(frozen=True)
class EvidenceThresholds:
    """Fitted on the even (tuning) half of bench/data/grading_heldout.yaml."""

    self_weight: float = 0.25  # off-topic score: mean(other - asked) - this * mean(asked)
    myth_cos: float = 0.85  # a unit this close to a catalogued claim ...
    myth_margin: float = 0.05  # ... this much closer to it than to its correction ...
    myth_words: float = 0.3  # ... using this share of the claim's own words


@dataclass(frozen=True)
class OffTopic:
    score: float
    question: str  # the bank question the answer fits best


class _Vectors:
    """The encoded catalogue and question pool (built on first use)."""

    def __init__(self, kb: Knowledge, embedder: Embedder, cache_dir: Path | None) -> None:
        myths = kb.myths
        self.claims = [(m, c) for m in myths for c in m.claims]
        self.claim_vecs = encode_cached(embedder, [c for _, c in self.claims], cache_dir)
        corrections = {m.id: m.correction for m in myths}
        ids = list(corrections)
        vecs = encode_cached(embedder, [corrections[i] for i in ids], cache_dir)
        row = {i: k for k, i in enumerate(ids)}
        self.corr_vecs = vecs[[row[m.id] for m, _ in self.claims]] if self.claims else vecs
        self.claim_words = [_content(c) for _, c in self.claims]
        self.corr_words = [_content(m.correction) for m, _ in self.claims]
        questions = kb.questions
        texts: list[str] = []
        owner: list[int] = []
        for k, q in enumerate(questions):
            for text in (q.question, *q.key_points):
                texts.append(text)
                owner.append(k)
        self.questions = questions
        self.pool_vecs = encode_cached(embedder, texts, cache_dir)
        self.pool_owner = np.array(owner, dtype=np.int64)
        self.pool_section = np.array([questions[k].section for k in owner], dtype=np.int64)
        self.question_rows = np.array(
            [i for i, t in enumerate(texts) if t == questions[owner[i]].question], dtype=np.int64
        )


_SHARED: dict[tuple[int, int], tuple[Embedder, _Vectors]] = {}
_SHARED_LOCK = threading.Lock()


def _shared(kb: Knowledge, embedder: Embedder, cache_dir: Path | None) -> _Vectors:
    """One encoding per catalogue and bank content and model in a process (several graders,
    the interview's and /api/grade's, share it)."""
    key = (
        id(embedder),  # the cached entry holds the embedder, so its id is not reused
        hash(
            (
                tuple((m.id, *m.claims, m.correction) for m in kb.myths),
                tuple((q.question, *q.key_points) for q in kb.questions),
            )
        ),
    )
    with _SHARED_LOCK:
        found = _SHARED.get(key)
        if found is None:
            if len(_SHARED) >= 4:
                _SHARED.clear()
            found = _SHARED[key] = (embedder, _Vectors(kb, embedder, cache_dir))
        return found[1]


def _content(text: str) -> set[str]:
    return {stem(w) for w in tokens(text) if w not in _STOP}


class Evidence:
    """Off-topic and myth checks for the offline grader (see the module docstring)."""

    def __init__(
        self,
        kb: Knowledge,
        embedder: Embedder,
        cache_dir: Path | None = None,
        thresholds: EvidenceThresholds | None = None,
    ) -> None:
        self.kb = kb
        self.embedder = embedder
        self.cache_dir = cache_dir
        self.thresholds = thresholds or EvidenceThresholds()
        self._vectors: _Vectors | None = None
        self._lock = threading.Lock()

    def warm(self) -> None:
        """Encode (or read from the cache folder) everything now, not on the first grade."""
        _ = self.vectors

    @property
    def vectors(self) -> _Vectors:
        with self._lock:
            if self._vectors is None:
                self._vectors = _shared(self.kb, self.embedder, self.cache_dir)
            return self._vectors

    def off_topic(
        self,
        rubric: Rubric,
        unit_vecs: NDArray[np.float32],
        asked_vecs: NDArray[np.float32],
    ) -> OffTopic:
        """How much closer the answer sits to another section's question than to the asked
        one (`asked_vecs`: the question, key points and model answer; row 0 the question)."""
        v = self.vectors
        if not len(v.pool_owner) or not len(unit_vecs):
            return OffTopic(float("-inf"), "")
        section = rubric.section
        if not section:  # the section of the bank question closest to the asked one
            rows = v.question_rows
            section = int(v.pool_section[rows[int(np.argmax(v.pool_vecs[rows] @ asked_vecs[0]))]])
        other = v.pool_section != section
        if not other.any():
            return OffTopic(float("-inf"), "")
        asked = (unit_vecs @ asked_vecs.T).max(axis=1)
        sims = unit_vecs @ v.pool_vecs[other].T
        closer = float(np.mean(sims.max(axis=1) - asked))
        score = closer - self.thresholds.self_weight * float(asked.mean())
        # the question the answer fits best: the one most units land on
        owners = v.pool_owner[other][sims.argmax(axis=1)]
        best = int(np.bincount(owners).argmax())
        return OffTopic(score, v.questions[best].question)

    def myths(
        self,
        units: list[str],
        unit_vecs: NDArray[np.float32],
        section: int = 0,
        modifiers: frozenset[int] = frozenset(),
    ) -> list[tuple[int, MythHit]]:
        """(unit index, hit) for each catalogued myth a unit asserts, one hit per myth, best
        first. Units in `modifiers` (a clause that only sets the scene, "Under rootless Docker
        or userns-remap, ...") assert nothing. Ties (the same claim in two sections'
        catalogues, "docker stop sends SIGKILL immediately." in 4 and 18, whose vectors may
        differ in the last bits from one index build to the next) go to the asked question's
        `section`, then to the catalogue's order, so the quoted myth and its link do not
        depend on float noise."""
        v = self.vectors
        if not v.claims or not units:
            return []
        th = self.thresholds
        sims = unit_vecs @ v.claim_vecs.T
        found: dict[str, tuple[float, int, int, MythHit]] = {}
        for i, j in zip(*np.nonzero(sims >= th.myth_cos), strict=True):
            myth, claim = v.claims[j]
            cos = float(sims[i, j])
            if cos - float(unit_vecs[i] @ v.corr_vecs[j]) < th.myth_margin:
                continue
            unit = units[i]
            if i in modifiers or not plainly_asserts(unit, claim, myth.correction):
                continue
            own = v.claim_words[j] - v.corr_words[j]
            if own and len(_content(unit) & own) / len(own) < th.myth_words:
                continue
            if myth.id not in found or cos > found[myth.id][0]:
                found[myth.id] = (cos, int(j), int(i), hit_for(myth, claim, unit))
        ranked = sorted(
            found.values(),
            key=lambda t: (-round(t[0], 4), v.claims[t[1]][0].section != section, t[1]),
        )
        return [(i, hit) for _, _, i, hit in ranked]


def plainly_asserts(unit: str, claim: str, correction: str = "") -> bool:
    """Can `unit`, close in meaning to `claim`, be asserting it? Not when one is negated and
    the other not, when the claim names numbers or flags the unit does not ("waits 30 seconds"
    vs "waits for the timeout"), when the unit names only the correction's details ("ten
    seconds" against "half a minute", whose correction says 10 seconds; "prune -a removes every
    unused image" against "prune removes every unused image", whose correction adds -a), when
    the claim climbs out of a directory and the unit does not ("COPY shared/config.yaml" for
    "COPY ../shared/config.yaml"), when the claim is absolute and the unit is not ("always the
    newest"), when the unit says the opposite word ("anonymous" for "named") or ranks what the
    claim calls equal ("slower" for "as fast as"), or when they are about different docker
    commands."""
    if negated(unit) != negated(claim):
        return False
    claim_details = details_in(claim, rubric_details([claim]))
    if claim_details and not details_in(unit, rubric_details([claim, unit])) & claim_details:
        return False
    if correction and _corrects(unit, claim, correction):
        return False
    if any(path not in unit for path in _PARENT_PATH.findall(claim)):
        return False
    words = {stem(w) for w in tokens(unit)}
    claim_stems = {stem(w) for w in tokens(claim)}
    qualifiers = claim_stems & _QUALIFIERS
    if qualifiers and not words & qualifiers:
        return False
    if any(b in words and a not in words for a, b in _OPPOSITES if a in claim_stems):
        return False
    if _EQUAL.search(claim) and _UNEQUAL.search(unit) and not _EQUAL.search(unit):
        return False
    return not disjoint(commands_in(unit), commands_in(claim))


def _corrects(unit: str, claim: str, correction: str) -> bool:
    """The unit gives a number or flag of the correction that the claim lacks ("ten seconds"
    where the claim says "half a minute" and the correction 10 seconds), and none of the
    claim's own details: it states the correction."""
    named = rubric_details([unit, claim, correction])
    said, claimed = details_in(unit, named), details_in(claim, named)
    hard = {d for d in details_in(correction, named) - claimed if d.isdigit() or d[0] == "-"}
    return bool(said & hard) and not said & claimed


_COMMAND_FLAGS = re.compile(
    r"\bdocker\s+(buildx\s+build|network\s+create|volume\s+create|run|create|build)\b"
    r"(?P<rest>[^.;!?\n]*)",
    re.I,
)
# the legacy builder's flags: `docker build --help` still lists some of them and buildx accepts
# others silently; an answer naming one is not inventing it
_LEGACY_BUILD = frozenset(
    "--rm --force-rm --squash --compress --isolation --cpu-shares --cpu-period --cpu-quota "
    "--cpuset-cpus --cpuset-mems --memory --memory-swap --security-opt --stream "
    "--disable-content-trust".split()
)
_NO = re.compile(r"\b(no|not|never|without|nor)\b|n't\b", re.I)
_FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*[a-z0-9]")


def _options(sub: str, tokens: list[str]) -> list[str]:
    """The long options given to `docker <sub>` that it does not have. Reading stops at the
    first word that is not an option or an option's value: the image (what follows it is the
    container's command, `docker run img --debug`) or the prose going on."""
    from app.handson.docker_flags import RENAMED, TABLES

    table = TABLES[sub]
    shorts = {short: takes for short, takes in table.values() if short}
    unknown: list[str] = []
    skip = False
    for tok in tokens:
        if skip:
            skip = False
            continue
        name = tok.split("=", 1)[0]
        if name.startswith("--") and _FLAG.fullmatch(name):
            known = name in table or name in RENAMED
            legacy = sub.endswith("build") and name in _LEGACY_BUILD
            if not (known or legacy):
                unknown.append(name)
            skip = "=" not in tok and (table[name][1] if name in table else False)
        elif name.startswith("-") and len(name) > 1:
            skip = "=" not in tok and shorts.get(name[:2], False) and len(name) == 2
        else:
            break
    return unknown


def invented_flags(units: list[str]) -> list[tuple[int, MythHit]]:
    """(unit index, hit) for each flag a unit gives `docker run/create/build/buildx build/
    network create/volume create` that the command does not have (the tables are the CLI's own
    --help, app/handson/docker_flags.py). A negated unit ("there is no --time-zone flag")
    asserts nothing."""
    found: list[tuple[int, MythHit]] = []
    for i, unit in enumerate(units):
        if negated(unit) or _NO.search(unit):
            continue
        for m in _COMMAND_FLAGS.finditer(unit.replace("`", " ")):
            sub = " ".join(m.group(1).lower().split())
            for flag in _options(sub, m.group("rest").split()):
                found.append(
                    (
                        i,
                        MythHit(
                            quote=unit,
                            claim=f"docker {sub} {flag}",
                            correction=f"docker {sub} has no {flag} option "
                            f"(`docker {sub} --help` lists them all).",
                            source="fact",
                        ),
                    )
                )
    return found


def hit_for(myth: Myth, claim: str, quote: str) -> MythHit:
    return MythHit(
        quote=quote,
        claim=claim,
        correction=myth.correction,
        section=myth.section,
        heading=myth.heading,
        link=f"/sections/{myth.section}#{anchor(myth.heading)}",
        myth_id=myth.id,
        source="catalogue",
    )
