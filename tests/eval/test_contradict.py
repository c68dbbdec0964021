"""Answers contradicting the notes, judged on hand-labelled answers (tests/eval/contradictions.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from app.eval.contradict import ContradictionJudge
from app.prompts import Prompts
from app.settings import ROOT

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "contradictions.yaml").read_text(encoding="utf-8")
)


@pytest.fixture(scope="module")
def judge(kb, embedder) -> ContradictionJudge:  # type: ignore[no-untyped-def]
    return ContradictionJudge(kb, embedder, Prompts(ROOT / "prompts"))


def test_the_labelled_set_has_both_kinds() -> None:
    assert {c["contradicts"] for c in CASES} == {True, False}
    assert len({s for c in CASES for s in c["sections"]}) >= 5


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['q']}-{c['contradicts']}")
def test_labelled_answer(judge: ContradictionJudge, case: dict[str, Any]) -> None:
    found = judge.asserted(case["q"], [], case["sections"], case["answer"])
    assert bool(found) is case["contradicts"], found


def test_only_the_question_sections_count(judge: ContradictionJudge) -> None:
    """A myth of another section is not this answer's contradiction (and empty text is none)."""
    wrong = next(c for c in CASES if c["contradicts"] and c["sections"] == [14])
    assert judge.asserted(wrong["q"], [], [14], wrong["answer"])
    assert judge.asserted(wrong["q"], [], [3], wrong["answer"]) == []
    assert judge.asserted(wrong["q"], [], [14], "  ") == []
