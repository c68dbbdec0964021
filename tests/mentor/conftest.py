"""Interview and grader fixtures: the real offline grader, and a scripted LLM backend."""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator

import pytest

from app.llm.base import Backend, BackendError, Request
from app.mentor.evidence import Evidence
from app.mentor.grader import OfflineGrader
from app.mentor.interview import InterviewService
from app.prompts import Prompts
from app.settings import ROOT


class ScriptedBackend(Backend):
    """A real Backend with a queue of canned replies (str) or failures (BackendError)."""

    name = "scripted"

    def __init__(self, *replies: str | BackendError) -> None:
        self.replies: deque[str | BackendError] = deque(replies)
        self.requests: list[Request] = []

    async def stream(self, request: Request) -> AsyncIterator[str]:
        self.requests.append(request)
        if not self.replies:
            raise BackendError("the script ran out of replies")
        reply = self.replies.popleft()
        if isinstance(reply, BackendError):
            raise reply
        for i in range(0, len(reply), 16):
            yield reply[i : i + 16]


@pytest.fixture(scope="session")
def prompts() -> Prompts:
    return Prompts(ROOT / "prompts")


@pytest.fixture(scope="session", autouse=True)
def evidence(kb, embedder, session_settings) -> Evidence:  # type: ignore[no-untyped-def]
    """The grader's catalogue and question vectors, read from the index folder that `make test`
    fills (`mentor index`) and then shared by every grader on the same embedder in this run,
    the engines built without settings included."""
    found = Evidence(kb, embedder, session_settings.resolved_index_dir)
    found.warm()
    return found


@pytest.fixture(scope="session")
def grader(embedder, prompts) -> OfflineGrader:  # type: ignore[no-untyped-def]
    return OfflineGrader(embedder, prompts)


@pytest.fixture
def service(kb, grader, embedder, prompts) -> InterviewService:  # type: ignore[no-untyped-def]
    """The interview service without the notes index (bank rubrics need only the embedder)."""
    return InterviewService(kb, None, grader, prompts, embedder=embedder, seed=7)
