"""The numpy BERT engine gives the same vectors as sentence-transformers, without torch."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from app.errors import MentorError
from app.retrieval.embeddings import Embedder

TEXTS = [
    "docker stop sends SIGTERM, waits 10 seconds, then SIGKILL",
    "Why does my container exit with code 137?",
    "volumes vs bind mounts",
    "Installation & Setup > WSL 2\n" + "Docker Desktop uses the WSL 2 backend on Windows. " * 40,
    "k8s dockershim?",
    "¿Qué es un contenedor?",
]


def test_numpy_engine_matches_sentence_transformers() -> None:
    fast, reference = Embedder(engine="auto"), Embedder(engine="torch")
    a, b = fast.encode(TEXTS, batch_size=4), reference.encode(TEXTS)
    assert fast.engine == "numpy" and reference.engine == "torch"
    assert a.shape == b.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert float((a * b).sum(1).min()) > 0.9999


def test_numpy_engine_does_not_import_torch() -> None:
    code = (
        "import sys; from app.retrieval.embeddings import Embedder; "
        "Embedder().encode(['x']); print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_unknown_engine_is_a_clear_error() -> None:
    with pytest.raises(MentorError, match="auto, numpy or torch"):
        Embedder(engine="onnx")
