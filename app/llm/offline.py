"""The offline engine: no network, no model server. It is a real mode, not a stub.

Notes are the curated notes. Clarifications are composed from the retrieved passages: the
units (sentences, bullets, table rows, a bank question's key points) that answer the question,
scored by meaning and shared terms, not whole chunks, with linked citations, in the mentor's
voice.

The best material leads: a bank question that paraphrases the user's question has a model
answer written for exactly that question, so its direct answer opens the reply; a comparison
table row answers "X vs Y"; a Common Pitfall answers "why does X fail". The points after the
lead are chosen for coverage, mostly from the passage that matches the question best (see
`select`). The passages carry their units' vectors (embedded when the index was built), so
composing encodes nothing.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from app.llm.base import Backend, BackendError, Request
from app.retrieval.chunking import split_units
from app.text import spot, stem

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from app.retrieval.embeddings import Embedder

__all__ = ["OfflineBackend", "Unit", "split_units", "terms"]

_STOP = frozenset(
    "a an the is are was were be been being do does did of to in on for with at by from and or "
    "but if then than so that this these those it its it's i me my you your we our they them "
    "what why how when where which who whom can could should would will shall may might must "
    "about into over under between vs versus explain tell please difference docker use using "
    "used get got make does doesn't dont don't mean means there here just like".split()
    # the filler of typed questions: never a topic ("-it what does it even do lol")
    + "even lol actually really basically exactly thing things stuff whats what's im i'm ok "
    "okay pls plz idk guys someone anyone eli5 wtf tho though".split()
)
_LABELLED = re.compile(
    r"^\*\*(?:real[- ]life |real[- ]world )?(?:analog|common pitfall|pitfall|version note)", re.I
)
_PITFALL = re.compile(r"^\*\*(?:common )?pitfall", re.I)
_ASIDE = re.compile(r"^\*\*(?:version note|(?:real[- ]life |real[- ]world )?analog)", re.I)
_ASIDE_ASKED = re.compile(r"\b(?:version|new|changed|deprecated|since|analogy|like i'?m)\b")
# a model answer's reply to its own yes/no question ("Not by default. ..."): dropped when the
# user did not ask a yes/no question, so the sentence that follows stands on its own
_YESNO_OPENER = re.compile(
    r"^(?:yes|no|not by default|not always|not quite|not necessarily|usually|partly)[,.:;]\s+", re.I
)
_YESNO_QUESTION = re.compile(
    r"^(?:is|are|was|were|do|does|did|can|could|should|will|would|has|have|must)\b", re.I
)
_COMPARISON = re.compile(r"\b(?:vs\.?|versus|or|difference|differ|compare|better|instead of)\b")
_WHY_FAILS = re.compile(
    r"\b(?:why|fail|fails|failing|error|crash|crashes|exits?|dies|killed|broken|not working|"
    r"doesn'?t work|can'?t|cannot|won'?t|keeps)\b"
)
_HOW_TO = re.compile(
    r"^(?:how (?:do|can|should|would) (?:i|you|we)|how to|what'?s the command|command to|"
    r"show me how|example of|syntax)\b|\b(?:how do i|how to|command for|snippet|example)\b"
)
_MORE = re.compile(r"\b(?:in detail|detailed|everything about|deep dive|elaborate|long answer)\b")
# sentences that lean on the one before them or open a list or a code block that a unit leaves
# behind ("ADD has three extras.", "Runtime configuration comes from three places:"): never
# shown on their own (tuning half: 28 of 576 key points were such fragments; coverage unchanged)
_NARRATION = re.compile(r"^(?:now|then|so|here|which|but|and|or|this way)\b", re.I)
# ... and a "Because ..." with no main clause after it answers a "why" the unit leaves behind
# ("Because Compose interpolates the file before anything runs."; "Because pods are replaced,
# a Service gives them a stable name" stands on its own)
_LEANS_BACK = re.compile(
    r"^(?:(?:this|that|these|those|it|they|there|also|both)\b|because\b[^,;:]*$|"
    # "If it is false, something sent SIGKILL": "it" is the flag the sentence before named
    r"if (?:it|they|this|that|these|those|so|not)\b)",
    re.I,
)
# a sentence that continues one before it ("On top, Docker drops most capabilities", "Setting
# imagePullPolicy ... fixes that.", "so I allow these ports only from the swarm's subnet") may be
# a point but never the first sentence of an answer (887 development questions: 8 leads change,
# coverage the same)
_CONTINUES = re.compile(
    r"^(?:on top|in addition|additionally|besides|otherwise|instead|however|likewise|similarly|"
    r"as a result|for (?:that|this) reason)\b|"
    # "these ports" / "those keys" early on: the ones the sentence before named
    r"^(?:\S+\s+){0,6}(?:these|those) (?!that|which|who|are|is|were)[a-z]+\b|"
    r"\b(?:fixes|avoids|explains|causes|prevents|solves|means|does) (?:that|this|it|them)[.!]?$",
    re.I,
)
_OPENS_LIST = re.compile(r"(?::|\b(?:two|three|four|five|several|a few) \w+\.)$")

# A bank question this close to the user's question (cosine of the two questions; the chunk's
# dense score when the index sent no question vector) paraphrases it: its model answer leads.
# Chosen on the tuning half of bench/data/clarify_questions.yaml.
PARAPHRASE = 0.62
PARAPHRASE_BONUS = 0.10
DUPLICATE = 0.75  # two units this close say the same thing: keep the better one (0.80 left a
# pair above 0.75 in 35 of 96 tuning answers; coverage is the same from 0.65 to 0.80)
# a unit whose terms are RESTATES or more inside a chosen unit's repeats it (tuning half: 24 of
# 96 answers said a point twice this way, below the cosine above; coverage 0.784 -> 0.786)
RESTATES = 0.8
MIN_RESTATED = 3  # ... counted only for units of at least this many terms
MAX_WORDS = 180  # prose words, the snippet not counted
MAX_POINTS = 6  # key points after the lead
PER_PASSAGE = 5
# Coverage selection (see `select`), chosen on the tuning half: a passage's weight falls by e
# for every PASSAGE_TAU of relevance below the best passage; a unit at cosine COVERED or more
# from a target covers it fully; ON_TOPIC weighs a unit's own relevance against coverage.
PASSAGE_TAU = 0.06
COVERED = 0.60
ON_TOPIC = 0.30
# when no passage's dense score reaches DENSE_UNSURE the model did not understand the question
# ("2377?": only the words match) and the hybrid rank (dense and BM25, 0-1) decides relevance;
# otherwise the dense score does (tuning half: the hybrid rank always counting cost coverage,
# 0.790 -> 0.788, and answers covering nothing, 3.1% -> 4.2%)
DENSE_UNSURE = 0.3
# ... and when it is sure, the hybrid rank still pulls a passage down by HYBRID_PULL per unit
# below the best: "stack deploy ignores build and depends_on" matched a bank question about
# `build: .` by meaning (0.72 against 0.66 for the Swarm one) that BM25 ranked last, and its
# answer filled the reply (tuning half 0.843 -> 0.859, a fresh set of 90 0.849 -> 0.863)
HYBRID_PULL = 0.5
# a paraphrased bank question's key points are what an interviewer expects for this very
# question, however little their words resemble it ("Respects .dockerignore and per-rule ignore
# patterns" for "compose watch vs bind mounting my code", cosine 0.0): their relevance moves
# this far towards the question match (development sets, mean 0.875 -> 0.883, answers 2-9 words
# shorter; the points of every retrieved bank question, not only a paraphrased one, put a
# multi-stage answer under "multi arch images")
INHERIT = 0.5
# a note sub-topic's phrasing (knowledge/asked/) counts at this share of its cosine: they lift
# the passage that answers the question; at full weight they lift too many (development sets,
# 808 questions: 0.8901 without them; 0.88 / 0.93 / 0.96 / 1.0: 0.8925 / 0.8945 / 0.8935 / 0.8880)
NOTE_KEY = 0.93
MAX_SNIPPET_LINES = 12  # ... twice that when the user asked for an example


@dataclass
class Unit:
    text: str
    passage: int  # index into the passages
    kind: str  # "sentence" | "bullet" | "row"
    first: bool = False  # the first unit of its passage (a model answer's direct answer)
    paraphrased: bool = False  # from the model answer of a bank question the user paraphrased
    vector: NDArray[np.float32] | None = None  # its embedding, when known (near-duplicates)


def terms(text: str) -> set[str]:
    tokens = re.findall(r"[a-z0-9][a-z0-9_.:/-]*[a-z0-9]|[a-z0-9]", text.lower())
    return {t for t in tokens if t not in _STOP and len(t) > 1}


def _restates(a: set[str], b: set[str]) -> bool:
    """True when one unit's terms are nearly all in the other's: a key point that a longer
    sentence already states ("-d runs the container detached" after the sentence that says so
    and more), which cosine misses when the longer sentence says other things too."""
    small = min(len(a), len(b))
    return small >= MIN_RESTATED and len(a & b) >= RESTATES * small


def _link(passage: dict[str, Any]) -> str:
    """The passage's citation as a Markdown link to its spot on the printable page: its
    heading, or a bank question's own entry."""
    label = str(passage.get("citation", ""))
    section, heading = passage.get("section"), passage.get("heading")
    if not section or not heading:
        return label
    where = passage.get("anchor") or spot(str(passage.get("id", "")), str(heading))
    return f"[{label}](/sections/{section}#{where})"


