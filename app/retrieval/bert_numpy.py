"""A BERT sentence encoder in numpy, for all-MiniLM-L6-v2 and models of its shape.

Why: importing torch + sentence-transformers costs 4-5 s on this 2-core machine, which dominated
server start-up, `mentor ask` and every CLI command. This forward pass needs only numpy,
`tokenizers` and `safetensors` (both already installed with sentence-transformers), loads in
~0.25 s and gives the same vectors (cosine > 0.99999, checked in tests/retrieval). It is used only
for folders whose sentence-transformers config is plain BERT + mean pooling + normalisation;
anything else goes through sentence-transformers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

MAX_TOKENS = 256
PACK_TOKENS = 128  # tokens per packed sequence (a longer text gets one of its own)
_SQRT2 = np.float32(np.sqrt(2.0))


def supported(folder: Path) -> bool:
    """True when `folder` holds a BERT encoder with mean pooling and normalisation."""
    try:
        config = json.loads((folder / "config.json").read_text())
        modules = json.loads((folder / "modules.json").read_text())
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError):
        return False
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    return (
        config.get("model_type") == "bert"
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and kinds == ["Transformer", "Pooling", "Normalize"]
        and pooling.get("pooling_mode_mean_tokens") is True
        and (folder / "tokenizer.json").exists()
        and (folder / "model.safetensors").exists()
    )


GELU_ROWS = 32  # rows of the (tokens x 1536) activations per GELU block: its scratch stays in cache


def _gelu(h: NDArray[np.float32]) -> NDArray[np.float32]:
    """Exact GELU, 0.5 h (1 + erf(h / sqrt 2)), in place on `h` (returned). erf by Abramowitz &
    Stegun 7.1.26, |error| < 1.5e-7, without scipy. The same float32 operations in the same order
    as the plain expression (bit for bit), but in place and a block of rows at a time, so its
    ~20 passes run over scratch that stays in cache rather than over fresh (tokens x 1536)
    arrays."""
    rows = min(GELU_ROWS, h.shape[0])
    sign_, a_, e_, poly_ = np.empty((4, rows, h.shape[1]), dtype=np.float32)
    for start in range(0, h.shape[0], rows):
        block = h[start : start + rows]
        n = block.shape[0]
        sign, a, e, poly = sign_[:n], a_[:n], e_[:n], poly_[:n]
        np.divide(block, _SQRT2, out=sign)  # x = h / sqrt 2
        np.abs(sign, out=a)
        np.sign(sign, out=sign)
        np.multiply(a, a, out=e)
        np.negative(e, out=e)
        np.exp(e, out=e)  # exp(-x * x)
        t = np.multiply(a, 0.3275911, out=a)
        t += 1.0
        np.divide(1.0, t, out=t)
        np.multiply(t, 1.061405429, out=poly)
        for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
            poly += c
            poly *= t
        poly *= e
        np.subtract(1.0, poly, out=poly)
        poly *= sign  # erf(x)
        poly += 1.0
        block *= 0.5
        block *= poly
    return h


def _layer_norm(
    x: NDArray[np.float32], w: NDArray[np.float32], b: NDArray[np.float32], eps: float
) -> NDArray[np.float32]:
    """In place on `x` (returned)."""
    x -= x.mean(-1, keepdims=True)
    var = np.multiply(x, x).mean(-1, keepdims=True)
    var += eps
    x /= np.sqrt(var, out=var)
    x *= w
    x += b
    return x


class NumpyBert:
    """Tokenize, run the encoder, mean-pool over real tokens, normalise."""

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text())
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.hidden = int(config["hidden_size"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()  # encode() packs texts instead
        weights = load_file(str(folder / "model.safetensors"))
        self.w: dict[str, NDArray[np.float32]] = {}
        for name, value in weights.items():
            name = name.removeprefix("bert.")
            value = value.astype(np.float32, copy=False)
            if name.endswith(".weight") and value.ndim == 2 and "embeddings" not in name:
                # so that x @ W == x @ W_torch^T; a contiguous copy encodes ~15% faster than
                # letting BLAS read the transposed view
                value = np.ascontiguousarray(value.T)
            self.w[name] = value
        for i in range(self.layers):  # query, key and value in one product
            p = f"encoder.layer.{i}.attention.self."
            for kind in ("weight", "bias"):
                parts = [self.w.pop(f"{p}{n}.{kind}") for n in ("query", "key", "value")]
                self.w[f"{p}qkv.{kind}"] = np.ascontiguousarray(np.concatenate(parts, axis=-1))

    @property
    def dim(self) -> int:
        return self.hidden

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        """One unit vector per text. Texts are packed end to end into sequences of at most
        PACK_TOKENS tokens, each attending only to itself, so no work goes into padding (the
        grader's sentences and clauses vary from 5 to 60 tokens: padded, half the work was
        padding). The vectors are those of encoding each text alone."""
        encodings = self.tokenizer.encode_batch(texts)
        ids = [e.ids for e in encodings]
        out = np.zeros((len(texts), self.hidden), dtype=np.float32)
        pack: list[int] = []
        size = 0
        for i in sorted(range(len(ids)), key=lambda i: len(ids[i])):
            if pack and size + len(ids[i]) > PACK_TOKENS:
                out[pack] = self._forward([ids[j] for j in pack])
                pack, size = [], 0
            pack.append(i)
            size += len(ids[i])
        if pack:
            out[pack] = self._forward([ids[j] for j in pack])
        return out

    def _forward(self, segments: list[list[int]]) -> NDArray[np.float32]:
        """Encode `segments` (token ids) as one packed sequence; one pooled vector each."""
        w, heads = self.w, self.heads
        lengths = np.array([len(s) for s in segments])
        flat = np.concatenate([np.asarray(s) for s in segments])
        positions = np.concatenate([np.arange(n) for n in lengths])
        length = len(flat)
        size = self.hidden // heads
        x = (
            w["embeddings.word_embeddings.weight"][flat]
            + w["embeddings.position_embeddings.weight"][positions]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(
            x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps
        )
        # attention runs per text: the packed texts (sorted by length, so of similar lengths)
        # padded to the longest, a padding key weighing nothing
        count, longest = len(segments), int(lengths.max())
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        slot = np.arange(longest)
        real = slot[None, :] < lengths[:, None]  # segments x longest
        rows = np.where(real, starts[:, None] + slot[None, :], length)  # padding: a zero row
        key_bias = np.where(real, 0.0, -1e9).astype(np.float32)[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(size))
        padded = np.zeros((length + 1, 3 * self.hidden), dtype=np.float32)
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def linear(h: NDArray[np.float32], name: str, p: str = p) -> NDArray[np.float32]:
                out: NDArray[np.float32] = h @ w[p + name + ".weight"]
                out += w[p + name + ".bias"]
                return out

            np.matmul(x, w[p + "attention.self.qkv.weight"], out=padded[:length])
            padded[:length] += w[p + "attention.self.qkv.bias"]
            # segments x longest x (q, k, v) x heads x size -> (q, k, v) x segments x heads x ...
            qkv = padded[rows].reshape(count, longest, 3, heads, size).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
            q *= scale
            scores = q @ k.swapaxes(-1, -2)
            scores += key_bias
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3)[real].reshape(length, self.hidden)
            h = linear(context, "attention.output.dense")
            h += x
            x = _layer_norm(
                h,
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
                self.eps,
            )
            h = linear(_gelu(linear(x, "intermediate.dense")), "output.dense")
            h += x
            x = _layer_norm(
                h, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps
            )
        pooled = np.add.reduceat(x, starts, axis=0) / lengths[:, None]
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        out: NDArray[np.float32] = (pooled / norms).astype(np.float32)
        return out
