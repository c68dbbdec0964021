"""Small text helpers shared by every layer: heading anchors, tokens, stems, stopwords, typos.

Retrieval, grading and the offline composer used to carry three tokenizers and three stopword
lists that disagreed on what a Docker token is. They live here once:

- `tokenize(text)`: retrieval tokens. A Docker token is kept whole *and* split into its parts,
  so `--cap-drop`, `cap-drop` and "cap drop" meet; plurals are S-stemmed; STOPWORDS dropped.
- `words(text)`: grading tokens. Lower-cased, number words as digits ("ten" -> "10"), flags keep
  their dashes, "10s" also yields "10"; nothing dropped (negations and numbers matter there).
- `content_terms(text)`: the set of a text's content words (no stopwords, no 1-char tokens),
  the overlap measure of the offline composer.
- `stem(word)`: a crude suffix stem for matching layers/layer, cached/caching.
- `term_found(term, vocab)`: a stem in a vocabulary, allowing inflections and one typo.
- `TypoMatcher`: an out-of-vocabulary query word -> the indexed word one edit away.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

_SLUG = re.compile(r"[^a-z0-9]+")
# Markdown's emphasis and code marks, but not the underscores inside a name ("NET_BIND_SERVICE",
# "depends_on"): what the judge and a bank question's citation drop from a text
EMPHASIS = re.compile(r"[*`]+|(?<!\w)_+|_+(?!\w)")
_IMP = re.compile(r"\s*\(IMP\)\s*$", re.I)


def slugify(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-") or "untitled"


def anchor(heading: str) -> str:
    """The id of a note heading, `/sections/N#<anchor>`: stable when a topic gains or loses
    its (IMP) mark, the same whether the heading is raw Markdown or rendered text."""
    return slugify(_IMP.sub("", heading))


def question_anchor(question_id: str) -> str:
    """The id of a bank question on its section's printable page (`/sections/N#q-<id>`)."""
    return f"q-{question_id}"


def spot(chunk_id: str, heading: str) -> str:
    """Where a retrieved passage sits on its section's page: a bank question's own entry
    ("q/net-drivers-overview" -> "q-net-drivers-overview"), else its heading's anchor."""
    if chunk_id.startswith("q/"):
        return question_anchor(chunk_id[2:])
    return anchor(heading)


# -- stopwords -----------------------------------------------------------------------------------

# Query words that carry no topic (retrieval and composition).
STOPWORDS = frozenset(
    """
    a about an and are as at be been but by can could do does doing did for from had has have
    how i if in into is it its me my of on or our so than that the their them then there these
    they this those to too was we were what when where which while who whom why will with would
    you your yours vs versus please explain tell s t
    """.split()
)
# Words an answer uses whatever it knows (grading): articles, pronouns, hedges, filler.
FILLER = frozenset(
    """a an the is are was were be been being am do does did doing done of to in on for with at
    by from and or but if then than so that this these those it its it's i me my you your we our
    they them their what why how when where which who whom can could should would will shall may
    might must about into over under between vs versus just like also very really quite much
    many more most some any all each every both either one ones there here thing things stuff
    basically actually probably maybe think guess pretty kind sort lot lots something anything
    way ways has have had having get gets got getting make makes made use uses used using such
    other another same own only well via etc eg ie e.g i.e because since while whereas though
    although however still even yes no not never none nothing""".split()
)

# -- retrieval tokens ----------------------------------------------------------------------------

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


def content_terms(text: str) -> set[str]:
    """A text's content words (lower-cased, no stopwords, no one-letter tokens): the cheap
    overlap measure for ranking sentences against a question."""
    return {t for t in WORD.findall(text.lower()) if t not in STOPWORDS and len(t) > 1}


# -- chat shorthand ------------------------------------------------------------------------------

