"""POST /api/grade: grade any answer to any question, with or without key points.

Thin: validate, find the rubric (given key points, the closest bank question, or the notes),
grade with the mentor's grader (the LLM one when configured, else offline), answer JSON.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from app.errors import BadInput
from app.mentor.evidence import Evidence
from app.mentor.grader import MAX_ANSWER_CHARS, Grader, OfflineGrader, Rubric, rubric_for
from app.prompts import Prompts
from app.web.deps import IndexDep, KnowledgeDep, SettingsDep
from app.web.schemas import GradeIn, GradeOut, error_docs

router = APIRouter()

MAX_KEY_POINTS = 12
MAX_KEY_POINT_CHARS = 500


def _check(body: GradeIn, limit: int) -> list[str] | None:
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


def get_grader(
    request: Request, settings: SettingsDep, index: IndexDep, kb: KnowledgeDep
) -> Grader:
    """The mentor's interview grader (app.state.grader, set when the mentor is built), else an
    offline one, built on first use and kept."""
    state = request.app.state
    grader: Grader | None = getattr(state, "grader", None)
    if grader is None:
        from app.retrieval.embeddings import shared_embedder

        embedder = getattr(index, "embedder", None) or shared_embedder(settings.embedding_model)
        evidence = Evidence(kb, embedder, settings.resolved_index_dir)
        prompts = Prompts(settings.prompts_dir)
        grader = state.grader = OfflineGrader(embedder, prompts, evidence=evidence)
    return grader


GraderDep = Annotated[Grader, Depends(get_grader)]


def _embedder(index: Any, grader: Grader) -> Any:
    fallback = getattr(grader, "fallback", grader)
    return getattr(index, "embedder", None) or getattr(fallback, "embedder", None)


@router.post(
    "/api/grade",
    tags=["interview"],
    response_model=GradeOut,
    responses=error_docs(
        {
            422: "an empty or over-long question or answer, or a malformed body",
            503: "no rubric yet: the notes index is loading",
        }
    ),
)
async def grade(
    body: GradeIn,
    settings: SettingsDep,
    kb: KnowledgeDep,
    index: IndexDep,
    grader: GraderDep,
) -> dict[str, Any]:
    """{grade: strong|partial|wrong, score: 0-10, covered, missed, feedback, misconceptions,
    model_answer, rubric_source, backend, notice, dated}; `dated` lists the claims
    that were right years ago, each {id, topic, matched, then, now, since, note, citation, cite:
    {section, heading, quote}, key_point} (app/study/versions.py, Grade.dated)."""
    key_points = _check(body, min(MAX_ANSWER_CHARS, settings.max_message_chars))
    try:
        rubric: Rubric = await run_in_threadpool(
            rubric_for, body.question, key_points, kb, index, _embedder(index, grader)
        )
    except BadInput:
        if key_points is None and index is None:
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
