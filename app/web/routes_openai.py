"""OpenAI-compatible API: POST /v1/chat/completions (streamed or not) and GET /v1/models.

Any OpenAI chat client can use the mentor as the model "docker-mentor" (the model name sent is
accepted whatever it is). The last user message goes through the mentor; the rest of the
request is used only to rebuild the conversation state, simply:

1. After every completion the resulting state is stored under a hash of the whole history
   (earlier user/assistant messages + this user message + the answer as sent). A client
   re-sends that history with its next message, so the hash of everything before the new
   user message finds the state again: "yes"/"next" and mock interviews work across calls.
2. If the history is not found (edited, trimmed, or from elsewhere), the state is rebuilt
   from the section headings ("## Section N: ...") in earlier assistant messages: sections
   seen, the current one, and the next one on offer.

System messages are ignored (the mentor has its own). Nothing is stored as a conversation:
/v1 turns do not appear in /api/conversations.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from collections.abc import AsyncGenerator, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from app.catalog import LAST_SECTION
from app.conversation import ConversationState
from app.errors import BadInput, MentorError
from app.mentor.service import check_message
from app.mentor.types import Delta, Done, Reply
from app.store import Repository
from app.web.deps import RepoDep, SettingsDep, get_chat_service
from app.web.schemas import error_docs
from app.web.schemas_openai import (
    ChatCompletionMessage,
    Choice,
    ChoiceDelta,
    ChunkChoice,
    CompletionRequest,
    CompletionUsage,
    MentorChunk,
    MentorCompletion,
    MentorFields,
    ModelList,
    OpenAIModel,
)
from app.web.streaming import EventStream

router = APIRouter(prefix="/v1", tags=["openai"])

MODEL = "docker-mentor"
CREATED = 1_735_689_600  # 2025-01-01, a fixed "created" for the model list
_HEADING = re.compile(r"^#{1,3}\s+Section\s+(\d{1,2})\s*:", re.M)

History = list[tuple[str, str]]


def text_of(content: str | list[dict[str, Any]] | None) -> str:
    """A message's text: a string, or the text parts of a content list."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "\n".join(str(p.get("text", "")) for p in content if p.get("type") == "text")


def history_key(history: Sequence[tuple[str, str]]) -> str:
    data = [[role, text.strip()] for role, text in history if role in ("user", "assistant")]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def state_from_headings(history: Sequence[tuple[str, str]]) -> ConversationState:
    """The fallback: sections the assistant already showed, and the one it offered next."""
    state = ConversationState()
    last_reply_section = None
    for role, text in history:
        if role != "assistant":
            continue
        numbers = [int(n) for n in _HEADING.findall(text) if 1 <= int(n) <= LAST_SECTION]
        for n in numbers:
            state.mark_seen(n)
        last_reply_section = numbers[-1] if numbers else None
        if numbers:
            state.current_section = numbers[-1]
    if last_reply_section is not None:
        if last_reply_section < LAST_SECTION:
            state.offered_section = last_reply_section + 1
        else:
            state.offers_interview = True
    return state


def rebuild_state(repo: Repository, prior: History) -> ConversationState:
    if not prior:
        return ConversationState()
    return repo.api_state(history_key(prior)) or state_from_headings(prior)


def split_request(body: CompletionRequest) -> tuple[History, str]:
    """(the earlier user/assistant messages, the last user message)."""
    messages = [(m.role, text_of(m.content)) for m in body.messages]
    for i in range(len(messages) - 1, -1, -1):
        if messages[i][0] == "user":
            prior = [(r, t) for r, t in messages[:i] if r in ("user", "assistant")]
            return prior, messages[i][1]
    raise BadInput("messages: there is no user message to answer")


