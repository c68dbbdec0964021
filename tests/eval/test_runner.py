"""A model that copies its context must outrank one that invents facts, through the real Mentor."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.eval import sets as eval_sets
from app.eval.runner import Evaluation
from app.llm.openai_backend import OpenAIBackend
from app.prompts import Prompts
from app.settings import ROOT
from tests.eval.support import ComputedServer, bad, good


@pytest.fixture(scope="module")
def servers(kb) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with (
        ComputedServer(good(lambda n: kb.section(n).markdown)) as g,
        ComputedServer(bad) as b,
    ):
        yield g.base_url, b.base_url


def small_sets() -> eval_sets.Sets:
    full = eval_sets.load(2)
    return eval_sets.Sets(sections=[2, 5], clarify=full.clarify, grading=[], injections=[])


async def score(kb, index, url: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    backend = OpenAIBackend(model="scripted", api_key="x", base_url=url, timeout=30, max_retries=0)
    evaluation = Evaluation(kb, index, Prompts(ROOT / "prompts"), backend, max_tokens=4000)
    return await evaluation.run(small_sets(), lambda _part: None)


async def test_good_outranks_bad_on_notes_and_clarifications(kb, index, servers) -> None:  # type: ignore[no-untyped-def]
    good_url, bad_url = servers
    g = await score(kb, index, good_url)
    b = await score(kb, index, bad_url)
    assert g["notes_first_try"] == 1.0 and g["notes_fallback"] == 0.0
    assert b["notes_valid"] == 0.0 and b["notes_fallback"] == 1.0
    assert g["notes_key_facts"] > b["notes_key_facts"]
    assert g["clarify_coverage"] > b["clarify_coverage"]
    assert g["clarify_citations"] == 1.0 and b["clarify_citations"] == 0.0
    assert g["tokens_per_turn"] > 0 and g["ttft_ms"] >= 0


def test_key_facts_come_from_the_curated_note(kb) -> None:  # type: ignore[no-untyped-def]
    markdown = kb.section(5).markdown
    facts = eval_sets.key_facts(markdown)
    assert len(facts) >= 5
    assert eval_sets.survived(facts, markdown) == 1.0
    assert eval_sets.survived(facts, "nothing here") == 0.0


def test_sets_are_cut_to_the_limit() -> None:
    chosen = eval_sets.load(3)
    assert chosen.sections == [1, 2, 3]
    assert len(chosen.clarify) == 3 and len(chosen.injections) == 3
    assert len(chosen.grading) == 9
    assert {c.label for c in chosen.grading} == {"strong", "partial", "wrong"}


async def test_the_offline_row_grades_the_labelled_answers(kb, index) -> None:  # type: ignore[no-untyped-def]
    """The grading part on real labelled answers (it once crashed on an attribute the shipped
    Grade does not have, while the tests above skipped grading)."""
    full = eval_sets.load(2)
    chosen = eval_sets.Sets(sections=[], clarify=[], grading=full.grading, injections=[])
    evaluation = Evaluation(kb, index, Prompts(ROOT / "prompts"), None)
    metrics = await evaluation.run(chosen, lambda _part: None)
    assert 0.0 <= metrics["grading_agreement"] <= 1.0
    assert 0.0 <= metrics["wrong_strong"] <= 1.0
    assert 0.0 <= metrics["off_topic_caught"] <= 1.0
