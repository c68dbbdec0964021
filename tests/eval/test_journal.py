"""Each item's record is on disk as it finishes; a resumed run asks the model only for the rest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.errors import BadInput
from app.eval import sets as eval_sets
from app.eval.journal import Journal, journal_path
from app.eval.runner import Evaluation
from app.llm.openai_backend import OpenAIBackend
from app.prompts import Prompts
from app.settings import ROOT
from tests.eval.support import ComputedServer, bad

HEADER = {"model": "bad", "max_tokens": 64}


def tiny() -> eval_sets.Sets:
    full = eval_sets.load(1)
    return eval_sets.Sets([3], full.clarify, full.grading[:1], full.injections)


async def run(kb, index, url: str, journal: Journal) -> tuple[dict[str, float], Evaluation]:  # type: ignore[no-untyped-def]
    backend = OpenAIBackend(model="bad", api_key="x", base_url=url, timeout=30, max_retries=0)
    evaluation = Evaluation(
        kb, index, Prompts(ROOT / "prompts"), backend, max_tokens=64, journal=journal
    )
    return await evaluation.run(tiny(), lambda _part: None), evaluation


async def test_resume_reads_back_and_asks_only_for_the_missing(kb, index, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = journal_path(tmp_path, "bad @ http://127.0.0.1/v1", 64)
    bodies: list[dict[str, Any]] = []

    def recording(body: dict[str, Any]) -> str:
        bodies.append(body)
        return bad(body)

    with ComputedServer(recording) as server:
        first, evaluation = await run(kb, index, server.base_url, Journal(path, header=HEADER))
        asked = server.requests
        assert asked >= 4, "notes, clarification, grade and injection each asked the model"
        assert evaluation.seconds > 0
        # every generated reply is capped, the grader's JSON verdict included
        assert {b.get("max_tokens") for b in bodies} == {64}
        lines = path.read_text(encoding="utf-8").splitlines()
        assert len(lines) == 1 + 4  # the header, then one record per item

        again, resumed = await run(
            kb, index, server.base_url, Journal(path, header=HEADER, resume=True)
        )
        assert server.requests == asked, "a resumed run asked the model again"
        assert again == first
        assert resumed.seconds == pytest.approx(evaluation.seconds)

        # a run killed mid-write leaves a cut line: that item (the injection) runs again
        path.write_text("\n".join([*lines[:-1], lines[-1][:20]]) + "\n", encoding="utf-8")
        journal = Journal(path, header=HEADER, resume=True)
        assert journal.resumed == 3
        cut, _ = await run(kb, index, server.base_url, journal)
        assert server.requests > asked
        assert cut["canary_leaks"] == first["canary_leaks"] == 0.0


def test_a_journal_of_another_run_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "row.jsonl"
    Journal(path, header=HEADER)
    with pytest.raises(BadInput, match="written by another run"):
        Journal(path, header={**HEADER, "max_tokens": 128}, resume=True)
    fresh = Journal(path, header={**HEADER, "max_tokens": 128})  # without --resume: a new file
    assert fresh.resumed == 0 and len(path.read_text(encoding="utf-8").splitlines()) == 1
    for broken in ("{not json\n", "[1, 2]\n"):  # a damaged header: refused, not a traceback
        path.write_text(broken, encoding="utf-8")
        with pytest.raises(BadInput, match="written by another run"):
            Journal(path, header=HEADER, resume=True)


def test_journal_names_are_safe_file_names(tmp_path: Path) -> None:
    path = journal_path(tmp_path, "Qwen/Qwen2.5-7B @ http://gpu:8000/v1", 256)
    assert path.parent == tmp_path / "eval" / "runs"
    assert path.name == "qwen-qwen2-5-7b-http-gpu-8000-v1-cap256.jsonl"