class OfflineBackend(Backend):
    name = "offline"

    def __init__(self, embedder: Embedder | None = None) -> None:
        self.embedder = embedder
        self._cache: dict[str, NDArray[np.float32]] = {}

    async def stream(self, request: Request) -> AsyncIterator[str]:
        if request.kind in ("notes", "repair"):
            text = str(request.task.get("markdown", ""))
        elif request.kind == "clarify":
            text = self.compose(request.task)
        else:
            text = str(request.task.get("text", ""))
        if not text:
            raise BackendError(f"the offline engine has nothing for a {request.kind!r} request")
        # stream in word-sized pieces, like a model would
        for piece in re.findall(r"\S+\s*|\s+", text):
            yield piece

    # -- clarification -------------------------------------------------------------------------

    def _embed(self, key: str, texts: list[str]) -> NDArray[np.float32]:
        """Vectors for passages that came without them (tests, callers outside the index)."""
        assert self.embedder is not None
        if key not in self._cache:
            if len(self._cache) > 2048:
                self._cache.clear()
            self._cache[key] = self.embedder.encode(texts)
        return self._cache[key]

    def _passage_units(
        self, passage: dict[str, Any]
    ) -> tuple[list[tuple[str, str]], NDArray[np.float32] | None]:
        """(kind, text) units and their vectors: precomputed by the index when it sent them."""
        if "units" in passage and passage.get("vectors") is not None:
            return list(passage["units"]), np.asarray(passage["vectors"])
        units = split_units(str(passage["text"]))[0]
        if self.embedder is None or not units:
            return units, None
        return units, self._embed(str(passage["id"]), [t for _, t in units])

    def _candidates(
        self,
        question: str,
        passages: list[dict[str, Any]],
        qv: NDArray[np.float32] | None,
    ) -> tuple[list[Unit], list[float], list[float]]:
        """Every unit that may be shown, its cosine with the question, and each passage's
        relevance: the larger of its dense score and, for a bank question, the cosine of the
        user's question with the bank's question or the closest of the ways candidates type it
        (`asked_as`; for a note's sub-topic, its phrasings at NOTE_KEY), lowered by HYBRID_PULL
        for each unit of hybrid rank below the best passage's; its hybrid rank alone when no
        dense score is sure."""
        yes_no = bool(_YESNO_QUESTION.match(question.strip().lower()))
        units: list[Unit] = []
        sims: list[float] = []
        relevance: list[float] = []
        denses = [float(p.get("dense") or 0.0) for p in passages]
        for i, (p, dense) in enumerate(zip(passages, denses, strict=True)):
            raw, vectors = self._passage_units(p)
            unit_sims = (
                (vectors @ qv).tolist()
                if vectors is not None and qv is not None and len(vectors)
                else [0.0] * len(raw)
            )
            bank = str(p.get("id", "")).startswith("q/")
            # the bank question's own text or one of the ways candidates type it; a note's
            # sub-topic has such phrasings too, counted a little lower (NOTE_KEY)
            asked = [
                x * (1.0 if bank else NOTE_KEY)
                for (kind, _), x in zip(raw, unit_sims, strict=True)
                if kind == "question"
            ]
            relevance.append(max(dense, *asked) if asked else dense)
            match = max(asked) if asked else dense
            para = bank and match >= PARAPHRASE
            for j, ((kind, text), sim) in enumerate(zip(raw, unit_sims, strict=True)):
                if kind == "question":
                    continue  # a question or a phrasing: a key, never part of the answer
                if not yes_no:
                    text = _YESNO_OPENER.sub("", text)
                if (
                    _NARRATION.match(text)
                    or _LEANS_BACK.match(text)
                    or _OPENS_LIST.search(text)
                    or len(text.split()) < 3
                ):
                    continue
                vec = vectors[j] if vectors is not None else None
                units.append(Unit(text, i, kind, first=j == 0, paraphrased=para, vector=vec))
                sims.append(float(sim))
        hybrid = [float(p.get("score") or 0.0) for p in passages]
        if denses and max(denses) < DENSE_UNSURE:
            relevance = hybrid
        elif hybrid:  # the hybrid rank (0-1) tempers a passage only the embedding liked
            best = max(hybrid)
            relevance = [
                r + HYBRID_PULL * (h - best) for r, h in zip(relevance, hybrid, strict=True)
            ]
        return units, sims, relevance

    def select(
        self,
        question: str,
        passages: list[dict[str, Any]],
        limit: int = 7,
        query_vector: NDArray[np.float32] | None = None,
        budget: int = MAX_WORDS,
    ) -> list[tuple[float, Unit]]:
        """The lead (the unit that answers `question`), then the units that together cover most
        of what the best passages say, at most `limit` units and `budget` words.

        After the lead, each pick adds the most coverage (facility location): every unit is a
        target weighted by its passage's relevance and its own, and counts as covered by the
        closest picked unit (cosine / COVERED, capped at 1), so a second unit saying the same
        thing adds nothing and the answer spreads over the points an interviewer expects,
        mostly from the passage that matches the question best. A small pull towards the
        question keeps the picks on topic. The key points of a bank question the user
        paraphrased count as relevant as that match, halfway (INHERIT), whatever their words."""
        q = question.strip().lower()
        comparison = bool(_COMPARISON.search(q))
        why_fails = bool(_WHY_FAILS.search(q))
        qv = query_vector
        if qv is None and self.embedder is not None:
            qv = self.embedder.encode_one(question)
        units, sims, relevance = self._candidates(question, passages, qv)
        if not units:
            return []
        q_terms = terms(question)
        unit_terms = [terms(u.text) for u in units]
        rel = np.array(
            [
                0.65 * sim
                + 0.35 * len(q_terms & t) / max(1, len(q_terms))
                + (0.05 if comparison and u.kind == "row" else 0.0)
                + (0.08 if why_fails and _PITFALL.match(u.text) else 0.0)
                # version notes and analogies rarely answer the question asked
                - (0.08 if _ASIDE.match(u.text) and not _ASIDE_ASKED.search(q) else 0.0)
                for sim, u, t in zip(sims, units, unit_terms, strict=True)
            ]
        )
        top = max(relevance)
        passage_rel = np.array([relevance[u.passage] for u in units])
        weight = np.exp((passage_rel - top) / PASSAGE_TAU)
        lead = self._lead(units, rel, weight, len(passages))
        inherit = np.array([u.paraphrased and u.kind == "point" for u in units])
        aim = np.where(inherit, (1 - INHERIT) * rel + INHERIT * passage_rel, rel)
        if all(u.vector is not None for u in units):
            vectors = np.stack([np.asarray(u.vector) for u in units])
            same, duplicate = vectors @ vectors.T, DUPLICATE
        else:  # no vectors (a caller outside the index, no embedder): shared terms instead
            same = np.array(
                [[len(a & b) / max(1, len(a | b)) for b in unit_terms] for a in unit_terms]
            )
            duplicate = 0.6
        targets = weight * np.clip(aim, 0.05, None)
        targets /= targets.sum()
        reach = np.minimum(1.0, np.clip(same, 0.0, None) / COVERED)  # reach[i, t]: i covers t
        cost = np.sqrt(np.array([len(u.text.split()) for u in units]) / 20.0)
        pull = ON_TOPIC * aim * weight
        chosen = [lead]
        covered = reach[lead]
        words = len(units[lead].text.split())
        per_passage = {units[lead].passage: 1}
        open_ = np.ones(len(units), dtype=bool)
        open_[lead] = False
        while open_.any() and len(chosen) < limit:
            gain = (np.maximum(reach, covered) - covered) @ targets
            value = np.where(open_, gain / cost + pull, -np.inf)
            i = int(np.argmax(value))
            open_[i] = False
            unit, n = units[i], len(units[i].text.split())
            if (
                per_passage.get(unit.passage, 0) >= PER_PASSAGE
                or words + n > budget
                or any(same[i, c] > duplicate for c in chosen)
                or any(_restates(unit_terms[i], unit_terms[c]) for c in chosen)
            ):
                continue
            chosen.append(i)
            covered = np.maximum(covered, reach[i])
            words += n
            per_passage[unit.passage] = per_passage.get(unit.passage, 0) + 1
        return [(float(rel[i] * weight[i]), units[i]) for i in chosen]

    @staticmethod
    def _lead(
        units: list[Unit], rel: NDArray[np.float64], weight: NDArray[np.float64], n: int
    ) -> int:
        """The unit that answers the question: the plain statement (not an analogy, a label, a
        sentence that continues another, a row) most relevant to it, from a paraphrased bank
        question's answer when there is one (its direct answer first by a bonus), else from a
        passage that matches it well. The direct answer is not forced: a two-part bank
        question's first sentence answers the part the user may not have asked ("what changed on
        its filesystem" once got docker top; tuning half: the lead covered a key point in 0.81 ->
        0.86 of answers)."""
        score = rel + 0.08 * np.array([(n - u.passage) / n for u in units])
        score += np.array([PARAPHRASE_BONUS * (2 if u.first else 1) * u.paraphrased for u in units])
        score *= np.sqrt(weight)
        plain = np.array(
            [
                u.kind != "row" and not _LABELLED.match(u.text) and not _CONTINUES.search(u.text)
                for u in units
            ]
        )
        direct = plain & np.array([u.paraphrased for u in units])
        for allowed in (direct, plain):
            if allowed.any():
                return int(np.argmax(np.where(allowed, score, -np.inf)))
        return int(np.argmax(score))

    def compose(self, task: dict[str, Any]) -> str:
        question = str(task.get("question", "")).strip()
        passages: list[dict[str, Any]] = list(task.get("passages", []))
        simpler = bool(task.get("simpler"))
        if not passages:
            return (
                "I couldn't find that in the notes. Try naming the Docker topic (for example "
                '*"how do volumes differ from bind mounts?"*), or say **list sections**.'
            )
        more = bool(_MORE.search(question.lower()))
        kept = self.select(
            question,
            passages,
            limit=3 if simpler else (MAX_POINTS * 2 if more else MAX_POINTS) + 1,
            query_vector=task.get("query_vector"),
            budget=MAX_WORDS * (2 if more else 1),
        )
        if not kept:
            p = passages[0]
            return f"{p['text'].strip()}\n\n*Source: {_link(p)}*"
        lead = kept[0][1]
        lines = [f"**{'In plain words' if simpler else 'Short answer'}:** {lead.text}"]
        if len(kept) > 1:
            lines += ["", "**Also worth knowing**" if simpler else "**Key points**"]
            lines += [f"- {unit.text}" for _, unit in kept[1:]]
        analogy = task.get("analogy")
        if simpler and analogy:
            lines += ["", f"**Analogy:** {analogy}"]
        used = {u.passage for _, u in kept}
        # asked for an example: a snippet from any passage found, not only those drawn on
        pool = set(range(len(passages))) if task.get("example") else used
        longest = MAX_SNIPPET_LINES * (2 if task.get("example") else 1)
        code = None if simpler else self._best_code(question, passages, pool, longest)
        if code:
            lines += ["", "**Example**", "", code[1]]
            used.add(code[0])
        links = list(dict.fromkeys(_link(passages[i]) for i in sorted(used)))
        lines += ["", "*Sources: " + "; ".join(links) + "*"]
        return "\n".join(lines)

    def _best_code(
        self, question: str, passages: list[dict[str, Any]], used: set[int], lines: int
    ) -> tuple[int, str] | None:
        """A short code block from a passage the answer drew on that shares terms with the
        question: one for a how-to question, two otherwise. Never from a passage the answer did
        not use: "how do i drain a node" once got a Dockerfile for sharing `USER node` (tuning
        half: 2 of 7 snippets were unrelated, coverage unchanged without them). At most `lines`
        lines: asked for an example, a whole multi-stage Dockerfile (17 lines) is the answer."""
        q_terms = {stem(t) for t in terms(question)}
        how_to = bool(_HOW_TO.search(question.lower()))
        need = 1 if how_to else 2
        best: tuple[int, int, str] | None = None
        for i in sorted(used):
            for block in split_units(str(passages[i]["text"]))[1]:
                shared = len(q_terms & {stem(t) for t in terms(block)})
                if block.count("\n") > lines + 1 or shared < need:
                    continue
                if best is None or shared > best[0]:
                    best = (shared, i, block)
        return (best[1], best[2]) if best else None
