"""GET /api/sections and /api/sections/{n}: the section list and one section's note.

Every note is rendered once at start-up (`app.state.notes`); a section answers with its ETag
and `no-cache`, so a client revalidates on each visit and gets a 304 while the note is
unchanged.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from app import render
from app.catalog import SECTION_TITLES
from app.errors import NotFound
from app.web.deps import KnowledgeDep
from app.web.schemas import ErrorOut, SectionNote, SectionTitle

router = APIRouter(prefix="/api/sections", tags=["sections"])


def get_notes(request: Request) -> dict[int, render.RenderedNote]:
    notes: dict[int, render.RenderedNote] = request.app.state.notes
    return notes


NotesDep = Annotated[dict[int, render.RenderedNote], Depends(get_notes)]


@router.get("", response_model=list[SectionTitle])
async def list_sections() -> list[SectionTitle]:
    """The 20 sections, in order."""
    return [SectionTitle(number=n, title=t) for n, t in SECTION_TITLES.items()]


@router.get(
    "/{number}",
    response_model=SectionNote,
    responses={
        304: {"description": "not modified (If-None-Match matched the ETag)"},
        404: {"model": ErrorOut, "description": "no such section"},
    },
)
async def get_section(
    request: Request, response: Response, kb: KnowledgeDep, notes: NotesDep, number: str
) -> SectionNote | Response:
    """One section: its Markdown and the sanitised HTML, with an ETag."""
    if not number.isdigit() or int(number) not in SECTION_TITLES:
        raise NotFound(f"there is no section {number!r}; sections are numbered 1-20")
    section = kb.section(int(number))
    note = notes[section.number]
    headers = {"ETag": note.etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == note.etag:
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return SectionNote(
        number=section.number, title=section.title, markdown=note.markdown, html=note.html
    )
