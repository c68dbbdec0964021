"""Sections named by words ("the compose one", "k8s") and, where the rules of
app/mentor/intents.py are unsure, by meaning: the section aliases' vectors, and a vote of the
nearest labelled examples (app/mentor/intent_examples.py) with the Docker topic masked, so
that the vote is about the request, not the subject."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from app.catalog import SECTION_KEYWORDS, SECTION_TITLES
from app.mentor.intent_patterns import NAVIGATION_FILLER, REQUEST_FILLER, _norm
from app.mentor.types import Intent
from app.retrieval.embeddings import encode_cached
from app.text import STOPWORDS, spell_out

if TYPE_CHECKING:
    from app.knowledge import Knowledge
    from app.retrieval.embeddings import Embedder

# the nearest-neighbour vote over labelled examples, for messages the rules are unsure about
VOTE_K = 5
VOTE_SHARE = 0.6
VOTE_MIN_SIMILARITY = 0.5
ENCODED_KEPT = 256  # message vectors the matcher remembers (least recently used dropped)
# A word the notes use that the embedding model does not hold whole ("tini", "kaniko",
# "hadolint") is one the model can only guess at from word pieces, so meaning cannot tell that
# a message about it is about Docker: the notes' own words can.
TERM_MIN_LETTERS = 4
_WORD = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
# "docker run" is an alias of Section 4, but "run" alone is an everyday verb ("run a mock with
# me"), and "build" of "docker build" is one too ("multi stage build" is Section 7): these
# "docker "-less forms do not name a section on their own
_PLAIN_VERBS = frozenset({"run", "stop", "login", "group", "context", "build"})
_ENDINGS = ("s", "es", "ed", "d", "ing", "er", "ers", "ies", "ly", "al", "ity", "ment", "ments")


@lru_cache(maxsize=ENCODED_KEPT)
def _encode_remembered(embedder: Embedder, text: str) -> np.ndarray:
    vec: np.ndarray = embedder.encode_one(text)
    return vec


def _derived(word: str, known: frozenset[str]) -> bool:
    """True when every part of `word` is a known word or one plus a common ending ("caching",
    "abort-on-container-exit"): not a name the model has never seen."""
    for part in word.split("-"):
        if part in known:
            continue
        stems = [part[: -len(e)] for e in _ENDINGS if part.endswith(e) and len(part) > len(e) + 2]
        if not any(s in known or f"{s}e" in known or f"{s}y" in known for s in stems):
            return False
    return True


def _section_words(kb: Knowledge) -> dict[int, list[str]]:
    """Each section's words, notes then question bank, in order (lower case, hyphenated words
    whole)."""
    out = {}
    for n, section in kb.sections.items():
        texts = [section.markdown]
        for q in section.questions:
            texts += [q.question, q.model_answer, *q.key_points]
        out[n] = _WORD.findall(" ".join(texts).lower())
    return out


def notes_words(kb: Knowledge) -> list[str]:
    """Every word of the notes and the question banks in order."""
    return [w for words in _section_words(kb).values() for w in words]


def spread(names: set[str], section_words: dict[int, list[str]]) -> dict[str, int]:
    """For each name, how many sections' own words hold it (or its plural): "container" is in
    all 20, "wasm" in one. The fewer, the more a message that says it means its section."""
    vocabularies = [set(words) for words in section_words.values()]
    texts = [f" {' '.join(words)} " for words in section_words.values()]
    out = {}
    for name in names:
        if name != " ".join(_WORD.findall(name)):
            continue  # not words alone ("ci/cd", "compose.yaml"): never generic
        if " " in name:
            out[name] = sum(f" {name} " in t or f" {name}s " in t for t in texts)
        else:
            out[name] = sum(name in v or f"{name}s" in v for v in vocabularies)
    return out


# the words of the section titles name their section ("dockerfile techniques", "kubernetes
# integration", "perf optimization"), wherever they stand
_TITLE_WORDS = frozenset(_WORD.findall(" ".join(SECTION_TITLES.values()).lower()))
# a message of this many words or more found word for word in the notes quotes them
QUOTED_WORDS = 4
# two content words the notes say together this often are a Docker phrase (see notes_phrase)
PHRASE_TIMES = 2
# respell: a word the notes and the model both lack, this close to a section's name or a word
# of a request, was meant as that word ("volumns notes", "containers sectoin", "sectn")
RESPELL_RATIO = 0.8
RESPELL_SURE = 0.9  # ... for a word that reads as a form of a known word
RESPELL_MIN_LETTERS = 6  # "thats" is one letter from "stats"
_ByLength = dict[tuple[str, int], list[str]]
_REQUEST_WORDS = frozenset(
    "section sections chapter chapters notes interview interviews question questions quiz "
    "previous continue explain difference".split()
)


def _content(*words: str) -> bool:
    return all(w not in STOPWORDS and len(w) >= 3 for w in words)


@dataclass
class SectionMatcher:
    """Finds sections named by words ("the compose one", "k8s") and, as a fallback, meaning."""

    aliases: dict[int, tuple[str, ...]]
    embedder: Embedder | None = None
    _vectors: np.ndarray | None = field(default=None, repr=False)
    _owners: list[int] = field(default_factory=list, repr=False)
    _examples: np.ndarray | None = field(default=None, repr=False)
    _example_intents: list[str] = field(default_factory=list, repr=False)
    _topics: re.Pattern[str] | None = field(default=None, repr=False)
    _names: list[tuple[int, str, re.Pattern[str]]] | None = field(default=None, repr=False)
    cache_dir: Path | None = None  # where alias and example vectors are kept between starts
    # where message vectors are remembered instead of this module's own memory: the mentor
    # passes the index's query memory, so a text the router encoded is not encoded again by
    # the search (nor the other way round): one model run per distinct text per message
    remember: Callable[[str], np.ndarray] | None = field(default=None, repr=False)
    lexicon: frozenset[str] = field(default=frozenset(), repr=False)  # the notes' words
    notes_text: str = field(default="", repr=False)  # ... in order, one space between them
    _terms: frozenset[str] | None = field(default=None, repr=False)
    _phrases: frozenset[str] | None = field(default=None, repr=False)  # see notes_phrase
    _respelt: dict[str, str] = field(default_factory=dict, repr=False)  # see respell
    # respell's words: known to the notes or the model; names and request words; candidates
    _targets: tuple[frozenset[str], frozenset[str], _ByLength] | None = field(
        default=None, repr=False
    )
    # how many sections' words hold each name (see `spread`); a name not in it counts as rare
    spread: dict[str, int] = field(default_factory=dict, repr=False)

    def delexicalise(self, text: str) -> str:
        """Every section name or alias replaced by "topic": the vote is about what the user
        wants done, and MiniLM otherwise matches on the Docker topic, not the request."""
        if self._topics is None:
            names = {n for names in self.aliases.values() for n in names if len(n) >= 2}
            alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
            self._topics = re.compile(rf"(?<![\w-])(?:{alternation})s?(?![\w-])")
        return self._topics.sub("topic", text)

    @classmethod
    def from_knowledge(
        cls,
        kb: Knowledge,
        embedder: Embedder | None = None,
        *,
        remember: Callable[[str], np.ndarray] | None = None,
    ) -> SectionMatcher:
        aliases = cls.builtin().aliases
        for n, s in kb.sections.items():
            aliases[n] = tuple(dict.fromkeys([*aliases[n], *(_norm(a) for a in s.aliases)]))
        per_section = _section_words(kb)
        words = [w for ws in per_section.values() for w in ws]
        names = {v for ns in aliases.values() for n in ns for v in (n, n.removeprefix("docker "))}
        return cls(
            aliases=aliases,
            embedder=embedder,
            remember=remember,
            lexicon=frozenset(words),
            notes_text=f" {' '.join(words)} ",
            spread=spread(names, per_section),
        )

    @classmethod
    def builtin(cls, embedder: Embedder | None = None) -> SectionMatcher:
        """Titles and the catalog's keywords only (no knowledge files needed)."""
        aliases = {
            n: tuple(dict.fromkeys([_norm(t), *(_norm(k) for k in SECTION_KEYWORDS.get(n, ()))]))
            for n, t in SECTION_TITLES.items()
        }
        return cls(aliases=aliases, embedder=embedder)

    def warm(self) -> None:
        """Build what the first message would otherwise wait for: the alias vectors and the
        word lists of notes_term, notes_phrase and respell (~0.3 s together)."""
        self.by_meaning("docker")
        self.notes_term("docker")
        self.notes_phrase("docker")
        self.respell("dockker")

    def by_words(self, text: str, in_order: bool = False) -> list[int]:
        """Sections whose title or alias appears in `text`, best first: the one named by the
        most names ("wasm and sboms and docker scout ... supply chain" is Section 20), then the
        rarest names ("wasm containers" is Section 20: "container" is in every section's notes),
        then the longest match (or in the order they are named); a match inside a longer one
        ("containers" in "debugging containers") does not count."""
        spans: dict[int, tuple[int, int]] = {}
        found: dict[int, set[str]] = {}
        for n, _, m in self._named_in(text):
            found.setdefault(n, set()).add(m.group(0).removeprefix("docker "))
            if n not in spans or m.end() - m.start() > spans[n][1] - spans[n][0]:
                spans[n] = (m.start(), m.end())
        inside = {
            n
            for n, (a, b) in spans.items()
            for o, (c, d) in spans.items()
            if o != n and c <= a and b <= d and (d - c) > (b - a)
        }
        if in_order:
            return sorted((n for n in spans if n not in inside), key=lambda n: spans[n][0])
        return sorted(
            (n for n in spans if n not in inside),
            key=lambda n: (
                -len(found[n]),
                # rarest first, then the next rarest: "docker exec, inspect ... running
                # container" is Section 14 (exec is in 4 and 14, but "container" is everywhere)
                sorted(self._spread_of(name) for name in found[n]),
                spans[n][0] - spans[n][1],
            ),
        )

    def _spread_of(self, said: str) -> int:
        """How many sections hold a name as said ("pods" as the alias "pods", or "pod")."""
        if said in self.spread or not said.endswith("s"):
            return self.spread.get(said, 0)
        return self.spread.get(said[:-1], 0)

    def own_names(self, text: str, sections: list[int]) -> list[int]:
        """The `sections` that `text` names by a name of their own: "buildkit" is a name of
        Sections 7 and 20, so "dockerfile things like multistage and buildkit" names only 7. All
        of them when none has a name of its own."""
        found: dict[int, set[str]] = {n: set() for n in sections}
        for n, name, _ in self._named_in(text):
            if n in found:
                found[n].add(name)
        own = [
            n for n in sections if found[n] - set().union(*(found[o] for o in sections if o != n))
        ]
        return own or sections

    def _named_in(self, text: str) -> Iterator[tuple[int, str, re.Match[str]]]:
        """(section, name, where) for every title or alias that `text` holds as whole words."""
        padded = f" {text} "
        for n, name, pattern in self._name_patterns():
            if name in padded and (m := pattern.search(padded)):  # verbatim first: cheap
                yield n, name, m

    def _name_patterns(self) -> list[tuple[int, str, re.Pattern[str]]]:
        """(section, name, its whole-word pattern) for every alias and its "docker "-less form,
        compiled once: ~560 patterns overflow `re`'s own cache, which then recompiles them on
        every message (the aliases are fixed once the matcher is built)."""
        if self._names is None:
            self._names = [
                (n, v, re.compile(rf"(?<![\w-]){re.escape(v)}s?(?![\w-])"))
                for n, names in self.aliases.items()
                for name in names
                for v in dict.fromkeys([name, name.removeprefix("docker ").strip()])
                if len(v) >= 2 and (v == name or v not in _PLAIN_VERBS)
            ]
        return self._names

    def encode(self, text: str) -> np.ndarray:
        """`text`'s vector, remembered: one message may ask for the same text more than once
        (the on-topic check, then the short-message fallback, or a vote on a text with no
        topic in it), and each encode is a model run."""
        assert self.embedder is not None
        if self.remember is not None:
            return self.remember(text)
        return _encode_remembered(self.embedder, spell_out(text))  # as the index embeds a query

    def notes_term(self, text: str) -> str | None:
        """A word of `text` that the notes use and the embedding model does not know whole
        ("tini?", "is gvisor worth it"), or None."""
        if self.embedder is None or not self.lexicon:
            return None
        if self._terms is None:
            known = self.embedder.known_words()
            self._terms = frozenset(
                w
                for w in self.lexicon
                if len(w) >= TERM_MIN_LETTERS and w not in known and not _derived(w, known)
            )
        return next((w for w in _WORD.findall(text.lower()) if w in self._terms), None)

    def only_names(self, text: str) -> bool:
        """True when `text` is section names plus request filler ("do networking", "the
        kubernetes bit"): a request for that section, whatever its first word."""
        rest = self.delexicalise(text).split()
        return "topic" in rest and all(w in REQUEST_FILLER for w in rest)

    def details(self, text: str) -> list[str]:
        """The words of `text` that are neither a section's name, a word of a section title nor
        request filler: what a short message asks about beyond the section ("backup a named
        volume" -> ["backup"]; "perf optimization pls" -> [])."""
        words = (w.strip(".,;:!?\"'()") for w in self.delexicalise(spell_out(text)).split())
        # "intro pls, ..." holds "pls", not "pls,"
        return [w for w in words if w and w not in NAVIGATION_FILLER and w not in _TITLE_WORDS]

    def notes_phrase(self, text: str) -> str | None:
        """Two content words of `text`, side by side, that the notes say side by side at least
        PHRASE_TIMES times ("manifest list", "build context"), or None: a Docker phrase the
        embedding may not tie to the notes ("explain what a manifest list is" is 0.35 from its
        nearest passage, like small talk)."""
        if self._phrases is None:  # counted once: the notes are fixed once the matcher is built
            pairs = Counter(
                f"{a} {b}" for a, b in pairwise(self.notes_text.split()) if _content(a, b)
            )
            self._phrases = frozenset(p for p, n in pairs.items() if n >= PHRASE_TIMES)
        for a, b in pairwise(_WORD.findall(text.lower())):
            if _content(a, b) and a not in NAVIGATION_FILLER and f"{a} {b}" in self._phrases:
                return f"{a} {b}"
        return None

    def respell(self, text: str) -> str:
        """`text` with each misspelt section name or request word typed right: "volumns notes"
        -> "volumes notes", "containers sectoin" -> "containers section". Only a word of
        RESPELL_MIN_LETTERS or more that neither the notes nor the model know is changed, to
        the name or request word at least RESPELL_RATIO like it, and only when no other word
        the model knows is closer ("practise" is "practice", not the name "practices"). Without
        the notes' words or the model, nothing is known for sure, and nothing is changed."""
        if self.embedder is None or not self.lexicon:
            return text
        return re.sub(
            rf"(?<![\w-])[A-Za-z]{{{RESPELL_MIN_LETTERS},}}(?![\w-])",
            lambda m: self._respelt_word(m.group(0)),
            text,
        )

    def _respelt_word(self, word: str) -> str:
        low = word.lower()
        if low not in self._respelt:
            if len(self._respelt) >= ENCODED_KEPT * 16:
                self._respelt.clear()  # words users typed: kept, but not without bound
            self._respelt[low] = self._closest_name(low) or low
        return word if self._respelt[low] == low else self._respelt[low]

    def _closest_name(self, word: str) -> str | None:
        if self._targets is None:
            names = {w for ns in self.aliases.values() for n in ns for w in _WORD.findall(n)}
            targets = frozenset(names | _REQUEST_WORDS)
            model = self.embedder.known_words() if self.embedder is not None else frozenset()
            # candidates by length (names) and by first letter and length (the model's words)
            by_length: dict[tuple[str, int], list[str]] = {}
            for w in targets:
                by_length.setdefault(("", len(w)), []).append(w)
            for w in model - targets:
                by_length.setdefault((w[0], len(w)), []).append(w)
            self._targets = (self.lexicon | model | STOPWORDS, targets, by_length)
        known, targets, by_length = self._targets
        if (
            word in known
            or word in targets
            # "mycontainer", "testvolume": a name made of a word, no typo of "containerd"
            or any(len(word) - i >= 4 and word[i:] in known for i in range(1, 5))
        ):
            return None
        # a name plus an ending is that name's word ("interviewer" is no "interview" misspelt)
        # unless another name is nearly the same ("debuging" is "debugging"); so is a known
        # word's form ("rebuilding"), and "volums" is nearly "volumes"
        bases = {t for t in targets if word.startswith(t) and word[len(t) :] in _ENDINGS}
        sure = bool(bases) or _derived(word, known)
        best, best_ratio = None, RESPELL_SURE if sure else RESPELL_RATIO
        sm = SequenceMatcher(None)
        sm.set_seq2(word)  # difflib indexes the second sequence: once, not per candidate
        for size in range(len(word) - 2, len(word) + 3):
            for candidate in (*by_length.get(("", size), ()), *by_length.get((word[0], size), ())):
                if candidate in bases:
                    continue
                sm.set_seq1(candidate)
                if sm.real_quick_ratio() < best_ratio or sm.quick_ratio() < best_ratio:
                    continue
                if (r := sm.ratio()) > best_ratio or (r == best_ratio and best is None):
                    best, best_ratio = candidate, r
        return best if best in targets else None

    def quotes_notes(self, text: str) -> bool:
        """True when `text` (QUOTED_WORDS words or more) stands word for word in the notes: an
        error message ("no space left on device") or a phrase of theirs, so about Docker."""
        words = _WORD.findall(text.lower())
        return len(words) >= QUOTED_WORDS and f" {' '.join(words)} " in self.notes_text

    def by_meaning(self, text: str, threshold: float = 0.5) -> tuple[int | None, float]:
        if self.embedder is None:
            return None, 0.0
        if self._vectors is None:
            labels, owners = [], []
            for n, names in self.aliases.items():
                for name in names:
                    labels.append(name)
                    owners.append(n)
            self._vectors = encode_cached(self.embedder, labels, self.cache_dir)
            self._owners = owners
        sims = self._vectors @ self.encode(text)
        best = int(np.argmax(sims))
        score = float(sims[best])
        return (self._owners[best] if score >= threshold else None), score

    def vote(self, text: str) -> tuple[Intent | None, float]:
        """The intent the nearest labelled examples (app/mentor/intent_examples.py) agree on:
        the VOTE_K nearest vote with their cosine; None unless the winner holds VOTE_SHARE of
        the weight and the nearest is at least VOTE_MIN_SIMILARITY close."""
        if self.embedder is None:
            return None, 0.0
        if self._examples is None:
            from app.mentor.intent_examples import EXAMPLES

            pairs = [(intent, m) for intent, ms in EXAMPLES.items() for m in ms]
            texts = [self.delexicalise(_norm(m)) for _, m in pairs]
            self._examples = encode_cached(self.embedder, texts, self.cache_dir)
            self._example_intents = [intent for intent, _ in pairs]
        sims = self._examples @ self.encode(self.delexicalise(text))
        nearest = np.argsort(-sims)[:VOTE_K]
        weights: dict[str, float] = {}
        for i in nearest:
            intent = self._example_intents[int(i)]
            weights[intent] = weights.get(intent, 0.0) + max(0.0, float(sims[i]))
        winner = max(weights, key=lambda k: weights[k])
        share = weights[winner] / max(1e-9, sum(weights.values()))
        if share < VOTE_SHARE or float(sims[nearest[0]]) < VOTE_MIN_SIMILARITY:
            return None, share
        return winner, share  # type: ignore[return-value]
