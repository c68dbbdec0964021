"""Which backend the settings ask for, built in one place for the mentor, the grader and the CLI."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.llm.base import Backend

if TYPE_CHECKING:
    from app.settings import Settings


def backend_from_settings(settings: Settings) -> Backend | None:
    """The OpenAI-compatible backend when an LLM is configured, else None.

    None rather than an OfflineBackend: the offline engine needs the embedder its caller already
    holds (the mentor's index, the grader's), so the caller builds it and nothing loads twice.
    """
    if not settings.llm_configured:
        return None
    from app.llm.openai_backend import OpenAIBackend

    return OpenAIBackend(
        model=settings.llm_model,
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,
        temperature=settings.llm_temperature,
    )
