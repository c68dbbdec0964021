"""GET /api/search: the same JSON list as `mentor search --json`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from starlette.concurrency import run_in_threadpool

from app.retrieval.index import MAX_K, clean_query
from app.web.deps import IndexDep
from app.web.schemas import SearchHit, error_docs

router = APIRouter()


@router.get(
    "/api/search",
    response_model=list[SearchHit],
    responses=error_docs({503: "the index is still loading"}),
)
async def search(
    index: IndexDep,
    q: Annotated[str, Query(description="what to look for")] = "",
    k: Annotated[int, Query(ge=1, le=MAX_K, description="how many results")] = 5,
    section: Annotated[list[int] | None, Query(description="only these sections")] = None,
) -> list[dict[str, object]]:
    """Best passages first: {section, heading, score, text, citation, kind, id}."""
    clean_query(q)  # BadInput (422) for an empty query, even before the index is ready
    if index is None:
        raise HTTPException(503, detail="the search index is still loading; retry in a moment")
    # encoding the query runs the model: keep it off the event loop
    hits = await run_in_threadpool(index.search, q, k, section)
    return [h.to_json() for h in hits]
