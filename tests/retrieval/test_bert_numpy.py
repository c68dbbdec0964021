"""The numpy engine's in-place, blocked arithmetic is the plain arithmetic, bit for bit."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from app.retrieval import bert_numpy
from app.retrieval.embeddings import Embedder


def plain_gelu(h: np.ndarray) -> np.ndarray:
    """The expression the engine shipped with (A&S 7.1.26 erf), written out."""
    x = h / np.float32(np.sqrt(2.0))
    sign, a = np.sign(x), np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t
            + 0.254829592) * t  # fmt: skip
    erf = sign * (1.0 - poly * np.exp(-a * a))
    out: np.ndarray = 0.5 * h * (1.0 + erf)
    return out


@pytest.mark.parametrize("rows", [1, bert_numpy.GELU_ROWS - 1, bert_numpy.GELU_ROWS, 77, 128])
def test_gelu_in_blocks_equals_the_plain_expression(rows: int) -> None:
    h = (np.random.default_rng(rows).standard_normal((rows, 1536)) * 3).astype(np.float32)
    expected = plain_gelu(h)
    assert expected.dtype == np.float32
    assert np.array_equal(bert_numpy._gelu(h.copy()), expected)


def test_layer_norm_in_place_equals_the_plain_expression() -> None:
    rng = np.random.default_rng(0)
    x, w, b = (rng.standard_normal(s).astype(np.float32) for s in ((50, 384), 384, 384))
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    expected = (x - mean) / np.sqrt(var + 1e-12) * w + b
    assert np.array_equal(bert_numpy._layer_norm(x.copy(), w, b, 1e-12), expected)


def test_threads_encoding_at_once_get_the_vectors_of_one_thread() -> None:
    """Graders on worker threads share one model: an encode keeps no state between calls."""
    embedder = Embedder(engine="numpy")
    batches = [[f"answer {i}: docker stop sends SIGTERM, then SIGKILL " * (1 + i % 5)] * 3
               for i in range(8)]  # fmt: skip
    alone = [embedder.encode(b) for b in batches]
    results: dict[int, np.ndarray] = {}

    def work(i: int) -> None:
        for _ in range(3):
            results[i] = embedder.encode(batches[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(batches))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, vecs in enumerate(alone):
        assert np.array_equal(results[i], vecs)
