"""The offline engine: no network, no model server. It is a real mode, not a stub.

Notes are the curated notes. Clarifications are composed from the retrieved passages: the
sentences that answer the question (scored by meaning and shared terms), not whole chunks,
grouped with their citations, in the mentor's voice.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from app.llm.base import Backend, BackendError, Request

if TYPE_CHECKING:
    from app.retrieval.embeddings import Embedder

_STOP = frozenset(
    "a an the is are was were be been being do does did of to in on for with at by from and or "
    "but if then than so that this these those it its it's i me my you your we our they them "
    "what why how when where which who whom can could should would will shall may might must "
    "about into over under between vs versus explain tell please difference docker use using "
    "used get got make does doesn't dont don't mean means there here just like".split()
)
_CODE = re.compile(r"```[^\n]*\n.*?```", re.S)
_LABELLED = re.compile(
    r"^\*\*(?:real[- ]life |real[- ]world )?(?:analog|common pitfall|pitfall|version note)", re.I
)
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9`*(])")
# a model answer's reply to its own yes/no question ("Not by default. ..."): dropped when the
# user did not ask a yes/no question, so the sentence that follows stands on its own
_YESNO_OPENER = re.compile(
    r"^(?:yes|no|not by default|not always|not quite|not necessarily|usually|partly)[,.:;]\s+", re.I
)
_YESNO_QUESTION = re.compile(
    r"^(?:is|are|was|were|do|does|did|can|could|should|will|would|has|have|must)\b", re.I
)
# sentences that lean on the one before them: never the lead, and narration never a key point
_NARRATION = re.compile(r"^(?:now|then|so|here|which|but|and|or|this way)\b", re.I)
_LEANS_BACK = re.compile(r"^(?:this|that|these|those|it|they|there|also|both)\b", re.I)


@dataclass
class Unit:
    text: str
    passage: int  # index into the passages
    kind: str  # "sentence" | "bullet" | "row"


def _clean(line: str) -> str:
    line = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", line)
    return line.strip()


def split_units(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """A chunk's prose split into (kind, text) units, and its code blocks."""
    codes = [m.group(0) for m in _CODE.finditer(text)]
    prose = _CODE.sub("\n", text)
    units: list[tuple[str, str]] = []
    header: list[str] = []
    for raw in prose.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            header = [] if line.startswith("#") else header
            continue
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                continue
            if not header:
                header = cells
                continue
            pairs = [f"{h}: {c}" for h, c in zip(header[1:], cells[1:], strict=False) if c]
            units.append(("row", f"{cells[0]} — " + "; ".join(pairs)))
            continue
        if line.startswith(">"):
            line = line.lstrip("> ").strip()
        if re.match(r"^\s*(?:[-*+]|\d+\.)\s+", raw):
            units.append(("bullet", _clean(line)))
            continue
        for sentence in _SENT.split(line):
            if len(sentence.split()) >= 4:
                units.append(("sentence", sentence.strip()))
    kept = []
    for kind, unit in units:
        if unit.startswith("**Q:**") or unit.rstrip().endswith("?") or len(unit) <= 12:
            continue  # a question restated is no answer
        kept.append((kind, re.sub(r"^\*\*A:\*\*\s*", "", unit)))
    return kept, codes


def terms(text: str) -> set[str]:
    tokens = re.findall(r"[a-z0-9][a-z0-9_.:/-]*[a-z0-9]|[a-z0-9]", text.lower())
    return {t for t in tokens if t not in _STOP and len(t) > 1}


