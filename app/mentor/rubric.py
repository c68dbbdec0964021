"""What a good answer contains: the Rubric, and a rubric for any question (given key points,
the closest bank question, or sentences of the notes closest to it)."""

from __future__ import annotations

import difflib
import re
import threading
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from app.errors import BadInput
from app.mentor.answer_text import BULLET

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from app.knowledge import Knowledge, Question
    from app.retrieval.embeddings import Embedder

BANK_MATCH = 0.80  # a pasted question this close to a bank question takes its rubric
NOTE_POINTS = 4


@dataclass(frozen=True)
class Rubric:
    """What a good answer contains. `source`: "given", "bank:<id>" or "notes:<citation>"."""

    question: str
    key_points: tuple[str, ...]
    misconceptions: tuple[str, ...] = ()
    model_answer: str = ""
    source: str = "given"
    section: int = 0  # the section the question belongs to; 0: unknown

    @classmethod
    def from_question(cls, q: Question) -> Rubric:
        return cls(
            question=q.question,
            key_points=tuple(q.key_points),
            misconceptions=tuple(q.misconceptions),
            model_answer=q.model_answer,
            source=f"bank:{q.id}",
            section=q.section,
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
            section=int(data.get("section", 0) or 0),
        )


class _Index(Protocol):
    """The slice of HybridIndex that rubric_for needs."""

    def search(self, query: str, k: int, sections: list[int] | None = None) -> list[Any]: ...


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
            bank_q.section if same and bank_q else 0,
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
    sentences: list[tuple[str, str, int]] = []
    for hit in hits:
        chunk = hit.chunk
        for raw in re.split(r"(?<=[.!?])\s+|\n+", chunk.text):
            text = BULLET.sub("", raw).strip().strip("|").strip()
            if text.startswith(("#", "```", "|")) or not 5 <= len(text.split()) <= 45:
                continue
            text = re.sub(r"\*\*([^*]+)\*\*", r"\1", text)
            sentences.append((text, chunk.citation(), int(getattr(chunk, "section", 0))))
    if not sentences:
        raise BadInput(
            "the notes say nothing close to this question; pass the key points a good answer "
            "should contain"
        )
    sims = embedder.encode([s for s, _, _ in sentences]) @ embedder.encode_one(question)
    order = np.argsort(-sims)
    chosen: list[tuple[str, str, int]] = []
    for i in order:
        text, cite, section = sentences[int(i)]
        if any(difflib.SequenceMatcher(None, text, c).ratio() > 0.7 for c, _, _ in chosen):
            continue
        chosen.append((text, cite, section))
        if len(chosen) == NOTE_POINTS:
            break
    return Rubric(
        question,
        tuple(t for t, _, _ in chosen),
        (),
        " ".join(t for t, _, _ in chosen[:3]),
        f"notes:{chosen[0][1]}",
        chosen[0][2],
    )
