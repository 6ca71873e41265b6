"""REST routes for the songs: similar tracks, and a track's audio for the page's player
(HTTP range requests: the browser seeks and streams with `Range: bytes=...`)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from starlette.responses import Response, StreamingResponse

from emotion_chat.errors import ErrorCode, PreconditionError
from orchestrator.channels.http.context import context_of
from orchestrator.channels.http.converters import json_response, track_json
from orchestrator.channels.http.errors import error_response
from orchestrator.channels.http.schemas import ErrorOut, TracksOut
from orchestrator.core.ports import RecommenderPort

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut} for status in (400, 401, 404, 409, 503, 504)}
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")

router = APIRouter(prefix="/v1/tracks", tags=["tracks"])


def _recommender(request: Request) -> RecommenderPort:
    recommender = context_of(request).core().recommender
    if recommender is None:
        raise PreconditionError("no recommender is configured "
                                "(ORCHESTRATOR_RECOMMENDER_TARGET)")
    return recommender


@router.get("/{track_id}/similar", response_model=TracksOut, responses=ERRORS,
            summary="The songs that sound most like a song")
async def similar(request: Request, track_id: str,
                  k: Annotated[int, Query(ge=1, le=20)] = 5) -> Response:
    tracks = await _recommender(request).similar(track_id, k)
    return json_response({"tracks": [track_json(t) for t in tracks]})


def _range(header: str, total: int) -> tuple[int, int] | None:
    """(first, last) byte of a single `bytes=` range, clamped; None when unsatisfiable."""
    match = RANGE.match(header.strip())
    if match is None or not (match[1] or match[2]):
        return None
    if not match[1]:  # the last N bytes
        length = int(match[2])
        return (max(0, total - length), total - 1) if length and total else None
    first = int(match[1])
    last = min(int(match[2]), total - 1) if match[2] else total - 1
    return (first, last) if first <= last < total else None


@router.get("/{track_id}/audio", responses={**ERRORS, 206: {"description": "a byte range"},
                                            416: {"description": "unsatisfiable range"}},
            summary="A song's audio (supports Range requests)")
async def audio(request: Request, track_id: str,
                range_header: Annotated[str | None, Header(alias="range")] = None) -> Response:
    recommender = _recommender(request)
    head = await recommender.read_audio(track_id, 0, 0)
    total, mime = head.total_size, head.mime_type
    common = {"Accept-Ranges": "bytes", "Cache-Control": "public, max-age=86400"}
    if range_header is None:
        first, last, status = 0, total - 1, 200
    else:
        wanted = _range(range_header, total)
        if wanted is None:
            return error_response(ErrorCode.INVALID_ARGUMENT,
                                  f"unsatisfiable range {range_header!r} for {total} bytes",
                                  416, {"Content-Range": f"bytes */{total}", **common})
        (first, last), status = wanted, 206

    async def body() -> AsyncIterator[bytes]:
        offset = first
        if offset == 0 and head.data:  # the first chunk was already read
            piece = head.data[:last + 1]
            yield piece
            offset += len(piece)
        while offset <= last:
            chunk = await recommender.read_audio(track_id, offset, last + 1 - offset)
            if not chunk.data:
                break
            yield chunk.data
            offset += len(chunk.data)

    headers = {**common, "Content-Length": str(last + 1 - first)}
    if status == 206:
        headers["Content-Range"] = f"bytes {first}-{last}/{total}"
    return StreamingResponse(body(), status, headers, media_type=mime)
