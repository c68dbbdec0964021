"""The numpy BERT engine gives the same vectors as sentence-transformers, without torch."""

from __future__ import annotations

import ast
import os
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


def test_packed_texts_encode_as_if_each_were_alone() -> None:
    """NumpyBert packs texts end to end (no padding); a text's vector must not depend on the
    texts packed beside it, including one longer than a pack and the order given."""
    from app.retrieval import bert_numpy

    embedder = Embedder(engine="numpy")
    texts = [*TEXTS, *(f"clause {i} of an answer " * (1 + i % 9) for i in range(40))]
    together = embedder.encode(texts)
    alone = np.stack([embedder.encode_one(t) for t in texts])
    assert max(len(embedder.model.tokenizer.encode(t).ids) for t in texts) > bert_numpy.PACK_TOKENS
    assert float((together * alone).sum(1).min()) > 0.99999
    reverse = embedder.encode(texts[::-1])[::-1]
    assert float(np.abs(reverse - together).max()) < 1e-5


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


def test_bulk_encodes_go_through_sentence_transformers_with_the_same_vectors() -> None:
    """The index build batches through sentence-transformers (faster per text); queries stay on
    numpy. Both must give the same vectors, or queries would miss the index."""
    embedder = Embedder()
    bulk = embedder.encode(TEXTS * 10, bulk=True)
    assert embedder._batch_model is not None, "the bulk path loaded sentence-transformers"
    one_by_one = np.stack([embedder.encode_one(t) for t in TEXTS])
    assert embedder.engine == "numpy"
    assert float(np.abs(bulk[: len(TEXTS)] - one_by_one).max()) < 1e-4


def test_queries_run_on_one_thread_in_the_server_process() -> None:
    """On a shared 2-core machine a second BLAS/OpenMP thread spin-waits for a busy core: the
    numpy engine pins both to one thread for the whole process once it loads."""
    code = (
        "from threadpoolctl import threadpool_info; import faiss, numpy; "
        "from app.retrieval.embeddings import Embedder; Embedder().encode(['x']); "
        "print(sorted({(i['user_api'], i['num_threads']) for i in threadpool_info()}))"
    )
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    pools = ast.literal_eval(out.stdout)  # a printed list of (api, threads) tuples
    assert {api for api, _ in pools} >= {"blas", "openmp"}
    assert all(threads == 1 for _, threads in pools), pools


def test_known_words_are_the_tokenizers_whole_words(embedder) -> None:  # type: ignore[no-untyped-def]
    known = embedder.known_words()
    assert {"container", "image", "network"} <= known
    assert "kubectl" not in known and "tini" not in known  # word pieces only
    assert not any(w.startswith("##") for w in known)
