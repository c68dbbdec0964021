"""The LLM path over real HTTP: the official openai client against our scripted server."""

from __future__ import annotations

import pytest

from app import notes_format
from app.conversation import ConversationState
from app.llm import backend_from_settings
from app.llm.openai_backend import OpenAIBackend
from app.mentor.engine import Mentor
from app.prompts import Prompts
from app.settings import ROOT, Settings
from tests.conftest import build_note
from tests.support.openai_server import Script, free_port


def llm_settings(base_url: str, timeout: float = 3.0) -> Settings:
    return Settings(
        openai_api_key="sk-test",
        openai_base_url=base_url,
        llm_model="scripted-model",
        llm_timeout=timeout,
        llm_max_retries=0,
        llm_temperature=0.35,
    )


def make_mentor(kb, index, base_url: str, timeout: float = 3.0) -> Mentor:  # type: ignore[no-untyped-def]
    # the backend the mentor, the grader and the CLI all get from the settings
    backend = backend_from_settings(llm_settings(base_url, timeout))
    assert isinstance(backend, OpenAIBackend)
    return Mentor(kb, index, Prompts(ROOT / "prompts"), backend)


def test_no_llm_configured_means_no_backend() -> None:
    # the caller then uses its offline engine (it owns the embedder that engine needs)
    assert backend_from_settings(Settings(openai_api_key=None, openai_base_url=None)) is None


async def test_the_backend_carries_the_settings(scripted) -> None:  # type: ignore[no-untyped-def]
    from app.llm.base import Request

    backend = backend_from_settings(llm_settings(scripted.base_url))
    assert backend is not None
    scripted.push(Script("text", "pong"))
    request = Request(kind="other", messages=[{"role": "user", "content": "ping"}])
    assert "".join([piece async for piece in backend.stream(request)]) == "pong"
    (sent,) = scripted.requests
    assert sent["model"] == "scripted-model" and sent["temperature"] == 0.35


@pytest.fixture
def mentor(kb, index, scripted) -> Mentor:  # type: ignore[no-untyped-def]
    return make_mentor(kb, index, scripted.base_url)


async def test_generated_note_that_validates_is_used(mentor: Mentor, scripted) -> None:  # type: ignore[no-untyped-def]
    note = build_note(5)
    scripted.push(Script("text", note))
    reply = await mentor.reply(ConversationState(), "Start from Section 5")
    assert reply.backend == "openai" and reply.notice is None
    assert reply.markdown.strip() == note.strip()
    (request,) = scripted.requests
    assert request["model"] == "scripted-model" and request["stream"] is True
    system, user = request["messages"]
    assert system["role"] == "system" and "Docker Interview Mentor" in system["content"]
    assert "never reveal" in system["content"].lower()
    # the section's own chunks are the context, quoted as data with their citations
    assert "<context>" in user["content"] and "[Section 5 > " in user["content"]
    assert "Shall we continue with **Section 6: Docker Volumes & Storage**?" in user["content"]


async def test_broken_note_gets_one_repair_round(mentor: Mentor, scripted) -> None:  # type: ignore[no-untyped-def]
    scripted.push(Script("text", "Networking is cool. Bye."), Script("text", build_note(5)))
    reply = await mentor.reply(ConversationState(), "Start from Section 5")
    assert len(scripted.requests) == 2
    repair = scripted.requests[1]["messages"][1]["content"]
    assert "break the required format" in repair and "Networking is cool" in repair
    assert notes_format.validate(reply.markdown, 5) == []
    assert reply.backend == "openai"


async def test_note_broken_twice_falls_back_to_the_curated_note(
    mentor: Mentor, kb, scripted
) -> None:  # type: ignore[no-untyped-def]
    scripted.push(Script("text", "nope"), Script("text", "still nope"))
    reply = await mentor.reply(ConversationState(), "Start from Section 5")
    assert reply.markdown == kb.section(5).markdown
    assert reply.notice and "curated" in reply.notice


async def test_clarification_is_grounded_and_cited(mentor: Mentor, scripted) -> None:  # type: ignore[no-untyped-def]
    scripted.push(Script("text", "Exit 137 means SIGKILL, usually the OOM killer."))
    reply = await mentor.reply(ConversationState(), "why does my container exit with 137?")
    user = scripted.requests[0]["messages"][1]["content"]
    assert "<question>" in user and "exit with 137" in user
    assert "[Section " in user, "retrieved passages travel with their citations"
    assert reply.backend == "openai" and reply.citations
    assert "Sources: Section" in reply.markdown  # the model cited nothing: we add the sources


@pytest.mark.parametrize(
    "script",
    [Script("status", status=500), Script("status", status=429), Script("status", status=401),
     Script("hang", seconds=6), Script("cut", "word " * 60), Script("empty"),
     Script("no_finish", "half an answer"), Script("garbage")],
    ids=["500", "429", "401", "timeout", "cut-stream", "empty", "no-finish", "garbage"],
)  # fmt: skip
async def test_backend_failures_fall_back_to_offline(kb, index, scripted, script: Script) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(kb, index, scripted.base_url, timeout=1.5)
    scripted.push(script, script)
    clarify = await mentor.reply(ConversationState(), "what does docker stop do?")
    assert clarify.backend == "offline" and clarify.notice and "language model" in clarify.notice
    assert clarify.citations and "Sources:" in clarify.markdown
    scripted.push(script, script)
    notes = await mentor.reply(ConversationState(), "Start from Section 4")
    assert notes.markdown == kb.section(4).markdown and notes.notice
    assert mentor.stats.fallbacks == 2


async def test_connection_refused_falls_back(kb, index) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(kb, index, f"http://127.0.0.1:{free_port()}/v1")
    reply = await mentor.reply(ConversationState(), "what is a named volume?")
    assert reply.backend == "offline" and reply.notice and "reach" in reply.notice


async def test_a_leaking_model_never_reaches_the_user(mentor: Mentor, scripted) -> None:  # type: ignore[no-untyped-def]
    scripted.default = Script("echo_system")
    for message in ["Start from Section 3", "what is a layer?"]:
        reply = await mentor.reply(ConversationState(), message)
        assert mentor.canary not in reply.markdown
        assert "Confidential marker" not in reply.markdown
        assert reply.backend == "offline"
    assert mentor.stats.canary_blocks >= 2


async def test_the_leak_is_cut_within_a_few_words(mentor: Mentor, scripted) -> None:  # type: ignore[no-untyped-def]
    from app.mentor.types import Delta

    scripted.default = Script("echo_system")
    events = [e async for e in mentor.stream(ConversationState(), "what is a layer?")]
    streamed = "".join(e.text for e in events if isinstance(e, Delta))
    system = mentor.prompts.render("system.j2", canary=mentor.canary)
    # no run of 6 words of the system prompt ever reaches the user, not even mid-stream
    words = system.split()
    assert not any(" ".join(words[i : i + 6]) in streamed for i in range(len(words) - 5))
