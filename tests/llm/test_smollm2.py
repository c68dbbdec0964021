"""A real, weak LLM as an adversary: SmolLM2-135M served by llama.cpp (xllamacpp) on loopback.

It streams real tokens through the real openai client but ignores formats and contradicts its
context. Whatever it does, every turn must end in a valid note, a cited clarification and a
schema-valid grade.

Kept cheap: one server for the whole run (the `smollm2_url` fixture in tests/conftest.py, shared
with tests/eval), replies capped at MAX_TOKENS (a rambling JSON grade is cut short, which
exercises the retry and the fallback).
"""

from __future__ import annotations

import pytest

from app import notes_format
from app.conversation import ConversationState
from app.llm.openai_backend import OpenAIBackend
from app.mentor.engine import Mentor
from app.prompts import Prompts
from app.settings import ROOT

pytestmark = [pytest.mark.llm, pytest.mark.slow]

MAX_TOKENS = 96


@pytest.fixture(scope="module")
def mentor(kb, index, smollm2_url: str) -> Mentor:  # type: ignore[no-untyped-def]
    backend = OpenAIBackend(
        model="smollm2", api_key="local", base_url=smollm2_url, timeout=120, max_retries=0
    )
    return Mentor(kb, index, Prompts(ROOT / "prompts"), backend, max_tokens=MAX_TOKENS)


async def test_every_note_turn_ends_valid(mentor: Mentor) -> None:
    # one turn (the notes prompt carries the whole curated note: ~2,500 tokens to read); "yes"
    # after it is the same path, and the flow itself is tested offline in tests/mentor
    state = ConversationState()
    reply = await mentor.reply(state, "Start from Section 5")
    assert reply.section == 5
    assert notes_format.validate(reply.markdown, 5) == []
    assert state.current_section == 5
    assert mentor.stats.llm_calls >= 1, "the real model was asked"


async def test_clarification_from_the_real_model_is_cited(mentor: Mentor) -> None:
    reply = await mentor.reply(ConversationState(), "What does docker stop do?")
    assert reply.intent == "clarify" and reply.markdown.strip()
    assert reply.citations
    assert any(f"Section {c.section}" in reply.markdown for c in reply.citations)
    assert mentor.canary not in reply.markdown


async def test_grades_from_the_real_model_are_schema_valid(kb, embedder, smollm2_url: str) -> None:  # type: ignore[no-untyped-def]
    from app.mentor.grader import LLMGrader, OfflineGrader, Rubric

    backend = OpenAIBackend(
        model="smollm2", api_key="local", base_url=smollm2_url, timeout=120, max_retries=0
    )
    prompts = Prompts(ROOT / "prompts")
    grader = LLMGrader(backend, prompts, OfflineGrader(embedder, prompts), max_tokens=MAX_TOKENS)
    question = next(q for q in kb.section(4).questions if q.imp)
    rubric = Rubric.from_question(question)
    for answer in [question.model_answer, "no idea, maybe it restarts the VM?"]:
        grade = await grader.agrade(rubric, answer)
        assert grade.grade in {"strong", "partial", "wrong"}
        assert 0 <= grade.score <= 10
        assert set(grade.covered) <= set(question.key_points)
        assert set(grade.missed) <= set(question.key_points)
        assert grade.feedback.strip()
