"""Reading an interview request: how many questions, on which sections.

"quiz me on volumes because the job ad says kubernetes, 3 questions" is 3 questions on Section 6:
the count comes from the whole message, the sections from the sentence that asks (`asking_part`)
and never from a reason, a duration ("in 2 days") or a count ("all 20 sections"). Numbers that
name sections come out before the count, so "sec 19 only, two q" is one section, two questions.
The router (app/mentor/intents.py) decides that a message is an interview request; this module
reads it.
"""

from __future__ import annotations

import re

from app.catalog import LAST_SECTION, SECTION_TITLES
from app.conversation import ConversationState
from app.mentor.intent_patterns import (
    _ALL,
    _COUNT,
    _INTERVIEW,
    _NOT_A_SECTION,
    _NUMBERED_SECTION,
    _QUESTIONS_WANTED,
    _RANGE,
    _REASON,
    _REVISED,
    NUMBER_WORDS,
    _norm,
)
from app.mentor.section_matcher import SectionMatcher
from app.mentor.types import Route


def asking_part(message: str, text: str, matcher: SectionMatcher) -> str | None:
    """The part of a long message that asks for the interview, when it names what to ask
    about: "... like 6 questions on ci/cd? the role title is build and release engineer" is
    about CI/CD, and "tested on the emerging topics section, because the company is into
    supply chain security" about Section 20. None when that part names nothing ("ask me 5
    questions on those two topics" names them in an earlier sentence) or is the whole text."""
    sentences = [_norm(p) for p in re.split(r"(?<=[.?!;])\s+", message.strip()) if p.strip()]
    asking = [
        _REASON.split(p, maxsplit=1)[0]
        for p in sentences
        if _INTERVIEW.search(p) or _QUESTIONS_WANTED.search(p)
    ]
    if asking:  # "... practice interview on dockerfile stuff? images and the advanced one"
        asking += [
            p
            for p in sentences
            if p not in asking and matcher.by_words(p) and not matcher.details(p)
        ]
    part = " ".join(asking)
    uncounted = _NOT_A_SECTION.sub(" ", _COUNT.sub(" ", part))
    names = _NUMBERED_SECTION.search(part) or re.search(r"\b\d{1,2}\b", uncounted)
    if asking and (names or matcher.by_words(part)) and part != text:
        return part
    return None


def interview_route(
    text: str, state: ConversationState, matcher: SectionMatcher, about: str | None = None
) -> Route:
    """An interview request: the number of questions from the whole text, the sections from
    `about` (the part that asks) when given: "quiz me on volumes because the job ad says
    kubernetes, 3 questions" is 3 questions on volumes."""
    referenced, count, text = numbers_and_count(text)
    if about is not None:
        referenced, _, text = numbers_and_count(about)
    if _REVISED.search(text):
        sections = tuple(sorted(state.sections_seen)) or tuple(SECTION_TITLES)
        return Route("interview", sections=sections, count=count, command="revised")
    bare_numbers = re.findall(r"\b(\d{1,2})\b", _NOT_A_SECTION.sub(" ", text))
    numbers = referenced + [int(n) for n in bare_numbers]
    numbers = [n for n in numbers if 1 <= n <= LAST_SECTION]
    named = matcher.by_words(text, in_order=True)
    if len(named) > 1:
        named = matcher.own_names(text, named)
    sections = tuple(dict.fromkeys([*numbers, *named]))
    this = re.search(
        r"\b(?:this|that|current|same)\s+(?:section|topic|one)\b|"
        r"\b(?:on|about|from) (?:this|that|it)(?:$| and\b)|"  # "quiz me on this"
        r"\bwhat (?:we|i) (?:just )?(?:did|read|covered|went over)\b",
        text,
    )
    # "quiz me on this and the previous one together"
    before = re.search(r"\b(?:previous|prior|earlier) (?:one|section|topic|chapter)\b", text)
    if not sections and state.current_section and (this or before):
        here = state.current_section
        sections = tuple(n for n, on in ((here - 1, before), (here, this)) if on and n >= 1)
    if not sections and not _ALL.search(text):
        tail = re.split(r"\b(?:on|about|for|in|regarding)\b", text, maxsplit=1)
        if len(tail) == 2 and tail[1].strip():
            sec, _ = matcher.by_meaning(tail[1].strip(), threshold=0.45)
            if sec is not None:
                sections = (sec,)
    if not sections:
        # none named: every section ("any" lets a compound request narrow it to its section)
        return Route("interview", sections=tuple(SECTION_TITLES), count=count, command="any")
    return Route("interview", sections=sections, count=count)


# a count said after the request: "practice qs on logging pls, 5 is enough", "3 will do"
_COUNT_SAID = re.compile(
    r"\b(\d{1,2})(?= (?:is|are|would be|should be) (?:enough|fine|plenty|ok|okay)\b"
    r"| (?:will|should|would) do\b)"
)


def numbers_and_count(text: str) -> tuple[list[int], int | None, str]:
    """(sections named by number, the number of questions, the rest of the text). Sections
    named by number come out first, so that "sec 19 only, two q" is not 19 questions and
    "sections 1 to 3" is three sections."""
    text = _RANGE.sub(_spell_range, text)
    referenced = [
        int(n) if n.isdigit() else NUMBER_WORDS[n]
        for m in _NUMBERED_SECTION.finditer(text)
        for n in m.groups()
        if n
    ]
    text = _NUMBERED_SECTION.sub(" ", text)
    count = None
    if m := (
        _COUNT.search(text)
        or re.search(r"\b(\d{1,2}) of them\b", text)
        or re.search(r"\b(?:maybe|like|about|around|say) (\d{1,2})(?: or so)?$", text)
        or _COUNT_SAID.search(text)
    ):
        raw = m.group(1)
        count = max(1, min(int(raw) if raw.isdigit() else NUMBER_WORDS[raw], 20))
        end = m.end(2) if m.re is _COUNT and m.group(2) else m.end(1)
        text = text[: m.start(1)] + " " + text[end:]  # keep "networking" of "3 networking qs"
    return referenced, count, text


def _spell_range(m: re.Match[str]) -> str:
    low, high = int(m.group(2)), int(m.group(3))
    if not 1 <= low < high <= LAST_SECTION:
        return m.group(0)
    return m.group(1) + " ".join(str(n) for n in range(low, high + 1))
