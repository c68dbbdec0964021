"""An answer as the grader reads it: sentences and clauses, key terms, negations, details.

The tokens, stems, filler words and typo-forgiving term match are app.text's (one tokenizer
for retrieval, grading and composition); what is only grading's lives here: which terms of a
key point are distinctive and how much each weighs, how an answer splits into units, and the
cues that a unit denies a claim or names other details.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.text import FILLER, NUMBER_WORDS, WORD, norm_word, stem, words

# Docker nouns every answer uses: evidence of topic, not of knowledge
_GENERIC = frozenset(
    """docker container containers image images run runs running command commands file files
    default defaults""".split()
)
_SENTENCE = re.compile(r"(?<=\S[.!?])\s+|\n+|;\s+|\s+[-–—]{1,2}\s+|:\s+(?=[A-Za-z`])")
_CLAUSE = re.compile(
    r",\s*(?:but|and|so|whereas|while|which|then|though|although)?\s*"
    r"|\s+(?:but|whereas|while|because|although|though)\s+",
    re.I,
)
_LOOSE_DASH = re.compile(r"^-+(?=\s|$)|(?<=\s)-+$")
BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_NEGATION = re.compile(
    r"\b(?:not|never|no longer|isn't|isnt|aren't|arent|doesn't|doesnt|don't|dont|didn't|"
    r"won't|wont|can't|cant|cannot|shouldn't|wasn't|weren't|nor|instead of|rather than|"
    r"unlike|myth|wrong|not true|incorrect|misconception|mistake|untrue|contrary to|"
    # "needs no paid subscription" denies "requires a paid subscription"
    r"(?:needs?|needed|requires?|required|takes?)\s+no|"
    r"(?:people|many|some|others|folks|juniors|beginners)\s+(?:\w+\s+)?(?:think|believe|assume|say)|"
    r"it is often (?:thought|said|assumed)|is a common (?:belief|assumption))\b",
    re.I,
)
IDK = re.compile(
    r"^\s*(?:i\s*(?:don'?t|do not|dunno)\s*know|idk|no idea|not sure|dunno|pass|"
    r"i have no idea|no clue|i'?m not sure)\b[\s.!?]*$",
    re.I,
)

_SUBCOMMANDS = frozenset(
    """attach build buildx commit config context cp create debug diff events exec export history
    image images import info init inspect kill load login logout logs network pause port prune ps
    pull push rename restart rm rmi run save scout search secret service stack start stats stop
    swarm system tag top unpause update version volume wait""".split()
)
_COMMAND = re.compile(r"\bdocker\s+(?:compose\s+|container\s+|image\s+)?([a-z]+)", re.I)


def commands_in(text: str) -> set[str]:
    """The docker subcommands a text talks about: 'docker stop' -> {'stop'}."""
    return {m.lower() for m in _COMMAND.findall(text) if m.lower() in _SUBCOMMANDS}


def _is_special(raw: str) -> bool:
    """Flags, numbers, signal names, paths: the details an examiner listens for."""
    return bool(
        raw.startswith("-")
        or re.search(r"\d", raw)
        or re.search(r"[./:]", raw.strip("."))
        or (raw.isupper() and len(raw) >= 2)
    )


def _detail(raw: str) -> str:
    """A raw token as a detail or term: lower-cased, number words as digits, trimmed."""
    return norm_word(NUMBER_WORDS.get(raw.lower(), raw.lower()))


def key_terms(text: str, exclude: set[str] | frozenset[str] = frozenset()) -> dict[str, float]:
    """Distinctive terms of `text` (stemmed) -> weight; words in `exclude` give nothing away."""
    terms: dict[str, float] = {}
    for raw in WORD.findall(text.replace("`", " ")):
        low = _detail(raw)
        if not low or low in FILLER or (len(low) < 2 and not low.isdigit()):
            continue
        s = stem(low)
        if s in exclude or low in exclude:
            continue
        weight = 2.0 if _is_special(raw) else 0.5 if low in _GENERIC else 1.0
        terms[s] = max(terms.get(s, 0.0), weight)
    return terms


def answer_vocabulary(text: str) -> set[str]:
    return {stem(t) for t in words(text) if t not in FILLER}


def sentences_of(text: str) -> list[str]:
    out: list[str] = []
    for line in text.splitlines():
        line = BULLET.sub("", line).strip()
        for part in _SENTENCE.split(line):
            # a dash left at either end by the split, not the dashes of a flag ("--privileged
            # only ...": stripped to "privileged only", it no longer named the flag)
            part = _LOOSE_DASH.sub("", part.strip(" *")).strip(" *")
            if len(part.split()) >= 2:
                out.append(part)
    return out


@dataclass(frozen=True)
class Unit:
    """A piece of an answer; `atoms` are the clause ids it spans (to drop asserted claims)."""

    text: str
    atoms: frozenset[int]
    sentence: bool = False  # a whole sentence, not one of its clauses


def answer_units(answer: str) -> tuple[list[Unit], list[str]]:
    """Sentences and their clauses; and the clauses (atoms). Adjacent sentence pairs were tried
    as units too: they changed no grade on the bench and cost 40% more encoding."""
    atoms: list[str] = []
    units: list[Unit] = []
    for sentence in sentences_of(answer):
        clauses = [c.strip() for c in _CLAUSE.split(sentence) if c and len(c.split()) >= 3]
        if len(clauses) <= 1:
            clauses = [sentence]
        ids = frozenset(range(len(atoms), len(atoms) + len(clauses)))
        atoms.extend(clauses)
        units.append(Unit(sentence, ids, sentence=True))
        if len(clauses) > 1:
            units.extend(Unit(c, frozenset([i])) for i, c in zip(sorted(ids), clauses, strict=True))
    if not units:
        units, atoms = [Unit(answer.strip(), frozenset([0]))], [answer.strip()]
    seen: dict[str, Unit] = {}
    for u in units:
        seen.setdefault(u.text, u)
    return list(seen.values()), atoms


# a clause that opens with one of these and is this short sets the scene for the rest of its
# sentence ("Under rootless Docker or userns-remap, the IDs shift"): it asserts nothing itself
_SCENE = re.compile(
    r"^(?:under|with|without|in|on|for|after|before|inside|outside|via|through|during|"
    r"within|behind|from|across|per)\b",
    re.I,
)
SCENE_WORDS = 6


def sets_the_scene(unit: Unit) -> bool:
    """A clause (not a whole sentence) of at most SCENE_WORDS words that opens with a
    preposition: a modifier of its sentence, not a claim of its own."""
    return (
        not unit.sentence
        and len(unit.text.split()) <= SCENE_WORDS
        and bool(_SCENE.match(unit.text))
    )


def split_units(answer: str) -> list[str]:
    """The texts of answer_units()."""
    return [u.text for u in answer_units(answer)[0]]


def negated(text: str) -> bool:
    return bool(_NEGATION.search(text))


def rubric_details(texts: Iterable[str]) -> set[str]:
    """The checkable details (numbers, flags, names like SIGTERM) of a rubric's key points and
    misconceptions (`texts`), lower-cased."""
    found: set[str] = set()
    for text in texts:
        for raw in WORD.findall(text.replace("`", " ")):
            if _is_special(raw):
                found.add(_detail(raw))
    return found


def details_in(text: str, details: set[str]) -> set[str]:
    """The details `text` names: any number or flag, and the rubric's named details."""
    return {t for t in words(text) if t.isdigit() or t.startswith("-") or t in details}


def disjoint(a: set[str], b: set[str]) -> bool:
    """Both name details and share none: "10 seconds" does not assert "30 seconds"."""
    return bool(a and b and not a & b)


def word_count(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9][\w'-]*", text))
