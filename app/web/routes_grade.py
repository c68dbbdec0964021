"""POST /api/grade: grade any answer to any question, with or without key points.

Thin: validate, find the rubric (given key points, the closest bank question, or the notes),
grade with the mentor's grader (the LLM one when configured, else offline), answer JSON.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from app.errors import BadInput
from app.mentor.grader import MAX_ANSWER_CHARS, Grader, OfflineGrader, Rubric, rubric_for

router = APIRouter()

MAX_KEY_POINTS = 12
MAX_KEY_POINT_CHARS = 500


class GradeRequest(BaseModel):
    question: str = Field(description="the interview question")
    answer: str = Field(description="the candidate's answer")
    key_points: list[str] | None = Field(
        default=None, description="what a good answer contains; omitted: found for you"
    )


def _limit(request: Request) -> int:
    settings = getattr(request.app.state, "settings", None)
    return min(MAX_ANSWER_CHARS, int(getattr(settings, "max_message_chars", MAX_ANSWER_CHARS)))


def _check(body: GradeRequest, limit: int) -> list[str] | None:
    """Clear one-line 422s for empty and oversized input; the cleaned key points."""
    for name in ("question", "answer"):
        value = getattr(body, name)
        if not value.strip():
            raise BadInput(f"the {name} is empty")
        if len(value) > limit:
            raise BadInput(f"the {name} has {len(value)} characters; the limit is {limit}")
    if body.key_points is None:
        return None
    points = [k.strip() for k in body.key_points if k.strip()]
    if len(points) > MAX_KEY_POINTS:
        raise BadInput(f"{len(points)} key points; give at most {MAX_KEY_POINTS}")
    if any(len(k) > MAX_KEY_POINT_CHARS for k in points):
        raise BadInput(f"a key point is longer than {MAX_KEY_POINT_CHARS} characters")
    return points or None


def _grader(request: Request) -> Grader:
    """The mentor's interview grader when the mentor is built; else an offline one, kept."""
    state = request.app.state
    mentor_grader = getattr(
        getattr(getattr(state, "mentor", None), "interview", None), "grader", None
    )
    if mentor_grader is not None:
        return mentor_grader  # type: ignore[no-any-return]
    grader = getattr(state, "grader", None)
    if grader is None:
        from app.retrieval.embeddings import shared_embedder

        index = getattr(state, "index", None)
        settings = getattr(state, "settings", None)
        embedder = getattr(index, "embedder", None) or shared_embedder(
            getattr(settings, "embedding_model", "packaged:all-MiniLM-L6-v2")
        )
        grader = state.grader = OfflineGrader(embedder)
    return grader


def _embedder(request: Request, grader: Grader) -> Any:
    index = getattr(request.app.state, "index", None)
    fallback = getattr(grader, "fallback", grader)
    return getattr(index, "embedder", None) or getattr(fallback, "embedder", None)


@router.post("/api/grade", tags=["interview"])
async def grade(request: Request, body: GradeRequest) -> dict[str, Any]:
    """{grade: strong|partial|wrong, score: 0-10, covered, missed, feedback, misconceptions,
    model_answer, rubric_source, backend, notice, dated}; `dated` lists the claims that were
    right years ago, each {id, topic, matched, then, now, since, note, citation, cite:
    {section, heading, quote}, key_point} (app/study/versions.py, Grade.dated)."""
    key_points = _check(body, _limit(request))
    state = request.app.state
    grader = _grader(request)
    try:
        rubric: Rubric = await run_in_threadpool(
            rubric_for,
            body.question,
            key_points,
            state.knowledge,
            getattr(state, "index", None),
            _embedder(request, grader),
        )
    except BadInput:
        if key_points is None and getattr(state, "index", None) is None:
            raise HTTPException(
                503,
                detail="no bank question matches and the notes index is still loading; "
                "retry in a moment or pass key_points",
            ) from None
        raise
    result = await grader.agrade(rubric, body.answer)
    return {
        **result.to_json(),
        "rubric_source": rubric.source,
        "key_points": list(rubric.key_points),
    }
