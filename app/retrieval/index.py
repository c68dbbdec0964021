"""The hybrid index: dense (FAISS inner product on unit vectors) + BM25, fused by ranks.

Dense retrieval understands paraphrase ("why my container keeps dying" ~ OOM kills and restart
policies); BM25 nails exact Docker tokens (`--cap-drop`, `137`, `:ro`) that a small embedding
model blurs. Reciprocal-rank fusion combines the two without calibrating their score scales.

The chunks' vectors and, after them, one vector per answer unit (`chunk_units`: the sentences,
bullets and table rows the offline composer picks from, a bank question's key points and its
question) are embedded when the index is built and kept on disk by `app.retrieval.cache`, so a
clarification encodes only the question: measured 590 ms p50 when the units were embedded at
question time.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from app.catalog import SECTION_TITLES
from app.errors import BadInput
from app.retrieval.chunking import Chunk, chunk_units
from app.retrieval.embeddings import Embedder
from app.retrieval.lexical import LexicalIndex
from app.text import spell_out

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

MODES = ("hybrid", "dense", "bm25")
MAX_K = 50
# The embedding model reads at most 256 word pieces; BM25 gains nothing from a whole essay and
# pays for every token. 2,000 characters keeps a pasted error log or stack trace useful.
MAX_QUERY_CHARS = 2000
DUPLICATE_COSINE = 0.95
EMBED_BATCH = 64
QUERY_CACHE = 256  # recent query vectors: the composer reuses the one the search computed

# Fusion weights, chosen on the development half of bench/data/retrieval_questions.yaml
# (see BENCHMARKS.md): dense carries paraphrase and typos, BM25 exact tokens.
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 1.0

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class Hit:
    """One ranked chunk. `score` is in 0-1 for hybrid (1 = first in both rankings), the cosine
    for dense, the raw BM25 score for bm25; `dense` and `lexical` keep the underlying scores."""

    chunk: Chunk
    score: float
    dense: float | None = None
    lexical: float | None = None

    def to_json(self) -> dict[str, object]:
        c = self.chunk
        return {
            "section": c.section,
            "heading": c.heading,
            "score": round(self.score, 4),
            "text": c.text,
            "citation": c.citation(),
            "anchor": c.anchor,
            "kind": c.kind,
            "id": c.id,
            "imp": c.imp,
        }


def clean_query(query: str) -> str:
    """Collapse whitespace and cut an over-long query at a word boundary; empty is BadInput."""
    text = " ".join(str(query).split())
    if not text:
        raise BadInput("the search query is empty: type a few words, e.g. 'docker exit code 137'")
    if len(text) > MAX_QUERY_CHARS:
        cut = text[:MAX_QUERY_CHARS]
        space = cut.rfind(" ")
        text = cut[:space] if space > MAX_QUERY_CHARS // 2 else cut
    return text


def _spelt_out_too(text: str) -> str:
    """`text` plus the words its chat shorthand stands for, for BM25, as the embedding reads
    them: the notes say "k8s" as well as "kubernetes", but "img" only in a snippet or two, so
    "biggest wins for shrinking a 2gb img" matched on "2gb" alone and ranked the disk-full notes
    first."""
    said = set(text.lower().split())
    extra = [w for w in spell_out(text).lower().split() if w not in said]
    return f"{text} {' '.join(dict.fromkeys(extra))}" if extra else text


def _ranks(scores: NDArray[np.float32], allowed: NDArray[np.bool_]) -> NDArray[np.float64]:
    """1-based rank of each allowed chunk by descending score; inf where not ranked."""
    ranks = np.full(scores.shape[0], np.inf)
    idx = np.flatnonzero(allowed)
    order = idx[np.argsort(-scores[idx], kind="stable")]
    ranks[order] = np.arange(1, order.size + 1)
    return ranks


class HybridIndex:
    """Search over chunks; see the module docstring for why two retrievers."""

    def __init__(
        self,
        chunks: list[Chunk],
        vectors: NDArray[np.float32],
        embedder: Embedder,
        *,
        rrf_k: int = 60,
        key: str = "",
        dense_weight: float = DENSE_WEIGHT,
        lexical_weight: float = LEXICAL_WEIGHT,
        unit_vectors: NDArray[np.float32] | None = None,
        lexical: LexicalIndex | None = None,
    ) -> None:
        import faiss

        if vectors.ndim != 2 or vectors.shape[0] != len(chunks):
            raise ValueError(f"{vectors.shape[0]} vectors for {len(chunks)} chunks")
        self.chunks = chunks
        self.embedder = embedder
        self.key = key
        self.rrf_k = rrf_k
        self.dense_weight = dense_weight
        self.lexical_weight = lexical_weight
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.faiss = faiss.IndexFlatIP(self.vectors.shape[1])
        if len(chunks):
            self.faiss.add(self.vectors)
        self.lexical = lexical or LexicalIndex(c.embed_text() for c in chunks)
        self._sections = np.array([c.section for c in chunks], dtype=np.int32)
        self._group = self._duplicate_groups()
        self._by_id = {c.id: i for i, c in enumerate(chunks)}
        self.units = [chunk_units(c) for c in chunks]
        self._unit_start = np.cumsum([0] + [len(u) for u in self.units])
        self._unit_vectors = unit_vectors
        self._question_keys: NDArray[np.float32] | None = None  # see closest_question
        # recent query vectors (search, then compose, reuse them); lru_cache is thread-safe,
        # and /api/search and the interview's rubric lookups search from worker threads
        self._query_vector = lru_cache(maxsize=QUERY_CACHE)(self._encode_query)

    @property
    def unit_count(self) -> int:
        return int(self._unit_start[-1])

    @property
    def unit_vectors(self) -> NDArray[np.float32]:
        """One unit vector per answer unit, chunk by chunk (embedded now if not given)."""
        if self._unit_vectors is None:
            self._unit_vectors = embed_units(self.chunks, self.embedder)
        return self._unit_vectors

    def chunk_units(self, chunk_id: str) -> tuple[list[tuple[str, str]], NDArray[np.float32]]:
        """A chunk's answer units (kind, text) and their vectors; nothing for an unknown id."""
        i = self._by_id.get(chunk_id)
        if i is None:
            return [], np.zeros((0, self.vectors.shape[1]), dtype=np.float32)
        start, end = int(self._unit_start[i]), int(self._unit_start[i + 1])
        return self.units[i], self.unit_vectors[start:end]

    def query_vector(self, text: str) -> NDArray[np.float32]:
        """The query's unit vector, remembered for the next few calls (search, then compose)."""
        vec: NDArray[np.float32] = self._query_vector(text)
        return vec

    def closest_question(self, query: str) -> float:
        """The cosine of `query` with the closest way a question is typed: a bank question, its
        phrasings, a note sub-topic's phrasings (the "question" units; 0.0 when none)."""
        if self._question_keys is None:
            kinds = [kind for units in self.units for kind, _ in units]
            rows = [i for i, kind in enumerate(kinds) if kind == "question"]
            self._question_keys = self.unit_vectors[rows]
        if not len(self._question_keys):
            return 0.0
        return float((self._question_keys @ self.query_vector(clean_query(query))).max())

    def _encode_query(self, text: str) -> NDArray[np.float32]:
        vec: NDArray[np.float32] = self.embedder.encode([spell_out(text)])[0]
        return vec

    def __len__(self) -> int:
        return len(self.chunks)

    def _duplicate_groups(self) -> NDArray[np.int64]:
        """group[i] = the first chunk that chunk i nearly duplicates (itself if none)."""
        n = len(self.chunks)
        group = np.arange(n)
        if n == 0:
            return group
        sims = self.vectors @ self.vectors.T
        texts: dict[str, int] = {}
        for i, chunk in enumerate(self.chunks):
            norm = re.sub(r"\W+", " ", chunk.text.lower()).strip()
            if norm in texts:
                group[i] = group[texts[norm]]
                continue
            texts[norm] = i
            earlier = np.flatnonzero(sims[i, :i] > DUPLICATE_COSINE)
            if earlier.size:
                group[i] = group[earlier[0]]
        return group

    def search(
        self,
        query: str,
        k: int = 5,
        sections: Iterable[int] | None = None,
        mode: str = "hybrid",
    ) -> list[Hit]:
        """The best `k` distinct chunks for `query`, best first."""
        text = clean_query(query)
        if mode not in MODES:
            raise BadInput(f"unknown search mode {mode!r}: use one of {', '.join(MODES)}")
        if not 1 <= k <= MAX_K:
            raise BadInput(f"k must be between 1 and {MAX_K}, got {k}")
        n = len(self.chunks)
        allowed = np.ones(n, dtype=bool)
        if sections is not None:
            wanted = set(sections)
            bad = sorted(s for s in wanted if s not in SECTION_TITLES)
            if bad:
                raise BadInput(f"there is no section {bad[0]}; sections are 1-20")
            allowed = np.isin(self._sections, sorted(wanted))
        if n == 0 or not allowed.any():
            return []

        dense = self._dense_scores(text) if mode != "bm25" else None
        lexical = self.lexical.scores(_spelt_out_too(text)) if mode != "dense" else None
        if mode == "dense":
            assert dense is not None
            fused = np.where(allowed, dense, -np.inf)
        elif mode == "bm25":
            assert lexical is not None
            fused = np.where(allowed & (lexical > 0), lexical, -np.inf)
        else:
            assert dense is not None and lexical is not None
            fused = self._fuse(dense, lexical, allowed)

        order = np.argsort(-fused, kind="stable")
        hits: list[Hit] = []
        seen: set[int] = set()
        for i in order:
            if not np.isfinite(fused[i]) or len(hits) >= k:
                break
            group = int(self._group[i])
            if group in seen:
                continue
            seen.add(group)
            hits.append(
                Hit(
                    chunk=self.chunks[i],
                    score=float(fused[i]),
                    dense=None if dense is None else float(dense[i]),
                    lexical=None if lexical is None else float(lexical[i]),
                )
            )
        return hits

    def _dense_scores(self, text: str) -> NDArray[np.float32]:
        """The cosine of every chunk (FAISS flat inner product over unit vectors)."""
        vec = self.query_vector(text)[None, :]
        n = len(self.chunks)
        scores, ids = self.faiss.search(vec, n)
        out = np.empty(n, dtype=np.float32)
        out[ids[0]] = scores[0]
        # the bank questions' own text (the "question" units) as extra keys, max with the
        # chunk: measured, it lowered held-out hit@1 (0.882 -> 0.855), so they are not used here
        return out

    def _fuse(
        self,
        dense: NDArray[np.float32],
        lexical: NDArray[np.float32],
        allowed: NDArray[np.bool_],
    ) -> NDArray[np.float64]:
        """Weighted reciprocal-rank fusion, scaled so that first in both rankings is 1.0.

        A chunk BM25 does not match at all (score 0) gets no lexical contribution, so a query
        in another language or made of unknown words falls back to the dense ranking.
        """
        k = self.rrf_k
        rd = _ranks(dense, allowed)
        rl = _ranks(lexical, allowed & (lexical > 0))
        fused = self.dense_weight / (k + rd) + self.lexical_weight / (k + rl)
        fused /= (self.dense_weight + self.lexical_weight) / (k + 1)
        return np.where(allowed, fused, -np.inf)


