"""BM25 over the chunks, with a tokenizer that understands Docker's vocabulary.

A generic word tokenizer turns `--cap-drop` into `cap`, `drop` and `0.0.0.0:8080` into four
zeros, which loses exactly the tokens interview questions hinge on. This one keeps such a token
whole *and* emits its parts, so `--cap-drop`, `cap-drop` and "cap drop" all meet. Plain words get
a light plural stemmer (Harman's S-stemmer), and a query word that is not in the index's
vocabulary is matched to a word one typo away ("dokcer", "volumn"), because people type fast.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

STOPWORDS = frozenset(
    """
    a about an and are as at be been but by can could do does doing did for from had has have
    how i if in into is it its me my of on or our so than that the their them then there these
    they this those to too was we were what when where which while who whom why will with would
    you your yours vs versus please explain tell s t
    """.split()
)

# A token is a run of characters that are not whitespace or "outer" punctuation. Characters
# that live *inside* Docker tokens (- . : / _ = @ $ { } % + ~ ,) are kept at this stage.
_RAW = re.compile(r"[^\s`'\"()\[\]<>;|!?*]+")
_KEEP_LEADING = "-.:/$@%{"  # --flag, .dockerignore, :ro, /var/lib, $HOME, ${VAR}
_PARTS = re.compile(r"[^\W_]+")  # letters and digits, any script
_ALPHA = re.compile(r"^[a-z]+$")
_COMPOUND = re.compile(r"^[a-z]+(?:[-_][a-z]+){1,2}$")
MIN_FUZZY_LEN = 5


def s_stem(word: str) -> str:
    """Harman's S-stemmer: plural -> singular for plain words; everything else unchanged."""
    if len(word) < 3 or not _ALPHA.match(word):
        return word
    if word.endswith("ies") and len(word) > 4 and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    return word


def _trim(raw: str) -> str:
    """Drop sentence punctuation around a token ("SIGTERM," "137." "¿qué") but keep the marks
    that are part of Docker tokens (`--rm`, `.dockerignore`, `:ro`, `${VAR}`)."""
    end = len(raw)
    while end and not (raw[end - 1].isalnum() or raw[end - 1] == "}"):
        end -= 1
    start = 0
    while start < end and not (raw[start].isalnum() or raw[start] in _KEEP_LEADING):
        start += 1
    return raw[start:end]


def tokenize(text: str) -> list[str]:
    """Lowercased tokens: whole Docker tokens plus their alphanumeric parts, stopwords removed.

    `--cap-drop` -> ['--cap-drop', 'cap-drop', 'capdrop', 'cap', 'drop']; `0.0.0.0:8080` ->
    ['0.0.0.0:8080', '0', '8080']; `SIGTERM` -> ['sigterm']; `volumes` -> ['volume'].
    """
    out: list[str] = []
    for raw in _RAW.findall(text.lower()):
        out.extend(_expand(raw))
    return out


@lru_cache(maxsize=1 << 16)
def _expand(raw: str) -> tuple[str, ...]:
    """The tokens of one raw token (cached: the knowledge repeats its words a lot)."""
    token = _trim(raw)
    parts = _PARTS.findall(token)
    if not parts:
        return ()
    if len(parts) == 1 and parts[0] == token:
        return () if token in STOPWORDS else (s_stem(token),)
    out = [token]
    bare = token.lstrip("-")
    if bare != token and len(_PARTS.findall(bare)) > 1:
        out.append(bare)  # --cap-drop -> cap-drop
    if _COMPOUND.match(bare):
        out.append("".join(parts))  # multi-stage -> multistage, health-check -> healthcheck
    for part in dict.fromkeys(parts):
        if part not in STOPWORDS:
            out.append(s_stem(part))
    return tuple(out)


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class TypoMatcher:
    """Maps an out-of-vocabulary word to an indexed word one edit away (symmetric delete)."""

    def __init__(self, vocab: dict[str, int]) -> None:
        """`vocab`: word -> document frequency; only plain words of MIN_FUZZY_LEN+ are indexed."""
        self._df = vocab
        self._by_delete: dict[str, list[str]] = {}
        for word in vocab:
            if len(word) >= MIN_FUZZY_LEN - 1 and _ALPHA.match(word):
                for key in _deletes(word) | {word}:
                    self._by_delete.setdefault(key, []).append(word)

    def correct(self, word: str) -> str | None:
        """The most frequent indexed word within one insert/delete/substitute/transpose."""
        if len(word) < MIN_FUZZY_LEN or not _ALPHA.match(word) or word in self._df:
            return None
        candidates: set[str] = set()
        for key in _deletes(word) | {word}:
            candidates.update(self._by_delete.get(key, ()))
        candidates = {c for c in candidates if _within_one_edit(word, c)}
        if not candidates:
            return None
        return max(sorted(candidates), key=lambda c: self._df[c])


def _within_one_edit(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance <= 1 (the symmetric-delete lookup over-generates)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if la < lb else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


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
