"""BM25 over the chunks, with a tokenizer that understands Docker's vocabulary.

A generic word tokenizer turns `--cap-drop` into `cap`, `drop` and `0.0.0.0:8080` into four
zeros, which loses exactly the tokens interview questions hinge on. This one keeps such a token
whole *and* emits its parts, so `--cap-drop`, `cap-drop` and "cap drop" all meet. Plain words get
a light plural stemmer (Harman's S-stemmer), and a query word that is not in the index's
vocabulary is matched to a word one typo away ("dokcer", "volumn"), because people type fast.
The tokenizer, stemmer and typo matcher live in app.text (grading and composition share them).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from app import text
from app.files import write_atomic
from app.text import STOPWORDS, TypoMatcher, s_stem, tokenize

__all__ = ["STOPWORDS", "LexicalIndex", "TypoMatcher", "cached_lexical", "s_stem", "tokenize"]

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from numpy.typing import NDArray


class LexicalIndex:
    """bm25s over pre-tokenized chunk texts (`tokens`, when given, are `tokenize` of each text:
    `cached_lexical` keeps them on disk, tokenizing the corpus costs ~0.1 s of start-up)."""

    def __init__(
        self,
        texts: Iterable[str],
        *,
        k1: float = 1.2,
        b: float = 0.75,
        tokens: list[list[str]] | None = None,
    ) -> None:
        import bm25s

        corpus = [t or [""] for t in tokens] if tokens is not None else _tokenize_all(texts)
        self.size = len(corpus)
        self._bm25 = bm25s.BM25(k1=k1, b=b)
        if corpus:
            self._bm25.index(corpus, show_progress=False)
        df: dict[str, int] = {}
        for doc in corpus:
            for tok in set(doc):
                df[tok] = df.get(tok, 0) + 1
        self._df = df
        self._typos: TypoMatcher | None = None

    @property
    def vocabulary(self) -> dict[str, int]:
        """token -> number of chunks containing it."""
        return self._df

    def query_tokens(self, query: str) -> list[str]:
        """The query's tokens, with out-of-vocabulary words replaced by a close indexed word."""
        tokens = tokenize(query)
        if self._typos is None:
            self._typos = TypoMatcher(self._df)
        fixed = []
        for tok in tokens:
            if tok in self._df:
                fixed.append(tok)
            else:
                fixed.append(self._typos.correct(tok) or tok)
        return fixed

    def scores(self, query: str) -> NDArray[np.float32]:
        """One BM25 score per chunk (0 where no query token occurs)."""
        if not self.size:
            return np.zeros(0, dtype=np.float32)
        tokens = [t for t in self.query_tokens(query) if t in self._df]
        if not tokens:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)


def _tokenize_all(texts: Iterable[str]) -> list[list[str]]:
    return [tokenize(t) or [""] for t in texts]


def cached_lexical(texts: list[str], folder: Path | None) -> LexicalIndex:
    """The LexicalIndex over `texts`, its tokens read from `folder` when they were written for
    these very texts by this very tokenizer (app/text.py's bytes name the file, a digest of the
    texts is inside); otherwise tokenized now and written there (a failed write is logged)."""
    if folder is None:
        return LexicalIndex(texts)
    digest = hashlib.sha256("\0".join(texts).encode()).hexdigest()
    tokenizer = hashlib.sha256(Path(text.__file__).read_bytes()).hexdigest()[:16]
    path = folder / f"tokens-{tokenizer}.json"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        if stored.get("texts") == digest and len(stored["tokens"]) == len(texts):
            return LexicalIndex(texts, tokens=stored["tokens"])
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("token cache %s is unusable (%s); tokenizing afresh", path, exc)
    tokens = _tokenize_all(texts)
    try:
        write_atomic(path, json.dumps({"texts": digest, "tokens": tokens}).encode("utf-8"))
    except OSError as exc:
        log.warning("could not write the token cache %s: %s", path, exc)
    return LexicalIndex(texts, tokens=tokens)
