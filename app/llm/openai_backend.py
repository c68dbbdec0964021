"""Any OpenAI-compatible server (OpenAI, Ollama, vLLM, llama.cpp) through the official client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from app.llm.base import Backend, BackendError, Request


class OpenAIBackend(Backend):
    name = "openai"

    def __init__(
        self,
        *,
        model: str,
        api_key: str | None,
        base_url: str | None,
        timeout: float = 60.0,
        max_retries: int = 1,
        temperature: float = 0.2,
    ) -> None:
        self.model = model
        self.temperature = temperature
        # local servers (Ollama, llama.cpp) accept any key; the client insists on one
        self._client_args: dict[str, Any] = {
            "api_key": api_key or "not-needed",
            "base_url": base_url,
            "timeout": timeout,
            "max_retries": max_retries,
        }

    async def stream(self, request: Request) -> AsyncIterator[str]:
        import openai

        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": request.messages,
            "stream": True,
            "temperature": self.temperature,
        }
        if request.max_tokens:
            kwargs["max_tokens"] = request.max_tokens
        if request.json_mode:
            kwargs["response_format"] = {"type": "json_object"}
        produced = False
        finished = False
        try:
            # one client per call: generation takes seconds, a new loopback/TLS connection is
            # cheap, and nothing outlives the event loop it was made on (CLI, tests, workers)
            async with openai.AsyncOpenAI(**self._client_args) as client:
                stream = await client.chat.completions.create(**kwargs)
                async for chunk in stream:
                    if not chunk.choices:
                        continue
                    choice = chunk.choices[0]
                    piece = choice.delta.content if choice.delta else None
                    if piece:
                        produced = True
                        yield piece
                    if choice.finish_reason:
                        finished = True
        except openai.APITimeoutError as exc:
            raise BackendError("the language model timed out") from exc
        except openai.APIConnectionError as exc:
            raise BackendError("could not reach the language model server") from exc
        except openai.APIStatusError as exc:
            raise BackendError(
                f"the language model server answered HTTP {exc.status_code}"
            ) from exc
        except openai.OpenAIError as exc:
            raise BackendError(f"the language model failed: {type(exc).__name__}") from exc
        except Exception as exc:  # a cut stream surfaces as an httpx/protocol error
            raise BackendError(f"the language model stream broke: {type(exc).__name__}") from exc
        if not finished:
            raise BackendError("the language model stream ended before it finished")
        if not produced:
            raise BackendError("the language model returned an empty answer")
