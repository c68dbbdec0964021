"""The OpenAI-compatible API, driven by the official `openai` client against `mentor serve`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openai import OpenAI

from app.settings import ROOT
from app.web.routes_openai import (
    CompletionRequest,
    history_key,
    split_request,
    state_from_headings,
    text_of,
)
from tests.web.helpers import mentor_serve


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("openai") / "data"
    log = ROOT / "tests" / "artifacts" / "openai-server.log"
    with mentor_serve(data, log) as base:
        yield base


@pytest.fixture(scope="module")
def openai_client(base_url: str) -> Iterator[OpenAI]:
    with OpenAI(base_url=base_url + "/v1", api_key="not-needed", max_retries=0) as client:
        yield client


def test_models_lists_docker_mentor(openai_client: OpenAI) -> None:
    ids = [m.id for m in openai_client.models.list()]
    assert ids == ["docker-mentor"]


def test_a_non_streamed_section_then_yes_continues(openai_client: OpenAI) -> None:
    first = openai_client.chat.completions.create(
        model="docker-mentor", messages=[{"role": "user", "content": "Start from Section 3"}]
    )
    text = first.choices[0].message.content or ""
    assert text.startswith("## Section 3: Docker Images")
    assert first.choices[0].finish_reason == "stop" and first.model == "docker-mentor"
    assert first.usage is not None and first.usage.total_tokens > 0

    history = [
        {"role": "system", "content": "You are a helpful assistant."},  # ignored
        {"role": "user", "content": "Start from Section 3"},
        {"role": "assistant", "content": text},
        {"role": "user", "content": "yes"},
    ]
    second = openai_client.chat.completions.create(model="gpt-4o", messages=history)  # type: ignore[arg-type]
    assert (second.choices[0].message.content or "").startswith("## Section 4: Docker Containers")


def test_a_streamed_clarification(openai_client: OpenAI) -> None:
    stream = openai_client.chat.completions.create(
        model="docker-mentor",
        messages=[{"role": "user", "content": "Why does my container exit with code 137?"}],
        stream=True,
    )
    pieces, finish = [], None
    for chunk in stream:
        assert chunk.object == "chat.completion.chunk"
        choice = chunk.choices[0]
        if choice.delta.content:
            pieces.append(choice.delta.content)
        finish = choice.finish_reason or finish
    text = "".join(pieces)
    assert len(pieces) > 5 and finish == "stop"
    assert "137" in text and "Section" in text  # an answer with its sources


def test_a_streamed_section_and_an_interview_across_calls(openai_client: OpenAI) -> None:
    stream = openai_client.chat.completions.create(
        model="docker-mentor",
        messages=[{"role": "user", "content": "Start from Section 5"}],
        stream=True,
    )
    text = "".join(c.choices[0].delta.content or "" for c in stream)
    assert text.startswith("## Section 5: Docker Networking")

    # a mock interview keeps its state through the history hash
    history = [{"role": "user", "content": "Interview me on networking, 2 questions"}]
    ask = openai_client.chat.completions.create(model="docker-mentor", messages=history)  # type: ignore[arg-type]
    question = ask.choices[0].message.content or ""
    assert "Question 1 of 2" in question
    history += [
        {"role": "assistant", "content": question},
        {"role": "user", "content": "skip"},
    ]
    nxt = openai_client.chat.completions.create(model="docker-mentor", messages=history)  # type: ignore[arg-type]
    assert "Question 2 of 2" in (nxt.choices[0].message.content or "")


def test_errors_come_back_in_openai_shape(openai_client: OpenAI) -> None:
    import openai

    with pytest.raises(openai.UnprocessableEntityError) as err:
        openai_client.chat.completions.create(
            model="docker-mentor", messages=[{"role": "assistant", "content": "hi"}]
        )
    assert "no user message" in str(err.value)
    with pytest.raises(openai.APIStatusError) as too_long:
        openai_client.chat.completions.create(
            model="docker-mentor", messages=[{"role": "user", "content": "x" * 9000}]
        )
    assert too_long.value.status_code == 413 and "8000" in str(too_long.value)


# -- the state rebuild, unit by unit ----------------------------------------------------------


def test_state_from_headings_offers_the_next_section() -> None:
    state = state_from_headings(
        [("user", "3"), ("assistant", "## Section 3: Docker Images\n..."), ("user", "why?")]
    )
    assert state.current_section == 3 and state.sections_seen == [3]
    assert state.offered_section == 4
    state = state_from_headings(
        [("assistant", "## Section 3: Docker Images"), ("user", "why?"), ("assistant", "Because")]
    )
    assert state.current_section == 3 and state.offered_section is None  # last was no section
    state = state_from_headings([("assistant", "## Section 20: Emerging & Advanced Topics")])
    assert state.offers_interview and state.offered_section is None
    state = state_from_headings([("assistant", "## Section 19: Troubleshooting")])
    assert state.offered_section == 20


def test_request_parsing() -> None:
    body = CompletionRequest.model_validate(
        {
            "model": "anything",
            "messages": [
                {"role": "system", "content": "be nice"},
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Start from"},
                        {"type": "text", "text": "Section 2"},
                    ],
                },
                {"role": "assistant", "content": "## Section 2: Installation & Setup"},
                {"role": "user", "content": "next"},
            ],
            "temperature": 0.3,
        }
    )
    prior, message = split_request(body)
    assert message == "next"
    assert prior == [
        ("user", "Start from\nSection 2"),
        ("assistant", "## Section 2: Installation & Setup"),
    ]
    assert text_of(None) == ""
    assert history_key(prior) == history_key([*prior, ("system", "ignored")])
    assert history_key(prior) != history_key(prior[:1])


def test_the_server_log_is_written(base_url: str) -> None:
    assert Path(ROOT / "tests" / "artifacts" / "openai-server.log").exists()


def test_the_wire_models_are_the_openai_packages_shape() -> None:
    """The /v1 models are written out (importing `openai` costs start-up); each declares only
    fields the official types have, and what the routes send parses into them unchanged."""
    from openai.types import Model
    from openai.types.chat import ChatCompletion as OfficialCompletion
    from openai.types.chat import ChatCompletionChunk as OfficialChunk

    from app.web import schemas_openai as schemas

    pairs = [
        (schemas.OpenAIModel, Model),
        (schemas.ChatCompletion, OfficialCompletion),
        (schemas.ChatCompletionChunk, OfficialChunk),
    ]
    for ours, theirs in pairs:
        extra = set(ours.model_fields) - set(theirs.model_fields)
        assert not extra, f"{ours.__name__} has fields OpenAI's type lacks: {extra}"
        required = {n for n, f in theirs.model_fields.items() if f.is_required()}
        assert required <= set(ours.model_fields), f"{ours.__name__} misses {required}"

    completion = schemas.ChatCompletion(
        id="chatcmpl-1",
        created=1,
        model="docker-mentor",
        choices=[
            schemas.Choice(
                index=0,
                message=schemas.ChatCompletionMessage(role="assistant", content="hi"),
                finish_reason="stop",
            )
        ],
        usage=schemas.CompletionUsage(prompt_tokens=1, completion_tokens=2, total_tokens=3),
    )
    parsed = OfficialCompletion.model_validate(completion.model_dump())
    assert parsed.choices[0].message.content == "hi"
    assert parsed.usage is not None and parsed.usage.total_tokens == 3
    chunk = schemas.ChatCompletionChunk(
        id="c",
        created=1,
        model="docker-mentor",
        choices=[schemas.ChunkChoice(index=0, delta=schemas.ChoiceDelta(content="x"))],
    )
    assert OfficialChunk.model_validate(chunk.model_dump()).choices[0].delta.content == "x"


def test_serving_offline_never_imports_the_openai_package(tmp_path: Path) -> None:
    """The offline default starts without `openai` (0.6 s of imports); only an LLM engine
    loads it."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from app.settings import Settings\n"
        "from app.web.app import create_app\n"
        f"create_app(Settings(data_dir={str(tmp_path)!r}))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'openai'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]", out.stdout