def _usage(prompt: str, answer: str) -> CompletionUsage:
    # a rough count (4 characters a token): the mentor does not always call a model
    p, c = max(1, len(prompt) // 4), max(1, len(answer) // 4)
    return CompletionUsage(prompt_tokens=p, completion_tokens=c, total_tokens=p + c)


def _mentor_fields(reply: Reply) -> MentorFields:
    return MentorFields.model_validate(
        {
            "intent": reply.intent,
            "section": reply.section,
            "citations": [c.to_json() for c in reply.citations],
            "notice": reply.notice,
            "card": reply.card,
        }
    )


@router.get("/models", response_model=ModelList)
def models() -> ModelList:
    """The one model, "docker-mentor" (any model name sent to /v1/chat/completions works)."""
    model = OpenAIModel(id=MODEL, object="model", created=CREATED, owned_by="docker-mentor")
    return ModelList(data=[model])


@router.post(
    "/chat/completions",
    response_model=MentorCompletion,
    responses=error_docs(
        {413: "the last user message is too long", 503: "the mentor is still starting"},
        stream="a chat.completion, or with `stream: true` server-sent "
        "chat.completion.chunk events ending with `data: [DONE]`",
    ),
)
async def completions(
    request: Request, body: CompletionRequest, settings: SettingsDep, repo: RepoDep
) -> Any:
    prior, message = split_request(body)
    check_message(message, settings.max_message_chars)
    service = await get_chat_service(request)
    state = await run_in_threadpool(rebuild_state, repo, prior)
    completion_id = f"chatcmpl-{secrets.token_hex(12)}"
    created = int(time.time())
    turn = [*prior, ("user", message)]

    if not body.stream:
        reply: Reply | None = None
        async for event in service.engine.stream(state, message):
            if isinstance(event, Done):
                reply = event.reply
        if reply is None:
            raise MentorError("the mentor ended without a reply")
        await run_in_threadpool(
            repo.save_api_state, history_key([*turn, ("assistant", reply.markdown)]), state
        )
        return MentorCompletion(
            id=completion_id,
            object="chat.completion",
            created=created,
            model=MODEL,
            choices=[
                Choice(
                    index=0,
                    message=ChatCompletionMessage(role="assistant", content=reply.markdown),
                    finish_reason="stop",
                )
            ],
            usage=_usage(message, reply.markdown),
            mentor=_mentor_fields(reply),
        )

    def chunk(delta: ChoiceDelta, finish: Any = None, mentor: MentorFields | None = None) -> bytes:
        choice = ChunkChoice(index=0, delta=delta, finish_reason=finish)
        fields: dict[str, Any] = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": MODEL,
            "choices": [choice],
        }
        if mentor is not None:
            fields["mentor"] = mentor
        data = MentorChunk.model_validate(fields)
        # only what was set: the stream carries no nulls for the fields OpenAI leaves out
        return f"data: {data.model_dump_json(exclude_unset=True)}\n\n".encode()

    async def stream() -> AsyncGenerator[bytes, None]:
        sent: list[str] = []
        final: Reply | None = None
        yield chunk(ChoiceDelta(role="assistant", content=""))
        try:
            async for event in service.engine.stream(state, message):
                if isinstance(event, Delta) and event.text:
                    sent.append(event.text)
                    yield chunk(ChoiceDelta(content=event.text))
                elif isinstance(event, Done):
                    final = event.reply
        except Exception:
            error = {"message": "the mentor failed while answering", "type": "server_error"}
            yield f"data: {json.dumps({'error': error})}\n\n".encode()
            return
        if final is not None and not sent:
            sent.append(final.markdown)  # a reply that was not streamed arrives whole
            yield chunk(ChoiceDelta(content=final.markdown))
        # the client keeps what was streamed: that is the history its next request sends
        key = history_key([*turn, ("assistant", "".join(sent))])
        await run_in_threadpool(repo.save_api_state, key, state)
        fields = _mentor_fields(final) if final is not None else None
        yield chunk(ChoiceDelta(), "stop", fields)
        yield b"data: [DONE]\n\n"

    return EventStream(stream())