# ---------------------------------------------------------------- embedding


def embed_chunks(
    chunks: list[Chunk], embedder: Embedder, progress: ProgressFn | None = None
) -> NDArray[np.float32]:
    """Unit vectors for the chunks, in batches of similar length (less padding, faster)."""
    texts = [c.embed_text() for c in chunks]
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    if progress:
        progress(0, len(texts))
    parts: list[NDArray[np.float32]] = []
    for start in range(0, len(order), EMBED_BATCH):
        batch = order[start : start + EMBED_BATCH]
        parts.append(embedder.encode([texts[i] for i in batch], batch_size=EMBED_BATCH, bulk=True))
        if progress:
            progress(min(start + EMBED_BATCH, len(texts)), len(texts))
    if not parts:  # no knowledge yet: the dimension comes from one probe encoding
        return np.zeros((0, embedder.encode(["probe"]).shape[1]), dtype=np.float32)
    vectors = np.empty((len(texts), parts[0].shape[1]), dtype=np.float32)
    vectors[order] = np.concatenate(parts)
    return vectors


def embed_units(chunks: list[Chunk], embedder: Embedder) -> NDArray[np.float32]:
    """Unit vectors for every chunk's units, in chunk order (see `chunk_units`)."""
    texts = [text for c in chunks for _, text in chunk_units(c)]
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    parts = [
        embedder.encode([texts[i] for i in order[s : s + EMBED_BATCH]], EMBED_BATCH, bulk=True)
        for s in range(0, len(order), EMBED_BATCH)
    ]
    vectors = np.empty((len(texts), parts[0].shape[1]), dtype=np.float32)
    vectors[order] = np.concatenate(parts)
    return vectors
