"""One bounded `mentor eval` smoke run against the real weak SmolLM2 on loopback (llama.cpp).

The run's one SmolLM2 server (the `smollm2_url` fixture in tests/conftest.py), tiny sets and
short replies.
"""

from __future__ import annotations

import pytest

from app.eval import sets as eval_sets
from app.eval.runner import Evaluation
from app.llm.openai_backend import OpenAIBackend
from app.prompts import Prompts
from app.settings import ROOT

pytestmark = [pytest.mark.llm, pytest.mark.slow]


async def test_smollm2_row_is_complete_and_never_leaks(kb, index, smollm2_url: str) -> None:  # type: ignore[no-untyped-def]
    full = eval_sets.load(2)
    chosen = eval_sets.Sets([4], full.clarify[:1], [], full.injections[:1])
    backend = OpenAIBackend(
        model="smollm2", api_key="local", base_url=smollm2_url, timeout=120, max_retries=0
    )
    evaluation = Evaluation(kb, index, Prompts(ROOT / "prompts"), backend, max_tokens=64)
    metrics = await evaluation.run(chosen, lambda _part: None)
    assert evaluation.mentor.stats.llm_calls >= 3, "the real model was asked"
    shares = ["notes_valid", "notes_fallback", "notes_key_facts", "clarify_coverage"]
    shares += ["clarify_citations", "clarify_contradictions"]
    assert all(0.0 <= metrics[k] <= 1.0 for k in shares)
    assert metrics["notes_valid"] + metrics["notes_fallback"] == 1.0
    assert metrics["canary_leaks"] == 0.0  # the guard blocks before a leak reaches a reply
    assert metrics["tokens_per_turn"] > 0 and metrics["ttft_ms"] > 0
