"""What the issue 17 review tests (test_review_g1..g4) share: a note as text, the sentences a
fixed error would sit in, and the myth-catalogue tests of a group of sections.

`myth_catalogue_tests(owned)` builds the four parametrized catalogue tests for the sections a
test file owns; the file binds them to module names so pytest collects them there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import pytest
import yaml

from tests.conftest import KNOWLEDGE
from tests.knowledge.test_facts import KB, NEGATION, sentences, text_of

MYTHS = KNOWLEDGE / "myths"
KINDS = {"wrong-default", "wrong-mechanism", "unsafe-practice", "dated", "wrong-fact"}
KEYS = {"id", "claims", "correction", "section", "heading", "kind", "since"}
HEADING = re.compile(r"^###\s+(.+?)\s*$", re.M)


def note_of(number: int) -> str:
    """A section's note without its question bank (a fix has to live where the topic is taught)."""
    return text_of(number, questions=False)


def offenders(
    text: str, patterns: list[str], excuse: str | None, scope: str = "sentence"
) -> list[str]:
    """Sentences (or, with scope "line", lines) matching every pattern, not questions, and not
    excused (`excuse`, else the shared NEGATION list)."""
    units = (
        sentences(text) if scope == "sentence" else [ln for ln in text.splitlines() if ln.strip()]
    )
    return [
        s
        for s in units
        if all(re.search(p, s, re.I) for p in patterns)
        and not s.rstrip(" *").endswith("?")
        and not (re.compile(excuse, re.I) if excuse else NEGATION).search(s)
    ]


def fixed_error_offenders(
    number: int, patterns: list[str], excuse: str | None, negation_excuses: bool
) -> list[str]:
    """Sentences of a note matching every pattern (case-sensitive), unless excused."""
    return [
        s
        for s in sentences(note_of(number))
        if all(re.search(p, s) for p in patterns)
        and not (negation_excuses and NEGATION.search(s))
        and not (excuse and re.search(excuse, s))
    ]


def assert_home_question(number: int, qid: str, pattern: str) -> None:
    """The bank of `number` has question `qid`, a key point matching `pattern`, misconceptions,
    follow-ups and a model answer of at most 120 words."""
    q = next((q for q in KB.section(number).questions if q.id == qid), None)
    assert q is not None, qid
    assert any(re.search(pattern, kp) for kp in q.key_points), (qid, pattern)
    assert q.misconceptions and q.follow_ups
    assert len(q.model_answer.split()) <= 120


def asked_in(numbers: Iterable[int], pattern: str) -> list[str]:
    """Questions and key points of these banks that match `pattern`."""
    return [
        text
        for number in numbers
        for q in KB.section(number).questions
        for text in [q.question, *q.key_points]
        if re.search(pattern, text)
    ]


def without_misconception(numbers: Iterable[int]) -> list[str]:
    """Ids of the questions in these banks that list no misconception."""
    return [q.id for n in numbers for q in KB.section(n).questions if not q.misconceptions]


def headings(number: int) -> list[str]:
    return HEADING.findall(KB.section(number).markdown)


def myths_in(stem: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = yaml.safe_load((MYTHS / f"{stem}.yaml").read_text("utf-8"))
    return data


def norm_claim(claim: str) -> str:
    return re.sub(r"\s+", " ", claim).strip().rstrip(".").lower()


def misconceptions_without_myth(number: int, stem: str) -> list[str]:
    """The misconceptions of section `number`'s bank that no myth in myths/`stem`.yaml claims."""
    claims = {norm_claim(c) for m in myths_in(stem) for c in m["claims"]}
    return [
        mc
        for q in KB.section(number).questions
        for mc in q.misconceptions
        if norm_claim(mc) not in claims
    ]


def myth_catalogue_tests(owned: dict[int, str]) -> tuple[Callable[..., None], ...]:
    """(well formed, every topic covered, every bank misconception a myth, no claim echoed in
    the notes) for the sections in `owned` (number -> myth file stem)."""

    def myths_of(number: int) -> list[dict[str, Any]]:
        return myths_in(owned[number])

    @pytest.mark.parametrize("number", sorted(owned))
    def well_formed(number: int) -> None:
        myths = myths_of(number)
        assert isinstance(myths, list) and len(myths) >= 17, number
        for m in myths:
            assert set(m) <= KEYS and KEYS - {"since"} <= set(m), m.get("id")
            assert re.fullmatch(rf"{number:02d}-[a-z0-9]+(?:-[a-z0-9]+)*", m["id"]), m["id"]
            assert 2 <= len(m["claims"]) <= 3, m["id"]
            for claim in m["claims"]:
                assert isinstance(claim, str) and claim.endswith("."), (m["id"], claim)
                assert not re.match(r"(?i)myth|maybe|perhaps|i think", claim), (m["id"], claim)
            correction = " ".join(m["correction"].split())
            assert 1 <= len(re.findall(r"[.!?](?=\s+[A-Z]|$)", correction)) <= 2, m["id"]
            assert m["kind"] in KINDS, m["id"]
            assert ("since" in m) == (m["kind"] == "dated"), m["id"]
            assert m["heading"] in headings(m["section"]), (m["id"], m["heading"])
        kinds = [m["kind"] for m in myths]
        assert kinds.count("unsafe-practice") >= 2 and kinds.count("dated") >= 2, number

    @pytest.mark.parametrize("number", sorted(owned))
    def cover_every_topic(number: int) -> None:
        covered = {m["heading"] for m in myths_of(number) if m["section"] == number}
        assert set(headings(number)) - covered == set(), number

    @pytest.mark.parametrize("number", sorted(owned))
    def bank_misconceptions_are_myths(number: int) -> None:
        missing = misconceptions_without_myth(number, owned[number])
        assert missing == [], missing

    # A myth's claim must be the wrong belief, so a correct answer never repeats it: the claims
    # must not turn up un-negated in the notes these sections own.
    @pytest.mark.parametrize("number", sorted(owned))
    def claims_not_in_the_notes(number: int) -> None:
        notes = " ".join(" ".join(KB.section(n).markdown.split()).lower() for n in owned)
        echoed = [c for m in myths_of(number) for c in m["claims"] if norm_claim(c) in notes]
        assert echoed == [], echoed

    return well_formed, cover_every_topic, bank_misconceptions_are_myths, claims_not_in_the_notes
