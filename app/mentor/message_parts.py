"""Where in a chat message the parts sit: a correction to a section, a question asked inside or
at the end of a longer message, a clause of section names beside a remark, and which named
section a request for notes is about.

Split out of app.mentor.intents (the router); pure text rules over the router's vocabulary
(app/mentor/intent_patterns.py) and the `SectionMatcher`, no state.
"""

from __future__ import annotations

import re

from app.catalog import LAST_SECTION
from app.mentor.intent_patterns import (
    _CORRECTED,
    _LEAD_IN_QUESTION,
    _NOT_NUMBER,
    _NOTES_NOUN,
    _POLITE_REQUEST,
    _QUESTION_START,
    _REQUEST_START,
    _norm,
    _parse_number,
)
from app.mentor.section_matcher import SectionMatcher


def _corrected(bare: str) -> int | None:
    """'no wait i meant 12 not 11', 'not section 5, section 6', 'I asked for 8': the section
    the user corrects to."""
    if m := _CORRECTED.search(bare):
        value = _parse_number(m.group(1) or m.group(2))
        if value is not None and value == int(value) and 1 <= value <= LAST_SECTION:
            return int(value)
    if _NOT_NUMBER.search(bare):
        rest = _NOT_NUMBER.sub(" ", bare)
        numbers = [int(n) for n in re.findall(r"\b(\d{1,2})\b", rest)]
        numbers = [n for n in numbers if 1 <= n <= LAST_SECTION]
        if len(numbers) == 1:
            return numbers[0]
    return None


# a non-native speaker's "how to say ..." before the request is no question
_SAY_FILLER = re.compile(r"^how (?:to|do you|do i|should i) say\b\W*")


def _request_and_remark(i: int, clauses: list[str], matcher: SectionMatcher) -> bool:
    """True when clause `i` names one section and nothing else ("open debugging containers",
    "intro to docker pls") and no other clause names a section ("build cache in github actions
    ci, cache-from cache-to" names two: a question)."""
    clause = _norm(clauses[i]).strip(" ?!.")
    others = (c for j, c in enumerate(clauses) if j != i)
    return (
        len(matcher.by_words(clause)) == 1
        and not matcher.details(clause)
        and not any(matcher.by_words(_norm(c)) for c in others)
    )


def _asks_last(message: str) -> bool:
    """A question asked in the last clause, after a statement: "we deploy :latest everywhere and
    rollbacks are a mess, whats a sane tagging strategy" (a request such as "..., can u show me
    the notes" is not one)."""
    clauses = [c for c in re.split(r"[,:;.!?]+\s*", message.strip()) if c.strip()]
    if len(clauses) < 2:
        return False
    last = _norm(clauses[-1]).strip()
    return (
        len(last.split()) >= 3
        and bool(_ASKS.match(last))
        and not _POLITE_REQUEST.match(last)
        and not _REQUEST_START.match(last)
    )


# the guide from its first section ("FROM scratch" is a Dockerfile line, so not "from scratch")
_FROM_THE_START = re.compile(
    r"\b(?:start|begin|go|read)\s+(?:(?:it|everything|the notes)\s+)?(?:from|at)\s+the\s+"
    r"(?:very\s+)?(?:beginning|start|top)\b"
)
# a clause that asks (not "do it quick", "explain X": an imperative after a request is a request)
_ASKS = re.compile(
    r"(?:(?:and|but|so|or) )?(?:what|what's|whats|wats|why|how|when|where|which|who|is|are|does|did|should|would|will|"
    r"can|could|do (?:i|we|you|they))\b"
)


def _asks_inside(message: str) -> bool:
    """A question mark inside a longer message ends a question: "for my case, small team, one
    server: should we use compose or swarm? the interviewer might ask why"."""
    for asked in re.findall(r"[^.?!]*\?", message):
        clause = _norm(re.split(r"[,:;]\s*", asked.strip())[-1]).strip(" ?!.")
        if _QUESTION_START.match(clause) or _LEAD_IN_QUESTION.match(clause):
            return True
    return False


def _asked_first(text: str, named: list[int], matcher: SectionMatcher) -> list[int]:
    """The sections a message names, the one it asks the notes of first: a name in the few words
    before "notes"/"section"/"chapter" ("never touched orchestration ... pull up the kubernetes
    integration notes"), else the best (longest) name."""
    noun = _NOTES_NOUN.search(text)
    if len(named) < 2 or not noun:
        return named
    # within the noun's own sentence (`_norm` keeps full stops only): "... pull/push basics.
    # which section is that" names no section before "section"
    clause = re.split(r"\.\s", text[: noun.start()])[-1]
    near = matcher.by_words(" ".join(clause.split()[-4:]))
    if not near or named[0] in near:
        return named
    return [near[0], *(n for n in named if n != near[0])]
