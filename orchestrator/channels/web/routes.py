"""`GET /` (the chat page) and `/static/*` (its files)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from starlette.responses import FileResponse
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).with_name("static")
# The page is small and changes with the server: always revalidate.
NO_CACHE = {"Cache-Control": "no-cache"}

router = APIRouter(tags=["web"])


@router.get("/", include_in_schema=False)
async def page() -> FileResponse:
    return FileResponse(STATIC / "index.html", headers=NO_CACHE)


def static_files() -> StaticFiles:
    return StaticFiles(directory=STATIC)
