"""GET /api/search (filled in by the retrieval work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