class OfflineBackend(Backend):
    name = "offline"

    def __init__(self, embedder: Embedder | None = None) -> None:
        self.embedder = embedder
        self._cache: dict[str, np.ndarray] = {}

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

    def _embed(self, key: str, texts: list[str]) -> np.ndarray:
        assert self.embedder is not None
        if key not in self._cache:
            if len(self._cache) > 2048:
                self._cache.clear()
            self._cache[key] = self.embedder.encode(texts)
        return self._cache[key]

    def select(
        self, question: str, passages: list[dict[str, Any]], limit: int = 5
    ) -> list[tuple[float, Unit]]:
        """The sentences that best answer `question`, best first, at most 3 per passage."""
        units: list[Unit] = []
        yes_no = bool(_YESNO_QUESTION.match(question.strip()))
        for i, p in enumerate(passages):
            for kind, text in split_units(str(p["text"]))[0]:
                if not yes_no:
                    text = _YESNO_OPENER.sub("", text)
                if _NARRATION.match(text) or len(text.split()) < 3:
                    continue
                units.append(Unit(text, i, kind))
        if not units:
            return []
        q_terms = terms(question)
        if self.embedder is not None:
            qv = self.embedder.encode_one(question)
            sims = np.concatenate(
                [
                    self._embed(str(p["id"]), [u.text for u in units if u.passage == i]) @ qv
                    for i, p in enumerate(passages)
                    if any(u.passage == i for u in units)
                ]
            )
        else:
            sims = np.zeros(len(units), dtype=np.float32)
        scored: list[tuple[float, Unit]] = []
        for sim, unit in zip(sims, units, strict=True):
            overlap = len(q_terms & terms(unit.text)) / max(1, len(q_terms))
            rank_bonus = 0.08 * (len(passages) - unit.passage) / len(passages)
            scored.append((0.65 * float(sim) + 0.35 * overlap + rank_bonus, unit))
        scored.sort(key=lambda su: -su[0])
        chosen: list[tuple[float, Unit]] = []
        per_passage: dict[int, int] = {}
        seen_terms: list[set[str]] = []
        for score, unit in scored:
            if len(chosen) >= limit:
                break
            if per_passage.get(unit.passage, 0) >= 3:
                continue
            t = terms(unit.text)
            if any(len(t & s) / max(1, len(t | s)) > 0.7 for s in seen_terms):
                continue
            if chosen and score < 0.45 * chosen[0][0]:
                break
            chosen.append((score, unit))
            per_passage[unit.passage] = per_passage.get(unit.passage, 0) + 1
            seen_terms.append(t)
        return chosen

    def compose(self, task: dict[str, Any]) -> str:
        question = str(task.get("question", "")).strip()
        passages: list[dict[str, Any]] = list(task.get("passages", []))
        simpler = bool(task.get("simpler"))
        if not passages:
            return (
                "I couldn't find that in the notes. Try naming the Docker topic (for example "
                '*"how do volumes differ from bind mounts?"*), or say **list sections**.'
            )
        chosen = self.select(question, passages, limit=3 if simpler else 5)
        if not chosen:
            p = passages[0]
            return f"{p['text'].strip()}\n\n*Source: {p['citation']}*"
        # the lead is a plain statement: not an analogy, a pitfall label or a table row
        leads = [
            su
            for su in chosen
            if su[1].kind != "row"
            and not _LABELLED.match(su[1].text)
            and not _LEANS_BACK.match(su[1].text)
        ]
        if leads and leads[0] is not chosen[0]:
            chosen.remove(leads[0])
            chosen.insert(0, leads[0])
        lead = chosen[0][1]
        lines: list[str] = []
        if simpler:
            lines.append(f"**In plain words:** {lead.text}")
        else:
            lines.append(f"**Short answer:** {lead.text}")
        rest = chosen[1:]
        if rest:
            lines.append("")
            lines.append("**Key points**" if not simpler else "**Also worth knowing**")
            for _, unit in rest:
                lines.append(f"- {unit.text}")
        analogy = task.get("analogy")
        if simpler and analogy:
            lines += ["", f"**Analogy:** {analogy}"]
        code = (
            None if simpler else self._best_code(question, passages, {u.passage for _, u in chosen})
        )
        if code:
            lines += ["", "**Example**", "", code]
        used = sorted({u.passage for _, u in chosen} | ({0} if code else set()))
        cites = list(dict.fromkeys(str(passages[i]["citation"]) for i in used))
        lines += ["", "*Sources: " + "; ".join(cites) + "*"]
        return "\n".join(lines)

    def _best_code(
        self, question: str, passages: list[dict[str, Any]], used: set[int]
    ) -> str | None:
        """A code block from a used passage that shares terms with the question."""
        q_terms = terms(question)
        best: tuple[int, str] | None = None
        for i in sorted(used):
            for block in split_units(str(passages[i]["text"]))[1]:
                shared = len(q_terms & terms(block))
                if shared and (best is None or shared > best[0]) and block.count("\n") <= 16:
                    best = (shared, block)
        return best[1] if best else None
