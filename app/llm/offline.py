"""The offline engine: no network, no model server. It is a real mode, not a stub.

Notes are the curated notes. Clarifications are composed from the retrieved passages: the
units (sentences, bullets, table rows) that answer the question, scored by meaning and shared
terms, not whole chunks, with linked citations, in the mentor's voice.

The best material leads: a bank question that paraphrases the user's question has a model
answer written for exactly that question, so its direct answer opens the reply; a comparison
table row answers "X vs Y"; a Common Pitfall answers "why does X fail". The passages carry
their units' vectors (embedded when the index was built), so composing encodes nothing.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from app.llm.base import Backend, BackendError, Request
from app.retrieval.chunking import split_units
from app.text import anchor

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
# sentences that lean on the one before them: never the lead, and narration never a key point
_NARRATION = re.compile(r"^(?:now|then|so|here|which|but|and|or|this way)\b", re.I)
_LEANS_BACK = re.compile(r"^(?:this|that|these|those|it|they|there|also|both)\b", re.I)

# A bank question this close to the user's question (cosine of the two questions; the chunk's
# dense score when the index sent no question vector) paraphrases it: its model answer leads.
# Chosen on the tuning half of bench/data/clarify_questions.yaml.
PARAPHRASE = 0.62
PARAPHRASE_BONUS = 0.10
DUPLICATE = 0.80  # two units this close say the same thing: keep the better one
MAX_WORDS = 180  # prose words, the snippet not counted
MAX_SNIPPET_LINES = 12


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


def _link(passage: dict[str, Any]) -> str:
    """The passage's citation as a Markdown link to its heading on the printable page."""
    label = str(passage.get("citation", ""))
    section, heading = passage.get("section"), passage.get("heading")
    if not section or not heading:
        return label
    if str(passage.get("id", "")).startswith("q/"):
        return f"[{label}](/sections/{section})"  # bank answers have no heading on the page
    return f"[{label}](/sections/{section}#{anchor(str(heading))})"


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

    def select(
        self,
        question: str,
        passages: list[dict[str, Any]],
        limit: int = 6,
        query_vector: NDArray[np.float32] | None = None,
    ) -> list[tuple[float, Unit]]:
        """The units that best answer `question`, best first, at most 3 per passage."""
        q = question.strip().lower()
        yes_no = bool(_YESNO_QUESTION.match(q))
        comparison = bool(_COMPARISON.search(q))
        why_fails = bool(_WHY_FAILS.search(q))
        units: list[Unit] = []
        sims: list[float] = []
        qv = query_vector
        if qv is None and self.embedder is not None:
            qv = self.embedder.encode_one(question)
        for i, p in enumerate(passages):
            raw, vectors = self._passage_units(p)
            unit_sims = (
                (vectors @ qv).tolist()
                if vectors is not None and qv is not None and len(vectors)
                else [0.0] * len(raw)
            )
            asked = [x for (kind, _), x in zip(raw, unit_sims, strict=True) if kind == "question"]
            match = asked[0] if asked else float(p.get("dense") or 0.0)
            para = str(p.get("id", "")).startswith("q/") and match >= PARAPHRASE
            for j, ((kind, text), sim) in enumerate(zip(raw, unit_sims, strict=True)):
                if kind == "question":
                    continue  # the bank question itself: a key, never part of the answer
                if not yes_no:
                    text = _YESNO_OPENER.sub("", text)
                if _NARRATION.match(text) or len(text.split()) < 3:
                    continue
                vec = vectors[j] if vectors is not None else None
                units.append(Unit(text, i, kind, first=j == 0, paraphrased=para, vector=vec))
                sims.append(float(sim))
        if not units:
            return []
        q_terms = terms(question)
        scored: list[tuple[float, Unit]] = []
        for sim, unit in zip(sims, units, strict=True):
            overlap = len(q_terms & terms(unit.text)) / max(1, len(q_terms))
            score = 0.65 * sim + 0.35 * overlap
            score += 0.08 * (len(passages) - unit.passage) / len(passages)
            if unit.paraphrased:
                score += PARAPHRASE_BONUS * (2 if unit.first else 1)
            if comparison and unit.kind == "row":
                score += 0.05
            if why_fails and _PITFALL.match(unit.text):
                score += 0.08
            elif _ASIDE.match(unit.text) and not _ASIDE_ASKED.search(q):
                score -= 0.08  # version notes and analogies rarely answer the question asked
            scored.append((score, unit))
        scored.sort(key=lambda su: -su[0])
        chosen: list[tuple[float, Unit]] = []
        per_passage: dict[int, int] = {}
        seen_terms: list[set[str]] = []
        for score, unit in scored:
            if len(chosen) >= limit:
                break
            cap = 4 if unit.paraphrased else 3
            if per_passage.get(unit.passage, 0) >= cap:
                continue
            t = terms(unit.text)
            if any(len(t & s) / max(1, len(t | s)) > 0.6 for s in seen_terms):
                continue
            if unit.vector is not None and any(
                c.vector is not None and float(c.vector @ unit.vector) > DUPLICATE
                for _, c in chosen
            ):
                continue  # the same point in other words (a note and a bank answer often agree)
            if chosen and score < 0.5 * chosen[0][0]:
                break
            chosen.append((score, unit))
            per_passage[unit.passage] = per_passage.get(unit.passage, 0) + 1
            seen_terms.append(t)
        return chosen

    def _lead(self, chosen: list[tuple[float, Unit]], passages: list[dict[str, Any]]) -> None:
        """Put the unit that answers the question first: a paraphrased bank question's direct
        answer, else the best plain statement (not an analogy, a label, a row, a back-reference)."""
        direct = [su for su in chosen if su[1].first and su[1].paraphrased]
        plain = [
            su
            for su in chosen
            if su[1].kind != "row"
            and not _LABELLED.match(su[1].text)
            and not _LEANS_BACK.match(su[1].text)
        ]
        best = (direct or plain or chosen)[0]
        chosen.remove(best)
        chosen.insert(0, best)

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
        chosen = self.select(
            question,
            passages,
            limit=3 if simpler else (8 if more else 6),
            query_vector=task.get("query_vector"),
        )
        if not chosen:
            p = passages[0]
            return f"{p['text'].strip()}\n\n*Source: {_link(p)}*"
        self._lead(chosen, passages)
        budget = MAX_WORDS * (2 if more else 1)
        kept = [chosen[0]]
        words = len(chosen[0][1].text.split())
        for su in chosen[1:]:
            n = len(su[1].text.split())
            if words + n > budget and len(kept) >= 3:
                break
            kept.append(su)
            words += n
        lead = kept[0][1]
        lines = [f"**{'In plain words' if simpler else 'Short answer'}:** {lead.text}"]
        if len(kept) > 1:
            lines += ["", "**Also worth knowing**" if simpler else "**Key points**"]
            lines += [f"- {unit.text}" for _, unit in kept[1:]]
        analogy = task.get("analogy")
        if simpler and analogy:
            lines += ["", f"**Analogy:** {analogy}"]
        used = {u.passage for _, u in kept}
        code = None if simpler else self._best_code(question, passages, used)
        if code:
            lines += ["", "**Example**", "", code[1]]
            used.add(code[0])
        links = list(dict.fromkeys(_link(passages[i]) for i in sorted(used)))
        lines += ["", "*Sources: " + "; ".join(links) + "*"]
        return "\n".join(lines)

    def _best_code(
        self, question: str, passages: list[dict[str, Any]], used: set[int]
    ) -> tuple[int, str] | None:
        """A short code block that shares terms with the question: for a how-to question from
        any passage and one shared term is enough; otherwise from a used passage, two terms."""
        q_terms = terms(question)
        how_to = bool(_HOW_TO.search(question.lower()))
        need = 1 if how_to else 2
        best: tuple[int, int, str] | None = None
        for i in range(len(passages)) if how_to else sorted(used):
            for block in split_units(str(passages[i]["text"]))[1]:
                shared = len(q_terms & terms(block))
                if block.count("\n") > MAX_SNIPPET_LINES + 1 or shared < need:
                    continue
                if best is None or shared > best[0]:
                    best = (shared, i, block)
        return (best[1], best[2]) if best else None