# Words candidates type that the embedding model barely knows: "k8s" is 0.47 from "kubernetes"
# and "prod" 0.36 from "production" for all-MiniLM-L6-v2, so "compose in prod vs k8s" reads as
# a question about something else. The query is embedded with the words spelt out; BM25 keeps
# the user's own tokens (the notes say "k8s" too).
SHORTHAND = {
    "k8s": "kubernetes",
    "k8": "kubernetes",
    "kube": "kubernetes",
    "prod": "production",
    "ppl": "people",
    "db": "database",
    "dbs": "databases",
    "img": "image",
    "imgs": "images",
    "ctr": "container",
    "ctrs": "containers",
    "perf": "performance",
    "repo": "repository",
    "repos": "repositories",
    "creds": "credentials",
    "pw": "password",
    "svc": "service",
    "vol": "volume",
    "vols": "volumes",
    "deps": "dependencies",
    "infra": "infrastructure",
    "u": "you",
    "ur": "your",
    "pls": "please",
    "plz": "please",
    "bc": "because",
    "cuz": "because",
    "w/o": "without",
    "btw": "by the way",
    "wat": "what",
    "wats": "what is",
    "whats": "what is",
}
_SHORTHAND_WORD = re.compile(
    r"(?<![\w/.${-])("
    + "|".join(map(re.escape, sorted(SHORTHAND, key=len, reverse=True)))
    + r")(?![\w/-])",
    re.I,
)


def spell_out(text: str) -> str:
    """`text` with chat shorthand spelt out ("k8s in prod" -> "kubernetes in production"); never
    inside a token such as a flag (`-u`), a path (`/srv/repo`) or `${DB}`. Words that are also
    Docker's own ("env", "diff", "dir") stay as typed."""
    return _SHORTHAND_WORD.sub(lambda m: SHORTHAND[m.group(1).lower()], text)


# -- grading tokens ------------------------------------------------------------------------------

NUMBER_WORDS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "fifteen": "15",
    "twenty": "20",
    "thirty": "30",
    "sixty": "60",
}
# a flag, a dotted/pathy/colon token, or a plain word
WORD = re.compile(r"--?[a-z][a-z0-9-]*|[a-z0-9][a-z0-9_.:/+-]*[a-z0-9]|[a-z0-9]", re.I)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "s", "e", "y")
_UNIT_SUFFIX = re.compile(r"(\d+)([a-z]+)")


def stem(token: str) -> str:
    """A crude, consistent stem: enough to match layers/layer, cached/caching, volumes/volume."""
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 4:
            return token[: -len(suffix)]
    return token


def norm_word(low: str) -> str:
    """Trim punctuation, keeping the leading dashes of a flag (-t, --memory)."""
    return low.rstrip(".:/-") if low.startswith("-") else low.strip(".:/-")


def words(text: str) -> list[str]:
    """Lower-cased tokens with number words as digits; '10s' also yields '10'."""
    out: list[str] = []
    for raw in WORD.findall(text.replace("`", " ").replace("'s ", " ")):
        low = raw.lower()
        tok = norm_word(low) or low
        tok = NUMBER_WORDS.get(tok, tok)
        out.append(tok)
        m = _UNIT_SUFFIX.fullmatch(tok)
        if m:
            out.append(m.group(1))
    return out


def term_found(term: str, vocab: set[str]) -> bool:
    """Exact stem, a shared long prefix (plural/verb forms), or a one-typo match."""
    if term in vocab:
        return True
    if len(term) < 4:
        return False
    return any(_near(term, word) for word in vocab)


@lru_cache(maxsize=1 << 16)
def _near(term: str, word: str) -> bool:
    """`word` is an inflection of `term` or one typo away (term_found's test for one word).
    Memoised: the grader asks the same pairs answer after answer, and difflib is the slow part
    of grading outside the model (lru_cache is safe on the grading worker threads)."""
    if (
        len(word) >= 4
        and (word.startswith(term) or term.startswith(word))
        and (min(len(word), len(term)) >= 5 or abs(len(word) - len(term)) <= 1)
    ):
        return True
    if len(term) < 6 or abs(len(word) - len(term)) > 2:
        return False
    matcher = difflib.SequenceMatcher(None, term, word)
    # the two cheap upper bounds of ratio() first (difflib's own idiom): same answer, ~10x faster
    return (
        matcher.real_quick_ratio() >= 0.84
        and matcher.quick_ratio() >= 0.84
        and matcher.ratio() >= 0.84
    )


# -- typos ---------------------------------------------------------------------------------------


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
        candidates = {c for c in candidates if within_one_edit(word, c)}
        if not candidates:
            return None
        return max(sorted(candidates), key=lambda c: self._df[c])


def within_one_edit(a: str, b: str) -> bool:
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
