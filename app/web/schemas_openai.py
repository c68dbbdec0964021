"""The OpenAI-compatible API's (/v1) request and response models.

OpenAI's chat-completion wire format is written out here rather than imported from the `openai`
package: importing any of its types loads the whole package (~0.6 s of start-up) and the offline
mentor never needs it. tests/web/test_openai.py checks these against the package's own types and
drives the routes with the official client.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.web.schemas import Citation, Open

FinishReason = Literal["stop", "length", "tool_calls", "content_filter", "function_call"]


class OpenAIModel(Open):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class CompletionUsage(Open):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletionMessage(Open):
    role: Literal["assistant"]
    content: str | None = None


class Choice(Open):
    index: int
    message: ChatCompletionMessage
    finish_reason: FinishReason
    logprobs: dict[str, Any] | None = None


class ChoiceDelta(Open):
    role: Literal["developer", "system", "user", "assistant", "tool"] | None = None
    content: str | None = None


class ChunkChoice(Open):
    index: int
    delta: ChoiceDelta
    finish_reason: FinishReason | None = None


class _Completion(Open):
    """What a completion and each of its stream chunks carry alike."""

    id: str
    created: int
    model: str


class ChatCompletion(_Completion):
    object: Literal["chat.completion"] = "chat.completion"
    choices: list[Choice]
    usage: CompletionUsage | None = None


class ChatCompletionChunk(_Completion):
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    choices: list[ChunkChoice]


class MentorFields(Open):
    """What the mentor adds beside an OpenAI completion (clients ignore unknown fields)."""

    intent: str
    section: int | None
    citations: list[Citation]
    notice: str | None
    card: dict[str, Any] | None


class MentorCompletion(ChatCompletion):
    mentor: MentorFields


class MentorChunk(ChatCompletionChunk):
    mentor: MentorFields | None = None


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[OpenAIModel]


class CompletionMessage(Open):
    role: str
    content: str | list[dict[str, Any]] | None = None


class CompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens ... are accepted

    model: str = "docker-mentor"
    messages: list[CompletionMessage] = Field(min_length=1)
    stream: bool = False
