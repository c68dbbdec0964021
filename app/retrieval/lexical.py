"""BM25 over the chunks, with a tokenizer that understands Docker's vocabulary.

A generic word tokenizer turns `--cap-drop` into `cap`, `drop` and `0.0.0.0:8080` into four
zeros, which loses exactly the tokens interview questions hinge on. This one keeps such a token
whole *and* emits its parts, so `--cap-drop`, `cap-drop` and "cap drop" all meet. Plain words get
a light plural stemmer (Harman's S-stemmer), and a query word that is not in the index's
vocabulary is matched to a word one typo away ("dokcer", "volumn"), because people type fast.
The tokenizer, stemmer and typo matcher live in app.text (grading and composition share them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from app.text import STOPWORDS, TypoMatcher, s_stem, tokenize

__all__ = ["STOPWORDS", "LexicalIndex", "TypoMatcher", "s_stem", "tokenize"]

if TYPE_CHECKING:
    from numpy.typing import NDArray


class LexicalIndex:
    """bm25s over pre-tokenized chunk texts. Building it is cheap, so it is never cached."""

    def __init__(self, texts: Iterable[str], *, k1: float = 1.2, b: float = 0.75) -> None:
        import bm25s

        corpus = [tokenize(t) or [""] for t in texts]
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
